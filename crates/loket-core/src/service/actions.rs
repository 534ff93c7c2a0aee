//! The use cases on an existing ticket: replies, notes, transfer, postpone,
//! resolve, reopen, labels, assignee, version, work item and removal.

use super::plan::{Plan, put, state};
use super::{ALL_STAFF, Actor, DESK_STAFF, Service, StagedFiles, Upload};
use crate::store::{AuditEntry, NewAttachment, NewMessage, NewOutbox};
use crate::*;
use chrono::{DateTime, Duration, Utc};

/// A message to add: text, optional HTML, files and mail headers.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    /// Plain text.
    pub text: String,
    /// HTML (sanitised here), when it came as HTML.
    pub html: Option<String>,
    /// Files.
    pub attachments: Vec<Upload>,
    /// Mail Message-ID, for mail intake.
    pub mail_message_id: Option<String>,
    /// Mail In-Reply-To and References, for mail intake.
    pub mail_references: Option<String>,
    /// The mail it came from, recorded in the same transaction.
    pub receipt: Option<crate::store::MailReceipt>,
    /// Who wrote it, when that may be someone other than the requester (a
    /// colleague of the requester's organisation writing by mail).
    pub sender: Option<String>,
}

impl Reply {
    /// A plain-text reply.
    pub fn text(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            ..Self::default()
        }
    }
}

/// Longest label, in characters.
pub const MAX_LABEL_CHARS: usize = 64;
/// Most labels on one ticket.
pub const MAX_LABELS: usize = 30;

impl Service {
    /// Checks a message's text and stages its files (kept once the change commits).
    async fn prepare(&self, r: &Reply, field: Field) -> Result<StagedFiles> {
        self.check_text(&r.text, field, r.receipt.is_some())?;
        self.stage_uploads(&r.attachments, r.receipt.is_some()).await
    }

    /// An agent's public reply: sets Beantwoord and mails the requester.
    pub async fn agent_reply(&self, actor: &Actor, number: TicketNumber, reply: Reply) -> Result<Ticket> {
        let rule = |t: &mut Ticket, _| {
            put(t, &rules::agent_reply(&state(t)));
            Ok(())
        };
        self.staff_mail(
            actor,
            number,
            reply,
            ("agent_reply", "reply as agent"),
            MailKind::AgentReply,
            rule,
        )
        .await
    }

    /// A public message from staff that is mailed to the requester: `rule`
    /// moves the ticket; first response and last agent activity are recorded.
    async fn staff_mail<F>(
        &self,
        actor: &Actor,
        number: TicketNumber,
        reply: Reply,
        (action, what): (&str, &str),
        kind: MailKind,
        rule: F,
    ) -> Result<Ticket>
    where
        F: Fn(&mut Ticket, DateTime<Utc>) -> Result<()> + Send + Sync,
    {
        let staff = actor.require_staff(ALL_STAFF, what)?.id;
        let files = self.prepare(&reply, Field::Message).await?;
        let applied = self
            .change(actor, number, action, |t, now| {
                rule(t, now)?;
                t.first_response_at.get_or_insert(now);
                t.last_agent_at = Some(now);
                Ok(Plan {
                    messages: vec![new_message(
                        MessageKind::Public,
                        Author::Staff(staff),
                        &reply,
                        files.attachments.clone(),
                    )],
                    outbox: vec![NewOutbox {
                        kind,
                        to: None,
                        message: Some(0),
                        automatic: false,
                    }],
                    ..Plan::default()
                })
            })
            .await?;
        self.keep(&files).await;
        Ok(applied.ticket)
    }

