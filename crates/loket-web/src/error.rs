//! The JSON API's error type: a status code and a human-readable message;
//! storage details are logged, never shown to the client.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use loket_core::DomainError;
use serde::Serialize;

/// The body of every error answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Machine-readable kind: `bad_request`, `unauthorized`, `forbidden`,
    /// `not_found`, `conflict`, `invalid`, `too_many`, `busy`, `internal`.
    pub error: &'static str,
    /// What is wrong, for people (English).
    pub message: String,
    /// The same in Dutch, for input that was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_nl: Option<String>,
    /// The request field the problem concerns, if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    message: String,
    message_nl: Option<String>,
    field: Option<&'static str>,
}

impl ApiError {
    /// 400: the request could not be read.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message.into())
    }

    /// 401: no valid bearer token.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required (create one with `loket token create`)".into(),
        )
    }

    /// 405: the path exists, but not with this method.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this endpoint does not take this method; see /api/v1/openapi.json".into(),
        )
    }

    /// 503: too many large requests at this moment; nothing was changed.
    pub fn busy() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "too many large requests at this moment; nothing was changed, try again shortly".into(),
        )
    }

    /// 422: the request was read but its content is not acceptable.
    pub fn invalid(message: impl Into<String>) -> Self {
        let mut e = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message.into());
        e.message_nl = Some("Het verzoek bevat een ongeldige waarde; de Engelse melding zegt welke.".into());
        e
    }

    fn new(status: StatusCode, kind: &'static str, message: String) -> Self {
        Self {
            status,
            kind,
            message,
            message_nl: None,
            field: None,
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let (status, kind) = match &e {
            DomainError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            DomainError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            DomainError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            DomainError::TooMany(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many"),
            DomainError::Conflict(_) | DomainError::Duplicate(_) | DomainError::Stale => {
                (StatusCode::CONFLICT, "conflict")
            }
            DomainError::Storage(detail) => {
                tracing::error!(%detail, "storage failure");
                return Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error; nothing was changed, try again later".into(),
                );
            }
        };
        let mut err = Self::new(status, kind, e.to_string());
        if let DomainError::Invalid(p) = &e {
            err.message = crate::portal::problem_text(p, loket_core::Lang::En);
            err.message_nl = Some(crate::portal::problem_text(p, loket_core::Lang::Nl));
            err.field = p.field().map(loket_core::Field::id);
        }
        err
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => Self::invalid(format!("invalid request body: {}", e.body_text())),
            other => Self::bad_request(format!("malformed request body: {}", other.body_text())),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        Self::bad_request(format!("bad query string: {}", r.body_text()))
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no such resource: {}", r.body_text()),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.kind,
            message: self.message,
            message_nl: self.message_nl,
            field: self.field,
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        }
        resp
    }
}
