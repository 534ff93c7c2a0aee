//! The one path every ticket change takes: load, let the use case plan the new
//! state, diff it into audit lines, store it with an optimistic version check and
//! retry when someone else changed the ticket in between.

use super::{Actor, Service};
use crate::rules::State;
use crate::store::{Applied, AuditEntry, NewMessage, NewOutbox, TicketChange};
use crate::*;
use chrono::{DateTime, Utc};

/// How often a change is recomputed after a concurrent change.
const RETRIES: u32 = 30;

/// What a use case wants done to a ticket.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub messages: Vec<NewMessage>,
    pub outbox: Vec<NewOutbox>,
    pub remove_messages: Vec<MessageId>,
    pub remove_attachments: Vec<(AttachmentId, String)>,
    pub extra_audit: Vec<AuditEntry>,
    pub receipt: Option<crate::store::MailReceipt>,
    pub settle: Option<crate::privacy_store::Settle>,
    pub jobs: Vec<crate::jobs::NewJob>,
}

impl Service {
    /// Runs `plan` on the current ticket and stores the result; `plan` mutates the
    /// ticket it is given and returns what else to write.
    pub(crate) async fn change<F>(&self, actor: &Actor, number: TicketNumber, action: &str, plan: F) -> Result<Applied>
    where
        F: Fn(&mut Ticket, DateTime<Utc>) -> Result<Plan> + Send + Sync,
    {
        let mut attempt = 0;
        loop {
            let before = self.ticket_for(actor, number).await?;
            // A ticket merged into another lives on there: nothing changes
            // here, except moving it with its requester's other tickets.
            if action != "move"
                && let Some(into) = self.store.merged_into(before.id).await?
            {
                return Err(DomainError::conflict(format!(
                    "this ticket was merged into ticket {}; work on that one",
                    into.number
                )));
            }
            let now = self.clock.now();
            let mut after = before.clone();
            let p = plan(&mut after, now)?;
            self.refresh_deadline(&mut after, Some(&before));
            let mut audit = audit_diff(action, &before, &after);
            audit.insert(
                0,
                AuditEntry {
                    action: action.to_owned(),
                    field: None,
                    old_value: None,
                    new_value: None,
                },
            );
            audit.extend(p.extra_audit);
            after.updated_at = now;
            let change = TicketChange {
                expected_version: before.version,
                after,
                actor: actor.audit_id(),
                at: now,
                messages: p.messages,
                audit,
                outbox: p.outbox,
                remove_messages: p.remove_messages,
                remove_attachments: p.remove_attachments,
                receipt: p.receipt,
                settle: p.settle,
                jobs: p.jobs,
            };
            match self.store.apply(&change).await {
                Err(DomainError::Stale) if attempt < RETRIES => {
                    attempt += 1;
                    backoff(attempt).await;
                }
                Ok(applied) => {
                    self.drop_blobs(&applied.orphaned_blobs).await;
                    return Ok(applied);
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// Waits a little, growing and jittered, before recomputing a change that lost a race.
async fn backoff(attempt: u32) {
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_micros());
    let micros = u64::from(jitter % (200 * attempt.min(20) + 1));
    tokio::time::sleep(std::time::Duration::from_micros(micros)).await;
}

/// The rules' view of a ticket.
pub(crate) fn state(t: &Ticket) -> State {
    State {
        status: t.status,
        department: t.department,
        postponed_until: t.postponed_until,
        has_version: t.release_version.is_some(),
    }
}

/// Writes a rules outcome into the ticket.
pub(crate) fn put(t: &mut Ticket, o: &crate::rules::Outcome) {
    t.status = o.status;
    t.department = o.department;
    t.postponed_until = o.postponed_until;
}

fn opt<T: ToString>(v: Option<&T>) -> Option<String> {
    v.map(ToString::to_string)
}

/// One audit line per field that differs between `a` and `b`.
pub(crate) fn audit_diff(action: &str, a: &Ticket, b: &Ticket) -> Vec<AuditEntry> {
    let fields: [(&str, Option<String>, Option<String>); 12] = [
        ("status", Some(a.status.id().into()), Some(b.status.id().into())),
        (
            "department",
            Some(a.department.id().into()),
            Some(b.department.id().into()),
        ),
        ("subject", Some(a.subject.clone()), Some(b.subject.clone())),
        ("urgent", Some(a.urgent.to_string()), Some(b.urgent.to_string())),
        ("labels", Some(a.labels.join(", ")), Some(b.labels.join(", "))),
        ("assignee", opt(a.assignee_id.as_ref()), opt(b.assignee_id.as_ref())),
        ("release_version", a.release_version.clone(), b.release_version.clone()),
        ("work_item", a.work_item.clone(), b.work_item.clone()),
        (
            "postponed_until",
            opt(a.postponed_until.as_ref()),
            opt(b.postponed_until.as_ref()),
        ),
        ("promised_at", opt(a.promised_at.as_ref()), opt(b.promised_at.as_ref())),
        (
            "requester",
            Some(a.requester_id.to_string()),
            Some(b.requester_id.to_string()),
        ),
        (
            "organisation",
            opt(a.organisation_id.as_ref()),
            opt(b.organisation_id.as_ref()),
        ),
    ];
    fields
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(field, old_value, new_value)| AuditEntry {
            action: action.to_owned(),
            field: Some(field.to_owned()),
            old_value,
            new_value,
        })
        .collect()
}