    /// A reply from the customer: by the contact themselves, by mail intake
    /// (system), or recorded by staff from a phone call.
    pub async fn customer_reply(&self, actor: &Actor, number: TicketNumber, reply: Reply) -> Result<Ticket> {
        if let Actor::Staff(_) = actor {
            actor.require_staff(ALL_STAFF, "record a customer reply")?;
        }
        let files = self.prepare(&reply, Field::Message).await?;
        // A colleague writing by mail is the message's author, not the requester.
        let writer = match (actor, &reply.sender) {
            (Actor::System, Some(email)) => {
                let email = normalise_email(email)?;
                Some(self.store.ensure_contact(&email, "", self.clock.now()).await?.id)
            }
            _ => None,
        };
        let applied = self
            .change(actor, number, "customer_reply", |t, now| {
                put(t, &rules::customer_reply(&state(t)));
                t.last_customer_at = Some(now);
                let author = match actor {
                    // A colleague who may see the organisation's tickets writes as themselves.
                    Actor::Contact(c) => Author::Contact(c.id),
                    _ => Author::Contact(writer.unwrap_or(t.requester_id)),
                };
                Ok(Plan {
                    messages: vec![new_message(
                        MessageKind::Public,
                        author,
                        &reply,
                        files.attachments.clone(),
                    )],
                    receipt: reply.receipt.clone(),
                    ..Plan::default()
                })
            })
            .await?;
        self.keep(&files).await;
        Ok(applied.ticket)
    }

    /// An automatic mail (auto-reply, bounce) on a ticket: kept as an internal
    /// message from the requester, with no status change and no answer.
    pub async fn record_automatic(&self, number: TicketNumber, reply: Reply, why: &str) -> Result<Ticket> {
        let files = self
            .prepare(
                &Reply {
                    text: format!("{why}\n\n{}", reply.text),
                    ..reply.clone()
                },
                Field::Message,
            )
            .await?;
        let applied = self
            .change(&Actor::System, number, "automatic_mail", |t, _| {
                let r = Reply {
                    text: format!("[{why}]\n\n{}", reply.text),
                    ..reply.clone()
                };
                Ok(Plan {
                    messages: vec![new_message(
                        MessageKind::Internal,
                        Author::Contact(t.requester_id),
                        &r,
                        files.attachments.clone(),
                    )],
                    receipt: reply.receipt.clone(),
                    ..Plan::default()
                })
            })
            .await?;
        self.keep(&files).await;
        Ok(applied.ticket)
    }

    /// An internal note written by Loket itself (for example by the mail intake).
    pub async fn add_system_note(&self, number: TicketNumber, text: &str) -> Result<Ticket> {
        let reply = Reply::text(text);
        let applied = self
            .change(&Actor::System, number, "note", |_, _| {
                Ok(Plan {
                    messages: vec![new_message(MessageKind::Internal, Author::System, &reply, Vec::new())],
                    ..Plan::default()
                })
            })
            .await?;
        Ok(applied.ticket)
    }

    /// An internal note, visible to staff only (also a staff member's mail on
    /// a ticket's thread, with its receipt).
    pub async fn add_note(&self, actor: &Actor, number: TicketNumber, reply: Reply) -> Result<Ticket> {
        let staff = actor.require_staff(ALL_STAFF, "add internal notes")?.id;
        let files = self.prepare(&reply, Field::Message).await?;
        let applied = self
            .change(actor, number, "note", |_, _| {
                Ok(Plan {
                    messages: vec![new_message(
                        MessageKind::Internal,
                        Author::Staff(staff),
                        &reply,
                        files.attachments.clone(),
                    )],
                    receipt: reply.receipt.clone(),
                    ..Plan::default()
                })
            })
            .await?;
        self.keep(&files).await;
        Ok(applied.ticket)
    }

    /// Asks the customer for information: mails the question and postpones the
    /// ticket until `until` (two weeks when not given).
    pub async fn ask_info(
        &self,
        actor: &Actor,
        number: TicketNumber,
        reply: Reply,
        until: Option<DateTime<Utc>>,
    ) -> Result<Ticket> {
        let rule = |t: &mut Ticket, now: DateTime<Utc>| {
            let until = until.unwrap_or(now + Duration::days(rules::DEFAULT_POSTPONE_DAYS));
            put(t, &rules::ask_info(&state(t), until, now)?);
            Ok(())
        };
        self.staff_mail(
            actor,
            number,
            reply,
            ("ask_info", "ask for information"),
            MailKind::InfoRequest,
            rule,
        )
        .await
    }

