//! A mail attached to a mail: its subject and text, and its attachments in
//! turn.

use crate::{Budget, extract_into, join};
use loket_privacy::{NotScanned, Piece};
use mail_parser::{MessageParser, MimeHeaders};

pub(crate) fn extract(bytes: &[u8], part: &str, depth: usize, budget: &mut Budget, out: &mut Vec<Piece>) {
    let Some(mail) = MessageParser::default().parse(bytes) else {
        out.push(Piece::NotScanned {
            part: part.to_owned(),
            reason: NotScanned::Unreadable,
        });
        return;
    };
    let mut text = String::new();
    if let Some(s) = mail.subject() {
        text.push_str(s);
        text.push('\n');
    }
    for i in 0..mail.text_body.len() {
        if let Some(body) = mail.body_text(i) {
            text.push_str(&body);
            text.push('\n');
        }
    }
    out.push(Piece::Text {
        part: part.to_owned(),
        text,
    });
    for (i, a) in mail.attachments().enumerate() {
        let name = a
            .attachment_name()
            .map_or_else(|| format!("bijlage-{}", i + 1), str::to_owned);
        let media = a
            .content_type()
            .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or_default()))
            .unwrap_or_default();
        let content = a.contents();
        if !budget.take(content.len() as u64) {
            out.push(Piece::NotScanned {
                part: join(part, &name),
                reason: NotScanned::TooLarge,
            });
            return;
        }
        extract_into(&name, &media, content, &join(part, &name), depth + 1, budget, out);
    }
}
