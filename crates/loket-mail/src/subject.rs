//! Ticket numbers in subjects: `[#123456]` in what Loket sends, and the forms
//! people type when they write back.

use loket_core::TicketNumber;

/// The tag Loket puts in the subject of every mail about a ticket.
pub fn tag(number: TicketNumber) -> String {
    format!("[#{number}]")
}

/// The subject of a mail about a ticket: the tag, then the subject.
pub fn with_tag(number: TicketNumber, subject: &str) -> String {
    format!("{} {}", tag(number), strip_prefixes(subject))
}

/// The ticket number in a subject, if it carries a tag like `[#123456]`
/// (also `[# 123456]` or `[Ticket#123456]` as mail clients rewrite it).
pub fn number_in(subject: &str) -> Option<TicketNumber> {
    let mut rest = subject;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else { break };
        let inner = after[..close].trim();
        if let Some((_, digits)) = inner.rsplit_once('#') {
            let digits = digits.trim();
            if (4..=12).contains(&digits.len())
                && digits.bytes().all(|b| b.is_ascii_digit())
                && let Ok(n) = digits.parse()
            {
                return Some(TicketNumber(n));
            }
        }
        rest = &after[close..];
    }
    None
}

/// Removes reply and forward prefixes (`Re:`, `AW:`, `Antw:`, `Fwd:`, `Doorst:`...).
pub fn strip_prefixes(subject: &str) -> &str {
    const PREFIXES: &[&str] = &[
        "re:", "aw:", "antw:", "antw.:", "fw:", "fwd:", "doorst:", "wg:", "tr:", "sv:",
    ];
    let mut s = subject.trim();
    loop {
        let lower = s.to_lowercase();
        match PREFIXES.iter().find(|p| lower.starts_with(*p)) {
            Some(p) => s = s[p.len()..].trim_start(),
            None => return s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_found_in_tags_only() {
        assert_eq!(number_in("Re: [#100234] Printer kapot"), Some(TicketNumber(100_234)));
        assert_eq!(number_in("AW: [Ticket#100234]"), Some(TicketNumber(100_234)));
        assert_eq!(number_in("[extern] [# 100235] x"), Some(TicketNumber(100_235)));
        assert_eq!(number_in("Factuur 100234"), None);
        assert_eq!(number_in("[#12] te kort"), None);
        assert_eq!(number_in("[#abc]"), None);
        assert_eq!(number_in("[#100234"), None);
    }

    #[test]
    fn prefixes_are_stripped() {
        assert_eq!(strip_prefixes("Re: AW: Antw: Vraag"), "Vraag");
        assert_eq!(with_tag(TicketNumber(100_001), "RE: Vraag"), "[#100001] Vraag");
    }
}
