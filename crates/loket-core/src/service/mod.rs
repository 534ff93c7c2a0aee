//! The use cases. Every channel (portal, mail, phone entry, API, jobs) calls these;
//! each checks permissions, applies the rules and stores the change with its audit
//! events and outbox mails in one transaction.

mod accounts;
mod actions;
mod admin;
mod create;
mod hooks;
mod jobs;
mod levels;
pub use jobs::{BLOB_SWEEP_AGE, SweepReport};
pub use levels::LevelReport;
mod forum;
mod outages;
mod plan;
mod queue;
mod releases;
pub use queue::{JobsReport, MAX_ATTEMPTS, PROBE};
pub use releases::{PUBLISH_STAFF, RELEASE_JOB, RELEASE_STAFF};
mod privacy;
pub use privacy::{PrivacyMode, ScanReport, Suspect};
mod staff_auth;
mod subscribers;
pub use forum::{MAX_TOPIC_TITLE, TopicPage};
pub use subscribers::SubscriberLink;
mod wishes;
pub use staff_auth::*;
pub use wishes::WISH_JOB;

pub use accounts::*;
pub use actions::*;
pub use admin::*;
pub use create::*;

use crate::blob::Staged;
use crate::store::{BlobStore, NewAttachment, Store};
use crate::*;
use std::sync::Arc;

/// Who is acting.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A staff member.
    Staff(Staff),
    /// A customer contact (portal, or mail from that address).
    Contact(Contact),
    /// Loket itself (scheduled jobs, mail intake).
    System,
}

impl Actor {
    /// The actor as written in the audit trail.
    pub fn audit_id(&self) -> String {
        match self {
            Actor::Staff(s) => format!("staff:{}", s.id),
            Actor::Contact(c) => format!("contact:{}", c.id),
            Actor::System => "system".to_owned(),
        }
    }

    fn staff(&self) -> Option<&Staff> {
        match self {
            Actor::Staff(s) => Some(s),
            _ => None,
        }
    }

    /// Refuses anyone but staff members with one of `roles`.
    pub fn require_staff(&self, roles: &[Role], what: &str) -> Result<&Staff> {
        match self.staff() {
            Some(s) if roles.contains(&s.role) => Ok(s),
            Some(s) => Err(DomainError::Forbidden(format!("a {} cannot {what}", s.role.id()))),
            None => Err(DomainError::Forbidden(format!("only staff can {what}"))),
        }
    }
}

/// Every staff role: all of them handle tickets.
pub const ALL_STAFF: &[Role] = &[Role::Agent, Role::ProductManager, Role::Consultant, Role::Admin];
/// The roles that manage contacts, organisations and sensitive removals.
pub const DESK_STAFF: &[Role] = &[Role::Agent, Role::Admin];

/// Limits the service enforces on input.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest attachment, in bytes.
    pub max_attachment_bytes: usize,
    /// Most attachments on one message.
    pub max_attachments: usize,
    /// Longest message text, in bytes.
    pub max_message_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_attachment_bytes: 25 * 1024 * 1024,
            max_attachments: 20,
            max_message_bytes: 1024 * 1024,
        }
    }
}

/// A file to attach, as received.
#[derive(Debug, Clone)]
pub struct Upload {
    /// File name as given.
    pub filename: String,
    /// Media type as given (or guessed).
    pub media_type: String,
    /// The content.
    pub content: UploadContent,
}

/// Where an upload's bytes are.
#[derive(Debug, Clone)]
pub enum UploadContent {
    /// In memory (mail parts, API bodies).
    Bytes(Vec<u8>),
    /// Already written to the blob store's temporary place (streamed uploads).
    Staged(Staged),
    /// Kept in the blob store already, under its SHA-256 (a forum file that
    /// goes with its topic into a ticket): referred to, not copied.
    Stored {
        /// The key of the kept bytes.
        sha256: String,
        /// Their size in bytes.
        size: u64,
    },
}

impl Upload {
    /// An upload held in memory.
    pub fn bytes(filename: impl Into<String>, media_type: impl Into<String>, bytes: Vec<u8>) -> Self {
        Self {
            filename: filename.into(),
            media_type: media_type.into(),
            content: UploadContent::Bytes(bytes),
        }
    }

    /// Its size in bytes.
    pub fn size(&self) -> u64 {
        match &self.content {
            UploadContent::Bytes(b) => b.len() as u64,
            UploadContent::Staged(s) => s.size,
            UploadContent::Stored { size, .. } => *size,
        }
    }

    /// The bytes, when held in memory.
    pub fn in_memory(&self) -> Option<&[u8]> {
        match &self.content {
            UploadContent::Bytes(b) => Some(b),
            UploadContent::Staged(_) | UploadContent::Stored { .. } => None,
        }
    }
}

/// A file name as kept: no folders (`/`, `\`), no leading dots, and no
/// characters that change the direction of text (which make `exe.txt` read as
/// `txt.exe`).
pub fn clean_filename(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => '_',
            c => c,
        })
        .collect();
    cleaned.trim_start_matches('.').to_owned()
}

