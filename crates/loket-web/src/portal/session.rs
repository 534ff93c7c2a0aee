//! The portal session cookie: an opaque random token whose hash the store
//! keeps with the contact, so every process recognises it.

use super::cookie;
use crate::AppState;
use axum::http::HeaderMap;
use loket_core::service::SESSION_DAYS;
use loket_core::{Contact, DomainError};

/// Name of the cookie over plain http.
pub const COOKIE: &str = "loket_session";

/// The cookie's name: with the `__Host-` prefix over https, so no other
/// host (a sibling subdomain) can set or shadow it.
pub fn name(secure: bool) -> &'static str {
    if secure { "__Host-loket_session" } else { COOKIE }
}

/// The session token the request carries, if it looks like one.
pub fn token_of(headers: &HeaderMap, secure: bool) -> Option<&str> {
    cookie(headers, name(secure)).filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The logged-in contact and their session token, if any.
pub async fn current(s: &AppState, headers: &HeaderMap) -> Result<Option<(Contact, String)>, DomainError> {
    let Some(token) = token_of(headers, s.portal.secure_cookies) else {
        return Ok(None);
    };
    Ok(s.service.session(token).await?.map(|c| (c, token.to_owned())))
}

/// `Set-Cookie` for a new session.
pub fn set(token: &str, secure: bool) -> String {
    let flag = if secure { "; Secure" } else { "" };
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{flag}",
        name(secure),
        SESSION_DAYS * 24 * 3600
    )
}

/// `Set-Cookie` that ends the session in the browser.
pub fn clear(secure: bool) -> String {
    let flag = if secure { "; Secure" } else { "" };
    format!("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{flag}", name(secure))
}
