//! Releasing a version through the real server: 20 Gepland tickets move to
//! Opgeleverd, 20 mails reach the SMTP sink (`LOKET_TEST_SMTP_URL`,
//! `LOKET_TEST_SMTP_CAPTURE`), the change document is on the portal and each
//! ticket's portal page names its version.

use super::http::request;
use super::portal_e2e::var;
use super::{Server, loket, stdout};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The body of every mail in the sink's folder to one of `rcpts` whose text
/// contains `text`, by recipient.
fn mails_with(capture: &str, rcpts: &[String], text: &str) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for e in std::fs::read_dir(capture).unwrap() {
        let raw = std::fs::read(e.unwrap().path()).unwrap();
        let Some(m) = mail_parser::MessageParser::default().parse(&raw) else {
            continue;
        };
        let body = m.body_text(0).unwrap_or_default().into_owned();
        let to = m.header_raw("X-Rcpt-Args").unwrap_or_default();
        if let Some(r) = rcpts.iter().find(|r| to.contains(r.as_str()))
            && body.contains(text)
        {
            found.insert(r.clone(), body);
        }
    }
    found
}

#[test]
fn releasing_a_version_moves_twenty_tickets_and_mails_each_requester() {
    let (Some(smtp), Some(capture)) = (var("LOKET_TEST_SMTP_URL"), var("LOKET_TEST_SMTP_CAPTURE")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    stdout(&loket(
        &data,
        &[
            "agent",
            "add",
            "--email",
            "pm@leverancier.nl",
            "--name",
            "PM",
            "--role",
            "product_manager",
        ],
    ));
    let token = stdout(&loket(&data, &["token", "create", "--email", "pm@leverancier.nl"]));
    let server = Server::start_with_env(&data, &[("LOKET_SMTP_URL", smtp.as_str())]);
    let addr = server.addr.clone();
    let api = |method: &str, path: &str, body: Option<&str>| request(&addr, method, path, body, Some(&token)).unwrap();
    let run = std::process::id();
    let requesters: Vec<String> = (0..20).map(|i| format!("versie{i}.{run}@gemeente.nl")).collect();
    let mut numbers = Vec::new();
    for r in &requesters {
        let body = format!(r#"{{"subject":"Wens","message":"Graag sneller","requester":"{r}","channel":"email"}}"#);
        let (status, t) = api("POST", "/api/v1/tickets", Some(&body));
        assert_eq!(status, 201, "{t}");
        let n = t["number"].as_i64().unwrap();
        let (status, t) = api(
            "POST",
            &format!("/api/v1/tickets/{n}/transfer"),
            Some(r#"{"department":"planned","version":"8.4.1"}"#),
        );
        assert_eq!((status, t["department"].as_str()), (200, Some("planned")), "{t}");
        numbers.push(n);
    }
    let notes =
        r##"{"version":"8.4.1","kind":"interim","notes":"# Wat is er nieuw\n\n- De BRP-koppeling is **sneller**."}"##;
    let (status, r) = api("POST", "/api/v1/releases", Some(notes));
    assert_eq!(status, 201, "{r}");
    let (status, r) = api("POST", "/api/v1/releases/8.4.1/release", None);
    assert_eq!(status, 200, "{r}");
    assert!(r["released_at"].is_string(), "{r}");

    // Twenty mails, one per requester, each with the change document's link.
    let started = Instant::now();
    let mails = loop {
        let m = mails_with(&capture, &requesters, "die nu is uitgebracht");
        if m.len() == requesters.len() {
            break m;
        }
        assert!(
            started.elapsed() < Duration::from_mins(1),
            "{} of 20 release mails arrived",
            m.len()
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    let doc_link = format!("http://{addr}/wijzigingen/8.4.1");
    assert!(
        mails
            .values()
            .all(|b| b.contains(&doc_link) && b.contains("versie 8.4.1"))
    );

    for n in &numbers {
        let (_, t) = api("GET", &format!("/api/v1/tickets/{n}"), None);
        assert_eq!(
            (t["department"].as_str(), t["release_version"].as_str()),
            (Some("delivered"), Some("8.4.1")),
            "{t}"
        );
    }
    let (status, page) = request(&addr, "GET", "/wijzigingen/8.4.1", None, None).unwrap();
    let page = page.as_str().unwrap_or_default().to_owned();
    assert_eq!(status, 200);
    assert!(
        page.contains("<h1>Wat is er nieuw</h1>") && page.contains("<strong>sneller</strong>"),
        "{page}"
    );
    let (_, list) = request(&addr, "GET", "/wijzigingen?q=BRP", None, None).unwrap();
    assert!(list.as_str().unwrap_or_default().contains("/wijzigingen/8.4.1"));

    // Each requester's ticket page names the version.
    for body in mails.values() {
        let follow = body
            .split_whitespace()
            .find(|w| w.contains("/t/"))
            .expect("a follow link");
        let path = follow.trim_start_matches(&format!("http://{addr}"));
        let (status, page) = request(&addr, "GET", path, None, None).unwrap();
        assert_eq!(status, 200);
        assert!(
            page.as_str().unwrap_or_default().contains("opgeleverd in versie 8.4.1"),
            "{page}"
        );
    }
    server.stop();
}
