//! Rendering portal pages and the portal's error pages (HTML, never JSON).

use super::i18n::{Texts, texts};
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use loket_core::{DomainError, Lang};

/// What every page's frame shows: who is logged in (with the log-out form)
/// and the visitor's form token.
#[derive(Debug, Default, Clone)]
pub struct Chrome {
    /// The logged-in contact's address.
    pub me: Option<String>,
    /// The visitor's CSRF form token.
    pub csrf: String,
    /// While an incident or maintenance is active: what the banner says.
    pub banner: Option<String>,
}

/// The frame of a page for this request, and the `Set-Cookie` of a new CSRF
/// nonce when the visitor had none.
pub async fn chrome(
    s: &crate::AppState,
    headers: &axum::http::HeaderMap,
) -> Result<(Chrome, Option<String>), DomainError> {
    let me = super::session::current(s, headers).await?.map(|(c, _)| c);
    chrome_as(s, headers, me.as_ref()).await
}

/// [`chrome`] for a page that looked up its logged-in contact already (`me`):
/// the session is not read twice.
pub async fn chrome_as(
    s: &crate::AppState,
    headers: &axum::http::HeaderMap,
    me: Option<&loket_core::Contact>,
) -> Result<(Chrome, Option<String>), DomainError> {
    let (csrf, set) = super::csrf::token(&s.csrf_key, headers, s.portal.secure_cookies);
    let banner = super::outages::banner(s, super::language(headers)).await?;
    Ok((
        Chrome {
            me: me.map(|c| c.email.clone()),
            csrf,
            banner,
        },
        set,
    ))
}

#[derive(Template)]
#[template(path = "portal/error.html")]
struct ErrorPage<'a> {
    t: &'a Texts,
    chrome: Chrome,
    title: &'a str,
    message: &'a str,
}

/// An error shown as a page in the visitor's language.
#[derive(Debug)]
pub struct PageError {
    status: StatusCode,
    lang: Lang,
    /// For a 303: where to (a path Loket made, never one from input).
    to: Option<String>,
    /// A 403 for lack of rights (not an expired form).
    denied: bool,
}

impl PageError {
    /// 303 to the login page, which comes back to `path` (a `/mijn…` page)
    /// afterwards: a page that needs a login never says "not found" for lack of one.
    pub fn login_first(path: &str, lang: Lang) -> Self {
        Self {
            status: StatusCode::SEE_OTHER,
            lang,
            to: Some(format!("/inloggen?terug={}", super::account::return_path(Some(path)))),
            denied: false,
        }
    }

