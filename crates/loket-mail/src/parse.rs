//! Reads one RFC 822 message (multipart, the charsets Dutch mail uses,
//! encoded-word headers, HTML-only mail, attachments, forwarded messages)
//! into an [`InboundMail`]: what the intake needs, owned and UTF-8.

use crate::auto::{Automatic, detect};
use loket_core::service::Upload;
use mail_parser::{HeaderValue, MessageParser, MimeHeaders};
use thiserror::Error;

/// Why a byte string is not a mail Loket can take.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ParseError {
    /// Empty, binary or without any header a mail has.
    #[error("not an e-mail message: {0}")]
    NotMail(&'static str),
}

/// A parsed incoming mail.
#[derive(Debug, Clone)]
pub struct InboundMail {
    /// Message-ID without angle brackets.
    pub message_id: Option<String>,
    /// In-Reply-To then References ids, without brackets, without duplicates.
    pub references: Vec<String>,
    /// Sender address as written (normalised later).
    pub from: Option<String>,
    /// Sender name.
    pub from_name: Option<String>,
    /// Subject, decoded; empty when absent.
    pub subject: String,
    /// Plain text body (converted from HTML when the mail has only HTML).
    pub text: String,
    /// HTML body as sent (sanitised before display).
    pub html: Option<String>,
    /// Attachments, including inline images and forwarded messages.
    pub attachments: Vec<Upload>,
    /// Why the mail is automatic, if it is.
    pub automatic: Option<Automatic>,
    /// For a bounce: Message-IDs of the returned original message.
    pub bounced_ids: Vec<String>,
    /// For a bounce: the recipients that failed (`Final-Recipient`).
    pub failed_recipients: Vec<String>,
    /// The `Authentication-Results` headers, topmost first (RFC 8601).
    pub auth_results: Vec<String>,
}

/// Most Message-IDs read from In-Reply-To and References together: the
/// In-Reply-To and the most recent references (a thread never needs more).
pub const MAX_REFERENCES: usize = 50;
/// Longest Message-ID kept, in bytes.
const MAX_ID_BYTES: usize = 250;
/// Most failed recipients read from a bounce.
const MAX_FAILED_RECIPIENTS: usize = 20;
/// Most `Authentication-Results` headers read.
const MAX_AUTH_RESULTS: usize = 10;

/// A header text as one clean line: control characters become spaces, runs of
/// spaces one, at most `max` characters.
fn one_line(s: &str, max: usize) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(max)
        .collect()
}

/// A Message-ID as kept: without brackets and spaces, bounded in length.
fn clean_id(id: &str) -> Option<String> {
    let id = id.trim().trim_matches(['<', '>']).trim();
    (!id.is_empty() && id.len() <= MAX_ID_BYTES && !id.chars().any(|c| c.is_whitespace() || c.is_control()))
        .then(|| id.to_owned())
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(l) => l.iter().map(ToString::to_string).collect(),
        _ => Vec::new(),
    }
}

