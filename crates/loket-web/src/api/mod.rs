//! The JSON API: extractors that answer errors as JSON, bearer-token
//! authentication, the health check, and version 1 of the API.

pub mod v1;

use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use loket_core::Staff;
use loket_core::service::Actor;
use serde::de::DeserializeOwned;

/// `GET /healthz`: answers 200 when the database answers.
pub async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Result<&'static str, ApiError> {
    state.service.store().organisation_for_domain("healthz.invalid").await?;
    Ok("ok")
}

/// Unknown API paths answer a JSON 404.
pub fn not_found() -> (StatusCode, Json<crate::error::ErrorBody>) {
    (
        StatusCode::NOT_FOUND,
        Json(crate::error::ErrorBody {
            error: "not_found",
            message: "no such API endpoint".into(),
            message_nl: None,
            field: None,
        }),
    )
}

/// The staff member behind the request's bearer token.
pub struct StaffAuth(pub Staff);

impl StaffAuth {
    /// As a service actor.
    pub fn actor(&self) -> Actor {
        Actor::Staff(self.0.clone())
    }
}

impl FromRequestParts<AppState> for StaffAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(ApiError::unauthorized)?;
        let staff = state
            .service
            .authenticate_token(token)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        Ok(StaffAuth(staff))
    }
}

/// A JSON body whose rejections are JSON errors (400 malformed, 422 invalid).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let Json(v) = Json::<T>::from_request(req, state).await?;
        Ok(Self(v))
    }
}

/// A query string whose rejections are JSON errors.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Query(v) = axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Self(v))
    }
}

/// Path parameters whose rejections are JSON errors.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(v) = axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(Self(v))
    }
}

/// Bodies up to this size are handled at once; larger ones wait for one of
/// the few permits, so memory stays bounded whatever staff send.
const LARGE_BODY: u64 = 1024 * 1024;

/// Lets a bounded number of API requests with large bodies in at a time;
/// others wait (at most 30 seconds, then 503 with Retry-After).
pub async fn bounded_bodies(
    axum::extract::State(s): axum::extract::State<AppState>,
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let size = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let has_body = !matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::DELETE
    );
    if !has_body || size.is_some_and(|n| n <= LARGE_BODY) {
        return next.run(req).await;
    }
    let wait = std::time::Duration::from_secs(30);
    if let Ok(Ok(_permit)) = tokio::time::timeout(wait, s.api_uploads.clone().acquire_owned()).await {
        return next.run(req).await;
    }
    let mut r = ApiError::busy().into_response();
    r.headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from_static("30"));
    r
}