    /// 404: unknown page, or a link that is not valid; never says which.
    pub fn not_found(lang: Lang) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            lang,
            to: None,
            denied: false,
        }
    }

    /// 400: a form that cannot be read.
    pub fn bad_request(lang: Lang) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            lang,
            to: None,
            denied: false,
        }
    }

    /// 403: a form without a valid CSRF token.
    pub fn forbidden(lang: Lang) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            lang,
            to: None,
            denied: false,
        }
    }

    /// 403: the signed-in staff member's role may not do this.
    pub fn not_allowed(lang: Lang) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            lang,
            to: None,
            denied: true,
        }
    }

    /// 413: the form with its files is larger than the portal takes.
    pub fn too_large(lang: Lang) -> Self {
        Self {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            lang,
            to: None,
            denied: false,
        }
    }

    /// 405: a page opened with a method it does not take.
    pub fn method_not_allowed(lang: Lang) -> Self {
        Self {
            status: StatusCode::METHOD_NOT_ALLOWED,
            lang,
            to: None,
            denied: false,
        }
    }

    /// 503: too many uploads at this moment; nothing was changed.
    pub fn busy(lang: Lang) -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            lang,
            to: None,
            denied: false,
        }
    }

    /// The language the page is shown in.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Maps a domain error: not found and forbidden look the same to visitors.
    pub fn from_domain(e: &DomainError, lang: Lang) -> Self {
        match e {
            DomainError::NotFound(_) | DomainError::Forbidden(_) => Self::not_found(lang),
            DomainError::TooMany(_) => Self {
                status: StatusCode::TOO_MANY_REQUESTS,
                lang,
                to: None,
                denied: false,
            },
            DomainError::Invalid(_) | DomainError::Conflict(_) | DomainError::Duplicate(_) | DomainError::Stale => {
                Self {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    lang,
                    to: None,
                    denied: false,
                }
            }
            DomainError::Storage(detail) => {
                tracing::error!(%detail, "storage failure on a portal page");
                Self {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    lang,
                    to: None,
                    denied: false,
                }
            }
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let Some(to) = &self.to {
            return axum::response::Redirect::to(to).into_response();
        }
        let t = texts(self.lang);
        let (title, message) = match self.status {
            StatusCode::NOT_FOUND => (t.not_found, t.not_found_text),
            StatusCode::FORBIDDEN if self.denied => (t.forbidden, t.not_allowed_text),
            StatusCode::FORBIDDEN => (t.forbidden, t.forbidden_text),
            StatusCode::PAYLOAD_TOO_LARGE => (t.too_large, t.too_large_text),
            StatusCode::SERVICE_UNAVAILABLE => (t.busy, t.busy_text),
            StatusCode::TOO_MANY_REQUESTS => (t.busy, t.too_many),
            StatusCode::BAD_REQUEST | StatusCode::METHOD_NOT_ALLOWED => (t.error, t.bad_request_text),
            _ => (t.error, t.error_text),
        };
        // In the workspace, the workspace's frame (never the portal's menu).
        let body = if crate::agent::in_workspace() {
            crate::agent::error_page(self.lang, title, message)
        } else {
            ErrorPage {
                t,
                chrome: Chrome::default(),
                title,
                message,
            }
            .render()
            .unwrap_or_else(|_| title.to_owned())
        };
        let mut resp = (self.status, Html(body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        }
        resp
    }
}

/// A rendered page answered with `status` instead of 200 (a form that comes
/// back with an error); a page that failed to render keeps its 500.
pub(crate) fn with_status(mut resp: Response, status: StatusCode) -> Response {
    if resp.status().is_success() {
        *resp.status_mut() = status;
    }
    resp
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
                to: None,
                denied: false,
            }
            .into_response()
        }
    }
}

/// Path parameters of a page: a value that does not parse (`/mijn/abc`) is the
/// portal's "not found" page in the visitor's language, never the framework's
/// plain-text rejection.
pub struct PagePath<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for PagePath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, PageError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Self(v)),
            Err(_) => Err(PageError::not_found(super::language(&parts.headers))),
        }
    }
}

/// A page's query string; one that cannot be read (a parameter twice, a
/// number that is none) gets the portal's own 400 page, never the framework's text.
pub struct PageQuery<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for PageQuery<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, PageError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Self(v)),
            Err(_) => Err(PageError::bad_request(super::language(&parts.headers))),
        }
    }
}

/// `GET` on a path that only takes a form's `POST` (after a form came back
/// with an error, the language switch links there): back to the page the form
/// belongs to, in the language asked for.
pub async fn view_post_only_get(uri: axum::http::Uri) -> axum::response::Redirect {
    let path = uri.path();
    let page = path
        .strip_suffix("/reply")
        .or_else(|| path.strip_suffix("/solve"))
        .filter(|p| !p.is_empty())
        .unwrap_or("/");
    let page = match path {
        "/tickets/new" | "/uitloggen" => "/",
        "/storingen/abonneren" => "/storingen",
        "/forum/naam" => "/forum",
        _ => page,
    };
    let lang = uri
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("lang=")))
        .map(|l| format!("?lang={}", Lang::parse_or_default(l).id()))
        .unwrap_or_default();
    axum::response::Redirect::to(&format!("{page}{lang}"))
}

/// A posted form (urlencoded): one that cannot be read is the portal's 400
/// page, one that is too large its 413 page, never the framework's plain text.
pub struct PageForm<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for PageForm<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, PageError> {
        let lang = super::language(req.headers());
        match axum::extract::Form::<T>::from_request(req, state).await {
            Ok(axum::extract::Form(v)) => Ok(Self(v)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(PageError::too_large(lang)),
            Err(_) => Err(PageError::bad_request(lang)),
        }
    }
}