/// Files written to the blob store's temporary place for one change: kept
/// with [`Service::keep`] after the change commits; dropped, they vanish.
#[derive(Debug, Default)]
pub(crate) struct StagedFiles {
    pub attachments: Vec<NewAttachment>,
    pub files: Vec<Staged>,
}

/// The service layer.
#[derive(Clone)]
pub struct Service {
    store: Arc<dyn Store>,
    blobs: Arc<dyn BlobStore>,
    clock: Arc<dyn Clock>,
    limits: Limits,
    password_work: Arc<std::sync::atomic::AtomicUsize>,
    privacy_mode: PrivacyMode,
    /// Confirmed incidents per organisation per quarter that mail its
    /// authorised contacts (0: never), and the zone quarters are counted in.
    privacy_threshold: (u32, crate::time::Zone),
    /// Attachments being taken apart for the privacy scan at this moment
    /// (each may take hundreds of MB and seconds of CPU).
    extractions: Arc<tokio::sync::Semaphore>,
    /// The service-level promises and the working days they count in.
    levels: Arc<(crate::service_level::Policy, crate::calendar::Calendar)>,
    /// How long a claimed job is its claimer's before another process may take it.
    job_lease: chrono::Duration,
    /// The recurring meetings.
    meetings: Arc<Vec<crate::meetings::MeetingSeries>>,
    /// Runs the job kinds the core does not know (webhook deliveries).
    handlers: Arc<Vec<Arc<dyn crate::webhooks::JobHandler>>>,
}

impl Service {
    /// A service over a store, a blob store and a clock.
    pub fn new(store: Arc<dyn Store>, blobs: Arc<dyn BlobStore>, clock: Arc<dyn Clock>, limits: Limits) -> Self {
        Self {
            store,
            blobs,
            clock,
            limits,
            password_work: Arc::default(),
            privacy_mode: PrivacyMode::default(),
            privacy_threshold: (0, crate::time::Zone::default()),
            extractions: Arc::new(tokio::sync::Semaphore::new(2)),
            levels: Arc::default(),
            job_lease: chrono::Duration::minutes(5),
            meetings: Arc::default(),
            handlers: Arc::default(),
        }
    }

    /// The same service handing jobs of `handler`'s kinds to it.
    #[must_use]
    pub fn with_job_handler(mut self, handler: Arc<dyn crate::webhooks::JobHandler>) -> Self {
        let mut all: Vec<_> = self.handlers.iter().cloned().collect();
        all.push(handler);
        self.handlers = Arc::new(all);
        self
    }

    /// The same service holding these meeting series.
    #[must_use]
    pub fn with_meetings(mut self, meetings: Vec<crate::meetings::MeetingSeries>) -> Self {
        self.meetings = Arc::new(meetings);
        self
    }

    /// The next meeting that discusses `department`'s tickets, if one is kept.
    pub fn next_meeting(&self, department: Department) -> Option<chrono::DateTime<chrono::Utc>> {
        let now = self.clock.now();
        self.meetings
            .iter()
            .filter(|m| m.department == department)
            .filter_map(|m| m.next(now, self.levels.1.zone()))
            .min()
    }

    /// The same service claiming jobs for `lease` (a process that dies holds
    /// its jobs that long).
    #[must_use]
    pub fn with_job_lease(mut self, lease: chrono::Duration) -> Self {
        self.job_lease = lease;
        self
    }

    /// The same service keeping `policy` on `calendar`.
    #[must_use]
    pub fn with_service_levels(
        mut self,
        policy: crate::service_level::Policy,
        calendar: crate::calendar::Calendar,
    ) -> Self {
        self.levels = Arc::new((policy, calendar));
        self
    }

    /// The business calendar deadlines count in.
    pub fn calendar(&self) -> &crate::calendar::Calendar {
        &self.levels.1
    }

    /// Writes the service-level deadline that applies now into `t`.
    pub(crate) fn refresh_deadline(&self, t: &mut Ticket, before: Option<&Ticket>) {
        crate::service_level::refresh(t, before, &self.levels.0, &self.levels.1);
    }

    /// The same service mailing an organisation's authorised contacts when
    /// its confirmed incidents in a quarter (in `zone`) reach `threshold`
    /// (0: never).
    #[must_use]
    pub fn with_privacy_threshold(mut self, threshold: u32, zone: crate::time::Zone) -> Self {
        self.privacy_threshold = (threshold, zone);
        self
    }

    /// The same service deciding privacy incidents as `mode` says.
    #[must_use]
    pub fn with_privacy_mode(mut self, mode: PrivacyMode) -> Self {
        self.privacy_mode = mode;
        self
    }

    /// The same service on another clock (for `jobs run-due --now`).
    #[must_use]
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> Self {
        Self { clock, ..self.clone() }
    }

    /// Who and when, for the audit trail.
    fn stamp(&self, actor: &Actor) -> crate::store::Stamp {
        crate::store::Stamp {
            actor: actor.audit_id(),
            at: self.clock.now(),
        }
    }

    /// The limits on input.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The store, for read-only queries the service does not wrap.
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// The blob store.
    pub fn blobs(&self) -> &dyn BlobStore {
        self.blobs.as_ref()
    }

