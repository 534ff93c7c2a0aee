//! The intake pipeline every received mail takes, from IMAP or from a pipe:
//! parse, find the ticket it belongs to, and write the ticket or reply
//! together with the mail's receipt (and raw bytes) in one transaction. A mail
//! seen before is recognised (by mailbox + UID, and by Message-ID across all
//! mailboxes). One that cannot be processed, for whatever reason, waits in
//! quarantine with the reason and is tried again later, so it never holds back
//! the mail after it; one too large to load waits there without being loaded.

use crate::mailbox::{IntakeSettings, Mailbox};
use crate::parse::{InboundMail, ParseError, parse};
use crate::subject;
use crate::thread::{Thread, linked_note};
use chrono::Duration;
use loket_core::blob::Staged;
use loket_core::service::{Actor, CreateTicket, Reply, Service};
use loket_core::store::{MailReceipt, Stamp};
use loket_core::*;

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

/// Longest message text or HTML kept on a ticket from one mail; a longer body
/// is cut there, and kept whole as an attachment.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What a ticket keeps of a mail's body: text and HTML within
/// [`MAX_BODY_BYTES`] (without NUL), and the attachments, plus the whole body
/// as a file when it was cut.
struct Body {
    text: String,
    html: Option<String>,
    attachments: Vec<loket_core::service::Upload>,
}

impl Body {
    fn of(mail: &InboundMail) -> Self {
        let mut attachments = mail.attachments.clone();
        let mut text = cut(&mail.text).replace('\0', "");
        if text.len() < mail.text.len() {
            text.push_str("\n\n[…] (De volledige tekst staat in de bijlage bericht-volledig.txt.)");
            attachments.push(loket_core::service::Upload::bytes(
                "bericht-volledig.txt",
                "text/plain; charset=utf-8",
                mail.text.as_bytes().to_vec(),
            ));
        }
        let html = match &mail.html {
            Some(h) if h.len() > MAX_BODY_BYTES => {
                attachments.push(loket_core::service::Upload::bytes(
                    "bericht.html",
                    "text/html; charset=utf-8",
                    h.as_bytes().to_vec(),
                ));
                None
            }
            Some(h) => Some(h.replace('\0', "")),
            None => None,
        };
        Self {
            text,
            html,
            attachments,
        }
    }
}

/// The first [`MAX_BODY_BYTES`] of a text, at a character boundary.
fn cut(text: &str) -> &str {
    if text.len() <= MAX_BODY_BYTES {
        return text;
    }
    let mut end = MAX_BODY_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Retry delay for a quarantined mail.
const QUARANTINE_RETRY_MINUTES: i64 = 15;
/// Most bytes of a too-large mail's header section kept with its quarantine entry.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// The header section of a raw message (up to the first blank line), bounded.
pub fn head_of(raw: &[u8]) -> &[u8] {
    let limit = raw.len().min(MAX_HEAD_BYTES);
    let end = raw[..limit]
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
        .or_else(|| raw[..limit].windows(2).position(|w| w == b"\n\n").map(|p| p + 2))
        .unwrap_or(limit);
    &raw[..end]
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes))
}

/// The intake: a service, the configured mailboxes and the intake's settings.
#[derive(Clone)]
pub struct Intake {
    service: Service,
    mailboxes: Vec<Mailbox>,
    settings: IntakeSettings,
}

impl Intake {
    /// An intake for these mailboxes with the default settings.
    pub fn new(service: Service, mailboxes: Vec<Mailbox>) -> Self {
        Self {
            service,
            mailboxes,
            settings: IntakeSettings::default(),
        }
    }

    /// The same intake with these settings.
    #[must_use]
    pub fn with_settings(self, settings: IntakeSettings) -> Self {
        Self { settings, ..self }
    }

    /// The configured mailboxes.
    pub fn mailboxes(&self) -> &[Mailbox] {
        &self.mailboxes
    }

    /// The settings.
    pub fn settings(&self) -> &IntakeSettings {
        &self.settings
    }

    /// The service it stores into.
    pub fn service(&self) -> &Service {
        &self.service
    }

    fn mailbox(&self, name: &str) -> Result<&Mailbox> {
        self.mailboxes
            .iter()
            .find(|m| m.name == name)
            .ok_or_else(|| DomainError::invalid(format!("unknown mailbox '{name}'")))
    }

