//! Versions and change documents: staff add and describe versions; releasing
//! one queues a job that moves its Gepland tickets to Opgeleverd, each with a
//! mail to its requester pointing to the change document.

use super::actions::clean_version;
use super::plan::{Plan, put, state};
use super::{Actor, Service};
use crate::jobs::{Claimed, NewJob};
use crate::releases::{Release, ReleaseDraft};
use crate::store::{NewOutbox, TicketFilter};
use crate::*;

/// The job kind that moves a released version's tickets.
pub const RELEASE_JOB: &str = "release";
/// The roles that add and describe versions.
pub const RELEASE_STAFF: &[Role] = &[Role::Agent, Role::ProductManager, Role::Admin];
/// The roles that release a version (mails every requester, publishes the document).
pub const PUBLISH_STAFF: &[Role] = &[Role::ProductManager, Role::Admin];
/// The longest change document, in bytes.
const MAX_NOTES: usize = 200 * 1024;

impl Service {
    fn clean_draft(d: ReleaseDraft) -> Result<ReleaseDraft> {
        let version = clean_version(&d.version)?;
        if d.notes.len() > MAX_NOTES {
            return Err(Problem::TooLong(Field::Message, MAX_NOTES).into());
        }
        if d.notes.contains('\0') {
            return Err(Problem::ControlCharacters(Field::Message).into());
        }
        Ok(ReleaseDraft { version, ..d })
    }

    /// Adds a version. One Loket added by itself (a ticket was planned in it)
    /// that is not released and has no change document yet is described now.
    pub async fn create_release(&self, actor: &Actor, draft: ReleaseDraft) -> Result<Release> {
        actor.require_staff(RELEASE_STAFF, "add versions")?;
        let draft = Self::clean_draft(draft)?;
        match self.store.create_release(&draft, &self.stamp(actor)).await {
            Err(DomainError::Conflict(why)) => match self.store.release(&draft.version).await? {
                Some(r) if r.released_at.is_none() && r.notes.trim().is_empty() => {
                    self.store.update_release(&draft, &self.stamp(actor)).await
                }
                _ => Err(DomainError::Conflict(why)),
            },
            other => other,
        }
    }

    /// Changes a version's kind, planned day and change document.
    pub async fn update_release(&self, actor: &Actor, draft: ReleaseDraft) -> Result<Release> {
        actor.require_staff(RELEASE_STAFF, "change versions")?;
        self.store
            .update_release(&Self::clean_draft(draft)?, &self.stamp(actor))
            .await
    }

    /// Marks a version released: its Gepland tickets move to Opgeleverd and
    /// their requesters are mailed, by a queued job (at once in `loket serve`).
    pub async fn release(&self, actor: &Actor, version: &str) -> Result<Release> {
        actor.require_staff(PUBLISH_STAFF, "release versions")?;
        let job = NewJob {
            kind: RELEASE_JOB.into(),
            key: Some(format!("release:{version}")),
            payload: serde_json::json!({ "version": version }).to_string(),
            run_at: self.clock.now(),
        };
        let Some(found) = self.store.release(version).await? else {
            return Err(DomainError::not_found(format!("version {version}")));
        };
        // Every requester's mail links to the change document: not to an empty one.
        if found.released_at.is_none() && found.notes.trim().is_empty() {
            return Err(DomainError::conflict(format!(
                "version {version} has no change document yet; write it before releasing"
            )));
        }
        if !self.store.mark_released(version, &job, &self.stamp(actor)).await? {
            return Err(DomainError::conflict(format!("version {version} was released before")));
        }
        self.store
            .release(version)
            .await?
            .ok_or_else(|| DomainError::not_found(format!("version {version}")))
    }

    /// Whether tickets can be planned in `version`: not when it was released
    /// (nothing would deliver them); a version not kept yet is added, so it
    /// can be described and released.
    pub(crate) async fn plannable(&self, actor: &Actor, version: &str) -> Result<()> {
        match self.store.release(version).await? {
            Some(r) if r.released_at.is_some() => Err(DomainError::conflict(format!(
                "version {version} was released already; plan the ticket in a version still to come"
            ))),
            Some(_) => Ok(()),
            None => {
                let draft = ReleaseDraft {
                    version: version.to_owned(),
                    kind: crate::releases::ReleaseKind::Interim,
                    planned_on: None,
                    notes: String::new(),
                };
                match self.store.create_release(&draft, &self.stamp(actor)).await {
                    Ok(_) | Err(DomainError::Conflict(_)) => Ok(()),
                    Err(e) => Err(e),
                }
            }
        }
    }

    /// The release job: moves every Gepland ticket of the version to
    /// Opgeleverd with a mail to its requester. A ticket moved before (by an
    /// earlier, interrupted run) is skipped, so each gets one mail.
    pub(crate) async fn run_release_job(&self, c: &Claimed) -> Result<bool> {
        let version = serde_json::from_str::<serde_json::Value>(&c.payload)
            .ok()
            .and_then(|v| v.get("version").and_then(|v| v.as_str().map(ToOwned::to_owned)))
            .ok_or_else(|| DomainError::invalid("a release job without a version"))?;
        loop {
            let planned = self
                .store
                .list_tickets(&TicketFilter {
                    department: Some(Department::Planned),
                    release_version: Some(version.clone()),
                    oldest_first: true,
                    limit: 200,
                    ..TicketFilter::default()
                })
                .await?;
            let mut progressed = false;
            for t in planned {
                let moved = self
                    .change(&Actor::System, t.number, "release", |t, _| {
                        if t.department != Department::Planned || t.release_version.as_deref() != Some(version.as_str())
                        {
                            return Err(DomainError::conflict("moved meanwhile"));
                        }
                        put(t, &crate::rules::transfer(&state(t), Department::Delivered)?);
                        // Shipped: the question is answered; a reply reopens it.
                        t.status = Status::Resolved;
                        t.postponed_until = None;
                        Ok(Plan {
                            outbox: vec![NewOutbox {
                                kind: MailKind::Released,
                                to: None,
                                message: None,
                                automatic: true,
                            }],
                            ..Plan::default()
                        })
                    })
                    .await;
                match moved {
                    Ok(_) => progressed = true,
                    // Moved meanwhile, or merged into another ticket: not this job's.
                    Err(DomainError::Conflict(_)) => {}
                    Err(e) => return Err(e),
                }
            }
            if !progressed {
                break;
            }
        }
        self.store.finish_job(c.id, c.attempt, self.clock.now()).await
    }

    /// A released version's change document and the delivered tickets in it
    /// that `reader` may see (none for an anonymous reader).
    pub async fn change_document(&self, reader: Option<&Contact>, version: &str) -> Result<(Release, Vec<Ticket>)> {
        let release = self
            .store
            .release(version)
            .await?
            .filter(|r| r.released_at.is_some())
            .ok_or_else(|| DomainError::not_found(format!("version {version}")))?;
        let tickets = match reader {
            Some(c) => {
                self.store
                    .list_tickets(&TicketFilter {
                        requester: Some(c.id),
                        shared: self.shared_organisation(c).await?,
                        department: Some(Department::Delivered),
                        release_version: Some(release.version.clone()),
                        limit: 200,
                        ..TicketFilter::default()
                    })
                    .await?
            }
            None => Vec::new(),
        };
        Ok((release, tickets))
    }
}