    /// "Oplossen": by staff, or by the requester from the portal.
    pub async fn resolve(&self, actor: &Actor, number: TicketNumber) -> Result<Ticket> {
        if let Actor::Staff(_) = actor {
            actor.require_staff(ALL_STAFF, "resolve tickets")?;
        }
        let applied = self
            .change(actor, number, "resolve", |t, _| {
                put(t, &rules::resolve(&state(t))?);
                Ok(Plan::default())
            })
            .await?;
        Ok(applied.ticket)
    }

    /// Resolves with a message to the customer first (a public reply), when
    /// one is given; checks that the ticket may be resolved before anything
    /// is sent.
    pub async fn resolve_with(&self, actor: &Actor, number: TicketNumber, message: Option<Reply>) -> Result<Ticket> {
        let Some(reply) = message else {
            return self.resolve(actor, number).await;
        };
        let t = self.ticket_for(actor, number).await?;
        rules::resolve(&state(&t))?;
        self.agent_reply(actor, number, reply).await?;
        self.resolve(actor, number).await
    }

    /// Reopens a resolved ticket.
    pub async fn reopen(&self, actor: &Actor, number: TicketNumber) -> Result<Ticket> {
        if let Actor::Staff(_) = actor {
            actor.require_staff(ALL_STAFF, "reopen tickets")?;
        }
        let applied = self
            .change(actor, number, "reopen", |t, _| {
                put(t, &rules::reopen(&state(t))?);
                Ok(Plan::default())
            })
            .await?;
        Ok(applied.ticket)
    }

    /// Moves a ticket to another department, optionally setting the release
    /// version in the same step (Gepland and Opgeleverd need one).
    pub async fn transfer(
        &self,
        actor: &Actor,
        number: TicketNumber,
        to: Department,
        version: Option<String>,
    ) -> Result<Ticket> {
        actor.require_staff(ALL_STAFF, "transfer tickets")?;
        let version = version.map(|v| clean_version(&v)).transpose()?;
        // A wish with linked tickets takes them along to Gepland or Opgeleverd.
        let mut after = self.ticket_for(actor, number).await?;
        // Already there, with another version: that is setting the version.
        if after.department == to && version.is_some() && version != after.release_version {
            return self.set_version(actor, number, version.as_deref()).await;
        }
        if to == Department::Planned
            && let Some(v) = version.as_ref().or(after.release_version.as_ref())
        {
            self.plannable(actor, v).await?;
        }
        if let Some(v) = &version {
            after.release_version = Some(v.clone());
        }
        let jobs = self.wish_jobs(&after, to).await?;
        let applied = self
            .change(actor, number, "transfer", |t, now| {
                if let Some(v) = &version {
                    t.release_version = Some(v.clone());
                }
                put(t, &rules::transfer(&state(t), to)?);
                // A promise made on arrival in a meeting ends when the ticket leaves.
                t.promised_at = to.promised_days().map(|days| now + Duration::days(days));
                Ok(Plan {
                    jobs: jobs.clone(),
                    ..Plan::default()
                })
            })
            .await?;
        Ok(applied.ticket)
    }

    /// Replaces the ticket's labels.
    pub async fn set_labels(&self, actor: &Actor, number: TicketNumber, labels: &[String]) -> Result<Ticket> {
        actor.require_staff(ALL_STAFF, "set labels")?;
        if labels.len() > MAX_LABELS {
            return Err(Problem::TooManyLabels(MAX_LABELS).into());
        }
        let mut clean = labels
            .iter()
            .map(|l| crate::problem::clean_line(l, Field::Labels, MAX_LABEL_CHARS))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        // Labels are typed as a comma-separated list and shown in pages:
        // a label is one word or a few, never a list or markup.
        if let Some(bad) = clean.iter().find(|l| l.contains([',', ';', '<', '>', '"'])) {
            return Err(DomainError::invalid(format!(
                "the label '{bad}' contains one of , ; < > \" (a label is a word or a few words)"
            )));
        }
        clean.sort();
        clean.dedup();
        let applied = self
            .change(actor, number, "set_labels", |t, _| {
                t.labels.clone_from(&clean);
                Ok(Plan::default())
            })
            .await?;
        Ok(applied.ticket)
    }

