//! Staff members (for assigning) and canned replies, for API clients.

use crate::api::StaffAuth;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use loket_core::Staff;
use loket_core::store::CannedReply;

use crate::error::ErrorBody;

/// Every staff member, by name.
#[utoipa::path(get, path = "/api/v1/staff", security(("bearer" = [])),
    responses((status = 200, body = Vec<Staff>), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, auth: StaffAuth) -> Result<Json<Vec<Staff>>, ApiError> {
    Ok(Json(state.service.list_staff(&auth.actor()).await?))
}

/// The canned replies, by title, with their placeholders unfilled.
#[utoipa::path(get, path = "/api/v1/canned-replies", security(("bearer" = [])),
    responses((status = 200, body = Vec<CannedReply>), (status = 401, body = ErrorBody)))]
pub async fn canned_replies(
    State(state): State<AppState>,
    auth: StaffAuth,
) -> Result<Json<Vec<CannedReply>>, ApiError> {
    Ok(Json(state.service.canned_replies(&auth.actor()).await?))
}
