//! Property tests: for any input, sanitised HTML is safe, escaped text stays
//! text, and the input checks either refuse or answer something clean.

use super::safe::assert_safe;
use loket_core::html::{sanitise, text_to_html};
use loket_core::normalise_email;
use loket_core::service::{MAX_SUBJECT_CHARS, clean_subject};
use proptest::prelude::*;

/// Pieces of hostile HTML, combined at random.
const PIECES: &[&str] = &[
    "<script>",
    "</script>",
    "<img src=x onerror=alert(1)>",
    "<a href='javascript:alert(1)'>",
    "<a href=\"",
    "\">",
    "'",
    "\"",
    "<",
    ">",
    "&#x6A;avascript:",
    "&lt;",
    "<svg/onload=alert(1)>",
    "<style>",
    "</style>",
    "<iframe src=//x>",
    "<p style=\"background:url(http://x)\">",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<math><mi xlink:href=\"javascript:1\">",
    "<object data=x>",
    "<base href=//x/>",
    "<form action=x>",
    "<img src=\"http://169.254.169.254/\">",
    "<table background=javascript:1>",
    "<div>",
    "</div>",
    "tekst",
    "\u{0}",
    "\n",
    "<body onload=x>",
    "<meta http-equiv=refresh content=0;url=x>",
    "<a href=vbscript:x>",
    "<img src=cid:deel1>",
    "<details open ontoggle=x>",
    "<video><source onerror=x>",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_text_sanitises_safely(s in any::<String>()) {
        assert_safe(&sanitise(&s), &s);
    }

    #[test]
    fn hostile_tag_soup_sanitises_safely(s in soup()) {
        assert_safe(&sanitise(&s), &s);
    }

    #[test]
    fn escaped_text_has_only_paragraphs_and_breaks(s in any::<String>()) {
        let html = text_to_html(&s);
        let stripped = html.replace("<p>", "").replace("</p>", "").replace("<br>", "");
        prop_assert!(!stripped.contains('<') && !stripped.contains('>'), "{html}");
    }

    #[test]
    fn accepted_addresses_are_clean(s in "[a-zA-Z0-9.+_,()\\[\\]@ -]{0,40}") {
        if let Ok(e) = normalise_email(&s) {
            prop_assert_eq!(e.matches('@').count(), 1);
            prop_assert!(e.len() <= 254 && e == e.to_lowercase());
            prop_assert!(!e.contains([',', '(', ')', '[', ']', ' ']), "{}", e);
        }
    }

    #[test]
    fn accepted_subjects_are_one_clean_line(s in any::<String>()) {
        if let Ok(subject) = clean_subject(&s) {
            prop_assert!(!subject.is_empty() && subject.chars().count() <= MAX_SUBJECT_CHARS);
            prop_assert!(!subject.chars().any(char::is_control), "{:?}", subject);
        }
    }
}
