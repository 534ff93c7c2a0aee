//! Rendering portal pages and the portal's error pages (HTML, never JSON).

use super::i18n::{Texts, texts};
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use loket_core::{DomainError, Lang};

#[derive(Template)]
#[template(path = "portal/error.html")]
struct ErrorPage<'a> {
    t: &'a Texts,
    title: &'a str,
    message: &'a str,
}

/// An error shown as a page in the visitor's language.
#[derive(Debug)]
pub struct PageError {
    status: StatusCode,
    lang: Lang,
}

impl PageError {
    /// 404: unknown page, or a link that is not valid; never says which.
    pub fn not_found(lang: Lang) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            lang,
        }
    }

    /// 400: a form that cannot be read.
    pub fn bad_request(lang: Lang) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            lang,
        }
    }

    /// 403: a form without a valid CSRF token.
    pub fn forbidden(lang: Lang) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            lang,
        }
    }

    /// 413: the form with its files is larger than the portal takes.
    pub fn too_large(lang: Lang) -> Self {
        Self {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            lang,
        }
    }

    /// 503: too many uploads at this moment; nothing was changed.
    pub fn busy(lang: Lang) -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            lang,
        }
    }

    /// Maps a domain error: not found and forbidden look the same to visitors.
    pub fn from_domain(e: &DomainError, lang: Lang) -> Self {
        match e {
            DomainError::NotFound(_) | DomainError::Forbidden(_) => Self::not_found(lang),
            DomainError::TooMany(_) => Self {
                status: StatusCode::TOO_MANY_REQUESTS,
                lang,
            },
            DomainError::Invalid(_) | DomainError::Conflict(_) | DomainError::Duplicate(_) | DomainError::Stale => {
                Self {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    lang,
                }
            }
            DomainError::Storage(detail) => {
                tracing::error!(%detail, "storage failure on a portal page");
                Self {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    lang,
                }
            }
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let t = texts(self.lang);
        let (title, message) = match self.status {
            StatusCode::NOT_FOUND => (t.not_found, t.not_found_text),
            StatusCode::FORBIDDEN => (t.forbidden, t.forbidden_text),
            StatusCode::PAYLOAD_TOO_LARGE => (t.too_large, t.too_large_text),
            StatusCode::SERVICE_UNAVAILABLE => (t.busy, t.busy_text),
            _ => (t.error, t.error_text),
        };
        let body = ErrorPage { t, title, message }
            .render()
            .unwrap_or_else(|_| title.to_owned());
        let mut resp = (self.status, Html(body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        }
        resp
    }
}

/// Renders a page, adding `Set-Cookie` headers.
pub fn render(page: &impl Template, cookies: &[String], lang: Lang) -> Response {
    match page.render() {
        Ok(html) => {
            let mut resp = Html(html).into_response();
            for c in cookies {
                if let Ok(v) = HeaderValue::from_str(c) {
                    resp.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            resp
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            PageError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                lang,
            }
            .into_response()
        }
    }
}
