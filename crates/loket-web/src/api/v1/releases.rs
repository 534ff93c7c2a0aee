//! Versions and their change documents through the API, so a release
//! pipeline or the development tracker can add versions and release them.

use crate::api::{ApiJson, ApiPath, StaffAuth};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use loket_core::DomainError;
use loket_core::releases::{Release, ReleaseDraft, ReleaseKind};
use serde::Deserialize;
use utoipa::ToSchema;

/// A version as written.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseBody {
    /// The version number (`8.4.1`); with `PUT` it comes from the path.
    #[serde(default)]
    version: String,
    /// `major` or `interim`.
    kind: ReleaseKind,
    /// The day it is planned for.
    #[serde(default)]
    planned_on: Option<chrono::NaiveDate>,
    /// The change document, Markdown.
    #[serde(default)]
    notes: String,
}

impl ReleaseBody {
    fn draft(self, version: String) -> ReleaseDraft {
        ReleaseDraft {
            version,
            kind: self.kind,
            planned_on: self.planned_on,
            notes: self.notes,
        }
    }
}

/// Lists versions, newest first.
#[utoipa::path(get, path = "/api/v1/releases", security(("bearer" = [])), responses((status = 200, body = Vec<Release>)))]
pub async fn list(State(s): State<AppState>, _auth: StaffAuth) -> Result<Json<Vec<Release>>, ApiError> {
    Ok(Json(s.service.store().list_releases(false, None, true, 500).await?))
}

/// Adds a version; a number that exists is a conflict.
#[utoipa::path(post, path = "/api/v1/releases", request_body = ReleaseBody, security(("bearer" = [])),
    responses((status = 201, body = Release), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiJson(b): ApiJson<ReleaseBody>,
) -> Result<(StatusCode, Json<Release>), ApiError> {
    let version = b.version.clone();
    Ok((
        StatusCode::CREATED,
        Json(s.service.create_release(&auth.actor(), b.draft(version)).await?),
    ))
}

/// Reads one version.
#[utoipa::path(get, path = "/api/v1/releases/{version}", params(("version" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Release), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    _auth: StaffAuth,
    ApiPath(version): ApiPath<String>,
) -> Result<Json<Release>, ApiError> {
    let r = s.service.store().release(&version).await?;
    Ok(Json(
        r.ok_or_else(|| DomainError::not_found(format!("version {version}")))?,
    ))
}

/// Changes a version's kind, planned day and change document.
#[utoipa::path(put, path = "/api/v1/releases/{version}", params(("version" = String, Path)), request_body = ReleaseBody,
    security(("bearer" = [])), responses((status = 200, body = Release), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath(version): ApiPath<String>,
    ApiJson(b): ApiJson<ReleaseBody>,
) -> Result<Json<Release>, ApiError> {
    Ok(Json(s.service.update_release(&auth.actor(), b.draft(version)).await?))
}

/// Releases a version: its Gepland tickets move to Opgeleverd and their
/// requesters are mailed (by a queued job, within seconds); released twice is a conflict.
#[utoipa::path(post, path = "/api/v1/releases/{version}/release", params(("version" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Release), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn release(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath(version): ApiPath<String>,
) -> Result<Json<Release>, ApiError> {
    Ok(Json(s.service.release(&auth.actor(), &version).await?))
}
