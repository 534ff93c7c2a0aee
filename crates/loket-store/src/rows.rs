//! Row shapes shared by both backends and their conversion into domain records.

use chrono::{DateTime, Utc};
use loket_core::*;

/// Columns of `tickets` in [`TicketRow`] order.
pub(crate) const TICKET_COLS: &str = "id, number, subject, requester_id, organisation_id, channel, mailbox, \
    status, department, urgent, assignee_id, release_version, work_item, postponed_until, promised_at, \
    created_at, updated_at, first_response_at, last_customer_at, last_agent_at, due_at, due_kind, sla_check_at, version";

/// Columns of `messages` in [`MessageRow`] order.
pub(crate) const MESSAGE_COLS: &str = "id, ticket_id, kind, author_staff_id, author_contact_id, body_text, \
    body_html, mail_message_id, mail_references, created_at";

/// Columns of `attachments` in [`AttachmentRow`] order.
pub(crate) const ATTACHMENT_COLS: &str =
    "id, ticket_id, message_id, filename, media_type, size, sha256, created_at, removed_at, removal_reason, removed_by";

/// Columns of `contacts` in [`ContactRow`] order.
pub(crate) const CONTACT_COLS: &str =
    "id, email, name, organisation_id, authorised, created_at, language, undeliverable_at";

/// Columns of `staff` in [`StaffRow`] order.
pub(crate) const STAFF_COLS: &str = "id, email, name, role, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct TicketRow {
    id: i64,
    number: i64,
    subject: String,
    requester_id: i64,
    organisation_id: Option<i64>,
    channel: String,
    mailbox: Option<String>,
    status: String,
    department: String,
    urgent: bool,
    assignee_id: Option<i64>,
    release_version: Option<String>,
    work_item: Option<String>,
    postponed_until: Option<DateTime<Utc>>,
    promised_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    first_response_at: Option<DateTime<Utc>>,
    last_customer_at: Option<DateTime<Utc>>,
    last_agent_at: Option<DateTime<Utc>>,
    due_at: Option<DateTime<Utc>>,
    due_kind: Option<String>,
    sla_check_at: Option<DateTime<Utc>>,
    version: i64,
}

impl TicketRow {
    pub(crate) fn id(&self) -> i64 {
        self.id
    }

