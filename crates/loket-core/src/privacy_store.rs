//! The storage port of privacy incidents: what the scan found per message
//! (counts, masked samples, parts not scanned), its decision, the scan's
//! place in the stream of messages, prevented uploads, and counts per
//! organisation for reports.

use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How serious an incident is, by the number of distinct people found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentClass {
    /// One person: "Security incident Helpdesk Light" (internal).
    Light,
    /// Several people: "Security incident Helpdesk".
    Full,
    /// Nothing found, but parts could not be read: not called clean.
    Unscanned,
}

impl IncidentClass {
    /// The stored id.
    pub fn id(self) -> &'static str {
        match self {
            IncidentClass::Light => "light",
            IncidentClass::Full => "full",
            IncidentClass::Unscanned => "unscanned",
        }
    }

    /// Reads a stored id.
    pub fn parse(s: &str) -> Option<Self> {
        [IncidentClass::Light, IncidentClass::Full, IncidentClass::Unscanned]
            .into_iter()
            .find(|c| c.id() == s)
    }

    /// The label it puts on a ticket.
    pub fn label(self) -> Option<&'static str> {
        match self {
            IncidentClass::Light => Some(LIGHT_LABEL),
            IncidentClass::Full => Some(FULL_LABEL),
            IncidentClass::Unscanned => None,
        }
    }
}

/// The label of an incident with one person's data (internal).
pub const LIGHT_LABEL: &str = "Security incident Helpdesk Light";
/// The label of an incident with several people's data (shown on the portal).
pub const FULL_LABEL: &str = "Security incident Helpdesk";

/// Where an incident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentState {
    /// Found; waiting for an agent (or for Loket itself in `apply` mode).
    Proposed,
    /// Confirmed: labelled, and for a full incident the files removed and the sender told.
    Applied,
    /// Overruled by an agent: no incident.
    Dismissed,
    /// Stopped at the portal before anything was stored.
    Prevented,
    /// Recorded only (parts not scanned).
    Noted,
}

impl IncidentState {
    /// The stored id.
    pub fn id(self) -> &'static str {
        match self {
            IncidentState::Proposed => "proposed",
            IncidentState::Applied => "applied",
            IncidentState::Dismissed => "dismissed",
            IncidentState::Prevented => "prevented",
            IncidentState::Noted => "noted",
        }
    }

    /// Reads a stored id.
    pub fn parse(s: &str) -> Option<Self> {
        [
            IncidentState::Proposed,
            IncidentState::Applied,
            IncidentState::Dismissed,
            IncidentState::Prevented,
            IncidentState::Noted,
        ]
        .into_iter()
        .find(|c| c.id() == s)
    }
}

/// One finding as kept: kind, where, masked value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IncidentSample {
    /// Kind id (`bsn`, `iban`, `email`, `phone`, `address`, `birth_date`, `name`).
    pub kind: String,
    /// The part inside the item (a file in an archive; empty for the item).
    pub part: String,
    /// The line, in running text.
    pub line: Option<usize>,
    /// The sheet, in a spreadsheet.
    pub sheet: Option<String>,
    /// The row, in a table.
    pub row: Option<usize>,
    /// The column, in a table.
    pub column: Option<usize>,
    /// The value masked.
    pub preview: String,
}

/// What the scan found in one item of a message: its text or one attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IncidentItem {
    /// The attachment, or none for the message's text.
    pub attachment: Option<i64>,
    /// The file name (empty for the message's text).
    pub name: String,
    /// Distinct people in this item.
    pub people: usize,
    /// Findings per kind id.
    pub counts: BTreeMap<String, usize>,
    /// The first few findings, masked.
    pub samples: Vec<IncidentSample>,
    /// Parts that could not be read, with why (`no_ocr`, `unsupported`, ...).
    pub not_scanned: Vec<(String, String)>,
}

/// A new incident.
#[derive(Debug, Clone)]
pub struct NewIncident {
    /// The ticket (none for a prevented upload).
    pub ticket: Option<TicketId>,
    /// The message.
    pub message: Option<MessageId>,
    /// Who sent it.
    pub contact: Option<ContactId>,
    /// For a prevented upload by someone who is no contact: the
    /// organisation of their address's domain.
    pub organisation: Option<OrganisationId>,
    /// How serious.
    pub class: IncidentClass,
    /// Distinct people over all items.
    pub people: usize,
    /// What each item held.
    pub items: Vec<IncidentItem>,
    /// Where it stands.
    pub state: IncidentState,
    /// When it was found.
    pub at: DateTime<Utc>,
}

