//! Property tests of parsing, intake and template expansion (a bounded number
//! of cases, so they run in CI): no input makes the parser panic, every mail
//! the intake is given is stored or kept in quarantine (never an error, never
//! lost), and values put into a template are never expanded.

use super::env;
use loket_mail::templates::{Vars, fill};
use loket_mail::{Outcome, parse};
use proptest::prelude::*;

/// The real-world mails of the corpus, as seeds to mutate.
fn corpus() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut out = Vec::new();
    for sub in ["legacy", "malformed", "rfc", "thirdparty"] {
        for e in std::fs::read_dir(dir.join(sub)).into_iter().flatten().flatten() {
            if e.path().extension().is_some_and(|x| x == "eml") {
                out.push(std::fs::read(e.path()).unwrap());
            }
        }
    }
    out.sort();
    out
}

/// A corpus mail with some bytes replaced, inserted or cut away.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    let seeds = corpus();
    assert!(!seeds.is_empty());
    (
        0..seeds.len(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..24),
    )
        .prop_map(move |(i, edits)| {
            let mut m = seeds[i].clone();
            for (at, byte, kind) in edits {
                if m.is_empty() {
                    break;
                }
                let at = at.index(m.len());
                match kind {
                    0 => m[at] = byte,
                    1 => m.insert(at, byte),
                    _ => m.truncate(at.max(1)),
                }
            }
            m
        })
}

/// Header fields as an attacker might write them.
fn hostile_mail() -> impl Strategy<Value = Vec<u8>> {
    let field = prop::sample::select(vec![
        "Subject",
        "From",
        "Message-ID",
        "In-Reply-To",
        "References",
        "Content-Type",
        "Auto-Submitted",
        "Authentication-Results",
        "Return-Path",
        "Content-Transfer-Encoding",
    ]);
    let value = "[ -~\u{e9}\u{20ac}\t]{0,120}";
    (prop::collection::vec((field, value), 0..12), "[ -~\r\n]{0,400}").prop_map(|(headers, body)| {
        let mut m = String::from("From: jan@gemeente.nl\r\n");
        for (f, v) in headers {
            m.push_str(f);
            m.push_str(": ");
            m.push_str(&v);
            m.push_str("\r\n");
        }
        m.push_str("\r\n");
        m.push_str(&body);
        m.into_bytes()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_parse_or_are_refused_without_panic(raw in prop::collection::vec(any::<u8>(), 0..2000)) {
        let _ = parse(&raw);
    }

    #[test]
    fn mutated_real_mail_parses_without_panic(raw in mutated()) {
        if let Ok(m) = parse(&raw) {
            prop_assert!(m.references.len() <= loket_mail::parse::MAX_REFERENCES);
            prop_assert!(m.subject.chars().count() <= loket_core::service::MAX_SUBJECT_CHARS);
        }
    }

    #[test]
    fn values_are_never_expanded(subject in ".{0,60}", link in ".{0,60}", name in ".{0,60}") {
        let v = Vars { subject: subject.clone(), link: link.clone(), name: name.clone(), ..Vars::default() };
        let out = fill("A{{subject}}B{{link}}C{{name}}D", &v);
        prop_assert_eq!(out, format!("A{subject}B{link}C{name}D"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_mail_is_stored_or_kept_in_quarantine(raw in prop_oneof![mutated(), hostile_mail()]) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let e = env().await;
            let outcome = e.intake.ingest("helpdesk", &raw, None).await;
            let outcome = outcome.unwrap_or_else(|err| panic!("the intake failed instead of quarantining: {err}"));
            let quarantined = e.service.store().list_quarantine(10).await.unwrap();
            match outcome {
                Outcome::Created(_) | Outcome::Appended(_) | Outcome::Automatic(_) => {
                    assert!(quarantined.is_empty());
                }
                Outcome::Quarantined(_) | Outcome::NotMail(_) => assert_eq!(quarantined.len(), 1),
                other => panic!("a first delivery cannot be {other:?}"),
            }
        });
    }
}
