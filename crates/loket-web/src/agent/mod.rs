//! The agent workspace under `/agent`: staff sign-in with TOTP, the overview,
//! queues and the ticket page with its actions. Server-rendered pages that
//! work without JavaScript; a small script (`/static/agent.js`) refreshes
//! queues. Every page checks the staff session; every form its CSRF token.

mod admin;
mod agenda;
mod audit;
mod bulk;
mod directory;
mod forum;
mod jobs;
mod labels;
mod mailboxes;
mod messages;
mod outages;
mod overview;
mod password;
mod phone;
mod privacy;
mod releases;
pub(crate) mod session;
mod signin;
mod staff;
mod texts;
mod ticket;
mod webhooks;
mod wishes;

pub use admin::{view_bans_get, view_canned_delete_post, view_canned_get, view_canned_post, view_unban_post};
pub use agenda::{view_agenda_get, view_agenda_outcome_post};
pub use bulk::view_bulk_post;
pub use directory::{view_contacts_get, view_contacts_post, view_orgs_get, view_orgs_post};
pub use forum::{
    view_forum_admin_get, view_forum_admin_post, view_forum_file_admin_get, view_forum_topic_admin_get,
    view_forum_topic_admin_post,
};
pub use jobs::{view_job_retry_post, view_jobs_get};
pub use labels::{view_labels_admin_post, view_labels_get};
pub use mailboxes::{view_mailboxes_get, view_quarantine_retry_post};
pub use outages::{view_outage_ticket_post, view_outage_update_post, view_outages_admin_get, view_outages_admin_post};
pub use overview::{view_overview_get, view_queue_get, view_search_get};
pub use password::{view_password_get, view_password_post};
pub use phone::{view_phone_get, view_phone_post};
pub use privacy::{
    view_incident_post, view_privacy_get, view_privacy_org_get, view_remove_file_post, view_remove_message_post,
};
pub use releases::{
    view_release_get, view_release_post, view_release_publish_post, view_releases_get, view_releases_post,
};
pub use signin::{
    view_code_get, view_code_post, view_enrol_get, view_enrol_post, view_signin_get, view_signin_post,
    view_signout_post,
};
pub use staff::{view_staff_get, view_staff_post};
pub use ticket::{
    view_ask_post, view_assign_post, view_attachment_get, view_labels_post, view_merge_post, view_move_post,
    view_note_post, view_presence_post, view_reopen_post, view_reply_post, view_resolve_post, view_spam_post,
    view_ticket_get, view_transfer_post,
};
pub use webhooks::{view_webhook_toggle_post, view_webhooks_get, view_webhooks_post};
pub use wishes::{view_wish_link_post, view_wishes_get};

use crate::AppState;
use crate::portal::page::PageError;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::service::{Actor, StaffSession};
use loket_core::{Lang, Staff};
pub(crate) use texts::{Texts, texts};

/// A workspace form with only its CSRF token.
#[derive(Debug, serde::Deserialize)]
pub struct TokenForm {
    pub(crate) csrf: String,
}

/// What every workspace page's frame shows.
pub(crate) struct Frame {
    /// The signed-in staff member's name.
    pub me: String,
    /// The visitor's CSRF form token.
    pub csrf: String,
    /// An administrator (the admin pages are in the menu).
    pub admin: bool,
    /// An agent or administrator (organisations and contacts are in the menu).
    pub desk: bool,
}

/// The signed-in staff member as an extractor: a visitor without a finished
/// workspace sign-in is sent to the sign-in page (or the TOTP step) before the
/// handler runs, so no handler repeats the check.
pub struct SignedIn(pub(crate) Signed);

