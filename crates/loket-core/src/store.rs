//! The ports storage implements: the [`Store`] of records and the [`BlobStore`]
//! of attachment bytes. Every method that changes a ticket writes the change,
//! its audit events, new messages and outbox mails in one transaction.

use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A new organisation.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    /// Display name.
    pub name: String,
    /// Mail domains (lower-case) whose senders belong to it.
    pub domains: Vec<String>,
}

/// A new staff account.
#[derive(Debug, Clone)]
pub struct NewStaff {
    /// E-mail address, normalised.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
}

/// Changes to a contact; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ContactPatch {
    /// New name.
    pub name: Option<String>,
    /// New organisation (`Some(None)` detaches).
    pub organisation_id: Option<Option<OrganisationId>>,
    /// New authorised flag.
    pub authorised: Option<bool>,
    /// New language.
    pub language: Option<Lang>,
    /// Clears the undeliverable mark (staff know the address works again).
    pub clear_undeliverable: bool,
}

/// An attachment whose bytes are already in the [`BlobStore`].
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// File name.
    pub filename: String,
    /// Media type.
    pub media_type: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256, hex: the blob key.
    pub sha256: String,
}

/// A message to add to a thread.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// Public, internal or event.
    pub kind: MessageKind,
    /// Who wrote it.
    pub author: Author,
    /// Plain text.
    pub body_text: String,
    /// Sanitised HTML.
    pub body_html: String,
    /// Mail Message-ID, if it came or goes by mail.
    pub mail_message_id: Option<String>,
    /// In-Reply-To and References, space separated.
    pub mail_references: Option<String>,
    /// Its attachments.
    pub attachments: Vec<NewAttachment>,
    /// `body_text` as the search index keeps it ([`crate::search::index_text`]),
    /// made by the caller so that stemming runs in parallel, not in the store's
    /// single writer.
    pub search_text: String,
}

/// An outbox mail to queue with a change.
#[derive(Debug, Clone)]
pub struct NewOutbox {
    /// Which mail.
    pub kind: MailKind,
    /// Recipient; `None` is the ticket's requester as stored when the change commits.
    pub to: Option<String>,
    /// Index into the change's `messages` of the message it carries.
    pub message: Option<usize>,
    /// Sent without a human writing it.
    pub automatic: bool,
}

/// One audit line: action, and optionally field with old and new value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// What was done.
    pub action: String,
    /// The field that changed.
    pub field: Option<String>,
    /// Old value.
    pub old_value: Option<String>,
    /// New value.
    pub new_value: Option<String>,
}

/// A received mail, recorded in the transaction of the ticket or reply it makes;
/// recording the same mail twice fails with [`DomainError::Duplicate`].
#[derive(Debug, Clone)]
pub struct MailReceipt {
    /// The mailbox it came in through.
    pub mailbox: String,
    /// Its Message-ID, without brackets.
    pub message_id: Option<String>,
    /// Its sender's address (normalised), when it has a usable one.
    pub sender: Option<String>,
    /// IMAP UIDVALIDITY and UID, when fetched over IMAP.
    pub imap_uid: Option<(i64, i64)>,
    /// SHA-256 of the raw message (hex): its identity in quarantine.
    pub raw_sha256: String,
    /// The raw message, kept with the receipt in the same transaction; for a
    /// message too large to load, only its header section.
    pub raw: std::sync::Arc<Vec<u8>>,
    /// For a message too large to load: the key of its complete bytes in the
    /// blob store, when Loket holds them (a piped mail; one fetched over IMAP
    /// stays in its mailbox).
    pub raw_blob: Option<String>,
    /// Size of the complete message in bytes.
    pub size: u64,
    /// When it was received.
    pub received_at: DateTime<Utc>,
}

/// A mail waiting in quarantine.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct QuarantinedMail {
    /// Id of the receipt.
    pub id: i64,
    /// The mailbox.
    pub mailbox: String,
    /// Its Message-ID.
    pub message_id: Option<String>,
    /// SHA-256 of the raw message (hex).
    pub raw_sha256: String,
    /// Why it could not be processed.
    pub reason: String,
    /// How often it was tried.
    pub attempts: i64,
    /// When it is tried next; never by itself when absent (a mail too large
    /// to take in waits for an administrator).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Size of the complete message in bytes.
    pub size: i64,
}

