//! The portal session cookie: an opaque random token whose hash the store
//! keeps with the contact, so every process recognises it.

use super::cookie;
use crate::AppState;
use axum::http::HeaderMap;
use loket_core::service::SESSION_DAYS;
use loket_core::{Contact, DomainError};

/// Name of the cookie.
pub const COOKIE: &str = "loket_session";

/// The logged-in contact and their session token, if any.
pub async fn current(s: &AppState, headers: &HeaderMap) -> Result<Option<(Contact, String)>, DomainError> {
    let Some(token) = cookie(headers, COOKIE).filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
    else {
        return Ok(None);
    };
    Ok(s.service.session(token).await?.map(|c| (c, token.to_owned())))
}

/// `Set-Cookie` for a new session.
pub fn set(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        SESSION_DAYS * 24 * 3600
    )
}

/// `Set-Cookie` that ends the session in the browser.
pub fn clear() -> String {
    format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}
