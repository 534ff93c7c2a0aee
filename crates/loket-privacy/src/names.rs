//! Names of people where the context shows them: a label (`Naam: …`,
//! `Cliënt: …`), a table column headed naam, achternaam or cliënt, or a
//! capitalised name on a line with a BSN, an address or a date of birth.

/// Labels and column headers that name a person.
const LABELS: &[&str] = &[
    "naam",
    "achternaam",
    "voornaam",
    "voornamen",
    "roepnaam",
    "cliënt",
    "client",
    "cliëntnaam",
    "clientnaam",
    "naam cliënt",
    "naam client",
    "patiënt",
    "patient",
    "bewoner",
    "volledige naam",
    "name",
    "full name",
    "surname",
    "first name",
];

/// Whether a column header (or label) names a person.
pub(crate) fn is_name_header(h: &str) -> bool {
    let h = h.trim().trim_end_matches(':').to_lowercase();
    LABELS.contains(&h.as_str())
}

/// The value after a name label on a line (`Naam: Jan de Vries`).
pub(crate) fn labelled(line: &str) -> Option<&str> {
    let (label, rest) = line.split_once([':', '='])?;
    if !is_name_header(label.trim_start_matches(['-', '*', '•', ' ', '\t'])) {
        return None;
    }
    let value = rest.split([',', ';', '|']).next()?.trim();
    plausible(value).then_some(value)
}

/// Whether text can be a person's name: letters (and ' - .), 2 to 60
/// characters, at least one capital.
pub(crate) fn plausible(v: &str) -> bool {
    let n = v.chars().count();
    (2..=60).contains(&n)
        && v.chars().any(char::is_uppercase)
        && v.chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.'))
        && !v.contains('@')
}

/// Small words inside Dutch surnames.
const PARTICLES: &[&str] = &[
    "van", "de", "der", "den", "het", "ter", "ten", "te", "in", "'t", "op", "la", "le", "du", "von",
];

/// Capitalised words that start sentences or label things, never names.
const NOT_NAMES: &[&str] = &[
    "De",
    "Het",
    "Een",
    "Beste",
    "Geachte",
    "Met",
    "Van",
    "BSN",
    "IBAN",
    "Naam",
    "Adres",
    "Postcode",
    "Geboren",
    "Geboortedatum",
    "Telefoon",
    "Tel",
    "Mevrouw",
    "Meneer",
    "Dhr",
    "Mw",
    "Mevr",
    "Cliënt",
    "Client",
    "Gemeente",
    "Straat",
    "In",
    "Op",
    "Voor",
    "Bij",
    "Dag",
    "Hallo",
    "Goedemorgen",
    "Goedemiddag",
];

/// Capitalised names on a line (two to five words, particles allowed
/// inside): `Jan de Vries`, `Fatima el Amrani`.
pub(crate) fn capitalised(line: &str) -> Vec<String> {
    let words: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect();
    let cap = |w: &str| {
        let mut c = w.chars();
        c.next().is_some_and(char::is_uppercase)
            && c.clone().all(|x| x.is_lowercase() || x == '-' || x == '\'')
            && w.chars().count() >= 2
            && !NOT_NAMES.contains(&w)
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if cap(words[i]) {
            let mut j = i + 1;
            let mut last_cap = i;
            while j < words.len() && j - i < 6 {
                if cap(words[j]) {
                    last_cap = j;
                } else if !PARTICLES.contains(&words[j]) {
                    break;
                }
                j += 1;
            }
            if last_cap > i {
                out.push(words[i..=last_cap].join(" "));
                i = last_cap + 1;
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
    fn labels_headers_and_capitalised_names() {
        assert_eq!(labelled("Naam: Jan de Vries"), Some("Jan de Vries"));
        assert_eq!(
            labelled("Cliënt = Fatima el Amrani, geboren 1980"),
            Some("Fatima el Amrani")
        );
        assert_eq!(labelled("Onderwerp: Printer kapot"), None);
        assert_eq!(labelled("Naam: 123"), None);
        assert!(is_name_header("Achternaam") && !is_name_header("Postcode"));
        assert_eq!(capitalised("Jan de Vries, BSN 123456782"), vec!["Jan de Vries"]);
        assert!(capitalised("De printer doet het niet").is_empty());
    }
}
