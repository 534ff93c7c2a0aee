//! Plain text in any of the usual encodings, CSV as a table, HTML as text.

use loket_privacy::Piece;

/// Text from bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else
/// Windows-1252 (what Dutch spreadsheets export).
pub(crate) fn decode(bytes: &[u8]) -> String {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(b) {
        return s.to_owned();
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        return String::from_utf16_lossy(&units);
    }
    decode_single(b)
}

/// Bytes as Windows-1252 (PDF strings in WinAnsi encoding).
pub(crate) fn decode_single(bytes: &[u8]) -> String {
    bytes.iter().map(|&c| cp1252(c)).collect()
}

fn cp1252(c: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    match c {
        0x80..=0x9F => HIGH[usize::from(c - 0x80)],
        _ => char::from(c),
    }
}

/// A CSV file as a table; the separator is the one the first line uses most
/// (semicolon, comma or tab); quoted fields may hold separators, quotes and
/// line breaks. At most [`crate::MAX_CELLS`] cells are read; `false` says
/// the rest was left.
pub(crate) fn csv(part: &str, text: &str) -> (Piece, bool) {
    let first = text.lines().next().unwrap_or_default();
    let sep = [';', ',', '\t']
        .into_iter()
        .max_by_key(|s| first.matches(*s).count())
        .unwrap_or(';');
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut cells = 0usize;
    let mut complete = true;
    while let Some(c) = chars.next() {
        if cells >= crate::MAX_CELLS {
            complete = false;
            break;
        }
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' if quoted => quoted = false,
            '"' if cell.is_empty() => quoted = true,
            c if c == sep && !quoted => {
                row.push(std::mem::take(&mut cell));
                cells += 1;
            }
            '\r' if !quoted => {}
            '\n' if !quoted => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
                cells += 1;
            }
            c => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    (
        Piece::Table {
            part: part.to_owned(),
            sheet: None,
            rows,
        },
        complete,
    )
}

/// The text of an HTML document: tags dropped (script and style with their
/// content), block ends as line breaks, entities decoded.
pub(crate) fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&unescape(&rest[..open]));
        let after = &rest[open..];
        let Some(close) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = after[1..close].trim_start_matches('/').to_ascii_lowercase();
        let name: String = tag.chars().take_while(char::is_ascii_alphanumeric).collect();
        rest = &after[close + 1..];
        if (name == "script" || name == "style") && !after[1..].starts_with('/') {
            let end = format!("</{name}");
            rest = find_ignoring_case(rest, &end).map_or("", |i| &rest[i..]);
            continue;
        }
        if matches!(
            name.as_str(),
            "br" | "p" | "div" | "tr" | "li" | "h1" | "h2" | "h3" | "h4" | "table" | "td" | "th"
        ) {
            out.push(if matches!(name.as_str(), "td" | "th") {
                '\t'
            } else {
                '\n'
            });
        }
    }
    out.push_str(&unescape(rest));
    out
}

/// Where `needle` (ASCII) first occurs in `hay`, ignoring ASCII case; one
/// pass, no copy.
fn find_ignoring_case(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    h.windows(n.len()).position(|w| w.eq_ignore_ascii_case(n))
}

/// Decodes the XML and HTML entities text uses.
pub(crate) fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let Some(end) = after.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &after[1..];
            continue;
        };
        let entity = &after[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            e if e.starts_with("#x") || e.starts_with("#X") => {
                u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32)
            }
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        if let Some(c) = c {
            out.push(c);
            rest = &after[end + 1..];
        } else {
            out.push('&');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_takes_the_separator_of_the_first_line_and_quotes() {
        let (Piece::Table { rows, .. }, true) = csv("", "naam;bsn\n\"Jansen; J.\";123456782\r\n\"a \"\"b\"\"\";1\n")
        else {
            panic!("not a table");
        };
        assert_eq!(rows[1], vec!["Jansen; J.", "123456782"]);
        assert_eq!(rows[2], vec!["a \"b\"", "1"]);
    }

    #[test]
    fn html_loses_tags_scripts_and_entities() {
        let t = html_to_text("<p>BSN&nbsp;123456782</p><script>var x='<p>';</script><td>a</td><td>b&amp;c</td>");
        assert!(t.contains("BSN 123456782"));
        assert!(!t.contains("var x"));
        assert!(t.contains("a\t") && t.contains("b&c"));
    }

    #[test]
    fn windows_1252_is_read() {
        assert_eq!(decode(b"Cli\xebnt \x80"), "Cliënt €");
    }
}