impl axum::extract::FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, s: &AppState) -> Result<Self, Response> {
        match signed_in(s, &parts.headers).await {
            Ok(Ok(me)) => Ok(SignedIn(me)),
            Ok(Err(to)) => Err(to),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// A signed-in staff member on this request.
pub(crate) struct Signed {
    pub staff: Staff,
    pub frame: Frame,
    pub lang: Lang,
    /// `Set-Cookie` of a new CSRF nonce, when the visitor had none.
    pub cookies: Vec<String>,
}

impl Signed {
    pub fn actor(&self) -> Actor {
        Actor::Staff(self.staff.clone())
    }

    /// Refuses (403, saying why) a staff member whose role is not one of
    /// `roles`; the page's own check before it reads anything.
    pub fn require(&self, roles: &[loket_core::Role]) -> Result<(), PageError> {
        if roles.contains(&self.staff.role) {
            Ok(())
        } else {
            Err(PageError::not_allowed(self.lang))
        }
    }
}

/// The staff session of a request, complete or not, with its token.
pub(crate) async fn session_of(
    s: &AppState,
    headers: &HeaderMap,
    lang: Lang,
) -> Result<Option<(StaffSession, String)>, PageError> {
    let Some(token) = session::token_of(headers, s.portal.secure_cookies) else {
        return Ok(None);
    };
    // A page's background poll does not keep an idle session alive.
    let person = headers.get("x-loket-background").is_none();
    let found = s
        .service
        .staff_session_as(token, person)
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?;
    Ok(found.map(|f| (f, token.to_owned())))
}

/// The header [`remember_page`] puts on every workspace request: the page to
/// come back to after signing in (never taken from the visitor).
const RETURN_HEADER: &str = "x-loket-return";
/// The cookie that keeps that page during sign-in.
const RETURN_COOKIE: &str = "loket_agent_back";

tokio::task_local! {
    /// Set while a workspace request is handled, so error pages take the
    /// workspace's frame.
    static WORKSPACE: ();
}

/// Runs `f` as part of a workspace request (its error pages in the
/// workspace's frame).
pub(crate) async fn as_workspace<F: std::future::Future>(f: F) -> F::Output {
    WORKSPACE.scope((), f).await
}

/// Whether the request being handled is one of the workspace's.
pub(crate) fn in_workspace() -> bool {
    WORKSPACE.try_with(|()| ()).is_ok()
}

#[derive(askama::Template)]
#[template(path = "agent/error.html")]
struct ErrorPage<'a> {
    t: &'a Texts,
    title: &'a str,
    message: &'a str,
}

/// An error page in the workspace's frame.
pub(crate) fn error_page(lang: Lang, title: &str, message: &str) -> String {
    askama::Template::render(&ErrorPage {
        t: texts(lang),
        title,
        message,
    })
    .unwrap_or_else(|_| title.to_owned())
}

/// Middleware on the workspace's routes: notes the page a request belongs to
/// (a ticket page for a form posted on it), so that a visitor sent to sign in
/// comes back there.
pub(crate) async fn remember_page(mut req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    req.headers_mut().remove(RETURN_HEADER);
    // Inside `/agent` the router strips the prefix (this runs only there
    // and on `/agent` itself).
    let uri = req.uri().clone();
    let path = if uri.path().starts_with("/agent") {
        uri.path().to_owned()
    } else {
        format!("/agent{}", uri.path())
    };
    let back = if req.method() == axum::http::Method::GET {
        Some(match uri.query() {
            Some(q) => format!("{path}?{q}"),
            None => path,
        })
    } else {
        // A form posted on a ticket page: back to that page.
        path.strip_prefix("/agent/tickets/")
            .and_then(|rest| rest.split('/').next())
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()) && !n.is_empty())
            .map(|n| format!("/agent/tickets/{n}"))
    };
    if let Some(back) = back.filter(|b| safe_return(b))
        && let Ok(v) = axum::http::HeaderValue::from_str(&back)
    {
        req.headers_mut().insert(RETURN_HEADER, v);
    }
    WORKSPACE.scope((), next.run(req)).await
}

/// A page of the workspace (never the sign-in steps, never another site).
pub(crate) fn safe_return(path: &str) -> bool {
    path.starts_with("/agent")
        && !path.starts_with("/agent/inloggen")
        && !path.starts_with("/agent/code")
        && !path.starts_with("/agent/koppelen")
        && !path.starts_with("/agent/uitloggen")
        && !path.contains("//")
        && !path.contains('\\')
        && path.len() <= 512
        && path
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'"'))
}

/// Where to go once signed in: the remembered page, or the overview; and the
/// `Set-Cookie` that forgets it.
pub(crate) fn after_sign_in(headers: &HeaderMap, secure: bool) -> (String, String) {
    let to = crate::portal::cookie(headers, RETURN_COOKIE)
        .filter(|b| safe_return(b))
        .map_or_else(|| "/agent".to_owned(), str::to_owned);
    let flag = if secure { "; Secure" } else { "" };
    (
        to,
        format!("{RETURN_COOKIE}=; Path=/agent; HttpOnly; SameSite=Lax; Max-Age=0{flag}"),
    )
}

/// The signed-in staff member, or the response that sends the visitor to
/// sign in (or to the code or enrolment step they are at).
pub(crate) async fn signed_in(s: &AppState, headers: &HeaderMap) -> Result<Result<Signed, Response>, PageError> {
    let lang = crate::portal::language(headers);
    let Some((session, _)) = session_of(s, headers, lang).await? else {
        let mut resp = Redirect::to("/agent/inloggen").into_response();
        if let Some(back) = headers.get(RETURN_HEADER).and_then(|v| v.to_str().ok()) {
            let flag = if s.portal.secure_cookies { "; Secure" } else { "" };
            let cookie = format!("{RETURN_COOKIE}={back}; Path=/agent; HttpOnly; SameSite=Lax; Max-Age=900{flag}");
            if let Ok(v) = axum::http::HeaderValue::from_str(&cookie) {
                resp.headers_mut().append(axum::http::header::SET_COOKIE, v);
            }
        }
        return Ok(Err(resp));
    };
    if !session.signed_in {
        let to = if session.has_totp {
            "/agent/code"
        } else {
            "/agent/koppelen"
        };
        return Ok(Err(Redirect::to(to).into_response()));
    }
    let (csrf, set) = crate::portal::csrf::token(&s.csrf_key, headers, s.portal.secure_cookies);
    Ok(Ok(Signed {
        frame: Frame {
            me: session.staff.name.clone(),
            csrf,
            admin: session.staff.role == loket_core::Role::Admin,
            desk: loket_core::service::DESK_STAFF.contains(&session.staff.role),
        },
        staff: session.staff,
        lang,
        cookies: set.into_iter().collect(),
    }))
}

/// One field of a form read as a list of pairs (forms with repeated fields),
/// trimmed; empty when absent.
pub(crate) fn field(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

/// A value for a query string: letters, digits and `-._~` as they are,
/// every other byte as `%XX`.
pub(crate) fn url_escape(v: &str) -> String {
    loket_mail::links::path_segment(v)
}

/// Refuses a form without the visitor's CSRF token.
pub(crate) fn check_csrf(s: &AppState, headers: &HeaderMap, token: &str, lang: Lang) -> Result<(), PageError> {
    if crate::portal::csrf::valid(&s.csrf_key, headers, s.portal.secure_cookies, token) {
        Ok(())
    } else {
        Err(PageError::forbidden(lang))
    }
}