    /// Takes one raw message into `mailbox`. Errors mean nothing was stored
    /// (not even in quarantine) and the caller must keep the mail and try
    /// again later: storage unavailable, or an unknown mailbox.
    pub async fn ingest(&self, mailbox: &str, raw: &[u8], imap_uid: Option<(i64, i64)>) -> Result<Outcome> {
        let mb = self.mailbox(mailbox)?;
        if raw.len() > self.settings.max_mail_bytes {
            return self
                .ingest_oversized(mailbox, head_of(raw), None, raw.len() as u64, imap_uid)
                .await;
        }
        let raw_sha256 = sha256_hex(raw);
        let now = self.service.now();
        if let Some(q) = self.service.store().quarantine_entry(&mb.name, &raw_sha256).await?
            && q.next_attempt_at.is_some_and(|at| at > now)
        {
            return Ok(Outcome::Deferred);
        }
        let mut receipt = MailReceipt {
            mailbox: mb.name.clone(),
            message_id: None,
            sender: None,
            imap_uid,
            raw_sha256,
            raw: std::sync::Arc::new(raw.to_vec()),
            raw_blob: None,
            size: raw.len() as u64,
            received_at: now,
        };
        let mut mail = match parse(raw) {
            Ok(m) => m,
            Err(ParseError::NotMail(why)) => {
                self.quarantine(&receipt, &format!("not an e-mail message: {why}"))
                    .await?;
                return Ok(Outcome::NotMail(why.to_owned()));
            }
        };
        receipt.message_id.clone_from(&mail.message_id);
        receipt.sender = mail.from.as_deref().and_then(|f| normalise_email(f).ok());
        let store = self.service.store();
        if store
            .receipt_exists(
                &mb.name,
                imap_uid,
                &receipt.raw_sha256,
                mail.message_id.as_deref(),
                receipt.sender.as_deref(),
            )
            .await?
        {
            return Ok(Outcome::Duplicate);
        }
        // Another sender's mail claimed this Message-ID first: this one is taken
        // in without it, so a forged mail cannot make a real one be dropped.
        if let Some(id) = &mail.message_id
            && store.message_id_taken(id).await?
        {
            tracing::warn!(mailbox = %mb.name, "a Message-ID used before by another sender; taken in without it");
            mail.message_id = None;
            receipt.message_id = None;
        }
        let why = match self.deliver(mb, &mail, receipt.clone()).await {
            Ok(o) => return Ok(o),
            Err(DomainError::Duplicate(_)) => return Ok(Outcome::Duplicate),
            Err(DomainError::NotFound(what)) => format!("{what} not found"),
            Err(e @ (DomainError::Invalid(_) | DomainError::Conflict(_) | DomainError::Forbidden(_))) => e.to_string(),
            Err(e) => {
                // Whatever else failed, the mail waits in quarantine and is tried
                // again later, so it never holds back the mail after it. Only
                // when even that cannot be written is the error the caller's.
                tracing::warn!(mailbox = %mb.name, error = %e, "mail could not be stored");
                let why = format!("could not be stored: {e}");
                return match self.quarantine(&receipt, &why).await {
                    Ok(()) => Ok(Outcome::Quarantined(why)),
                    Err(_) => Err(e),
                };
            }
        };
        self.quarantine(&receipt, &why).await?;
        Ok(Outcome::Quarantined(why))
    }

    /// Records a mail too large to take in: in quarantine with its header
    /// section and, when Loket holds them (`blob`, a piped mail), its complete
    /// bytes in the blob store; it is tried again only when an administrator
    /// asks. One fetched over IMAP stays in its mailbox.
    pub async fn ingest_oversized(
        &self,
        mailbox: &str,
        head: &[u8],
        blob: Option<Staged>,
        size: u64,
        imap_uid: Option<(i64, i64)>,
    ) -> Result<Outcome> {
        let mb = self.mailbox(mailbox)?;
        let head = head_of(head);
        let raw_sha256 = blob.as_ref().map_or_else(|| sha256_hex(head), |b| b.sha256.clone());
        let store = self.service.store();
        if store.quarantine_entry(&mb.name, &raw_sha256).await?.is_some() {
            return Ok(Outcome::Deferred);
        }
        let parsed = parse(head).ok();
        let receipt = MailReceipt {
            mailbox: mb.name.clone(),
            message_id: parsed.as_ref().and_then(|m| m.message_id.clone()),
            sender: parsed.and_then(|m| m.from).and_then(|f| normalise_email(&f).ok()),
            imap_uid,
            raw_sha256,
            raw: std::sync::Arc::new(head.to_vec()),
            raw_blob: blob.as_ref().map(|b| b.sha256.clone()),
            size,
            received_at: self.service.now(),
        };
        let why = format!(
            "too large: {} (the limit is {}; raise max_mail_bytes and retry)",
            problem::megabytes(size),
            problem::megabytes(self.settings.max_mail_bytes as u64)
        );
        tracing::warn!(mailbox = %mb.name, size, "mail too large; kept in quarantine");
        store.quarantine_mail(&receipt, &why, None).await?;
        if let Some(b) = &blob {
            self.service.blobs().keep(b).await?;
        }
        Ok(Outcome::Quarantined(why))
    }

    /// Tries the quarantined mails that are due again; answers how many were
    /// taken in. One that fails again waits twice as long as before (at most a day).
    pub async fn retry_quarantine(&self) -> Result<usize> {
        let store = self.service.store();
        let mut taken = 0;
        for (q, uid) in store.due_quarantine(self.service.now(), 50).await? {
            let outcome = self.retry_entry(q.id, &q.mailbox, uid).await?;
            match outcome {
                Outcome::Created(_) | Outcome::Appended(_) | Outcome::Automatic(_) | Outcome::Duplicate => taken += 1,
                Outcome::Quarantined(_) | Outcome::NotMail(_) | Outcome::Deferred => {
                    let wait = (QUARANTINE_RETRY_MINUTES << q.attempts.clamp(0, 7)).min(24 * 60);
                    store
                        .defer_quarantine(q.id, Some(self.service.now() + Duration::minutes(wait)))
                        .await?;
                }
            }
        }
        Ok(taken)
    }

