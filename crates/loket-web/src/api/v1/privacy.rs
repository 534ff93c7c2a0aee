//! Privacy incidents through the API: a ticket's incidents, the decision on
//! one, removing one attachment for good, and counts per organisation.

use crate::api::{ApiJson, ApiPath, ApiQuery, StaffAuth};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use loket_core::privacy_store::{Incident, IncidentCount};
use loket_core::{AttachmentId, Ticket, TicketNumber};
use serde::Deserialize;

/// A ticket's privacy incidents, oldest first (staff only).
#[utoipa::path(get, path = "/api/v1/tickets/{number}/privacy-incidents", params(("number" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Vec<Incident>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn incidents(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath(n): ApiPath<i64>,
) -> Result<Json<Vec<Incident>>, ApiError> {
    Ok(Json(s.service.ticket_incidents(&auth.actor(), TicketNumber(n)).await?))
}

/// The decision on a proposed incident.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// `true` confirms (label; for several people also the files removed and
    /// the sender told), `false` overrules.
    confirm: bool,
}

/// Confirms or overrules a proposed incident; 409 when it was decided already.
#[utoipa::path(post, path = "/api/v1/tickets/{number}/privacy-incidents/{id}", request_body = DecisionBody,
    params(("number" = i64, Path), ("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Ticket), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn decide(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath((n, id)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<DecisionBody>,
) -> Result<Json<Ticket>, ApiError> {
    Ok(Json(
        s.service
            .decide_incident(&auth.actor(), TicketNumber(n), id, b.confirm)
            .await?,
    ))
}

/// Why an attachment is removed.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RemoveQuery {
    /// The reason, kept with the tombstone and in the audit trail.
    reason: String,
}

/// Removes one attachment for good (its bytes and its copy in the stored
/// mail); the tombstone keeps name, size, SHA-256, who, when and why.
#[utoipa::path(delete, path = "/api/v1/tickets/{number}/attachments/{id}", params(("number" = i64, Path), ("id" = i64, Path), RemoveQuery),
    security(("bearer" = [])), responses((status = 200, body = Ticket), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn remove_attachment(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath((n, id)): ApiPath<(i64, i64)>,
    ApiQuery(q): ApiQuery<RemoveQuery>,
) -> Result<Json<Ticket>, ApiError> {
    Ok(Json(
        s.service
            .remove_attachment(&auth.actor(), TicketNumber(n), AttachmentId(id), &q.reason)
            .await?,
    ))
}

/// A period of days (in the installation's time zone), both included.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day, `2026-01-01`.
    from: chrono::NaiveDate,
    /// Last day, `2026-12-31`.
    to: chrono::NaiveDate,
}

impl PeriodQuery {
    /// The period as moments: from the first day's start to the start of
    /// the day after the last.
    pub fn range(
        &self,
        zone: loket_core::time::Zone,
    ) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
        (
            zone.start_of_day(self.from),
            zone.start_of_day(self.to.succ_opt().unwrap_or(self.to)),
        )
    }
}

/// Confirmed incidents (light, full) and prevented uploads per organisation
/// in a period; a ticket counts for its requester's current organisation.
#[utoipa::path(get, path = "/api/v1/privacy/incidents", params(PeriodQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<IncidentCount>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn report(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Json<Vec<IncidentCount>>, ApiError> {
    let (from, to) = q.range(s.portal.time_zone);
    Ok(Json(s.service.incident_report(&auth.actor(), from, to).await?))
}
