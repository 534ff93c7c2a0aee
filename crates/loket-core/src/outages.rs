//! The outage page (storingspagina) of the SaaS service: components,
//! incidents and planned maintenance with their updates, and the storage
//! port. What is active shows as a banner on every portal page.

use crate::store::Stamp;
use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// An incident or a maintenance window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutageKind {
    /// Something is broken.
    Incident,
    /// Planned work, from `starts_at` to `ends_at`.
    Maintenance,
}

/// Where an outage stands (each update sets it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutageState {
    /// Planned maintenance that has not ended.
    Scheduled,
    /// Onderzoek: looking into it.
    Investigating,
    /// Oorzaak gevonden.
    Identified,
    /// Monitoren: fixed, watching.
    Monitoring,
    /// Opgelost.
    Resolved,
}

impl OutageState {
    /// Every state.
    pub const ALL: &[OutageState] = &[
        OutageState::Scheduled,
        OutageState::Investigating,
        OutageState::Identified,
        OutageState::Monitoring,
        OutageState::Resolved,
    ];

    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            OutageState::Scheduled => "scheduled",
            OutageState::Investigating => "investigating",
            OutageState::Identified => "identified",
            OutageState::Monitoring => "monitoring",
            OutageState::Resolved => "resolved",
        }
    }

    /// From its id.
    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.id() == id)
    }

    /// Whether an outage of `kind` can be in this state: "gepland
    /// onderhoud" is for maintenance only.
    pub fn fits(self, kind: OutageKind) -> bool {
        self != OutageState::Scheduled || kind == OutageKind::Maintenance
    }

    /// Its name in `lang` for an outage of `kind` at a moment it is `active`
    /// or not: maintenance under way is "onderhoud bezig", finished
    /// maintenance "afgerond".
    pub fn label_for(self, kind: OutageKind, active: bool, lang: Lang) -> &'static str {
        match (self, kind, active, lang) {
            (OutageState::Scheduled, OutageKind::Maintenance, true, Lang::Nl) => "onderhoud bezig",
            (OutageState::Scheduled, OutageKind::Maintenance, true, Lang::En) => "maintenance in progress",
            (OutageState::Resolved, OutageKind::Maintenance, _, Lang::Nl) => "afgerond",
            (OutageState::Resolved, OutageKind::Maintenance, _, Lang::En) => "completed",
            _ => self.label(lang),
        }
    }

    /// Its name in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (OutageState::Scheduled, Lang::Nl) => "gepland onderhoud",
            (OutageState::Investigating, Lang::Nl) => "onderzoek",
            (OutageState::Identified, Lang::Nl) => "oorzaak gevonden",
            (OutageState::Monitoring, Lang::Nl) => "monitoren",
            (OutageState::Resolved, Lang::Nl) => "opgelost",
            (OutageState::Scheduled, Lang::En) => "scheduled maintenance",
            (OutageState::Investigating, Lang::En) => "investigating",
            (OutageState::Identified, Lang::En) => "cause found",
            (OutageState::Monitoring, Lang::En) => "monitoring",
            (OutageState::Resolved, Lang::En) => "resolved",
        }
    }
}

impl OutageKind {
    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            OutageKind::Incident => "incident",
            OutageKind::Maintenance => "maintenance",
        }
    }

    /// From its id.
    pub fn parse(id: &str) -> Option<Self> {
        match id {
            "incident" => Some(OutageKind::Incident),
            "maintenance" => Some(OutageKind::Maintenance),
            _ => None,
        }
    }
}

/// A part of the SaaS service (portaal, koppelingen, BI-omgeving).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Component {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// One update of an outage.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct OutageUpdate {
    /// Id.
    pub id: i64,
    /// The state it set.
    pub state: OutageState,
    /// What it says.
    pub body: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// An incident or maintenance window with its updates, newest first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Outage {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Incident or maintenance.
    pub kind: OutageKind,
    /// Where it stands (its newest update's state).
    pub state: OutageState,
    /// The components it affects.
    pub components: Vec<Component>,
    /// When it began (or, for maintenance, begins).
    pub starts_at: DateTime<Utc>,
    /// Maintenance: when it ends.
    pub ends_at: Option<DateTime<Utc>>,
    /// When it was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Its updates, newest first.
    pub updates: Vec<OutageUpdate>,
}

