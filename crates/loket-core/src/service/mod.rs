//! The use cases. Every channel (portal, mail, phone entry, API, jobs) calls these;
//! each checks permissions, applies the rules and stores the change with its audit
//! events and outbox mails in one transaction.

mod accounts;
mod actions;
mod admin;
mod create;
mod jobs;
mod plan;

pub use accounts::*;
pub use actions::*;
pub use admin::*;
pub use create::*;

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
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// The service layer.
#[derive(Clone)]
pub struct Service {
    store: Arc<dyn Store>,
    blobs: Arc<dyn BlobStore>,
    clock: Arc<dyn Clock>,
    limits: Limits,
}

impl Service {
    /// A service over a store, a blob store and a clock.
    pub fn new(store: Arc<dyn Store>, blobs: Arc<dyn BlobStore>, clock: Arc<dyn Clock>, limits: Limits) -> Self {
        Self {
            store,
            blobs,
            clock,
            limits,
        }
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

    /// Stores uploads' bytes (before the transaction that refers to them) after
    /// checking the limits.
    async fn store_uploads(&self, uploads: &[Upload]) -> Result<Vec<NewAttachment>> {
        if uploads.len() > self.limits.max_attachments {
            return Err(DomainError::invalid(format!(
                "at most {} attachments per message",
                self.limits.max_attachments
            )));
        }
        let mut out = Vec::with_capacity(uploads.len());
        for u in uploads {
            let filename = u.filename.trim();
            if filename.is_empty() || filename.len() > 255 {
                return Err(DomainError::invalid(
                    "an attachment needs a file name of at most 255 characters",
                ));
            }
            if u.bytes.len() > self.limits.max_attachment_bytes {
                return Err(DomainError::invalid(format!(
                    "attachment '{filename}' is larger than {} bytes",
                    self.limits.max_attachment_bytes
                )));
            }
            let sha256 = self.blobs.put(&u.bytes).await?;
            out.push(NewAttachment {
                filename: filename.to_owned(),
                media_type: if u.media_type.trim().is_empty() {
                    "application/octet-stream".to_owned()
                } else {
                    u.media_type.trim().to_owned()
                },
                size: i64::try_from(u.bytes.len()).unwrap_or(i64::MAX),
                sha256,
            });
        }
        Ok(out)
    }

    /// Checks a message text against the limits.
    fn check_text(&self, text: &str, what: &str) -> Result<()> {
        if text.trim().is_empty() {
            return Err(DomainError::invalid(format!("{what} must not be empty")));
        }
        if text.len() > self.limits.max_message_bytes {
            return Err(DomainError::invalid(format!(
                "{what} is longer than {} bytes",
                self.limits.max_message_bytes
            )));
        }
        Ok(())
    }

    /// Loads a ticket by number as `actor` may see it: staff and system see all,
    /// a contact only their own (others answer "not found", never "forbidden").
    pub async fn ticket_for(&self, actor: &Actor, number: TicketNumber) -> Result<Ticket> {
        let ticket = self
            .store
            .ticket_by_number(number)
            .await?
            .ok_or_else(|| DomainError::not_found(format!("ticket {number}")))?;
        match actor {
            Actor::Contact(c) if c.id != ticket.requester_id => Err(DomainError::not_found(format!("ticket {number}"))),
            _ => Ok(ticket),
        }
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
