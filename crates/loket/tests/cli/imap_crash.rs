//! The real binary reading a real IMAP mailbox (Dovecot, `LOKET_TEST_IMAP_ADDR`),
//! killed with SIGKILL at arbitrary moments between fetch and flag, then
//! restarted: exactly one ticket per message, and every message flagged in the end.

use super::http::request;
use super::{Server, loket, stdout};
use loket_mail::imap::tools;
use std::time::{Duration, Instant};

const MESSAGES: usize = 150;

fn imap_addr() -> Option<String> {
    match std::env::var("LOKET_TEST_IMAP_ADDR") {
        Ok(a) if !a.is_empty() => Some(a),
        _ => {
            assert!(
                std::env::var_os("LOKET_TEST_STRICT").is_none(),
                "LOKET_TEST_STRICT is set but LOKET_TEST_IMAP_ADDR is not"
            );
            eprintln!("LOKET_TEST_IMAP_ADDR is not set: skipping the IMAP crash test");
            None
        }
    }
}

#[test]
fn imap_intake_survives_sigkill_at_any_moment() {
    let Some(addr) = imap_addr() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (account, config) = super::imap_mailbox(&addr, "box8@example.test", dir.path());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for i in 0..MESSAGES {
        let raw = format!(
            "From: k{i}@gemeente.nl\r\nSubject: Crashtest {i}\r\nMessage-ID: <crash-{i}@gemeente.nl>\r\n\r\nBericht {i}\r\n"
        );
        rt.block_on(tools::append(&account, raw.as_bytes())).unwrap();
    }
    let data = dir.path().join("data");
    let cfg = config.to_str().unwrap();
    stdout(&loket(
        &data,
        &[
            "--config",
            cfg,
            "agent",
            "add",
            "--email",
            "a@leverancier.nl",
            "--name",
            "A",
        ],
    ));
    let token = stdout(&loket(
        &data,
        &["--config", cfg, "token", "create", "--email", "a@leverancier.nl"],
    ));

    // Kill it at varying moments while it works through the mailbox.
    let mut seed: u64 = 0x9E37_79B9;
    for _ in 0..6 {
        let mut server = Server::start_with(&data, &["--config", cfg]);
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        std::thread::sleep(Duration::from_millis(20 + (seed >> 33) % 300));
        server.child.kill().unwrap();
        server.child.wait().unwrap();
    }

    let server = Server::start_with(&data, &["--config", cfg]);
    let started = Instant::now();
    while !rt.block_on(tools::search(&account, "UNSEEN")).unwrap().is_empty() {
        assert!(started.elapsed() < Duration::from_mins(1), "messages left unflagged");
        std::thread::sleep(Duration::from_millis(200));
    }
    let (status, page) = request(&server.addr, "GET", "/api/v1/tickets?limit=200", None, Some(&token)).unwrap();
    assert_eq!(status, 200);
    let subjects: std::collections::BTreeSet<String> = page["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["subject"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        page["tickets"].as_array().unwrap().len(),
        MESSAGES,
        "exactly one ticket per message"
    );
    assert_eq!(subjects.len(), MESSAGES);
    assert_eq!(
        rt.block_on(tools::search(&account, "ALL")).unwrap().len(),
        MESSAGES,
        "nothing deleted"
    );
    server.stop();
}