    /// Assigns the ticket to a staff member (by address), or unassigns it.
    pub async fn assign(&self, actor: &Actor, number: TicketNumber, assignee: Option<&str>) -> Result<Ticket> {
        actor.require_staff(ALL_STAFF, "assign tickets")?;
        let assignee_id = match assignee {
            Some(email) => {
                let email = normalise_email(email)?;
                let staff = self.store.staff_by_email(&email).await?;
                Some(
                    staff
                        .ok_or_else(|| DomainError::invalid(format!("no staff member with address {email}")))?
                        .id,
                )
            }
            None => None,
        };
        let applied = self
            .change(actor, number, "assign", |t, _| {
                t.assignee_id = assignee_id;
                Ok(Plan::default())
            })
            .await?;
        Ok(applied.ticket)
    }

    /// Sets or clears the release version; a Gepland or Opgeleverd ticket keeps one.
    pub async fn set_version(&self, actor: &Actor, number: TicketNumber, version: Option<&str>) -> Result<Ticket> {
        actor.require_staff(ALL_STAFF, "set the release version")?;
        let version = version.map(clean_version).transpose()?;
        if let Some(v) = &version
            && self.ticket_for(actor, number).await?.department == Department::Planned
        {
            self.plannable(actor, v).await?;
        }
        let applied = self
            .change(actor, number, "set_version", |t, _| {
                if version.is_none() && t.department.needs_version() {
                    return Err(DomainError::conflict(format!(
                        "a ticket in department {} needs a release version",
                        t.department.id()
                    )));
                }
                t.release_version.clone_from(&version);
                Ok(Plan::default())
            })
            .await?;
        Ok(applied.ticket)
    }

    /// Sets or clears the external work item reference.
    pub async fn set_work_item(&self, actor: &Actor, number: TicketNumber, item: Option<&str>) -> Result<Ticket> {
        actor.require_staff(ALL_STAFF, "set the work item")?;
        let item = item.map(|v| clean_token(v, Field::WorkItem)).transpose()?;
        let applied = self
            .change(actor, number, "set_work_item", |t, _| {
                t.work_item.clone_from(&item);
                Ok(Plan::default())
            })
            .await?;
        Ok(applied.ticket)
    }

    /// Revokes every follow link of the ticket mailed so far (new mails carry new ones).
    pub async fn revoke_follow_links(&self, actor: &Actor, number: TicketNumber) -> Result<Ticket> {
        actor.require_staff(DESK_STAFF, "revoke follow links")?;
        let ticket = self.ticket_for(actor, number).await?;
        self.store
            .revoke_follow_links(ticket.id, self.clock.now(), &actor.audit_id())
            .await?;
        Ok(ticket)
    }

    /// Removes a message for good, with its attachments' content, and records why.
    pub async fn remove_message(
        &self,
        actor: &Actor,
        number: TicketNumber,
        message: MessageId,
        reason: &str,
    ) -> Result<Ticket> {
        actor.require_staff(DESK_STAFF, "remove messages")?;
        let reason = crate::problem::clean_line(reason, Field::Reason, 500)?;
        let reason = reason.as_str();
        let ticket = self.ticket_for(actor, number).await?;
        let messages = self.store.messages(ticket.id, true).await?;
        let Some(removed) = messages.iter().find(|m| m.id == message) else {
            return Err(DomainError::not_found(format!("message {message} on ticket {number}")));
        };
        let writer = match removed.author {
            Author::Contact(c) => self.store.get_contact(c).await?.map(|c| c.email),
            Author::Staff(s) => self.store.get_staff(s).await?.map(|s| s.name),
            Author::System => None,
        }
        .unwrap_or_else(|| "Loket".to_owned());
        let applied = self
            .change(actor, number, "remove_message", |_, _| {
                // In its place in the thread (staff only): that a message was
                // here and why it went; who and when are on the event.
                let author = actor.staff().map_or(Author::System, |s| Author::Staff(s.id));
                let tombstone = Reply::text(&format!(
                    "Een bericht van {writer} is hier definitief verwijderd. Reden: {reason}"
                ));
                Ok(Plan {
                    messages: vec![new_message(MessageKind::Event, author, &tombstone, Vec::new())],
                    remove_messages: vec![message],
                    extra_audit: vec![AuditEntry {
                        action: "remove_message".into(),
                        field: Some("message".into()),
                        old_value: Some(message.to_string()),
                        new_value: Some(reason.to_owned()),
                    }],
                    ..Plan::default()
                })
            })
            .await?;
        self.erase_freed().await;
        Ok(applied.ticket)
    }