/// An outbox mail claimed for sending.
#[derive(Debug, Clone)]
pub struct ClaimedMail {
    /// Its id.
    pub id: OutboxId,
    /// What to send.
    pub mail: OutboxMail,
    /// The Message-ID it is sent with (fixed at the first attempt, so a retry
    /// after a crash sends the same message).
    pub mail_message_id: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

/// A ticket to create; the store allocates its number.
#[derive(Debug, Clone)]
pub struct NewTicketRecord {
    /// The ticket as it will be; `id`, `number` and `version` are ignored.
    pub ticket: Ticket,
    /// Who creates it (`staff:ID`, `contact:ID`, `system`).
    pub actor: String,
    /// The ticket's search document (subject, requester's address and name)
    /// as the index keeps it: [`crate::search::ticket_doc`].
    pub search_doc: String,
    /// The first message.
    pub message: NewMessage,
    /// Audit lines besides `create`.
    pub audit: Vec<AuditEntry>,
    /// Mails to send.
    pub outbox: Vec<NewOutbox>,
    /// The mail it came from, recorded in the same transaction.
    pub receipt: Option<MailReceipt>,
    /// The key of the form submission that asks for it: the same key twice
    /// makes one ticket ([`DomainError::Duplicate`] the second time).
    pub request_key: Option<String>,
}

/// A change to one ticket, applied only if the ticket is still at `expected_version`.
#[derive(Debug, Clone)]
pub struct TicketChange {
    /// The ticket after the change (id identifies it).
    pub after: Ticket,
    /// The version the change was computed from.
    pub expected_version: i64,
    /// Who changes it.
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Messages to add.
    pub messages: Vec<NewMessage>,
    /// Audit lines.
    pub audit: Vec<AuditEntry>,
    /// Mails to send.
    pub outbox: Vec<NewOutbox>,
    /// Messages to remove for good (and their attachments' content).
    pub remove_messages: Vec<MessageId>,
    /// Attachments whose content is removed for good, with the reason.
    pub remove_attachments: Vec<(AttachmentId, String)>,
    /// The mail it came from, recorded in the same transaction.
    pub receipt: Option<MailReceipt>,
    /// A privacy incident decided by this change (only while still proposed).
    pub settle: Option<crate::privacy_store::Settle>,
    /// Jobs the change queues (a job with a key already queued is skipped).
    pub jobs: Vec<crate::jobs::NewJob>,
}

/// What [`Store::apply`] returns.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The ticket as stored now.
    pub ticket: Ticket,
    /// Ids of the messages added, in order.
    pub message_ids: Vec<MessageId>,
    /// Blob keys no live attachment refers to any more: delete their bytes.
    pub orphaned_blobs: Vec<String>,
}

/// Filters for listing tickets; newest first by id unless `oldest_first`.
#[derive(Debug, Clone, Default)]
#[allow(clippy::struct_excessive_bools, reason = "each flag is one independent filter")]
pub struct TicketFilter {
    /// Only this status.
    pub status: Option<Status>,
    /// Only this department.
    pub department: Option<Department>,
    /// Only this requester.
    pub requester: Option<ContactId>,
    /// With `requester`: this organisation's tickets as well (the requester's
    /// own tickets and those of their organisation, which shares them).
    pub shared: Option<OrganisationId>,
    /// Only this organisation.
    pub organisation: Option<OrganisationId>,
    /// Only this assignee.
    pub assignee: Option<StaffId>,
    /// Only tickets with this label.
    pub label: Option<String>,
    /// Only tickets with an id below this (the cursor of the previous page,
    /// newest first).
    pub before: Option<TicketId>,
    /// Only tickets with an id above this (the cursor of the previous page,
    /// oldest first).
    pub after: Option<TicketId>,
    /// Oldest first instead of newest first.
    pub oldest_first: bool,
    /// Ordered by the customer's last reaction instead (latest first), then
    /// by id; paged with `offset`, not a cursor.
    pub by_customer_reaction: bool,
    /// Urgent tickets first, then by id as `oldest_first` says; paged with
    /// `offset`, not a cursor.
    pub urgent_first: bool,
    /// Tickets to skip (with the two orders above).
    pub offset: i64,
    /// Only tickets that are not resolved.
    pub open_only: bool,
    /// Only tickets assigned to nobody.
    pub unassigned: bool,
    /// Only urgent tickets.
    pub urgent_only: bool,
    /// Only tickets that came in by this channel.
    pub channel: Option<Channel>,
    /// Only tickets whose service-level deadline passed by this moment.
    pub overdue_at: Option<DateTime<Utc>>,
    /// Only tickets planned for or delivered in this version.
    pub release_version: Option<String>,
    /// Page size.
    pub limit: i64,
}

