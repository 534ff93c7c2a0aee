//! Full-text search over tickets.

use crate::api::{ApiQuery, StaffAuth};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use loket_core::Ticket;
use loket_core::store::SearchQuery;
use serde::Deserialize;
use utoipa::IntoParams;

/// `GET /search`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words (all must occur) or a ticket number.
    q: String,
    /// Most results, 1 to 200 (default 50).
    limit: Option<i64>,
}

/// Finds tickets by words of subject, messages (notes included) and requester, or by number.
#[utoipa::path(get, path = "/api/v1/search", params(SearchParams), security(("bearer" = [])),
    responses((status = 200, body = Vec<Ticket>), (status = 422, body = ErrorBody)))]
pub async fn search(
    State(s): State<AppState>,
    _auth: StaffAuth,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Json<Vec<Ticket>>, ApiError> {
    if p.q.trim().is_empty() {
        return Err(ApiError::invalid("q must not be empty"));
    }
    let _turn = s
        .search_turn(crate::state::Searcher::Staff)
        .await
        .ok_or_else(ApiError::busy)?;
    let q = SearchQuery {
        text: p.q,
        shared: None,
        requester: None,
        organisation: None,
        limit: p.limit.unwrap_or(50).clamp(1, 200),
    };
    Ok(Json(s.service.store().search(&q).await?))
}
