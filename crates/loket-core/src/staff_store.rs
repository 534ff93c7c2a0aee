//! The storage port of the agent workspace: staff passwords, TOTP secrets and
//! recovery codes, staff sessions, the roles that must use TOTP, the counts
//! the overview shows, canned replies, who has a ticket open, contact lookup
//! and merging tickets.

use crate::store::Stamp;
use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// How far a staff session got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStage {
    /// The password was right; a TOTP code (or enrolment) is still to come.
    Password,
    /// Fully signed in.
    SignedIn,
}

impl SessionStage {
    /// The stored id.
    pub fn id(self) -> &'static str {
        match self {
            SessionStage::Password => "password",
            SessionStage::SignedIn => "signed_in",
        }
    }

    /// Reads a stored id.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "password" => Some(SessionStage::Password),
            "signed_in" => Some(SessionStage::SignedIn),
            _ => None,
        }
    }
}

/// A staff session as stored.
#[derive(Debug, Clone)]
pub struct StaffSessionRecord {
    /// Whose.
    pub staff: Staff,
    /// How far it got.
    pub stage: SessionStage,
    /// A TOTP secret being enrolled (base32), not yet confirmed.
    pub pending_secret: Option<String>,
    /// Whether the staff member has a confirmed TOTP secret.
    pub has_totp: bool,
    /// When it started.
    pub created_at: DateTime<Utc>,
    /// When it was last used.
    pub last_seen_at: DateTime<Utc>,
}

/// What sign-in needs to know of a staff member.
#[derive(Debug, Clone)]
pub struct StaffCredentials {
    /// The staff member.
    pub staff: Staff,
    /// Argon2id PHC hash, when a password was set.
    pub password_hash: Option<String>,
    /// The confirmed TOTP secret (base32), when enrolled.
    pub totp_secret: Option<String>,
    /// Whether the staff member's role must use TOTP.
    pub totp_required: bool,
}

/// Open (not resolved) tickets counted for the overview.
#[derive(Debug, Clone, Default)]
pub struct TicketCounts {
    /// Per department and status.
    pub by_place: Vec<(Department, Status, i64)>,
    /// Assigned to the asking staff member.
    pub mine: i64,
    /// Assigned to nobody.
    pub unassigned: i64,
    /// Marked urgent.
    pub urgent: i64,
    /// Waiting on a customer (postponed).
    pub waiting: i64,
}

/// How fetching a mailbox goes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MailboxStatus {
    /// The mailbox's name.
    pub name: String,
    /// The last fetch that worked.
    pub last_ok_at: Option<DateTime<Utc>>,
    /// The last error, and when.
    pub last_error: Option<(String, DateTime<Utc>)>,
}

/// A canned reply: a text with placeholders that agents insert and edit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct CannedReply {
    /// Id.
    pub id: i64,
    /// What agents pick it by.
    pub title: String,
    /// The text, with `{naam}`, `{ticketnummer}`, `{volglink}`,
    /// `{beloofde_datum}`, `{volgende_overleg}` and `{versie}`.
    pub body: String,
}

