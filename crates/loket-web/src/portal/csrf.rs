//! CSRF protection for portal forms: a random token in an HttpOnly, SameSite
//! cookie that every form repeats in a hidden field (double submit); a POST
//! whose field does not match the cookie is refused.

use super::cookie;
use axum::http::HeaderMap;
use rand::RngCore;

/// Name of the cookie.
pub const COOKIE: &str = "loket_csrf";

/// The visitor's token, and the `Set-Cookie` value when it is new.
pub fn token(headers: &HeaderMap, secure: bool) -> (String, Option<String>) {
    if let Some(t) = cookie(headers, COOKIE).filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())) {
        return (t.to_owned(), None);
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let t = hex::encode(bytes);
    let secure = if secure { "; Secure" } else { "" };
    let set = format!("{COOKIE}={t}; Path=/; HttpOnly; SameSite=Strict{secure}");
    (t, Some(set))
}

/// Whether a submitted form carries the visitor's token (constant-time compare).
pub fn valid(headers: &HeaderMap, submitted: &str) -> bool {
    let Some(expected) = cookie(headers, COOKIE) else {
        return false;
    };
    expected.len() == submitted.len()
        && !expected.is_empty()
        && expected
            .bytes()
            .zip(submitted.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}
