//! What search indexes and asks for, the same for SQLite and PostgreSQL and for
//! the portal and staff alike: words lower-cased, accents folded (`cliënt` is
//! `client`), and reduced to their Dutch stem (Snowball), so `rapportages`
//! finds `Rapportage`; a query word also matches words it begins
//! (`jeugd` finds `jeugdzorg`).

use rust_stemmers::{Algorithm, Stemmer};
use std::sync::LazyLock;

/// The version of what [`index_text`] makes: a store whose index was made by
/// another version builds it again.
pub const INDEX_VERSION: &str = "2-dutch-stem-fold";

/// Query words shorter than this match only whole words (a prefix of three
/// letters or fewer would match nearly everything).
const MIN_PREFIX_CHARS: usize = 4;

static DUTCH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::Dutch));

/// A letter without its accent (`é` → `e`, `ĳ` → `ij`), lower-cased.
fn fold(c: char, out: &mut String) {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'ç' | 'č' | 'ć' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => "u",
        'ý' | 'ÿ' => "y",
        'š' | 'ś' => "s",
        'ž' | 'ź' | 'ż' => "z",
        'ĳ' => "ij",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        _ => {
            out.extend(c.to_lowercase());
            return;
        }
    };
    out.push_str(folded);
}

/// The words of a text, folded and lower-cased, in order (letters and digits;
/// everything else separates).
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut out = String::with_capacity(w.len());
            for c in w.chars() {
                fold(c, &mut out);
            }
            out
        })
}

/// The stem of a folded word. Snowball keeps the `s` of plurals after an
/// `e` (`rapportages`, `updates`, `releases`: loanwords the vendor's
/// customers write all day), so that `s` goes first.
fn stem(word: &str) -> String {
    let word = match word.strip_suffix("es") {
        Some(_) if word.len() >= 5 => &word[..word.len() - 1],
        _ => word,
    };
    DUTCH.stem(word).into_owned()
}

/// What the index keeps of a text: its words' stems, separated by spaces.
pub fn index_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for w in words(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&stem(&w));
    }
    out
}

/// A ticket's search document as the index keeps it: its subject and its
/// requester's address and name.
pub fn ticket_doc(subject: &str, email: &str, name: &str) -> String {
    index_text(&format!("{subject}\n{email} {name}"))
}

/// A word a search looks for: its stem, and whether words that begin with
/// it match too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The stem (letters and digits only).
    pub stem: String,
    /// Whether longer words that begin with the stem match too.
    pub prefix: bool,
}

/// The terms of a query: every word must match. Each word once, at most ten,
/// each at most 64 characters.
pub fn query_terms(query: &str) -> Vec<Term> {
    let mut out: Vec<Term> = Vec::new();
    for w in words(query) {
        let w: String = w.chars().take(64).collect();
        let s = stem(&w);
        if s.is_empty() || out.iter().any(|t| t.stem == s) {
            continue;
        }
        out.push(Term {
            prefix: s.chars().count() >= MIN_PREFIX_CHARS,
            stem: s,
        });
        if out.len() == 10 {
            break;
        }
    }
    out
}

/// A query in a backend's syntax: every term of [`query_terms`] between
/// `quote`s, a prefix term followed by `prefix`, the terms joined by `and`
/// (SQLite FTS5: `"stem"* "stem"`; PostgreSQL: `'stem':* & 'stem'`). Terms hold
/// letters and digits only, so nothing of the query's own syntax gets in.
pub fn query_syntax(query: &str, quote: char, prefix: &str, and: &str) -> String {
    query_terms(query)
        .iter()
        .map(|t| format!("{quote}{}{quote}{}", t.stem, if t.prefix { prefix } else { "" }))
        .collect::<Vec<_>>()
        .join(and)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `query` finds `text` the way both backends look: every term a
    /// word of the index, or the beginning of one when it is a prefix term.
    fn finds(query: &str, text: &str) -> bool {
        let index = index_text(text);
        let words: Vec<&str> = index.split(' ').collect();
        query_terms(query).iter().all(|t| {
            words
                .iter()
                .any(|w| *w == t.stem || (t.prefix && w.starts_with(&t.stem)))
        })
    }

    #[test]
    fn dutch_words_find_their_forms() {
        assert!(finds("jeugd", "Vraag over jeugdzorg"));
        assert!(finds("rapportages", "De Rapportage klopt niet"));
        assert!(finds("Beschikking", "drie beschikkingen ontbreken"));
        assert!(finds("client", "het cliënt-dossier"));
        assert!(finds("cliënt", "client nummer"));
        assert!(finds("printer kapot", "De printer is KAPOT."));
        assert!(!finds("printer kapot", "De printer werkt"));
        assert!(!finds("de", "dossier"), "short words match whole words only");
        assert!(finds("100234", "ticket 100234"));
        assert!(finds("updates", "na de update"));
        assert!(finds("release", "twee releases"));
        assert!(finds("meldingen", "een melding"));
    }

    #[test]
    fn queries_are_bounded() {
        assert_eq!(query_terms(&vec!["de"; 1000].join(" ")).len(), 1);
        let many: Vec<String> = (0..50).map(|i| format!("woord{i}")).collect();
        assert_eq!(query_terms(&many.join(" ")).len(), 10);
        assert!(
            query_terms("\"; DROP TABLE *")
                .iter()
                .all(|t| t.stem.chars().all(char::is_alphanumeric))
        );
        assert_eq!(query_terms(&"x".repeat(1000))[0].stem.len(), 64);
        assert_eq!(query_terms("Printer printer  KAPOT").len(), 2);
    }
}
