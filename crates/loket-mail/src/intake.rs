//! The intake pipeline every received mail takes, from IMAP or from a pipe:
//! store the raw bytes, parse, find the ticket it belongs to, and write the
//! ticket or reply together with the mail's receipt in one transaction. A mail
//! seen before is recognised (by mailbox + UID, and by Message-ID across all
//! mailboxes); one that cannot be processed goes to quarantine with the reason.

use crate::parse::{InboundMail, ParseError, parse};
use crate::subject;
use chrono::Duration;
use loket_core::service::{Actor, CreateTicket, Reply, Service};
use loket_core::store::MailReceipt;
use loket_core::*;

/// A mailbox Loket reads, and the department its mail lands in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Mailbox {
    /// Name, as used by `loket ingest-mail --mailbox NAME`.
    pub name: String,
    /// The address customers write to (replies to Loket's mail go there too).
    #[serde(default)]
    pub address: Option<String>,
    /// Department of new tickets from this mailbox.
    pub department: Department,
    /// The IMAP account to read; without it mail arrives by `loket ingest-mail`.
    #[serde(default)]
    pub imap: Option<crate::imap::ImapConfig>,
}

impl Mailbox {
    /// The two mailboxes that exist without configuration.
    pub fn defaults() -> Vec<Mailbox> {
        vec![
            Mailbox {
                name: "helpdesk".into(),
                address: None,
                department: Department::Helpdesk,
                imap: None,
            },
            Mailbox {
                name: "updates".into(),
                address: None,
                department: Department::Updates,
                imap: None,
            },
        ]
    }
}

/// What became of a mail.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A new ticket.
    Created(Ticket),
    /// A reply on an existing ticket.
    Appended(Ticket),
    /// An automatic mail kept on a ticket, unanswered.
    Automatic(Ticket),
    /// Stored before; nothing done.
    Duplicate,
    /// Kept in quarantine, with the reason.
    Quarantined(String),
    /// Not a mail at all (kept in quarantine).
    NotMail(String),
    /// In quarantine and not yet due for another try.
    Deferred,
}

/// Retry delay for a quarantined mail.
const QUARANTINE_RETRY_MINUTES: i64 = 15;

/// The intake: a service and the configured mailboxes.
#[derive(Clone)]
pub struct Intake {
    service: Service,
    mailboxes: Vec<Mailbox>,
}

impl Intake {
    /// An intake for these mailboxes.
    pub fn new(service: Service, mailboxes: Vec<Mailbox>) -> Self {
        Self { service, mailboxes }
    }

    /// The configured mailboxes.
    pub fn mailboxes(&self) -> &[Mailbox] {
        &self.mailboxes
    }