    /// Takes a quarantined mail in again from what Loket kept of it.
    async fn retry_entry(&self, id: i64, mailbox: &str, uid: Option<(i64, i64)>) -> Result<Outcome> {
        let Some((raw, blob)) = self.service.store().quarantined_raw(id).await? else {
            return Ok(Outcome::Quarantined("the raw message is missing".into()));
        };
        let Some(sha) = blob else {
            return self.ingest(mailbox, &raw, uid).await;
        };
        let entry = self.service.store().quarantine_entry(mailbox, &sha).await?;
        if entry.is_some_and(|e| e.size > i64::try_from(self.settings.max_mail_bytes).unwrap_or(i64::MAX)) {
            return Ok(Outcome::Quarantined("still larger than max_mail_bytes".into()));
        }
        match self.service.blobs().get(&sha).await? {
            Some(full) => self.ingest(mailbox, &full, uid).await,
            None => Ok(Outcome::Quarantined("the message's bytes are missing".into())),
        }
    }

    /// Tries one quarantined mail again now (an admin's "retry").
    pub async fn retry_one(&self, id: i64) -> Result<Outcome> {
        let store = self.service.store();
        let (q, uid) = store
            .quarantine_by_id(id)
            .await?
            .ok_or_else(|| DomainError::not_found(format!("quarantined mail {id}")))?;
        if q.next_attempt_at.is_some() {
            store.defer_quarantine(id, Some(self.service.now())).await?;
        }
        self.retry_entry(q.id, &q.mailbox, uid).await
    }

    async fn quarantine(&self, receipt: &MailReceipt, why: &str) -> Result<()> {
        tracing::warn!(mailbox = %receipt.mailbox, reason = why, "mail quarantined");
        let retry_at = self.service.now() + Duration::minutes(QUARANTINE_RETRY_MINUTES);
        self.service.store().quarantine_mail(receipt, why, Some(retry_at)).await
    }

    async fn deliver(&self, mb: &Mailbox, mail: &InboundMail, receipt: MailReceipt) -> Result<Outcome> {
        let from = mail
            .from
            .as_deref()
            .ok_or_else(|| DomainError::invalid("the mail has no sender address"))?;
        let from = normalise_email(from)
            .map_err(|_| DomainError::invalid(format!("sender '{from}' is not a valid address")))?;
        let store = self.service.store();
        let now = self.service.now();
        // A sender an agent banned (spam) waits in the quarantine.
        if store.is_banned(&from).await? {
            return Err(DomainError::Forbidden(format!(
                "the sender {from} is banned (marked as spam)"
            )));
        }
        // Mail from an address shows that mail to it arrives again.
        if store.is_undeliverable(&from).await? {
            let by = Stamp {
                actor: "system".into(),
                at: now,
            };
            store.clear_undeliverable(&from, &by).await?;
        }
        if mail.automatic == Some(crate::Automatic::Bounce) {
            // Only a bounce of a mail Loket really sent to that address counts.
            for addr in &mail.failed_recipients {
                if let Ok(addr) = normalise_email(addr)
                    && store.sent_to(&mail.bounced_ids, &addr).await?
                {
                    store.mark_undeliverable(&addr, now).await?;
                }
            }
        }
        let authenticated = self
            .settings
            .trusted_authserv_id
            .as_deref()
            .is_some_and(|id| crate::auth::authenticated(&mail.auth_results, id, email_domain(&from)));
        let references = (!mail.references.is_empty()).then(|| mail.references.join(" "));
        let body = Body::of(mail);
        let reply = Reply {
            text: if body.text.trim().is_empty() {
                "(leeg bericht)".into()
            } else {
                body.text.clone()
            },
            // Plain-text mail is shown with its quoted history folded away.
            html: body.html.or_else(|| Some(crate::quote::folded_html(&body.text))),
            attachments: body.attachments,
            mail_message_id: mail.message_id.clone(),
            mail_references: references.clone(),
            receipt: Some(receipt.clone()),
            sender: Some(from.clone()),
        };
        let linked = match crate::thread::find(&self.service, mail, &from, authenticated).await? {
            Thread::Existing(ticket) => {
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
            Thread::Staff(ticket, staff) => {
                let t = self
                    .service
                    .add_note(&Actor::Staff(staff), ticket.number, reply)
                    .await?;
                return Ok(Outcome::Appended(t));
            }
            Thread::Linked(other) => Some(other),
            Thread::New => None,
        };
        let subject = match subject::strip_prefixes(&mail.subject) {
            "" => "(geen onderwerp)".to_owned(),
            s => s.to_owned(),
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
            request_key: None,
            language: None,
        };
        let ticket = self.service.create_ticket(&Actor::System, input).await?;
        if let Some(other) = linked {
            self.service
                .add_system_note(ticket.number, &linked_note(other.number))
                .await?;
        }
        Ok(Outcome::Created(ticket))
    }
}
