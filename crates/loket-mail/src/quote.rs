//! Folding the quoted history of a reply: the new text is shown, what the mail
//! client quoted from earlier messages is folded away (kept in full in storage
//! and in search).

use loket_core::html::text_to_html;

/// Whether a line starts the quoted history ("Op … schreef …:", "On … wrote:",
/// "-----Oorspronkelijk bericht-----", an Outlook "Van:/From:" header block, or
/// a quote marker `>`).
fn starts_history(lines: &[&str], i: usize) -> bool {
    let line = lines[i].trim();
    let lower = line.to_lowercase();
    let intro = (lower.starts_with("op ") && (lower.contains(" schreef") || lower.contains(" geschreven")))
        || (lower.starts_with("on ") && lower.contains(" wrote"))
        || (lower.starts_with("am ") && lower.contains(" schrieb"));
    if intro && line.ends_with(':') {
        return true;
    }
    let rule = lower.trim_matches(|c: char| c == '-' || c == '_' || c.is_whitespace());
    if line.starts_with("--")
        && matches!(
            rule,
            "oorspronkelijk bericht"
                | "origineel bericht"
                | "original message"
                | "doorgestuurd bericht"
                | "forwarded message"
        )
    {
        return true;
    }
    let header = |l: &str, names: &[&str]| names.iter().any(|n| l.to_lowercase().starts_with(n));
    if header(line, &["van:", "from:"]) {
        let next: Vec<&str> = lines.iter().skip(i + 1).take(4).copied().collect();
        return next
            .iter()
            .any(|l| header(l.trim(), &["verzonden:", "sent:", "datum:", "date:"]));
    }
    line.starts_with('>')
        && lines[i..]
            .iter()
            .filter(|l| !l.trim().is_empty())
            .all(|l| l.trim_start().starts_with('>'))
}

/// Splits a plain-text body into the new text and the quoted history.
pub fn split(text: &str) -> (String, Option<String>) {
    let lines: Vec<&str> = text.lines().collect();
    match (0..lines.len()).find(|&i| starts_history(&lines, i)) {
        Some(i) if lines[..i].iter().any(|l| !l.trim().is_empty()) => {
            (lines[..i].join("\n").trim_end().to_owned(), Some(lines[i..].join("\n")))
        }
        _ => (text.to_owned(), None),
    }
}

/// Display HTML for a plain-text body, with the quoted history folded in a
/// `<details>` element.
pub fn folded_html(text: &str) -> String {
    match split(text) {
        (new, Some(history)) => format!(
            "{}\n<details class=\"quoted\"><summary>Eerdere berichten</summary>{}</details>",
            text_to_html(&new),
            text_to_html(&history)
        ),
        (all, None) => text_to_html(&all),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_outlook_and_quote_markers_are_folded() {
        let cases = [
            "Dank, het werkt.\n\nOp 3 mrt. 2026 om 10:12 schreef Helpdesk <h@l.nl>:\n> Probeer opnieuw",
            "Dank, het werkt.\n\n-----Oorspronkelijk bericht-----\nVan: Helpdesk\nOnderwerp: x",
            "Dank, het werkt.\n\nVan: Helpdesk <h@l.nl>\nVerzonden: maandag 2 maart 2026 09:00\nAan: jan\n\noud",
            "Dank, het werkt.\n\nOn Mon, Mar 2, 2026 at 9:00 AM Helpdesk wrote:\n> old",
            "Dank, het werkt.\n> oud\n> ouder",
        ];
        for c in cases {
            let (new, old) = split(c);
            assert_eq!(new, "Dank, het werkt.", "{c}");
            assert!(old.is_some(), "{c}");
        }
    }

    #[test]
    fn text_without_history_or_only_history_stays_whole() {
        assert_eq!(
            split("Gewoon een vraag.\nVan: de afdeling Wmo"),
            ("Gewoon een vraag.\nVan: de afdeling Wmo".into(), None)
        );
        assert_eq!(split("> alleen citaat").1, None);
        let html = folded_html("Nieuw <b>\n\nOp 1 mrt schreef X:\n> oud");
        assert!(
            html.starts_with("<p>Nieuw &lt;b&gt;</p>") && html.contains("<details class=\"quoted\">"),
            "{html}"
        );
    }
}
