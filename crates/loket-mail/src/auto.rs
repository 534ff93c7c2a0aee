//! Recognising mail no one typed: auto-replies, bulk and list mail, bounces.
//! Such mail is stored on the ticket but never answered automatically, which
//! is what prevents mail loops with auto-responders.

use mail_parser::{Message, MimeHeaders};

/// Why a mail counts as automatic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Automatic {
    /// RFC 3834 `Auto-Submitted` other than `no`.
    AutoSubmitted,
    /// `Precedence: bulk`, `junk` or `list`.
    Precedence,
    /// `X-Autoreply`, `X-Autorespond` or an `X-Auto-Response-Suppress` asking for silence.
    AutoReplyHeader,
    /// A mailing list (`List-Id`).
    MailingList,
    /// A delivery status notification (bounce).
    Bounce,
    /// Empty return path or a mailer-daemon/postmaster sender.
    NullSender,
}

fn header<'a>(m: &'a Message<'a>, name: &'a str) -> Option<&'a str> {
    m.header_raw(name).map(str::trim)
}

/// Whether `m` was sent automatically, and why.
pub fn detect(m: &Message<'_>) -> Option<Automatic> {
    if m.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && ct
                .attribute("report-type")
                .is_some_and(|r| r.eq_ignore_ascii_case("delivery-status"))
    }) {
        return Some(Automatic::Bounce);
    }
    if header(m, "Auto-Submitted").is_some_and(|v| !v.to_ascii_lowercase().starts_with("no")) {
        return Some(Automatic::AutoSubmitted);
    }
    if header(m, "Precedence").is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "bulk" | "junk" | "list")) {
        return Some(Automatic::Precedence);
    }
    if header(m, "X-Autoreply").is_some()
        || header(m, "X-Autorespond").is_some()
        || header(m, "X-Auto-Response-Suppress").is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("all") || v.contains("oof") || v.contains("autoreply")
        })
    {
        return Some(Automatic::AutoReplyHeader);
    }
    if header(m, "List-Id").is_some() {
        return Some(Automatic::MailingList);
    }
    if header(m, "Return-Path").is_some_and(|v| v.trim_matches(|c| c == '<' || c == '>').trim().is_empty()) {
        return Some(Automatic::NullSender);
    }
    let from = m
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let local = from.split('@').next().unwrap_or_default();
    if matches!(
        local,
        "mailer-daemon" | "postmaster" | "noreply" | "no-reply" | "donotreply"
    ) {
        return Some(Automatic::NullSender);
    }
    None
}
