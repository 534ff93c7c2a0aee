//! Webhooks: other tools (the development tracker among them) follow ticket
//! events. Each change of a ticket queues, in its own transaction, one
//! delivery job per active webhook; the job posts the event signed with
//! HMAC-SHA256 and is retried with backoff; every attempt is logged.

use crate::jobs::Claimed;
use crate::store::Stamp;
use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// The job kind of a webhook delivery.
pub const WEBHOOK_JOB: &str = "webhook";

/// A webhook as admins see it (never its secret after creation).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Webhook {
    /// Id.
    pub id: i64,
    /// Where events are posted.
    pub url: String,
    /// Whether events are sent.
    pub active: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The webhook.
    pub webhook: i64,
    /// The job (one event).
    pub job: i64,
    /// Which attempt.
    pub attempt: i64,
    /// The HTTP status answered, if any.
    pub status: Option<i64>,
    /// What went wrong, if anything.
    pub error: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// Storage of webhooks and their delivery log.
#[async_trait]
pub trait WebhookStore: Send + Sync + 'static {
    /// Adds a webhook with its secret.
    async fn create_webhook(&self, url: &str, secret: &str, by: &Stamp) -> Result<Webhook>;
    /// Every webhook.
    async fn list_webhooks(&self) -> Result<Vec<Webhook>>;
    /// A webhook with its secret (for signing).
    async fn webhook_with_secret(&self, id: i64) -> Result<Option<(Webhook, String)>>;
    /// Switches a webhook on or off; false when it does not exist.
    async fn set_webhook_active(&self, id: i64, active: bool, by: &Stamp) -> Result<bool>;
    /// Logs a delivery attempt.
    async fn log_delivery(&self, d: &Delivery) -> Result<()>;
    /// The newest delivery attempts.
    async fn deliveries(&self, limit: i64) -> Result<Vec<Delivery>>;
    /// Failed attempts of a webhook since its last success.
    async fn failures_in_a_row(&self, webhook: i64) -> Result<i64>;
}

/// Runs jobs of kinds the core does not know (webhook deliveries, which
/// need an HTTP client): `loket serve` hands one to the service.
#[async_trait]
pub trait JobHandler: Send + Sync + 'static {
    /// Whether it runs jobs of this kind.
    fn handles(&self, kind: &str) -> bool;
    /// Runs a claimed job; answers whether this claim finished it.
    async fn run(&self, service: &crate::service::Service, job: &Claimed) -> Result<bool>;
}

/// Where a webhook posts: TLS or not, host, port and path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// HTTPS.
    pub tls: bool,
    /// Host name or address (no brackets).
    pub host: String,
    /// Port.
    pub port: u16,
    /// Path and query.
    pub path: String,
}

/// Parses a webhook address; the error says what is wrong.
pub fn parse_url(url: &str) -> std::result::Result<Target, String> {
    let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return Err(format!("'{url}' is not an http(s) address"));
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("'{url}' holds spaces or control characters"));
    }
    let (authority, path) = rest.find(['/', '?']).map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
    if authority.contains('@') {
        return Err(format!(
            "'{url}' holds a user name; put credentials in the receiver, not the address"
        ));
    }
    let default = if tls { 443 } else { 80 };
    let (host, port) = match authority.strip_prefix('[').and_then(|r| r.split_once(']')) {
        Some((h, "")) => (h, None),
        Some((h, p)) => (h, Some(p.strip_prefix(':').unwrap_or(p))),
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    let port = match port {
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("'{url}' has a bad port"))?,
        None => default,
    };
    if host.is_empty() {
        return Err(format!("'{url}' has no host"));
    }
    let path = if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_owned()
    };
    Ok(Target {
        tls,
        host: host.to_owned(),
        port,
        path,
    })
}

/// A ticket event as webhooks receive it (no message text: only what a
/// tracker needs to follow the ticket).
pub fn event_json(event: &str, action: &str, t: &Ticket, at: DateTime<Utc>) -> String {
    serde_json::json!({
        "event": event,
        "action": action,
        "at": at.to_rfc3339(),
        "ticket": {
            "number": t.number.0,
            "subject": t.subject,
            "status": t.status.id(),
            "department": t.department.id(),
            "urgent": t.urgent,
            "labels": t.labels,
            "release_version": t.release_version,
            "work_item": t.work_item,
            "assignee_id": t.assignee_id.map(|a| a.0),
            "due_at": t.due_at.map(|d| d.to_rfc3339()),
        }
    })
    .to_string()
}
