//! CSRF protection for portal and agent forms. The visitor gets a random nonce
//! in an HttpOnly, SameSite=Strict cookie; every form carries a token that is
//! an HMAC, under the installation's key, of that nonce and the visitor's
//! session cookies (portal and staff). A POST whose token does not match is refused. Because the token is
//! bound to the session, a nonce planted in a victim's browser (by a sibling
//! subdomain, say) gives an attacker no token for the victim's session.

use super::cookie;
use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// Name of the cookie over plain http.
pub const COOKIE: &str = "loket_csrf";

/// The cookie's name: with the `__Host-` prefix over https, so no other host
/// (a sibling subdomain) can plant a nonce of its choosing.
fn name(secure: bool) -> &'static str {
    if secure { "__Host-loket_csrf" } else { COOKIE }
}

fn is_nonce(t: &&str) -> bool {
    t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())
}

fn mac(key: &[u8], nonce: &str, headers: &HeaderMap, secure: bool) -> Option<Hmac<Sha256>> {
    let session = super::session::token_of(headers, secure).unwrap_or_default();
    let staff = crate::agent::session::token_of(headers, secure).unwrap_or_default();
    let mut m = Hmac::<Sha256>::new_from_slice(key).ok()?;
    m.update(b"csrf\0");
    m.update(nonce.as_bytes());
    m.update(b"\0");
    m.update(session.as_bytes());
    m.update(b"\0");
    m.update(staff.as_bytes());
    Some(m)
}

/// The token for the visitor's forms, and the `Set-Cookie` value when their
/// nonce is new.
pub fn token(key: &[u8], headers: &HeaderMap, secure: bool) -> (String, Option<String>) {
    let (nonce, set) = if let Some(n) = cookie(headers, name(secure)).filter(is_nonce) {
        (n.to_owned(), None)
    } else {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let n = hex::encode(bytes);
        let flag = if secure { "; Secure" } else { "" };
        let set = format!("{}={n}; Path=/; HttpOnly; SameSite=Strict{flag}", name(secure));
        (n, Some(set))
    };
    let token = mac(key, &nonce, headers, secure).map_or_else(String::new, |m| hex::encode(m.finalize().into_bytes()));
    (token, set)
}

/// The visitor's nonce, when they have one of ours (then the request came
/// from a page of this site: the cookie is SameSite=Strict).
pub fn nonce(headers: &HeaderMap, secure: bool) -> Option<&str> {
    cookie(headers, name(secure)).filter(is_nonce)
}

/// Whether a submitted form carries the visitor's token (constant-time compare).
pub fn valid(key: &[u8], headers: &HeaderMap, secure: bool, submitted: &str) -> bool {
    let Some(nonce) = cookie(headers, name(secure)).filter(is_nonce) else {
        return false;
    };
    let Ok(raw) = hex::decode(submitted.trim()) else {
        return false;
    };
    mac(key, nonce, headers, secure).is_some_and(|m| m.verify_slice(&raw).is_ok())
}

/// A seal on `value` bound to the visitor (their nonce and session), for
/// what the portal hands a visitor and reads back (a sent ticket's number):
/// nobody else can make or reuse it. Empty when the visitor has no nonce.
pub fn seal(key: &[u8], headers: &HeaderMap, secure: bool, value: &str) -> String {
    let Some(nonce) = cookie(headers, name(secure)).filter(is_nonce) else {
        return String::new();
    };
    mac(key, nonce, headers, secure).map_or_else(String::new, |mut m| {
        m.update(b"\0seal\0");
        m.update(value.as_bytes());
        hex::encode(m.finalize().into_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(cookies: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            "cookie",
            HeaderValue::from_str(cookies).unwrap_or(HeaderValue::from_static("")),
        );
        h
    }

    #[test]
    fn tokens_are_bound_to_nonce_session_and_key() {
        let nonce = "ab".repeat(32);
        let anon = headers(&format!("{COOKIE}={nonce}"));
        let (t, set) = token(b"key", &anon, false);
        assert!(set.is_none() && valid(b"key", &anon, false, &t));
        assert!(!valid(b"other key", &anon, false, &t));
        assert!(!valid(b"key", &anon, false, &t.replacen(&t[..2], "00", 1)) || t.starts_with("00"));
        let logged_in = headers(&format!("{COOKIE}={nonce}; loket_session={}", "cd".repeat(32)));
        assert!(
            !valid(b"key", &logged_in, false, &t),
            "a token from before login does not work for the session"
        );
        let (t2, _) = token(b"key", &logged_in, false);
        assert!(valid(b"key", &logged_in, false, &t2));
        assert!(!valid(b"key", &headers(""), false, &t2), "no cookie, no entry");
        let (_, set) = token(b"key", &headers(""), true);
        assert!(set.is_some_and(|c| c.starts_with("__Host-loket_csrf=")
            && c.contains("HttpOnly")
            && c.contains("SameSite=Strict")
            && c.contains("Secure")));
        let (t3, _) = token(b"key", &anon, true);
        assert!(
            !valid(b"key", &anon, true, &t3),
            "over https only the __Host- cookie counts"
        );
    }
}
