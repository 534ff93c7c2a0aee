//! The scanner: every detector over running text (line by line) or a table
//! (cell by cell, with the column headers as context), and the number of
//! distinct people the findings point to.

use crate::finding::{Finding, Kind, Place, key, mask_tail};
use crate::{address, ids, names, phone};
use std::collections::HashSet;

/// Addresses that are no finding: the sender's own, staff's, Loket's.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// E-mail addresses (any case) that are not personal data here.
    pub emails: Vec<String>,
}

impl Known {
    fn email(&self, e: &str) -> bool {
        self.emails.iter().any(|k| k.eq_ignore_ascii_case(e))
    }
}

/// Every finding in running text; places are line numbers from 1.
pub fn scan_text(text: &str, known: &Known) -> Vec<Finding> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        scan_line(line, &Place::Line(n + 1), known, &mut out);
    }
    out
}

fn push(out: &mut Vec<Finding>, kind: Kind, place: &Place, preview: String, normalised: &str) {
    out.push(Finding {
        kind,
        place: place.clone(),
        preview,
        key: key(kind, normalised),
    });
}

fn boundary(s: &[u8], i: usize) -> bool {
    i == 0 || !(s[i - 1].is_ascii_alphanumeric() || matches!(s[i - 1], b'@' | b'_'))
}

/// Words that say a date on the line is someone's date of birth.
const BIRTH: &[&str] = &[
    "geboren",
    "geboortedatum",
    "geb.",
    "geb:",
    "date of birth",
    "born",
    "dob",
];

fn scan_line(line: &str, place: &Place, known: &Known, out: &mut Vec<Finding>) {
    let s = line.as_bytes();
    let before = out.len();
    let digits = s.iter().any(u8::is_ascii_digit);
    // Most lines hold no address, number or date: only a label can matter.
    if !digits && !s.contains(&b'@') {
        if let Some(name) = names::labelled(line) {
            push(out, Kind::Name, place, name_preview(name), &name.to_lowercase());
        }
        return;
    }
    let mut taken = vec![false; s.len()];
    // E-mail addresses.
    for (at, _) in line.match_indices('@') {
        // Just after the last character that cannot be in an address (which
        // may take more than one byte).
        let start = line[..at]
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || "._%+-".contains(*c)))
            .map_or(0, |(p, c)| p + c.len_utf8());
        let end = line[at + 1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || ".-".contains(c)))
            .map_or(line.len(), |p| at + 1 + p);
        let email = line[start..end].trim_end_matches('.');
        let domain = &email[at - start + 1..];
        let tld_ok = domain
            .rsplit_once('.')
            .is_some_and(|(d, tld)| !d.is_empty() && tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
        if at > start && tld_ok {
            taken[start..start + email.len()].iter_mut().for_each(|t| *t = true);
            if !known.email(email) {
                let local = &email[..at - start];
                let preview = format!("{}•••@{domain}", local.chars().next().unwrap_or('•'));
                push(out, Kind::Email, place, preview, &email.to_lowercase());
            }
        }
    }
    let mut i = 0;
    while i < s.len() {
        if taken[i] || !boundary(s, i) {
            i += 1;
            continue;
        }
        // IBAN: two letters, two check digits, then letters and digits in
        // groups that may be spaced.
        if s[i].is_ascii_alphabetic()
            && s.get(i + 1).is_some_and(u8::is_ascii_alphabetic)
            && s.get(i + 2).is_some_and(u8::is_ascii_digit)
            && s.get(i + 3).is_some_and(u8::is_ascii_digit)
        {
            let mut compact = Vec::new();
            let mut ends = Vec::new();
            let mut j = i;
            while j < s.len() && compact.len() < 34 {
                if s[j].is_ascii_alphanumeric() {
                    compact.push(s[j].to_ascii_uppercase());
                    ends.push(j + 1);
                } else if s[j] == b' ' && s.get(j + 1).is_some_and(u8::is_ascii_alphanumeric) {
                } else {
                    break;
                }
                j += 1;
            }
            if let Some(len) = (15..=compact.len())
                .rev()
                .find(|l| ids::is_iban(&compact[..*l]) && !s.get(ends[*l - 1]).is_some_and(u8::is_ascii_alphanumeric))
            {
                let iban = String::from_utf8_lossy(&compact[..len]).into_owned();
                let preview = format!("{}•••{}", &iban[..4], &iban[len - 4..]);
                push(out, Kind::Iban, place, preview, &iban);
                taken[i..ends[len - 1]].iter_mut().for_each(|t| *t = true);
                i = ends[len - 1];
                continue;
            }
        }
        if s[i].is_ascii_digit() || s[i] == b'+' || (s[i] == b'(' && s.get(i + 1) == Some(&b'0')) {
            if let Some((end, normal)) = phone::at(s, i) {
                let shown: String = line[i..end].to_owned();
                push(out, Kind::Phone, place, mask_tail(&shown, 3), &normal);
                i = end;
                continue;
            }
            // A BSN: 8 or 9 digits, maybe in groups (123 456 782, 1234.56.782).
            let mut digits = Vec::new();
            let mut j = i;
            let mut groups = Vec::new();
            let mut group = 0;
            while j < s.len() && digits.len() <= 9 {
                if s[j].is_ascii_digit() {
                    digits.push(s[j]);
                    group += 1;
                } else if matches!(s[j], b' ' | b'.' | b'-')
                    && s.get(j + 1).is_some_and(u8::is_ascii_digit)
                    && group > 0
                {
                    groups.push(group);
                    group = 0;
                } else {
                    break;
                }
                j += 1;
            }
            groups.push(group);
            let glued = s.get(j).is_some_and(u8::is_ascii_alphanumeric);
            // Dates (01-02-2020, 1.2.1980) are not BSNs.
            let date_like = groups.len() == 3 && groups[0] <= 2 && groups[1] <= 2;
            if !glued
                && !date_like
                && (digits.len() == 9 || (digits.len() == 8 && groups.len() == 1))
                && ids::is_bsn(&digits)
            {
                let bsn = String::from_utf8_lossy(&digits).into_owned();
                push(out, Kind::Bsn, place, mask_tail(&bsn, 3), &format!("{bsn:0>9}"));
                i = j;
                continue;
            }
            // Skip the rest of this number (always at least one character:
            // a '+' that starts no phone number is passed by).
            let from = i;
            while i < s.len() && s[i].is_ascii_digit() {
                i += 1;
            }
            i = i.max(from + 1);
            continue;
        }
        i += 1;
    }
    for (normal, preview) in address::in_line(line) {
        push(out, Kind::Address, place, preview, &normal);
    }
    if digits
        && BIRTH.iter().any(|w| contains_ignore_case(line, w))
        && let Some(date) = date_in(line)
    {
        push(out, Kind::BirthDate, place, format!("••-••-{}", &date[..4]), &date);
    }
    // Names: after a label, or beside what identifies a person.
    if let Some(name) = names::labelled(line) {
        push(out, Kind::Name, place, name_preview(name), &name.to_lowercase());
    } else if out[before..]
        .iter()
        .any(|f| matches!(f.kind, Kind::Bsn | Kind::Address | Kind::BirthDate))
    {
        for name in names::capitalised(line) {
            push(out, Kind::Name, place, name_preview(&name), &name.to_lowercase());
        }
    }
}

