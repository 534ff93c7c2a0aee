//! The storage port of service levels: tickets whose check is due, the
//! warnings and breaches recorded once each, and counts for the workspace
//! and reports.

use super::{DueKind, SlaEvent};
use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A ticket whose service-level check is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaDue {
    /// The ticket.
    pub ticket: TicketId,
    /// Its number.
    pub number: TicketNumber,
    /// Its subject.
    pub subject: String,
    /// The check time found (the record is written only while it still is).
    pub check_at: DateTime<Utc>,
    /// The deadline.
    pub due_at: DateTime<Utc>,
    /// Which promise.
    pub kind: DueKind,
    /// Department now.
    pub department: Department,
    /// Organisation of the ticket.
    pub organisation: Option<OrganisationId>,
    /// Who handles it.
    pub assignee: Option<StaffId>,
}

/// A warning or breach to record, with the staff to notify.
#[derive(Debug, Clone)]
pub struct SlaRecord {
    /// The due check it answers.
    pub due: SlaDue,
    /// Warning or breach.
    pub event: SlaEvent,
    /// The next check (none after a breach).
    pub next_check: Option<DateTime<Utc>>,
    /// Addresses of the staff to mail.
    pub notify: Vec<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// Warnings and breaches of one department and promise in a period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct SlaCount {
    /// Department at the time.
    pub department: Department,
    /// The promise.
    pub kind: DueKind,
    /// Warnings recorded.
    pub warnings: i64,
    /// Breaches recorded.
    pub breaches: i64,
}

/// A recorded warning or breach, for the mail that tells staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaNotice {
    /// Warning or breach.
    pub event: SlaEvent,
    /// The promise.
    pub kind: DueKind,
    /// The deadline.
    pub due_at: DateTime<Utc>,
}

/// Storage of service-level checks.
#[async_trait]
pub trait ServiceLevelStore: Send + Sync + 'static {
    /// Tickets whose check time has come, earliest first.
    async fn due_service_levels(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<SlaDue>>;
    /// Records warnings and breaches and queues their mails in one
    /// transaction; each only if its ticket's check time is still the one
    /// found (another process or a change of the ticket got there first
    /// otherwise: false in its place).
    async fn record_service_levels(&self, rs: &[SlaRecord]) -> Result<Vec<bool>>;
    /// Open tickets past their deadline at `now`, and those warned but not yet past it.
    async fn service_level_counts(&self, now: DateTime<Utc>) -> Result<(i64, i64)>;
    /// Warnings and breaches recorded in `[from, to)`.
    async fn service_level_report(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<SlaCount>>;
    /// The warning or breach an outbox mail tells about.
    async fn service_level_notice(&self, id: i64) -> Result<Option<SlaNotice>>;
}
