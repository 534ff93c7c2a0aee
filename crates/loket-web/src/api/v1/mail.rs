//! Mail that could not be processed: the quarantine, and retrying an entry.

use crate::api::{ApiPath, StaffAuth};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use loket_core::service::DESK_STAFF;
use loket_core::store::QuarantinedMail;
use loket_mail::Outcome;
use serde::Serialize;
use utoipa::ToSchema;

/// What a retry came to.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetryResult {
    /// `created`, `appended`, `automatic`, `duplicate`, `quarantined`, `not_mail` or `deferred`.
    pub outcome: &'static str,
    /// The ticket number, when a ticket was made or extended.
    pub ticket: Option<i64>,
    /// Why it is still in quarantine.
    pub reason: Option<String>,
}

/// Lists the mails in quarantine with the reason each could not be processed.
#[utoipa::path(get, path = "/api/v1/mail/quarantine", security(("bearer" = [])),
    responses((status = 200, body = Vec<QuarantinedMail>), (status = 403, body = ErrorBody)))]
pub async fn quarantine(State(s): State<AppState>, auth: StaffAuth) -> Result<Json<Vec<QuarantinedMail>>, ApiError> {
    auth.actor().require_staff(DESK_STAFF, "see the mail quarantine")?;
    Ok(Json(s.service.store().list_quarantine(1000).await?))
}

/// Tries a quarantined mail again now.
#[utoipa::path(post, path = "/api/v1/mail/quarantine/{id}/retry", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = RetryResult), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn retry(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RetryResult>, ApiError> {
    auth.actor().require_staff(DESK_STAFF, "retry quarantined mail")?;
    let r = |outcome, ticket: Option<&loket_core::Ticket>, reason: Option<String>| RetryResult {
        outcome,
        ticket: ticket.map(|t| t.number.0),
        reason,
    };
    Ok(Json(match s.intake.retry_one(id).await? {
        Outcome::Created(t) => r("created", Some(&t), None),
        Outcome::Appended(t) => r("appended", Some(&t), None),
        Outcome::Automatic(t) => r("automatic", Some(&t), None),
        Outcome::Duplicate => r("duplicate", None, None),
        Outcome::Quarantined(why) => r("quarantined", None, Some(why)),
        Outcome::NotMail(why) => r("not_mail", None, Some(why)),
        Outcome::Deferred => r("deferred", None, None),
    }))
}
