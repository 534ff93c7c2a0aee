//! The staff session cookie: its own name, never the portal's, so a portal
//! session signs nobody in to the workspace and the other way round.

use crate::portal::cookie;
use axum::http::HeaderMap;

/// Name of the cookie over plain http.
pub const COOKIE: &str = "loket_staff";

/// The cookie's name: with the `__Host-` prefix over https.
pub fn name(secure: bool) -> &'static str {
    if secure { "__Host-loket_staff" } else { COOKIE }
}

/// The staff session token the request carries, if it looks like one.
pub fn token_of(headers: &HeaderMap, secure: bool) -> Option<&str> {
    cookie(headers, name(secure)).filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `Set-Cookie` for a new session: a browser-session cookie (the server
/// ends it after inactivity).
pub fn set(token: &str, secure: bool) -> String {
    let flag = if secure { "; Secure" } else { "" };
    format!("{}={token}; Path=/; HttpOnly; SameSite=Lax{flag}", name(secure))
}

/// `Set-Cookie` that ends the session in the browser.
pub fn clear(secure: bool) -> String {
    let flag = if secure { "; Secure" } else { "" };
    format!("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{flag}", name(secure))
}
