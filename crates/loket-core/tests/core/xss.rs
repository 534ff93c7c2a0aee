//! The sanitiser against the XSS vectors of a public corpus (see
//! `tests/data/xss/SOURCE.md`), each alone and in the places mail HTML puts text.

use super::safe::assert_safe;
use loket_core::html::sanitise;

/// The places a vector is tried in.
const CONTEXTS: &[&str] = &[
    "{}",
    "<p>{}</p>",
    "<div title=\"{}\">x</div>",
    "<a href=\"{}\">x</a>",
    "<img src=\"{}\">",
    "<style>{}</style>",
    "<!-- {} -->",
    "<table><tr><td>{}</td></tr></table>",
    "<svg>{}</svg>",
    "<math>{}</math>",
    "<noscript>{}</noscript>",
    "<textarea>{}</textarea>",
    "<html><head><title>{}</title></head><body>{}</body></html>",
];

#[test]
fn no_vector_of_the_public_corpus_survives_the_sanitiser() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/xss/seed.xss");
    let corpus = std::fs::read_to_string(path).expect("the corpus is in the repository");
    let vectors: Vec<&str> = corpus.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(vectors.len() >= 150, "corpus present: {}", vectors.len());
    let mut tried = 0;
    for v in &vectors {
        for context in CONTEXTS {
            let input = context.replace("{}", v);
            let out = sanitise(&input);
            assert_safe(&out, &input);
            // Sanitising what came out changes nothing unsafe either.
            assert_safe(&sanitise(&out), &input);
            tried += 1;
        }
    }
    assert_eq!(tried, vectors.len() * CONTEXTS.len());
}

#[test]
fn the_checker_itself_catches_what_it_must() {
    for bad in [
        "<script>alert(1)</script>",
        "<img src=\"http://x/a.png\">",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"java&#09;script:x\">x</a>",
        "<a href=\" JaVaScRiPt:x\">x</a>",
        "<p onclick=\"x()\">x</p>",
        "<p style=\"x\">x</p>",
        "<svg></svg>",
        "<!-- x -->",
    ] {
        let caught = std::panic::catch_unwind(|| assert_safe(bad, bad)).is_err();
        assert!(caught, "the checker lets through {bad}");
    }
    assert_safe(
        "<p>Hoi <a href=\"https://x.nl/\" rel=\"noopener\">x</a> &lt;script&gt;</p>",
        "ok",
    );
}
