//! The stored records: organisations, contacts, staff, tickets, messages,
//! attachments, audit events and outbox mails.

use super::{Channel, Department, MailKind, MessageKind, Role, Status};
use crate::ids::*;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A customer organisation (usually a municipality).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Organisation {
    /// Id.
    pub id: OrganisationId,
    /// Display name.
    pub name: String,
    /// Mail domains whose senders belong to this organisation.
    pub domains: Vec<String>,
    /// Whether its authorised contacts see all of its tickets on the portal.
    pub share_tickets: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A customer contact, identified by e-mail address.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Contact {
    /// Id.
    pub id: ContactId,
    /// E-mail address, lower-cased; unique.
    pub email: String,
    /// Name as last given.
    pub name: String,
    /// The organisation, by domain or by assignment.
    pub organisation_id: Option<OrganisationId>,
    /// Whether this contact is an authorised (application/system administrator) contact.
    pub authorised: bool,
    /// The language of mail and pages for this contact.
    pub language: super::Lang,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Since when mail to this address bounces (cleared when mail from it
    /// arrives, or by staff); no mail is sent while it is set.
    pub undeliverable_at: Option<DateTime<Utc>>,
}

/// A staff account.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Staff {
    /// Id.
    pub id: StaffId,
    /// E-mail address, lower-cased; unique.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// An API token as staff see it: never the token itself.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ApiToken {
    /// Its public id: the first 12 hex digits of the token's SHA-256.
    pub id: String,
    /// The staff member it acts for.
    pub staff_id: StaffId,
    /// That staff member's address.
    pub staff_email: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A ticket.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Ticket {
    /// Internal id.
    pub id: TicketId,
    /// The number customers see.
    pub number: TicketNumber,
    /// Subject line.
    pub subject: String,
    /// The contact the ticket is for.
    pub requester_id: ContactId,
    /// The requester's organisation at creation (or as changed by a move).
    pub organisation_id: Option<OrganisationId>,
    /// How it came in.
    pub channel: Channel,
    /// The mailbox it came in through, for mail.
    pub mailbox: Option<String>,
    /// Status.
    pub status: Status,
    /// Department.
    pub department: Department,
    /// "Bedrijfsvoering ernstig verstoord": work starts immediately.
    pub urgent: bool,
    /// Labels, sorted.
    pub labels: Vec<String>,
    /// The staff member handling it.
    pub assignee_id: Option<StaffId>,
    /// The release version it is planned for or delivered in.
    pub release_version: Option<String>,
    /// External work item reference (Azure DevOps).
    pub work_item: Option<String>,
    /// While postponed: when it resolves itself without reaction.
    pub postponed_until: Option<DateTime<Utc>>,
    /// The date the customer was promised a reaction by.
    pub promised_at: Option<DateTime<Utc>>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change of any kind.
    pub updated_at: DateTime<Utc>,
    /// First public agent reply.
    pub first_response_at: Option<DateTime<Utc>>,
    /// Last message from the customer.
    pub last_customer_at: Option<DateTime<Utc>>,
    /// Last public message from an agent.
    pub last_agent_at: Option<DateTime<Utc>>,
    /// The service-level deadline running now (none while the customer has
    /// the turn or the promise is another one).
    pub due_at: Option<DateTime<Utc>>,
    /// Which promise `due_at` keeps.
    pub due_kind: Option<crate::service_level::DueKind>,
    /// When the service-level check looks at the ticket next (the warning,
    /// then the deadline); internal.
    #[serde(skip)]
    pub sla_check_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency version, bumped on every change.
    pub version: i64,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Author {
    /// A staff member.
    Staff(StaffId),
    /// A customer contact.
    Contact(ContactId),
    /// Loket itself.
    System,
}

/// A message in a ticket's thread.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Message {
    /// Id.
    pub id: MessageId,
    /// The ticket.
    pub ticket_id: TicketId,
    /// Public, internal or event.
    pub kind: MessageKind,
    /// Who wrote it.
    pub author: Author,
    /// Plain text (also what search indexes).
    pub body_text: String,
    /// Sanitised HTML for display.
    pub body_html: String,
    /// The mail Message-ID, when it came or went by mail.
    pub mail_message_id: Option<String>,
    /// The mail's In-Reply-To and References ids, space separated.
    pub mail_references: Option<String>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// An attachment to a message.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Attachment {
    /// Id.
    pub id: AttachmentId,
    /// The ticket.
    pub ticket_id: TicketId,
    /// The message it came with.
    pub message_id: Option<MessageId>,
    /// File name as given.
    pub filename: String,
    /// Media type.
    pub media_type: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256 of the content, hex; the key of the stored bytes.
    pub sha256: String,
    /// When it was received.
    pub created_at: DateTime<Utc>,
    /// When the content was removed for good, if it was.
    pub removed_at: Option<DateTime<Utc>>,
    /// Why it was removed.
    pub removal_reason: Option<String>,
    /// Who removed it (`staff:ID` or `system`).
    pub removed_by: Option<String>,
}

/// One recorded change: who, when, what from what to what.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AuditEvent {
    /// What it concerns: `ticket:ID`, `contact:ID`, `organisation:ID`, `staff:ID`.
    pub entity: String,
    /// The ticket it concerns, if any.
    pub ticket_id: Option<TicketId>,
    /// Who did it: `staff:ID`, `contact:ID` or `system`.
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
    /// What was done (`create`, `reply`, `transfer`, ...).
    pub action: String,
    /// The field that changed, if one did.
    pub field: Option<String>,
    /// Its old value.
    pub old_value: Option<String>,
    /// Its new value.
    pub new_value: Option<String>,
}

/// A mail to send, written in the same transaction as the change that causes it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OutboxMail {
    /// Which mail.
    pub kind: MailKind,
    /// The ticket it is about (none for account mail).
    pub ticket_id: Option<TicketId>,
    /// The message it carries, for replies and requests.
    pub message_id: Option<MessageId>,
    /// Recipient address.
    pub to: String,
    /// Whether it is sent automatically (no human wrote it).
    pub automatic: bool,
    /// The secret of the link an account mail carries; cleared once sent, never shown.
    #[serde(skip)]
    pub link_token: Option<String>,
    /// The ticket's reply-by date as the change that queued this mail left
    /// it (what a request for information states, however late it is sent).
    pub postponed_until: Option<DateTime<Utc>>,
    /// The privacy threshold alert it tells of.
    pub privacy_alert: Option<i64>,
    /// The service-level warning or breach it tells staff of.
    pub sla_event: Option<i64>,
    /// The ticket's service-level deadline as the change left it (what a
    /// confirmation promises).
    pub due_at: Option<DateTime<Utc>>,
    /// The ticket's version as the change left it (what a release mail names).
    pub release_version: Option<String>,
    /// The outage update it tells of.
    pub outage_update: Option<i64>,
    /// The forum post it tells a follower of.
    pub forum_post: Option<i64>,
}