/// An incident as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Incident {
    /// Id.
    pub id: i64,
    /// The ticket.
    #[schema(value_type = Option<i64>)]
    pub ticket: Option<TicketId>,
    /// The message (it may be removed since).
    #[schema(value_type = Option<i64>)]
    pub message: Option<MessageId>,
    /// How serious.
    #[schema(value_type = String)]
    pub class: IncidentClass,
    /// Distinct people.
    pub people: usize,
    /// What each item held.
    pub items: Vec<IncidentItem>,
    /// Where it stands.
    #[schema(value_type = String)]
    pub state: IncidentState,
    /// When it was found.
    pub created_at: DateTime<Utc>,
    /// Who decided (`staff:ID` or `system`).
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
}

/// Incidents of one organisation in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct IncidentCount {
    /// The organisation (none: contacts without one).
    #[schema(value_type = Option<i64>)]
    pub organisation: Option<OrganisationId>,
    /// Its name.
    pub name: String,
    /// Confirmed incidents with one person's data.
    pub light: i64,
    /// Confirmed incidents with several people's data.
    pub full: i64,
    /// Uploads stopped at the portal.
    pub prevented: i64,
}

/// A threshold alert, for its mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivacyAlert {
    /// The organisation's name.
    pub organisation: String,
    /// The period (`2026-Q4`).
    pub period: String,
    /// Confirmed incidents in it when the threshold was reached.
    pub incidents: i64,
}

/// The decision on an incident, stored with the ticket change it makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settle {
    /// The incident.
    pub incident: i64,
    /// Its new state (applied or dismissed).
    pub state: IncidentState,
}

/// Storage of privacy incidents.
#[async_trait]
pub trait PrivacyStore: Send + Sync + 'static {
    /// Messages waiting for the scan, oldest first: (message, ticket).
    async fn pending_scans(&self, limit: i64) -> Result<Vec<(MessageId, TicketId)>>;
    /// Counts a scan of a queued message's files as begun; answers how many
    /// were begun so far (this one included; 0 when it is not queued).
    async fn begin_scan(&self, message: MessageId) -> Result<i64>;
    /// Records incidents and takes `done` off the queue in one transaction;
    /// a conflict (and nothing recorded) when another process took any of
    /// them first.
    async fn record_scan(&self, done: &[MessageId], incidents: &[NewIncident]) -> Result<Vec<i64>>;
    /// Records a prevented upload.
    async fn record_prevented(&self, incident: &NewIncident) -> Result<i64>;
    /// A ticket's incidents, oldest first.
    async fn ticket_incidents(&self, ticket: TicketId) -> Result<Vec<Incident>>;
    /// One incident.
    async fn incident(&self, id: i64) -> Result<Option<Incident>>;
    /// How many incidents are still proposed (the overview's count).
    async fn proposed_incident_count(&self) -> Result<i64>;
    /// Incidents still proposed, oldest first.
    async fn proposed_incidents(&self, limit: i64) -> Result<Vec<Incident>>;
    /// Counts per organisation of incidents found in `[from, to)`: decided
    /// ones by their class, prevented ones apart. A ticket belongs to its
    /// requester's current organisation.
    async fn incident_counts(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<IncidentCount>>;
    /// Records that `org` reached the threshold in `period` and queues a
    /// mail to each of `to`, in one transaction; false (and nothing queued)
    /// when that was recorded before.
    async fn alert_threshold(
        &self,
        org: OrganisationId,
        period: &str,
        incidents: i64,
        to: &[String],
        at: DateTime<Utc>,
    ) -> Result<bool>;
    /// A threshold alert.
    async fn privacy_alert(&self, id: i64) -> Result<Option<PrivacyAlert>>;
    /// Makes removed values unrecoverable from the database files: a WAL
    /// checkpoint on SQLite (with `secure_delete` on), VACUUM on PostgreSQL.
    async fn erase_freed(&self) -> Result<()>;
}
