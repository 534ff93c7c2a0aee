//! The follow link in every mail: lets the requester open their ticket without
//! an account. The token is an HMAC over the ticket and contact with the
//! installation's secret, so it cannot be forged and needs no storage.

use hmac::{Hmac, Mac};
use loket_core::{ContactId, TicketId, TicketNumber};
use sha2::Sha256;

/// The token for one ticket and contact.
pub fn follow_token(secret: &[u8], ticket: TicketId, contact: ContactId) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(format!("follow:{ticket}:{contact}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `token` is the follow token for this ticket and contact (constant time).
pub fn verify(secret: &[u8], ticket: TicketId, contact: ContactId, token: &str) -> bool {
    let Ok(raw) = hex::decode(token) else { return false };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(format!("follow:{ticket}:{contact}").as_bytes());
    mac.verify_slice(&raw).is_ok()
}

/// The follow link: `{public_url}/t/{number}/{token}`.
pub fn follow_link(public_url: &str, number: TicketNumber, token: &str) -> String {
    format!("{}/t/{number}/{token}", public_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_for_their_ticket_and_contact() {
        let s = b"geheim";
        let t = follow_token(s, TicketId(1), ContactId(2));
        assert!(verify(s, TicketId(1), ContactId(2), &t));
        assert!(!verify(s, TicketId(1), ContactId(3), &t));
        assert!(!verify(s, TicketId(2), ContactId(2), &t));
        assert!(!verify(b"ander", TicketId(1), ContactId(2), &t));
        assert!(!verify(s, TicketId(1), ContactId(2), "zz"));
        assert_eq!(
            follow_link("https://x.nl/", TicketNumber(100_001), "ab"),
            "https://x.nl/t/100001/ab"
        );
    }
}