impl Outage {
    /// What mails and feed entries add to an update (in Dutch): a
    /// maintenance window and the components affected, each on a line.
    pub fn about(&self, zone: crate::time::Zone) -> String {
        let mut lines = Vec::new();
        if let (OutageKind::Maintenance, Some(end)) = (self.kind, self.ends_at) {
            lines.push(format!(
                "Onderhoud: {} tot {}",
                zone.date_time(self.starts_at),
                zone.date_time(end)
            ));
        }
        if !self.components.is_empty() {
            let names: Vec<&str> = self.components.iter().map(|c| c.name.as_str()).collect();
            lines.push(format!("Onderdelen: {}", names.join(", ")));
        }
        if lines.is_empty() {
            String::new()
        } else {
            format!("\n\n{}", lines.join("\n"))
        }
    }

    /// Whether it shows as a banner at `now`: an incident not resolved, or
    /// maintenance whose window is open.
    pub fn active(&self, now: DateTime<Utc>) -> bool {
        if self.resolved_at.is_some() {
            return false;
        }
        match self.kind {
            OutageKind::Incident => self.starts_at <= now,
            OutageKind::Maintenance => self.starts_at <= now && self.ends_at.is_none_or(|e| now < e),
        }
    }
}

/// What a mail about an update says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutageMail {
    /// The outage.
    pub outage: i64,
    /// Its title.
    pub title: String,
    /// The state the update set.
    pub state: OutageState,
    /// The update's text.
    pub body: String,
    /// When it was posted.
    pub at: DateTime<Utc>,
}

/// A new outage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutage {
    /// Title.
    pub title: String,
    /// Incident or maintenance.
    pub kind: OutageKind,
    /// Its first state.
    pub state: OutageState,
    /// The components it affects.
    pub components: Vec<i64>,
    /// When it begins.
    pub starts_at: DateTime<Utc>,
    /// Maintenance: when it ends.
    pub ends_at: Option<DateTime<Utc>>,
    /// The first update's text.
    pub body: String,
}

/// Storage of the outage page.
#[async_trait]
pub trait OutageStore: Send + Sync + 'static {
    /// Adds a component.
    async fn create_component(&self, name: &str, by: &Stamp) -> Result<Component>;
    /// Every component, in order.
    async fn list_components(&self) -> Result<Vec<Component>>;
    /// Adds an outage with its first update.
    async fn create_outage(&self, new: &NewOutage, by: &Stamp) -> Result<Outage>;
    /// Adds an update (a resolved state resolves the outage).
    async fn add_outage_update(&self, id: i64, state: OutageState, body: &str, by: &Stamp) -> Result<Outage>;
    /// One outage.
    async fn outage(&self, id: i64) -> Result<Option<Outage>>;
    /// The newest outages (unresolved ones first), with their updates; only
    /// the unresolved ones when `unresolved_only` (what the banner on every
    /// portal page reads: usually none, so one query).
    async fn list_outages(&self, limit: i64, unresolved_only: bool) -> Result<Vec<Outage>>;
    /// Adds (or renews) a subscriber; answers their id and whether a
    /// confirmation mail may go out (not when confirmed already, nor within
    /// an hour of the last one).
    async fn subscribe(&self, email: &str, at: DateTime<Utc>) -> Result<(i64, bool)>;
    /// Queues the confirmation mail carrying `link_token`.
    async fn queue_subscription_mail(&self, email: &str, link_token: &str, at: DateTime<Utc>) -> Result<()>;
    /// Confirms a subscriber; false when unknown, unsubscribed since, or
    /// when the confirmation mail is more than a week old.
    async fn confirm_subscriber(&self, id: i64, at: DateTime<Utc>) -> Result<bool>;
    /// Ends a subscription; false when unknown.
    async fn unsubscribe(&self, id: i64, at: DateTime<Utc>) -> Result<bool>;
    /// When a subscriber's last confirmation mail was queued.
    async fn subscriber_mailed_at(&self, id: i64) -> Result<Option<DateTime<Utc>>>;
    /// A subscriber's id by address.
    async fn subscriber_id(&self, email: &str) -> Result<Option<i64>>;
    /// What an update mail says: the outage, its title, the update's state, text and time.
    async fn outage_update_mail(&self, update: i64) -> Result<Option<OutageMail>>;
    /// The outages a ticket is linked to: id and title, newest first.
    async fn ticket_outages(&self, ticket: TicketId) -> Result<Vec<(i64, String)>>;
    /// Every link of a ticket to an outage: the outage and the ticket's number.
    async fn linked_tickets(&self) -> Result<Vec<(i64, TicketNumber)>>;
    /// Links a ticket to an outage; its requester is told when it is resolved.
    async fn link_outage_ticket(&self, outage: i64, ticket: TicketId) -> Result<()>;
}