/// A full-text search.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// Words to find (all of them).
    pub text: String,
    /// Only tickets of this requester (and only public messages).
    pub requester: Option<ContactId>,
    /// With `requester`: this organisation's tickets as well.
    pub shared: Option<OrganisationId>,
    /// Only tickets of this organisation (and only public messages).
    pub organisation: Option<OrganisationId>,
    /// Most results.
    pub limit: i64,
}

/// Who changes something, and when: written into the audit trail.
#[derive(Debug, Clone)]
pub struct Stamp {
    /// `staff:ID`, `contact:ID` or `system`.
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// Organisations, contacts, staff, tokens, the audit trail of any entity and
/// installation-wide settings.
#[async_trait]
pub trait DirectoryStore: Send + Sync + 'static {
    /// Creates an organisation with its domains; a domain already taken is a conflict.
    async fn create_organisation(&self, new: &NewOrganisation, by: &Stamp) -> Result<Organisation>;
    /// One organisation.
    async fn get_organisation(&self, id: OrganisationId) -> Result<Option<Organisation>>;
    /// All organisations by name.
    async fn list_organisations(&self) -> Result<Vec<Organisation>>;
    /// Lets (or stops letting) an organisation's authorised contacts see all
    /// of its tickets; answers the organisation.
    async fn set_ticket_sharing(&self, id: OrganisationId, share: bool, by: &Stamp) -> Result<Organisation>;
    /// The organisation a mail domain belongs to.
    async fn organisation_for_domain(&self, domain: &str) -> Result<Option<OrganisationId>>;
    /// The contact with this (normalised) address, created if new; a new contact
    /// joins the organisation of its domain.
    async fn ensure_contact(&self, email: &str, name: &str, now: DateTime<Utc>) -> Result<Contact>;
    /// One contact.
    async fn get_contact(&self, id: ContactId) -> Result<Option<Contact>>;
    /// The contact with this normalised address.
    async fn contact_by_email(&self, email: &str) -> Result<Option<Contact>>;
    /// Contacts, optionally of one organisation, by address.
    async fn list_contacts(&self, organisation: Option<OrganisationId>, limit: i64) -> Result<Vec<Contact>>;
    /// Changes a contact, auditing each changed field.
    async fn update_contact(&self, id: ContactId, patch: &ContactPatch, by: &Stamp) -> Result<Contact>;
    /// Creates a staff account; a taken address is a conflict.
    async fn create_staff(&self, new: &NewStaff, by: &Stamp) -> Result<Staff>;
    /// One staff member.
    async fn get_staff(&self, id: StaffId) -> Result<Option<Staff>>;
    /// The staff member with this normalised address.
    async fn staff_by_email(&self, email: &str) -> Result<Option<Staff>>;
    /// Stores an API token's SHA-256 for a staff member, valid until `expires`
    /// (for ever when absent).
    async fn add_token(
        &self,
        staff: StaffId,
        token_sha256: &str,
        expires: Option<DateTime<Utc>>,
        by: &Stamp,
    ) -> Result<()>;
    /// The staff member owning a live (unrevoked, unexpired) token.
    async fn staff_by_token(&self, token_sha256: &str, now: DateTime<Utc>) -> Result<Option<Staff>>;
    /// API tokens, of one staff member or all, newest first.
    async fn list_tokens(&self, staff: Option<StaffId>) -> Result<Vec<ApiToken>>;
    /// Revokes the token with this id (see [`ApiToken::id`]); answers whether one was live.
    async fn revoke_token(&self, id: &str, by: &Stamp) -> Result<bool>;
    /// The audit trail of any entity (`contact:ID`, `organisation:ID`, `staff:ID`, `ticket:ID`).
    async fn audit_of(&self, entity: &str) -> Result<Vec<AuditEvent>>;
    /// An installation-wide secret, created at first use and shared by every process.
    async fn secret(&self, name: &str) -> Result<Vec<u8>>;
    /// Stores a single-use access token (its SHA-256) for a contact and queues
    /// the mail carrying the link, in one transaction.
    async fn create_access(
        &self,
        contact: &Contact,
        token_sha256: &str,
        link_token: &str,
        at: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<()>;
    /// The contact an access token is for, if it is unused and unexpired.
    async fn access_contact(&self, token_sha256: &str, now: DateTime<Utc>) -> Result<Option<ContactId>>;
    /// Uses an access token once: the contact it was for, if it is unused and unexpired.
    async fn use_access(&self, token_sha256: &str, now: DateTime<Utc>) -> Result<Option<ContactId>>;
    /// Sets a contact's password hash (and marks the address verified); in the
    /// same transaction every session of the contact ends and every access
    /// token sent to them is spent.
    async fn set_password(&self, contact: ContactId, hash: &str, at: DateTime<Utc>) -> Result<()>;
    /// A contact and their password hash, by address.
    async fn contact_password(&self, email: &str) -> Result<Option<(Contact, Option<String>)>>;
    /// Starts a portal session (its id's SHA-256).
    async fn create_session(
        &self,
        id_sha256: &str,
        contact: ContactId,
        at: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<()>;
    /// The contact of a live session.
    async fn session_contact(&self, id_sha256: &str, now: DateTime<Utc>) -> Result<Option<Contact>>;
    /// Ends a session.
    async fn delete_session(&self, id_sha256: &str) -> Result<()>;
    /// Revokes every follow link of a ticket issued before `at`.
    async fn revoke_follow_links(&self, ticket: TicketId, at: DateTime<Utc>, actor: &str) -> Result<()>;
    /// The moment before which a ticket's follow links no longer count.
    async fn follow_links_revoked_at(&self, ticket: TicketId) -> Result<Option<DateTime<Utc>>>;
    /// Counts one hit on `key` in the window starting at `window_start` and
    /// answers the hits so far, this one included (shared by all processes).
    async fn rate_hit(&self, key: &str, window_start: DateTime<Utc>) -> Result<i64>;
    /// Marks an address undeliverable (a bounce came back for mail sent to it).
    async fn mark_undeliverable(&self, email: &str, at: DateTime<Utc>) -> Result<()>;
    /// Clears the undeliverable mark of an address (mail from it arrived);
    /// answers whether it was marked.
    async fn clear_undeliverable(&self, email: &str, by: &Stamp) -> Result<bool>;
    /// Whether mail to this address bounced.
    async fn is_undeliverable(&self, email: &str) -> Result<bool>;
}

/// Tickets, their messages, attachments, audit trail and search.
#[async_trait]
pub trait TicketStore: Send + Sync + 'static {
    /// Creates a ticket with its first message, audit and outbox in one transaction.
    async fn insert_ticket(&self, new: &NewTicketRecord) -> Result<Ticket>;
    /// Creates many tickets in one transaction (imports, seeding): all or none.
    async fn insert_tickets(&self, batch: &[NewTicketRecord]) -> Result<Vec<Ticket>>;
    /// One ticket by id.
    async fn get_ticket(&self, id: TicketId) -> Result<Option<Ticket>>;
    /// One ticket by number.
    async fn ticket_by_number(&self, number: TicketNumber) -> Result<Option<Ticket>>;
    /// The ticket a form submission made (its request key), if any.
    async fn ticket_for_request(&self, key: &str) -> Result<Option<Ticket>>;
    /// Tickets matching a filter, newest first.
    async fn list_tickets(&self, filter: &TicketFilter) -> Result<Vec<Ticket>>;
    /// Applies a change in one transaction; [`DomainError::Stale`] if the ticket moved on.
    async fn apply(&self, change: &TicketChange) -> Result<Applied>;
    /// A ticket's messages, oldest first; internal notes and events only if asked.
    async fn messages(&self, ticket: TicketId, include_internal: bool) -> Result<Vec<Message>>;
    /// A ticket's attachments.
    async fn attachments(&self, ticket: TicketId) -> Result<Vec<Attachment>>;
    /// A ticket's audit trail, oldest first.
    async fn audit(&self, ticket: TicketId) -> Result<Vec<AuditEvent>>;
    /// Full-text search over subject, messages and requester; newest first.
    async fn search(&self, query: &SearchQuery) -> Result<Vec<Ticket>>;
    /// Postponed tickets whose date has passed.
    async fn due_postponed(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<TicketId>>;
    /// Whether any record refers to these blob bytes (a live attachment, or a
    /// quarantined mail too large to keep in the database).
    async fn blob_in_use(&self, sha256: &str) -> Result<bool>;
}

/// Mail receipts, the quarantine and the outbox.
#[async_trait]
pub trait MailStore: Send + Sync + 'static {
    /// Whether a mail was stored before: by mailbox and IMAP UID, by its exact
    /// bytes, or by Message-ID from the same sender (a Message-ID alone is the
    /// sender's word, and anyone can claim one first).
    async fn receipt_exists(
        &self,
        mailbox: &str,
        imap_uid: Option<(i64, i64)>,
        raw_sha256: &str,
        message_id: Option<&str>,
        sender: Option<&str>,
    ) -> Result<bool>;
    /// The original mail a message came from (staff's "show original"); empty
    /// once the message was removed for good.
    async fn raw_mail(&self, message: MessageId) -> Result<Option<Vec<u8>>>;
    /// Whether a stored mail already carries this Message-ID (from anyone).
    async fn message_id_taken(&self, message_id: &str) -> Result<bool>;
    /// The ticket of any message Loket received or sent with one of these
    /// Message-IDs, and whether the match was a mail Loket sent.
    async fn ticket_for_mail_ids(&self, ids: &[String]) -> Result<Option<(TicketId, bool)>>;
    /// Whether Loket sent a mail with one of these Message-IDs to `to`.
    async fn sent_to(&self, ids: &[String], to: &str) -> Result<bool>;
    /// The Message-IDs of the last `limit` mails Loket sent to `to` about a
    /// ticket, with when each was made, oldest first (for the threading
    /// headers of the next mail).
    async fn sent_mail_ids(&self, ticket: TicketId, to: &str, limit: i64) -> Result<Vec<(DateTime<Utc>, String)>>;
    /// Puts a mail in quarantine (or updates its entry): tried again at
    /// `retry_at`, or only when an administrator asks when `None`.
    async fn quarantine_mail(&self, receipt: &MailReceipt, reason: &str, retry_at: Option<DateTime<Utc>>)
    -> Result<()>;
    /// Mails in quarantine, oldest first.
    async fn list_quarantine(&self, limit: i64) -> Result<Vec<QuarantinedMail>>;
    /// Quarantined mails whose retry time has come.
    async fn due_quarantine(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<(QuarantinedMail, Option<(i64, i64)>)>>;
    /// The quarantine entry of these raw bytes in a mailbox, if any.
    async fn quarantine_entry(&self, mailbox: &str, raw_sha256: &str) -> Result<Option<QuarantinedMail>>;
    /// The raw bytes of a quarantined mail (only its header section for a
    /// mail too large to load) and the blob key of its complete bytes, if any.
    async fn quarantined_raw(&self, id: i64) -> Result<Option<(Vec<u8>, Option<String>)>>;
    /// One quarantined mail and the IMAP UID it came with.
    async fn quarantine_by_id(&self, id: i64) -> Result<Option<(QuarantinedMail, Option<(i64, i64)>)>>;
    /// Sets when a quarantined mail is tried next (only when asked, when `None`).
    async fn defer_quarantine(&self, id: i64, retry_at: Option<DateTime<Utc>>) -> Result<()>;
    /// How many automatic mails went (or wait to go) to an address since a moment.
    async fn recent_automatic_mails(&self, to: &str, since: DateTime<Utc>) -> Result<i64>;
    /// Claims up to `limit` due outbox mails until `lease_until` (so no other
    /// process sends them meanwhile), giving each a Message-ID at `domain`.
    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        domain: &str,
        limit: i64,
    ) -> Result<Vec<ClaimedMail>>;
    /// Marks an outbox mail sent.
    async fn outbox_sent(&self, id: OutboxId, at: DateTime<Utc>) -> Result<()>;
    /// Records a failed attempt: tried again at `retry_at`, or given up when `None`.
    async fn outbox_failed(&self, id: OutboxId, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<()>;
    /// Outbox mails not yet sent, oldest first.
    async fn pending_outbox(&self, limit: i64) -> Result<Vec<(OutboxId, OutboxMail)>>;
}

/// Storage of every record: the capability traits together. Implemented
/// once per database.
pub trait Store:
    DirectoryStore
    + TicketStore
    + MailStore
    + StaffStore
    + crate::privacy_store::PrivacyStore
    + crate::service_level::ServiceLevelStore
    + crate::jobs::JobStore
    + crate::releases::ReleaseStore
    + crate::wishes::WishStore
    + crate::webhooks::WebhookStore
    + crate::outages::OutageStore
    + crate::forum::ForumStore
{
}

impl<
    T: DirectoryStore
        + TicketStore
        + MailStore
        + StaffStore
        + crate::privacy_store::PrivacyStore
        + crate::service_level::ServiceLevelStore
        + crate::jobs::JobStore
        + crate::releases::ReleaseStore
        + crate::wishes::WishStore
        + crate::webhooks::WebhookStore
        + crate::outages::OutageStore
        + crate::forum::ForumStore,
> Store for T
{
}

pub use crate::privacy_store::*;
pub use crate::staff_store::*;

pub use crate::blob::{BlobStore, BlobWriter, Staged, StagedHandle, SweepItem};