    /// The clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Checks uploads against the limits, every one before anything is
    /// written, then writes them to the blob store's temporary place. Files of
    /// a received mail (`from_mail`) are bounded by the mail's size instead.
    pub(crate) async fn stage_uploads(&self, uploads: &[Upload], from_mail: bool) -> Result<StagedFiles> {
        if !from_mail && uploads.len() > self.limits.max_attachments {
            return Err(Problem::TooManyFiles(self.limits.max_attachments).into());
        }
        for u in uploads {
            let filename = u.filename.trim();
            if filename.is_empty() || filename.chars().count() > 255 || filename.chars().any(char::is_control) {
                return Err(Problem::FileName.into());
            }
            if clean_filename(filename).trim_matches(['_', '.', ' ']).is_empty() {
                return Err(Problem::FileName.into());
            }
            if !from_mail && u.size() > self.limits.max_attachment_bytes as u64 {
                return Err(Problem::FileTooLarge {
                    name: filename.chars().take(100).collect(),
                    max: self.limits.max_attachment_bytes as u64,
                }
                .into());
            }
        }
        let mut out = StagedFiles::default();
        for u in uploads {
            let staged = match &u.content {
                UploadContent::Bytes(b) => self.blobs.stage(b).await?,
                UploadContent::Staged(s) => s.clone(),
                UploadContent::Stored { sha256, size } => {
                    // Kept already: nothing to stage or keep.
                    out.attachments.push(NewAttachment {
                        filename: clean_filename(u.filename.trim()),
                        media_type: u.media_type.chars().take(100).collect(),
                        size: i64::try_from(*size).unwrap_or(i64::MAX),
                        sha256: sha256.clone(),
                    });
                    continue;
                }
            };
            out.attachments.push(NewAttachment {
                filename: clean_filename(u.filename.trim()),
                media_type: match u.media_type.trim() {
                    "" => "application/octet-stream".to_owned(),
                    t => t.chars().take(100).collect(),
                },
                size: i64::try_from(staged.size).unwrap_or(i64::MAX),
                sha256: staged.sha256.clone(),
            });
            out.files.push(staged);
        }
        Ok(out)
    }

    /// Keeps staged files once the change referring to them has committed; a
    /// failure is logged and left to the blob sweep, which keeps such files.
    pub(crate) async fn keep(&self, files: &StagedFiles) {
        for f in &files.files {
            if let Err(e) = self.blobs.keep(f).await {
                tracing::warn!(sha = %f.sha256, error = %e, "could not keep attachment content; the sweep will");
            }
        }
    }

    /// Checks a message text against the limits: not only spaces, not too
    /// long (the text of a received mail is bounded by the mail's size), no NUL.
    fn check_text(&self, text: &str, field: Field, from_mail: bool) -> Result<()> {
        if text.trim().is_empty() {
            return Err(Problem::Empty(field).into());
        }
        if !from_mail && text.len() > self.limits.max_message_bytes {
            return Err(Problem::TooLong(field, self.limits.max_message_bytes).into());
        }
        if text.contains('\0') {
            return Err(Problem::ControlCharacters(field).into());
        }
        Ok(())
    }

    /// Loads a ticket by number as `actor` may see it: staff and system see all,
    /// a contact their own and, when they are an authorised contact of an
    /// organisation that shares its tickets, the organisation's (others answer
    /// "not found", never "forbidden").
    pub async fn ticket_for(&self, actor: &Actor, number: TicketNumber) -> Result<Ticket> {
        let gone = || DomainError::not_found(format!("ticket {number}"));
        let ticket = self.store.ticket_by_number(number).await?.ok_or_else(gone)?;
        match actor {
            Actor::Contact(c) if c.id != ticket.requester_id => {
                let shared = self.shared_organisation(c).await?;
                if shared.is_some() && shared == ticket.organisation_id {
                    Ok(ticket)
                } else {
                    Err(gone())
                }
            }
            _ => Ok(ticket),
        }
    }

    /// The organisation whose tickets a contact sees besides their own: theirs,
    /// when they are an authorised contact and it shares its tickets.
    pub async fn shared_organisation(&self, contact: &Contact) -> Result<Option<OrganisationId>> {
        let Some(org) = contact.organisation_id.filter(|_| contact.authorised) else {
            return Ok(None);
        };
        let shares = self.store.get_organisation(org).await?.is_some_and(|o| o.share_tickets);
        Ok(shares.then_some(org))
    }

    /// Deletes blobs nothing refers to any more; failures are logged, the bytes
    /// are then left for the blob sweep.
    async fn drop_blobs(&self, shas: &[String]) {
        for sha in shas {
            if let Err(e) = self.blobs.delete(sha).await {
                tracing::warn!(sha, error = %e, "could not delete attachment content");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_lose_folders_and_direction_marks() {
        assert_eq!(super::clean_filename("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(super::clean_filename("..\\..\\win.ini"), "_.._win.ini");
        assert_eq!(super::clean_filename("factuur\u{202e}txt.exe"), "factuur_txt.exe");
        assert_eq!(super::clean_filename("gewoon bestand.pdf"), "gewoon bestand.pdf");
    }
}