    pub(crate) fn into_ticket(self, labels: Vec<String>) -> Result<Ticket> {
        Ok(Ticket {
            id: TicketId(self.id),
            number: TicketNumber(self.number),
            subject: self.subject,
            requester_id: ContactId(self.requester_id),
            organisation_id: self.organisation_id.map(OrganisationId),
            channel: Channel::parse(&self.channel)?,
            mailbox: self.mailbox,
            status: Status::parse(&self.status)?,
            department: Department::parse(&self.department)?,
            urgent: self.urgent,
            labels,
            assignee_id: self.assignee_id.map(StaffId),
            release_version: self.release_version,
            work_item: self.work_item,
            postponed_until: self.postponed_until,
            promised_at: self.promised_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
            first_response_at: self.first_response_at,
            last_customer_at: self.last_customer_at,
            last_agent_at: self.last_agent_at,
            due_at: self.due_at,
            due_kind: match self.due_kind.as_deref() {
                Some(k) => Some(
                    loket_core::service_level::DueKind::parse(k)
                        .ok_or_else(|| DomainError::Storage(format!("ticket {}: bad due_kind '{k}'", self.id)))?,
                ),
                None => None,
            },
            sla_check_at: self.sla_check_at,
            version: self.version,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MessageRow {
    id: i64,
    ticket_id: i64,
    kind: String,
    author_staff_id: Option<i64>,
    author_contact_id: Option<i64>,
    body_text: String,
    body_html: String,
    mail_message_id: Option<String>,
    mail_references: Option<String>,
    created_at: DateTime<Utc>,
}

impl TryFrom<MessageRow> for Message {
    type Error = DomainError;
    fn try_from(r: MessageRow) -> Result<Self> {
        let author = match (r.author_staff_id, r.author_contact_id) {
            (Some(s), _) => Author::Staff(StaffId(s)),
            (None, Some(c)) => Author::Contact(ContactId(c)),
            (None, None) => Author::System,
        };
        Ok(Message {
            id: MessageId(r.id),
            ticket_id: TicketId(r.ticket_id),
            kind: MessageKind::parse(&r.kind)?,
            author,
            body_text: r.body_text,
            body_html: r.body_html,
            mail_message_id: r.mail_message_id,
            mail_references: r.mail_references,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AttachmentRow {
    id: i64,
    ticket_id: i64,
    message_id: Option<i64>,
    filename: String,
    media_type: String,
    size: i64,
    sha256: String,
    created_at: DateTime<Utc>,
    removed_at: Option<DateTime<Utc>>,
    removal_reason: Option<String>,
    removed_by: Option<String>,
}

impl From<AttachmentRow> for Attachment {
    fn from(r: AttachmentRow) -> Self {
        Attachment {
            id: AttachmentId(r.id),
            ticket_id: TicketId(r.ticket_id),
            message_id: r.message_id.map(MessageId),
            filename: r.filename,
            media_type: r.media_type,
            size: r.size,
            sha256: r.sha256,
            created_at: r.created_at,
            removed_at: r.removed_at,
            removal_reason: r.removal_reason,
            removed_by: r.removed_by,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ContactRow {
    id: i64,
    email: String,
    name: String,
    organisation_id: Option<i64>,
    authorised: bool,
    created_at: DateTime<Utc>,
    language: String,
    undeliverable_at: Option<DateTime<Utc>>,
}

impl From<ContactRow> for Contact {
    fn from(r: ContactRow) -> Self {
        Contact {
            id: ContactId(r.id),
            email: r.email,
            name: r.name,
            organisation_id: r.organisation_id.map(OrganisationId),
            authorised: r.authorised,
            created_at: r.created_at,
            language: Lang::parse_or_default(&r.language),
            undeliverable_at: r.undeliverable_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct StaffRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    created_at: DateTime<Utc>,
}

impl StaffRow {
    pub(crate) fn id(&self) -> i64 {
        self.id
    }
}

impl TryFrom<StaffRow> for Staff {
    type Error = DomainError;
    fn try_from(r: StaffRow) -> Result<Self> {
        Ok(Staff {
            id: StaffId(r.id),
            email: r.email,
            name: r.name,
            role: Role::parse(&r.role)?,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    entity: String,
    ticket_id: Option<i64>,
    actor: String,
    at: DateTime<Utc>,
    action: String,
    field: Option<String>,
    old_value: Option<String>,
    new_value: Option<String>,
}

impl From<AuditRow> for AuditEvent {
    fn from(r: AuditRow) -> Self {
        AuditEvent {
            entity: r.entity,
            ticket_id: r.ticket_id.map(TicketId),
            actor: r.actor,
            at: r.at,
            action: r.action,
            field: r.field,
            old_value: r.old_value,
            new_value: r.new_value,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct OutboxRow {
    id: i64,
    kind: String,
    ticket_id: Option<i64>,
    message_id: Option<i64>,
    to_addr: String,
    automatic: bool,
    link_token: Option<String>,
    postponed_until: Option<DateTime<Utc>>,
    privacy_alert_id: Option<i64>,
    sla_event_id: Option<i64>,
    due_at: Option<DateTime<Utc>>,
    release_version: Option<String>,
    outage_update_id: Option<i64>,
    forum_post_id: Option<i64>,
}

/// Columns of `outbox` in [`OutboxRow`] order.
pub(crate) const OUTBOX_COLS: &str = "id, kind, ticket_id, message_id, to_addr, automatic, link_token, postponed_until, privacy_alert_id, sla_event_id, due_at, release_version, outage_update_id, forum_post_id";

impl TryFrom<OutboxRow> for (OutboxId, OutboxMail) {
    type Error = DomainError;
    fn try_from(r: OutboxRow) -> Result<Self> {
        Ok((
            OutboxId(r.id),
            OutboxMail {
                kind: MailKind::parse(&r.kind)?,
                ticket_id: r.ticket_id.map(TicketId),
                message_id: r.message_id.map(MessageId),
                to: r.to_addr,
                automatic: r.automatic,
                link_token: r.link_token,
                postponed_until: r.postponed_until,
                privacy_alert: r.privacy_alert_id,
                sla_event: r.sla_event_id,
                due_at: r.due_at,
                release_version: r.release_version,
                outage_update: r.outage_update_id,
                forum_post: r.forum_post_id,
            },
        ))
    }
}

/// Columns of `mail_receipts` in [`QuarantineRow`] order.
pub(crate) const QUARANTINE_COLS: &str = "id, mailbox, message_id, raw_sha256, reason, CAST(attempts AS BIGINT) AS attempts, \
    next_attempt_at, uidvalidity, uid, CAST(COALESCE(size, LENGTH(raw)) AS BIGINT) AS size";

#[derive(sqlx::FromRow)]
pub(crate) struct QuarantineRow {
    id: i64,
    mailbox: String,
    message_id: Option<String>,
    raw_sha256: String,
    reason: Option<String>,
    attempts: i64,
    next_attempt_at: Option<DateTime<Utc>>,
    uidvalidity: Option<i64>,
    uid: Option<i64>,
    size: i64,
}

impl QuarantineRow {
    /// The entry, and the IMAP UID it came with.
    pub(crate) fn into_parts(self) -> (loket_core::store::QuarantinedMail, Option<(i64, i64)>) {
        let uid = self.uidvalidity.zip(self.uid);
        (
            loket_core::store::QuarantinedMail {
                id: self.id,
                mailbox: self.mailbox,
                message_id: self.message_id,
                raw_sha256: self.raw_sha256,
                reason: self.reason.unwrap_or_default(),
                attempts: self.attempts,
                next_attempt_at: self.next_attempt_at,
                size: self.size,
            },
            uid,
        )
    }
}

/// Maps a database error to the domain: unique violations become conflicts
/// naming what was taken; everything else is a storage failure.
#[allow(clippy::needless_pass_by_value)] // a `map_err` adapter
pub(crate) fn db_err(e: sqlx::Error) -> DomainError {
    if let sqlx::Error::Database(d) = &e
        && d.is_unique_violation()
    {
        if d.message().contains("mail_receipts") {
            return DomainError::Duplicate("this mail was stored before".into());
        }
        if d.message().contains("ticket_requests") {
            return DomainError::Duplicate("this form was submitted before".into());
        }
        {
            let what = d.message().to_lowercase();
            let thing = if what.contains("email") {
                "that e-mail address is already in use"
            } else if what.contains("domain") {
                "that mail domain already belongs to an organisation"
            } else {
                "that record already exists"
            };
            return DomainError::conflict(thing);
        }
    }
    DomainError::Storage(e.to_string())
}

pub(crate) use loket_core::search::ticket_doc;

/// A number typed into search ("123456" or "#123456").
pub(crate) fn as_number(text: &str) -> Option<TicketNumber> {
    text.trim()
        .trim_start_matches('#')
        .parse::<i64>()
        .ok()
        .map(TicketNumber)
}