/// Staff sign-in and the workspace's counts.
#[async_trait]
pub trait StaffStore: Send + Sync + 'static {
    /// Every staff member, by name.
    async fn list_staff(&self) -> Result<Vec<Staff>>;
    /// A staff member's credentials by address.
    async fn staff_credentials(&self, email: &str) -> Result<Option<StaffCredentials>>;
    /// Sets a staff member's password hash and ends their sessions.
    async fn set_staff_password(&self, staff: StaffId, hash: &str, by: &Stamp) -> Result<()>;
    /// Sets (or with `None` removes) a staff member's TOTP secret with new
    /// recovery codes (their SHA-256), replacing the old ones. Setting one
    /// succeeds only while none is set (a conflict otherwise), so of two
    /// enrolments at once one wins.
    async fn set_totp(
        &self,
        staff: StaffId,
        secret: Option<&str>,
        recovery_sha256: &[String],
        by: &Stamp,
    ) -> Result<()>;
    /// Records the use of a TOTP time step; false when it (or a later one)
    /// was used before, so each code works once.
    async fn use_totp_step(&self, staff: StaffId, step: i64) -> Result<bool>;
    /// Spends a recovery code; false when unknown or spent.
    async fn use_recovery_code(&self, staff: StaffId, code_sha256: &str, at: DateTime<Utc>) -> Result<bool>;
    /// Starts a staff session.
    async fn create_staff_session(
        &self,
        id_sha256: &str,
        staff: StaffId,
        stage: SessionStage,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// A session last used after `idle_since` and started after
    /// `started_since`; with `touch`, marks it used at `now` (a person's
    /// request, not a page's background poll). Older ones are removed.
    async fn staff_session(
        &self,
        id_sha256: &str,
        now: DateTime<Utc>,
        idle_since: DateTime<Utc>,
        started_since: DateTime<Utc>,
        touch: bool,
    ) -> Result<Option<StaffSessionRecord>>;
    /// Moves a session on (and keeps or clears the secret being enrolled);
    /// with `new_id_sha256` the session gets a new token from then on.
    async fn update_staff_session(
        &self,
        id_sha256: &str,
        stage: SessionStage,
        pending_secret: Option<&str>,
        new_id_sha256: Option<&str>,
    ) -> Result<()>;
    /// Ends one session.
    async fn delete_staff_session(&self, id_sha256: &str) -> Result<()>;
    /// Ends every session of a staff member; how many there were.
    async fn delete_staff_sessions(&self, staff: StaffId, by: &Stamp) -> Result<u64>;
    /// The roles that must use TOTP.
    async fn totp_roles(&self) -> Result<Vec<Role>>;
    /// Makes TOTP required (or not) for a role.
    async fn set_totp_role(&self, role: Role, required: bool, by: &Stamp) -> Result<()>;
    /// Every canned reply, by title.
    async fn canned_replies(&self) -> Result<Vec<CannedReply>>;
    /// Adds (`id` none) or changes a canned reply; a title is unique.
    async fn save_canned_reply(&self, id: Option<i64>, title: &str, body: &str, by: &Stamp) -> Result<CannedReply>;
    /// Removes a canned reply; false when there was none.
    async fn delete_canned_reply(&self, id: i64, by: &Stamp) -> Result<bool>;
    /// Records that a staff member has a ticket open (and is typing or not).
    async fn mark_viewing(&self, ticket: TicketId, staff: StaffId, typing: bool, at: DateTime<Utc>) -> Result<()>;
    /// Who had a ticket open since a moment, and whether they were typing.
    async fn viewers(&self, ticket: TicketId, since: DateTime<Utc>) -> Result<Vec<(StaffId, bool)>>;
    /// Merges ticket `from` into `into` in one transaction: its messages,
    /// attachments and search entries move, `from` is resolved and points
    /// to `into` from then on. Refused (conflict) when either was merged away.
    async fn merge_tickets(&self, from: TicketId, into: TicketId, by: &Stamp) -> Result<()>;
    /// The ticket a merged ticket now lives in.
    async fn merged_into(&self, ticket: TicketId) -> Result<Option<Ticket>>;
    /// Bans a sender: an address, or a domain as `@domain`.
    async fn ban_sender(&self, pattern: &str, by: &Stamp) -> Result<()>;
    /// Lifts a ban; false when there was none.
    async fn unban_sender(&self, pattern: &str, by: &Stamp) -> Result<bool>;
    /// Whether mail from this address is banned (by address or domain).
    async fn is_banned(&self, email: &str) -> Result<bool>;
    /// Every ban: pattern, when, by whom; newest first.
    async fn banned_senders(&self) -> Result<Vec<(String, DateTime<Utc>, String)>>;
    /// Changes a staff member's role.
    async fn set_staff_role(&self, staff: StaffId, role: Role, by: &Stamp) -> Result<Staff>;
    /// Adds a mail domain to an organisation: contacts of that domain
    /// without an organisation join it, with their tickets; answers how many
    /// contacts joined. A domain belongs to one organisation (conflict).
    async fn add_organisation_domain(&self, id: OrganisationId, domain: &str, by: &Stamp) -> Result<u64>;
    /// Records how fetching a mailbox went: a good fetch (`error` none) or
    /// an error.
    async fn record_mailbox(&self, name: &str, error: Option<&str>, at: DateTime<Utc>) -> Result<()>;
    /// Every mailbox's last good fetch and last error (with when).
    async fn mailbox_status(&self) -> Result<Vec<MailboxStatus>>;
    /// Stores a set-password link for a staff member and queues its mail
    /// (the link's token travels with the mail until it is sent).
    async fn create_staff_link(
        &self,
        staff: &Staff,
        token_sha256: &str,
        link_token: &str,
        at: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<()>;
    /// The staff member of a live, unused link.
    async fn staff_link(&self, token_sha256: &str, now: DateTime<Utc>) -> Result<Option<StaffId>>;
    /// Spends a link (once); the staff member it was for.
    async fn use_staff_link(&self, token_sha256: &str, now: DateTime<Utc>) -> Result<Option<StaffId>>;
    /// Open tickets counted for the overview; `mine` for this staff member.
    async fn ticket_counts(&self, me: StaffId) -> Result<TicketCounts>;
    /// Every label with the number of tickets that carry it, alphabetically.
    async fn label_counts(&self) -> Result<Vec<(String, i64)>>;
    /// Labels on tickets, alphabetically, at most `limit` (suggestions).
    async fn labels_in_use(&self, limit: i64) -> Result<Vec<String>>;
    /// Contacts whose address or name contains `text`, or whose
    /// organisation's name does (case ignored), by address; at most `limit`.
    async fn find_contacts(&self, text: &str, limit: i64) -> Result<Vec<Contact>>;
}