    /// Takes one raw message into `mailbox`. Errors mean nothing was stored and
    /// the caller must keep the mail and try again (storage unavailable, or an
    /// unknown mailbox).
    pub async fn ingest(&self, mailbox: &str, raw: &[u8], imap_uid: Option<(i64, i64)>) -> Result<Outcome> {
        let mb = self
            .mailboxes
            .iter()
            .find(|m| m.name == mailbox)
            .ok_or_else(|| DomainError::invalid(format!("unknown mailbox '{mailbox}'")))?;
        let raw_sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(raw));
        let now = self.service.now();
        if let Some(q) = self.service.store().quarantine_entry(&mb.name, &raw_sha256).await?
            && q.next_attempt_at.is_some_and(|at| at > now)
        {
            return Ok(Outcome::Deferred);
        }
        let mut receipt = MailReceipt {
            mailbox: mb.name.clone(),
            message_id: None,
            imap_uid,
            raw_sha256,
            raw: std::sync::Arc::new(raw.to_vec()),
            received_at: now,
        };
        let mail = match parse(raw) {
            Ok(m) => m,
            Err(ParseError::NotMail(why)) => {
                self.quarantine(&receipt, &format!("not an e-mail message: {why}"))
                    .await?;
                return Ok(Outcome::NotMail(why.to_owned()));
            }
        };
        receipt.message_id.clone_from(&mail.message_id);
        if self
            .service
            .store()
            .receipt_exists(&mb.name, imap_uid, mail.message_id.as_deref())
            .await?
        {
            return Ok(Outcome::Duplicate);
        }
        let result = self.deliver(mb, &mail, receipt.clone()).await;
        match result {
            Ok(o) => Ok(o),
            Err(DomainError::Duplicate(_)) => Ok(Outcome::Duplicate),
            Err(DomainError::Invalid(why) | DomainError::Conflict(why) | DomainError::Forbidden(why)) => {
                self.quarantine(&receipt, &why).await?;
                Ok(Outcome::Quarantined(why))
            }
            Err(DomainError::NotFound(what)) => {
                let why = format!("{what} not found");
                self.quarantine(&receipt, &why).await?;
                Ok(Outcome::Quarantined(why))
            }
            Err(e) => Err(e),
        }
    }

    /// Tries the quarantined mails that are due again; answers how many were
    /// taken in. One that fails again waits twice as long as before (at most a day).
    pub async fn retry_quarantine(&self) -> Result<usize> {
        let store = self.service.store();
        let mut taken = 0;
        for (q, uid) in store.due_quarantine(self.service.now(), 50).await? {
            let outcome = match store.quarantined_raw(q.id).await? {
                Some(raw) => self.ingest(&q.mailbox, &raw, uid).await?,
                None => Outcome::Quarantined("the raw message is missing".into()),
            };
            match outcome {
                Outcome::Created(_) | Outcome::Appended(_) | Outcome::Automatic(_) | Outcome::Duplicate => taken += 1,
                Outcome::Quarantined(_) | Outcome::NotMail(_) | Outcome::Deferred => {
                    let wait = (QUARANTINE_RETRY_MINUTES << q.attempts.clamp(0, 7)).min(24 * 60);
                    store
                        .defer_quarantine(q.id, self.service.now() + Duration::minutes(wait))
                        .await?;
                }
            }
        }
        Ok(taken)
    }

    /// Tries one quarantined mail again now (an admin's "retry").
    pub async fn retry_one(&self, id: i64) -> Result<Outcome> {
        let store = self.service.store();
        let now = self.service.now();
        store.defer_quarantine(id, now).await?;
        let entry = store
            .due_quarantine(now, 10_000)
            .await?
            .into_iter()
            .find(|(q, _)| q.id == id);
        let (q, uid) = entry.ok_or_else(|| DomainError::not_found(format!("quarantined mail {id}")))?;
        let raw = store
            .quarantined_raw(q.id)
            .await?
            .ok_or_else(|| DomainError::not_found("the raw message"))?;
        self.ingest(&q.mailbox, &raw, uid).await
    }

    async fn quarantine(&self, receipt: &MailReceipt, why: &str) -> Result<()> {
        tracing::warn!(mailbox = %receipt.mailbox, reason = why, "mail quarantined");
        let retry_at = self.service.now() + Duration::minutes(QUARANTINE_RETRY_MINUTES);
        self.service.store().quarantine_mail(receipt, why, retry_at).await
    }

    async fn deliver(&self, mb: &Mailbox, mail: &InboundMail, receipt: MailReceipt) -> Result<Outcome> {
        let from = mail
            .from
            .as_deref()
            .ok_or_else(|| DomainError::invalid("the mail has no sender address"))?;
        let from = normalise_email(from)
            .map_err(|_| DomainError::invalid(format!("sender '{from}' is not a valid address")))?;
        let references = (!mail.references.is_empty()).then(|| mail.references.join(" "));
        let reply = Reply {
            text: if mail.text.trim().is_empty() {
                "(leeg bericht)".into()
            } else {
                mail.text.clone()
            },
            // Plain-text mail is shown with its quoted history folded away.
            html: mail
                .html
                .clone()
                .or_else(|| Some(crate::quote::folded_html(&mail.text))),
            attachments: mail.attachments.clone(),
            mail_message_id: mail.message_id.clone(),
            mail_references: references.clone(),
            receipt: Some(receipt.clone()),
        };
        if mail.automatic == Some(crate::Automatic::Bounce) {
            for addr in &mail.failed_recipients {
                if let Ok(addr) = normalise_email(addr) {
                    self.service
                        .store()
                        .mark_undeliverable(&addr, self.service.now())
                        .await?;
                }
            }
        }
        let (existing, linked) = self.thread(mail, &from).await?;
        if let Some(ticket) = existing {
            if let Some(why) = mail.automatic {
                let t = self
                    .service
                    .record_automatic(ticket.number, reply, &format!("automatisch bericht: {why:?}"))
                    .await?;
                return Ok(Outcome::Automatic(t));
            }
            let t = self
                .service
                .customer_reply(&Actor::System, ticket.number, reply)
                .await?;
            return Ok(Outcome::Appended(t));
        }
        let subject = match subject::strip_prefixes(&mail.subject) {
            "" => "(geen onderwerp)".to_owned(),
            s => s.chars().take(loket_core::service::MAX_SUBJECT_CHARS).collect(),
        };
        let input = CreateTicket {
            subject,
            message: reply.text,
            message_html: reply.html,
            requester: from,
            requester_name: mail.from_name.clone(),
            channel: Channel::Email,
            department: Some(mb.department),
            urgent: false,
            mailbox: Some(mb.name.clone()),
            attachments: reply.attachments,
            mail_message_id: mail.message_id.clone(),
            mail_references: references,
            receipt: Some(receipt),
            automatic: mail.automatic.is_some(),
        };
        let ticket = self.service.create_ticket(&Actor::System, input).await?;
        if let Some(other) = linked {
            let note = format!(
                "Dit bericht noemde ticket #{} in het onderwerp, maar de afzender hoort niet bij dat ticket; daarom is een nieuw ticket gemaakt.",
                other.number
            );
            self.service.add_system_note(ticket.number, &note).await?;
        }
        Ok(Outcome::Created(ticket))
    }

    /// The ticket a mail belongs to: by In-Reply-To/References, then by the
    /// number in the subject if the sender takes part in that ticket. A subject
    /// number from a stranger is answered as "linked": a new ticket, noted.
    async fn thread(&self, mail: &InboundMail, from: &str) -> Result<(Option<Ticket>, Option<Ticket>)> {
        let store = self.service.store();
        let mut ids = mail.references.clone();
        ids.extend(mail.bounced_ids.iter().cloned());
        if let Some(id) = store.ticket_for_mail_ids(&ids).await? {
            return Ok((store.get_ticket(id).await?, None));
        }
        let Some(number) = subject::number_in(&mail.subject) else {
            return Ok((None, None));
        };
        let Some(ticket) = store.ticket_by_number(number).await? else {
            return Ok((None, None));
        };
        let sender = store.contact_by_email(from).await?;
        let requester = store.get_contact(ticket.requester_id).await?;
        let participant = match (&sender, &requester) {
            (Some(s), _) if s.id == ticket.requester_id => true,
            (Some(s), _) if s.organisation_id.is_some() && s.organisation_id == ticket.organisation_id => true,
            (None, Some(r)) => email_domain(&r.email) == email_domain(from) && ticket.organisation_id.is_some(),
            _ => store.staff_by_email(from).await?.is_some(),
        };
        Ok(if participant {
            (Some(ticket), None)
        } else {
            (None, Some(ticket))
        })
    }
}
