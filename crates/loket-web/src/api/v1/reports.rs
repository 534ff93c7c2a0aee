//! Reports: service-level warnings and breaches per department and promise.

use super::privacy::PeriodQuery;
use crate::api::{ApiQuery, StaffAuth};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use loket_core::service_level::SlaCount;

/// Service-level warnings and breaches recorded in a period, per department
/// (at the time) and promise.
#[utoipa::path(get, path = "/api/v1/reports/service-levels", params(PeriodQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<SlaCount>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn service_levels(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Json<Vec<SlaCount>>, ApiError> {
    let (from, to) = q.range(s.portal.time_zone);
    Ok(Json(s.service.service_level_report(&auth.actor(), from, to).await?))
}