    /// Removes one attachment for good: its bytes and the copy inside the
    /// stored mail it came with; a tombstone (name, size, SHA-256, who, when,
    /// why) stays on the ticket.
    pub async fn remove_attachment(
        &self,
        actor: &Actor,
        number: TicketNumber,
        attachment: AttachmentId,
        reason: &str,
    ) -> Result<Ticket> {
        actor.require_staff(DESK_STAFF, "remove attachments")?;
        let reason = crate::problem::clean_line(reason, Field::Reason, 500)?;
        let ticket = self.ticket_for(actor, number).await?;
        let found = self
            .store
            .attachments(ticket.id)
            .await?
            .into_iter()
            .find(|a| a.id == attachment);
        match found {
            None => {
                return Err(DomainError::not_found(format!(
                    "attachment {attachment} on ticket {number}"
                )));
            }
            Some(a) if a.removed_at.is_some() => {
                return Err(DomainError::conflict("this attachment was removed already"));
            }
            Some(_) => {}
        }
        let applied = self
            .change(actor, number, "remove_attachment", |_, _| {
                Ok(Plan {
                    remove_attachments: vec![(attachment, reason.clone())],
                    extra_audit: vec![AuditEntry {
                        action: "remove_attachment".into(),
                        field: Some("attachment".into()),
                        old_value: Some(attachment.to_string()),
                        new_value: Some(reason.clone()),
                    }],
                    ..Plan::default()
                })
            })
            .await?;
        self.erase_freed().await;
        Ok(applied.ticket)
    }

    /// After a removal: makes the freed database pages unrecoverable (a
    /// failure is logged; the next checkpoint or vacuum does it).
    pub(crate) async fn erase_freed(&self) {
        if let Err(e) = self.store.erase_freed().await {
            tracing::warn!(error = %e, "removed content may stay in free database pages until the next checkpoint");
        }
    }
}

/// A message with HTML from `r` (sanitised) or made from its text.
fn new_message(kind: MessageKind, author: Author, r: &Reply, attachments: Vec<NewAttachment>) -> NewMessage {
    NewMessage {
        kind,
        author,
        body_text: r.text.clone(),
        body_html: r
            .html
            .as_deref()
            .map_or_else(|| html::text_to_html(&r.text), html::sanitise),
        mail_message_id: r.mail_message_id.clone(),
        mail_references: r.mail_references.clone(),
        attachments,
        search_text: if kind == MessageKind::Event {
            String::new()
        } else {
            crate::search::index_text(&r.text)
        },
    }
}

/// Checks a version number: letters, digits, `.`, `-` and `_`, starting
/// with a letter or digit (no look-alike or invisible characters, nothing a
/// link would read as a path).
pub(crate) fn clean_version(raw: &str) -> Result<String> {
    let v = clean_token(raw, Field::ReleaseVersion)?;
    let ok = v.len() <= 40
        && v.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && v.chars().all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c));
    if ok {
        Ok(v)
    } else {
        Err(DomainError::invalid(format!(
            "the version '{v}' may hold only letters, digits, '.', '-' and '_', starting with a letter or digit, at most 40 (write it as 8.4.1)"
        )))
    }
}

/// Checks a short identifier such as a version or work item reference.
pub(crate) fn clean_token(raw: &str, field: Field) -> Result<String> {
    Ok(crate::problem::clean_line(raw, field, 100)?)
}