/// Whether `hay` contains the lower-case ASCII `needle`, in any case.
fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    h.len() >= n.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

fn name_preview(name: &str) -> String {
    name.split_whitespace()
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or_else(String::new, |f| format!("{f}•••"))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

const MONTHS: &[&str] = &[
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// The first date on a line as `YYYY-MM-DD`: `12-03-1980`, `12/3/1980`,
/// `1980-03-12` or `12 maart 1980`.
pub(crate) fn date_in(line: &str) -> Option<String> {
    let words: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect();
    let valid = |y: u32, m: u32, d: u32| (1900..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d);
    for (i, w) in words.iter().enumerate() {
        let parts: Vec<&str> = w.trim_end_matches('.').split(['-', '/', '.']).collect();
        if parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        {
            let n: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
            if n.len() == 3 {
                let (y, m, d) = if parts[0].len() == 4 {
                    (n[0], n[1], n[2])
                } else {
                    (n[2], n[1], n[0])
                };
                if valid(y, m, d) {
                    return Some(format!("{y:04}-{m:02}-{d:02}"));
                }
            }
        }
        if let (Ok(d), Some(m), Some(y)) = (
            w.parse::<u32>(),
            words
                .get(i + 1)
                .and_then(|m| MONTHS.iter().position(|x| x.eq_ignore_ascii_case(m))),
            words.get(i + 2).and_then(|y| y.parse::<u32>().ok()),
        ) {
            let m = u32::try_from(m).unwrap_or(0) + 1;
            if valid(y, m, d) {
                return Some(format!("{y:04}-{m:02}-{d:02}"));
            }
        }
    }
    None
}

/// Headers of columns that hold a date of birth.
fn is_birth_header(h: &str) -> bool {
    let h = h.trim().to_lowercase();
    [
        "geboortedatum",
        "geb. datum",
        "geb.datum",
        "geboren",
        "date of birth",
        "dob",
        "birth date",
    ]
    .contains(&h.as_str())
}

/// Every finding in a table (the first row with content is taken as
/// headers when it names columns): each cell as text, plus what its column
/// says it is.
pub fn scan_table(sheet: Option<&str>, rows: &[Vec<String>], known: &Known) -> Vec<Finding> {
    // The headers are the first row with anything in it (a sheet may start
    // lower down); row numbers stay those of the sheet.
    let header_row = rows
        .iter()
        .position(|r| r.iter().any(|c| !c.trim().is_empty()))
        .unwrap_or(0);
    let headers: Vec<String> = rows.get(header_row).cloned().unwrap_or_default();
    let name_cols: Vec<usize> = (0..headers.len())
        .filter(|c| names::is_name_header(&headers[*c]))
        .collect();
    let birth_cols: Vec<usize> = (0..headers.len()).filter(|c| is_birth_header(&headers[*c])).collect();
    let mut out = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if cell.trim().is_empty() {
                continue;
            }
            let place = Place::Cell {
                sheet: sheet.map(str::to_owned),
                row: r + 1,
                column: c + 1,
            };
            scan_line(cell, &place, known, &mut out);
            if r <= header_row {
                continue;
            }
            let value = cell.trim();
            if name_cols.contains(&c) && names::plausible(value) {
                push(&mut out, Kind::Name, &place, name_preview(value), &value.to_lowercase());
            }
            if birth_cols.contains(&c)
                && let Some(date) = date_in(value)
            {
                push(
                    &mut out,
                    Kind::BirthDate,
                    &place,
                    format!("••-••-{}", &date[..4]),
                    &date,
                );
            }
        }
    }
    out
}

