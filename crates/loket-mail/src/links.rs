//! The follow link in every mail: lets the requester open their ticket without
//! an account. The token is `<issued>-<mac>`: an HMAC over ticket, contact and
//! the moment it was issued with the installation's secret. It cannot be
//! forged, expires after [`FOLLOW_LINK_DAYS`], and is revoked for a ticket by
//! recording a moment before which its links no longer count.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use loket_core::{ContactId, TicketId, TicketNumber};
use sha2::Sha256;

/// How long a follow link works.
pub const FOLLOW_LINK_DAYS: i64 = 365;

fn mac(secret: &[u8], ticket: TicketId, contact: ContactId, issued: i64) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(format!("follow:{ticket}:{contact}:{issued}").as_bytes());
    Some(mac)
}

/// The token for one ticket and contact, issued at `issued`.
pub fn follow_token(secret: &[u8], ticket: TicketId, contact: ContactId, issued: DateTime<Utc>) -> String {
    let at = issued.timestamp();
    mac(secret, ticket, contact, at).map_or_else(String::new, |m| {
        format!("{at:x}-{}", hex::encode(m.finalize().into_bytes()))
    })
}

/// Whether `token` is a live follow token for this ticket and contact at `now`:
/// in its one canonical spelling, authentic (constant-time check), not
/// expired, and issued after `revoked_before` when the ticket's links were
/// revoked.
pub fn verify(
    secret: &[u8],
    ticket: TicketId,
    contact: ContactId,
    token: &str,
    now: DateTime<Utc>,
    revoked_before: Option<DateTime<Utc>>,
) -> bool {
    let Some((issued_hex, mac_hex)) = token.split_once('-') else {
        return false;
    };
    let (Ok(issued), Ok(raw)) = (i64::from_str_radix(issued_hex, 16), hex::decode(mac_hex)) else {
        return false;
    };
    // One spelling only: lower-case hex without sign or leading zeros.
    if token != format!("{issued:x}-{}", hex::encode(&raw)) {
        return false;
    }
    let Some(m) = mac(secret, ticket, contact, issued) else {
        return false;
    };
    if m.verify_slice(&raw).is_err() {
        return false;
    }
    let Some(at) = DateTime::from_timestamp(issued, 0) else {
        return false;
    };
    at <= now + Duration::minutes(5)
        && now - at <= Duration::days(FOLLOW_LINK_DAYS)
        && revoked_before.is_none_or(|r| issued >= r.timestamp())
}

/// The follow link: `{public_url}/t/{number}/{token}`.
pub fn follow_link(public_url: &str, number: TicketNumber, token: &str) -> String {
    format!("{}/t/{number}/{token}", public_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn tokens_verify_only_for_their_ticket_contact_and_time() {
        let s = b"geheim";
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().unwrap_or_default();
        let t = follow_token(s, TicketId(1), ContactId(2), at);
        let now = at + Duration::days(30);
        assert!(verify(s, TicketId(1), ContactId(2), &t, now, None));
        assert!(!verify(s, TicketId(1), ContactId(3), &t, now, None));
        assert!(!verify(s, TicketId(2), ContactId(2), &t, now, None));
        assert!(!verify(b"ander", TicketId(1), ContactId(2), &t, now, None));
        assert!(!verify(s, TicketId(1), ContactId(2), "zz", now, None));
        assert!(
            !verify(s, TicketId(1), ContactId(2), &t.replacen('-', "0-", 1), now, None),
            "issue time is signed"
        );
        for other in [
            format!("0{t}"),
            format!("+{t}"),
            t.to_uppercase(),
            t.replacen('-', "-0", 1),
        ] {
            assert!(!verify(s, TicketId(1), ContactId(2), &other, now, None), "{other}");
        }
        assert!(
            !verify(
                s,
                TicketId(1),
                ContactId(2),
                &t,
                at + Duration::days(FOLLOW_LINK_DAYS + 1),
                None
            ),
            "expired"
        );
        assert!(
            !verify(s, TicketId(1), ContactId(2), &t, now, Some(at + Duration::seconds(1))),
            "revoked"
        );
        assert!(
            verify(s, TicketId(1), ContactId(2), &t, now, Some(at - Duration::days(1))),
            "revoked before it was issued"
        );
        assert_eq!(
            follow_link("https://x.nl/", TicketNumber(100_001), "ab"),
            "https://x.nl/t/100001/ab"
        );
    }
}

/// A value as one path segment of a link: everything but letters, digits and
/// `-._~` percent-encoded.
pub fn path_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

#[cfg(test)]
mod segment_tests {
    #[test]
    fn a_version_is_one_segment() {
        assert_eq!(super::path_segment("8.4.1"), "8.4.1");
        assert_eq!(super::path_segment("8.4 beta/2"), "8.4%20beta%2F2");
    }
}
