//! Dutch addresses: a street with a house number (`Dorpsstraat 12a`,
//! `Laan van Meerdervoort 70`), or a postcode with a house number
//! (`1234 AB 12`). A postcode alone (an office's) is no one's address.

/// Words a street name ends in (or is).
const STREET: &[&str] = &[
    "straat",
    "boulevard",
    "weg",
    "laan",
    "plein",
    "gracht",
    "kade",
    "dijk",
    "singel",
    "hof",
    "pad",
    "dreef",
    "park",
    "steeg",
    "markt",
    "ring",
    "baan",
    "plantsoen",
    "wal",
    "haven",
    "veld",
    "kamp",
    "erf",
    "hoek",
    "akker",
    "wijk",
    "burg",
    "stede",
    "lei",
    "oord",
    "zijde",
];

/// Whether a word is (the end of) a street name.
fn street_word(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() >= 3
        && w.chars().all(char::is_alphabetic)
        && STREET
            .iter()
            .any(|s| b.len() >= s.len() && b[b.len() - s.len()..].eq_ignore_ascii_case(s.as_bytes()))
}

/// A house number: digits (1 to 5), optionally with a letter or addition.
fn house_number(w: &str) -> bool {
    let w = w.trim_end_matches([',', ';', '.']);
    let digits = w.chars().take_while(char::is_ascii_digit).count();
    (1..=5).contains(&digits)
        && w[digits..].chars().all(|c| c.is_ascii_alphabetic() || c == '-')
        && w.len() - digits <= 4
}

/// A Dutch postcode in two words (`1234`, `AB`) or one (`1234AB`).
pub(crate) fn postcode(a: &str, b: Option<&str>) -> Option<String> {
    let ok = |digits: &str, letters: &str| {
        digits.len() == 4
            && digits.chars().all(|c| c.is_ascii_digit())
            && !digits.starts_with('0')
            && letters.len() == 2
            && letters.chars().all(|c| c.is_ascii_uppercase())
            && !matches!(letters, "SA" | "SD" | "SS")
    };
    let a = a.trim_end_matches([',', ';', '.']);
    if a.len() == 6 && a.is_ascii() && ok(&a[..4], &a[4..]) {
        return Some(a.to_owned());
    }
    let b = b?.trim_end_matches([',', ';', '.']);
    ok(a, b).then(|| format!("{a}{b}"))
}

/// The addresses in a line: their normalised form (for counting) and a
/// masked preview.
pub(crate) fn in_line(line: &str) -> Vec<(String, String)> {
    // Every address has a number.
    if !line.bytes().any(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if street_word(words[i].trim_end_matches([',', ';'])) {
            // The number follows the street name, within a few words
            // ("Laan van Meerdervoort 70").
            if let Some(j) = (i + 1..(i + 5).min(words.len())).find(|j| house_number(words[*j])) {
                let street: Vec<&str> = words[i..j].to_vec();
                let key = format!(
                    "{} {}",
                    street.join(" ").to_lowercase(),
                    words[j].trim_end_matches([',', ';', '.']).to_lowercase()
                );
                let first = street[0].chars().next().unwrap_or('•');
                out.push((key, format!("{first}••••• ••")));
                i = j + 1;
                continue;
            }
        }
        if let Some(pc) = postcode(words[i], words.get(i + 1).copied()) {
            let width = if words[i].len() >= 6 { 1 } else { 2 };
            if let Some(n) = words.get(i + width).filter(|w| house_number(w)) {
                let key = format!("{pc} {}", n.to_lowercase());
                out.push((key, format!("{} •• ••", &pc[..4])));
                i += width + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streets_with_numbers_and_postcodes_with_numbers() {
        assert_eq!(in_line("Hij woont aan de Dorpsstraat 12a, 1234 AB Ons Dorp").len(), 1);
        assert_eq!(in_line("Laan van Meerdervoort 70").len(), 1);
        assert_eq!(in_line("postcode 1234 AB 12").len(), 1);
        assert!(in_line("Ons kantoor: postcode 1234 AB").is_empty(), "a postcode alone");
        assert!(in_line("de weg is lang").is_empty());
        assert_eq!(postcode("1234AB", None).as_deref(), Some("1234AB"));
        assert_eq!(postcode("1234", Some("SS")), None);
    }
}