/// How many distinct people the findings point to: the most distinct values
/// of any one kind that identifies a person (BSN, name, date of birth,
/// IBAN). An address alone is no person: offices sign their mail with one.
pub fn people(findings: &[Finding]) -> usize {
    [Kind::Bsn, Kind::Name, Kind::BirthDate, Kind::Iban]
        .iter()
        .map(|k| {
            findings
                .iter()
                .filter(|f| f.kind == *k)
                .map(|f| f.key)
                .collect::<HashSet<_>>()
                .len()
        })
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Kind> {
        scan_text(text, &Known::default()).iter().map(|f| f.kind).collect()
    }

    #[test]
    fn running_text_with_every_kind() {
        let text = "Beste helpdesk,\n\
                    Het gaat om Jan de Vries, BSN 123 456 782, geboren op 12-03-1980.\n\
                    Hij woont aan de Dorpsstraat 12a, 1234 AB Ons Dorp. Bel 06-12345678.\n\
                    Rekening NL91 ABNA 0417 1643 00, mail j.devries@voorbeeld.nl.\n";
        let found = scan_text(text, &Known::default());
        let got: Vec<Kind> = found.iter().map(|f| f.kind).collect();
        for k in [
            Kind::Bsn,
            Kind::BirthDate,
            Kind::Name,
            Kind::Address,
            Kind::Phone,
            Kind::Iban,
            Kind::Email,
        ] {
            assert!(got.contains(&k), "{k:?} in {got:?}");
        }
        // Previews never hold the whole value.
        for f in &found {
            assert!(
                !f.preview.contains("456782") && !f.preview.contains("0417164300"),
                "{f:?}"
            );
        }
        assert_eq!(people(&found), 1);
    }

    #[test]
    fn look_alikes_are_not_found() {
        assert!(kinds("Factuur 123456789, order 987654321, ticket 100001").is_empty());
        assert!(kinds("Ons kantoor: Postbus 12, 1234 AB Ons Dorp").is_empty());
        assert!(kinds("De vergadering is op 01-02-2026 om 10.30").is_empty());
        let known = Known {
            emails: vec!["helpdesk@leverancier.nl".into()],
        };
        assert!(scan_text("Mail ons: Helpdesk@Leverancier.nl", &known).is_empty());
        assert!(kinds("Gebruiker 123456782abc of x123456782").is_empty());
    }

    #[test]
    fn a_plus_that_starts_no_number_is_passed_by() {
        assert!(kinds("2 + 2 = 4, en +-teken of +").is_empty());
    }

    #[test]
    fn tables_use_their_headers() {
        let rows: Vec<Vec<String>> = [
            ["Cliëntnummer", "Achternaam", "Geboortedatum", "BSN"],
            ["1001", "Jansen", "1-2-1950", "111222333"],
            ["1002", "Pietersen", "3-4-1960", "123456782"],
        ]
        .iter()
        .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
        .collect();
        let found = scan_table(Some("Blad1"), &rows, &Known::default());
        assert_eq!(people(&found), 2);
        assert!(found.iter().any(|f| f.kind == Kind::Name
            && f.place
                == Place::Cell {
                    sheet: Some("Blad1".into()),
                    row: 2,
                    column: 2
                }));
        assert_eq!(found.iter().filter(|f| f.kind == Kind::BirthDate).count(), 2);
    }
}