/// Parses a raw message.
pub fn parse(raw: &[u8]) -> Result<InboundMail, ParseError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::NotMail("the input is empty"));
    }
    let m = MessageParser::default()
        .parse(raw)
        .ok_or(ParseError::NotMail("no message structure"))?;
    let from_addr = m.from().and_then(|a| a.first());
    let has_headers = m.from().is_some() || m.message_id().is_some() || m.subject().is_some() || m.date().is_some();
    if !has_headers {
        return Err(ParseError::NotMail("no From, Message-ID, Subject or Date header"));
    }
    // In-Reply-To first, then the most recent references: a mail with very
    // many ids is bounded here, before anything looks them up.
    let mut references: Vec<String> = ids(m.in_reply_to())
        .iter()
        .filter_map(|i| clean_id(i))
        .take(1)
        .collect();
    let mut refs: Vec<String> = ids(m.references()).iter().rev().filter_map(|i| clean_id(i)).collect();
    refs.retain(|r| !references.contains(r));
    refs.dedup();
    for r in refs {
        if references.len() >= MAX_REFERENCES {
            break;
        }
        if !references.contains(&r) {
            references.push(r);
        }
    }
    let text = m.body_text(0).map(std::borrow::Cow::into_owned).unwrap_or_default();
    let html = (m.html_body_count() > 0 && m.html_part(0).is_some_and(|p| p.is_content_type("text", "html")))
        .then(|| m.body_html(0).map(std::borrow::Cow::into_owned))
        .flatten();
    let mut attachments = Vec::new();
    for (i, part) in m.attachments().enumerate() {
        let media_type = part.content_type().map_or_else(
            || "application/octet-stream".to_owned(),
            |ct| match ct.subtype() {
                Some(sub) => format!("{}/{}", ct.ctype(), sub),
                None => ct.ctype().to_owned(),
            },
        );
        let filename = part.attachment_name().map_or_else(
            || {
                if part.is_message() {
                    format!("doorgestuurd-bericht-{}.eml", i + 1)
                } else {
                    format!("bijlage-{}", i + 1)
                }
            },
            |n| {
                let n: String = n
                    .chars()
                    .map(|c| {
                        if c.is_control() || c == '/' || c == '\\' {
                            '_'
                        } else {
                            c
                        }
                    })
                    .take(255)
                    .collect();
                if n.trim().is_empty() {
                    format!("bijlage-{}", i + 1)
                } else {
                    n
                }
            },
        );
        let bytes = if part.is_message() {
            part.message()
                .map_or_else(|| part.contents().to_vec(), |inner| inner.raw_message().to_vec())
        } else {
            part.contents().to_vec()
        };
        attachments.push(Upload::bytes(filename, media_type, bytes));
    }
    let attachments = unpack_tnef(attachments);
    let automatic = detect(&m);
    let (mut bounced_ids, mut failed_recipients) = (Vec::new(), Vec::new());
    if matches!(automatic, Some(Automatic::Bounce | Automatic::NullSender)) {
        for part in &m.parts {
            let Some(ct) = part.content_type() else { continue };
            let sub = ct.subtype().unwrap_or_default().to_ascii_lowercase();
            if sub == "delivery-status" {
                let text = String::from_utf8_lossy(part.contents());
                for line in text.lines() {
                    if let Some((name, value)) = line.split_once(':')
                        && name.trim().eq_ignore_ascii_case("final-recipient")
                    {
                        let addr = value
                            .rsplit(';')
                            .next()
                            .unwrap_or(value)
                            .trim()
                            .trim_matches(['<', '>']);
                        if failed_recipients.len() < MAX_FAILED_RECIPIENTS {
                            failed_recipients.push(addr.chars().take(254).collect());
                        }
                    }
                }
            } else if sub == "rfc822" || sub == "rfc822-headers" || sub == "global" {
                let inner = part
                    .message()
                    .and_then(|x| x.message_id().map(ToOwned::to_owned))
                    .or_else(|| {
                        MessageParser::default()
                            .parse(part.contents())
                            .and_then(|x| x.message_id().map(ToOwned::to_owned))
                    });
                bounced_ids.extend(inner.as_deref().and_then(clean_id));
            }
        }
    }
    bounced_ids.truncate(MAX_REFERENCES);
    let auth_results = m
        .headers()
        .iter()
        .filter(|h| h.name().eq_ignore_ascii_case("Authentication-Results"))
        .take(MAX_AUTH_RESULTS)
        .filter_map(|h| raw.get(h.offset_start() as usize..h.offset_end() as usize))
        .map(|v| String::from_utf8_lossy(v).chars().take(2000).collect())
        .collect();
    Ok(InboundMail {
        message_id: m.message_id().and_then(clean_id),
        references,
        from: from_addr.and_then(|a| a.address()).map(ToOwned::to_owned),
        from_name: from_addr
            .and_then(|a| a.name())
            .map(|n| one_line(n, loket_core::service::MAX_NAME_CHARS))
            .filter(|n| !n.is_empty()),
        subject: one_line(m.subject().unwrap_or_default(), loket_core::service::MAX_SUBJECT_CHARS),
        text,
        html,
        attachments,
        automatic,
        bounced_ids,
        failed_recipients,
        auth_results,
    })
}

/// Replaces Outlook's `winmail.dat` (TNEF) with the files packed inside it;
/// keeps it as it is when it cannot be read.
fn unpack_tnef(attachments: Vec<Upload>) -> Vec<Upload> {
    let mut out = Vec::with_capacity(attachments.len());
    for a in attachments {
        let is_tnef = a.filename.eq_ignore_ascii_case("winmail.dat")
            || a.media_type.eq_ignore_ascii_case("application/ms-tnef")
            || a.media_type.eq_ignore_ascii_case("application/vnd.ms-tnef");
        if !is_tnef {
            out.push(a);
            continue;
        }
        let unpacked = a.in_memory().and_then(crate::tnef::files).map(|files| {
            files
                .into_iter()
                .map(|f| Upload::bytes(f.name, "application/octet-stream", f.data))
                .collect::<Vec<_>>()
        });
        match unpacked {
            Some(files) if !files.is_empty() => out.extend(files),
            _ => out.push(a),
        }
    }
    out
}

#[cfg(test)]
mod tests;
