//! The portal end to end in headless Chromium (WebDriver at
//! `LOKET_TEST_WEBDRIVER_URL`) against the real `loket serve`, with the real
//! SMTP sink (`LOKET_TEST_SMTP_URL`, `LOKET_TEST_SMTP_CAPTURE`) delivering the
//! mails whose links the visitor follows. Screenshots of the main pages at
//! desktop and phone width go to `target/e2e-screenshots/`.

use super::{Server, loket, stdout};
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub(crate) fn var(name: &str) -> Option<String> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            assert!(
                std::env::var_os("LOKET_TEST_STRICT").is_none(),
                "LOKET_TEST_STRICT is set but {name} is not"
            );
            eprintln!("{name} is not set: skipping the browser test");
            None
        }
    }
}

/// The newest mail to `rcpt` in the sink's folder whose text contains `marker`.
pub(crate) fn mail_link(capture: &str, rcpt: &str, marker: &str) -> String {
    let started = Instant::now();
    loop {
        let mut files: Vec<PathBuf> = std::fs::read_dir(capture).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files.iter().rev() {
            let raw = std::fs::read(f).unwrap();
            let Some(m) = mail_parser::MessageParser::default().parse(&raw) else {
                continue;
            };
            if !m.header_raw("X-Rcpt-Args").is_some_and(|r| r.contains(rcpt)) {
                continue;
            }
            let text = m.body_text(0).unwrap_or_default().into_owned();
            if let Some(link) = text.split_whitespace().find(|w| w.contains(marker)) {
                return link.to_owned();
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no mail with {marker} for {rcpt}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// What a browser test needs: the services' addresses, a folder with a
/// migrated database, and the screenshot folder.
pub(crate) struct BrowserEnv {
    pub(crate) webdriver: String,
    pub(crate) smtp: String,
    pub(crate) capture: String,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) data: PathBuf,
    pub(crate) shots: PathBuf,
}

/// The browser test's setting, or `None` (said, and refused under
/// `LOKET_TEST_STRICT`) when a service is missing.
pub(crate) fn browser_env() -> Option<BrowserEnv> {
    let (Some(webdriver), Some(smtp), Some(capture)) = (
        var("LOKET_TEST_WEBDRIVER_URL"),
        var("LOKET_TEST_SMTP_URL"),
        var("LOKET_TEST_SMTP_CAPTURE"),
    ) else {
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    stdout(&loket(&data, &["migrate"]));
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../e2e-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    Some(BrowserEnv {
        webdriver,
        smtp,
        capture,
        dir,
        data,
        shots,
    })
}

pub(crate) async fn browser(webdriver: &str, profile: &Path) -> Client {
    let caps = serde_json::json!({"goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1000,900", format!("--user-data-dir={}", profile.display())
    ]}});
    let caps = caps.as_object().unwrap().clone();
    // Plain HTTP to the local chromedriver: no TLS stack needed.
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(webdriver)
        .await
        .expect("connect to chromedriver")
}

pub(crate) async fn fill(c: &Client, id: &str, text: &str) {
    let field = c.find(Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

pub(crate) async fn submit(c: &Client, form_action: &str) {
    let css = format!("form[action='{form_action}'] button[type='submit']");
    c.find(Locator::Css(&css)).await.unwrap().click().await.unwrap();
}

/// Waits until the page shows `text` (navigation after a click is not awaited by WebDriver).
pub(crate) async fn wait_text(c: &Client, text: &str) {
    let started = Instant::now();
    loop {
        let source = c.source().await.unwrap_or_default();
        if source.contains(text) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "page never showed {text:?}:\n{source}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the browser is at a URL whose path (and query) ends in `suffix`.
pub(crate) async fn wait_url(c: &Client, suffix: &str) {
    let started = Instant::now();
    loop {
        let at = c.current_url().await.map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        });
        if at.is_ok_and(|u| u.ends_with(suffix)) {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "never reached {suffix}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs a scenario with its own browser and closes the browser whatever
/// happens, so a failed test leaves no Chromium running.
pub(crate) async fn with_browser<F, Fut>(webdriver: &str, scenario: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let profile = tempfile::tempdir().unwrap();
    let c = browser(webdriver, profile.path()).await;
    let outcome = tokio::spawn(scenario(c.clone())).await;
    let _ = c.close().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

pub(crate) async fn shot(c: &Client, dir: &Path, name: &str) {
    for (w, suffix) in [(1000, "desktop"), (375, "phone")] {
        c.set_window_size(w, 900).await.unwrap();
        let png = c.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("{name}-{suffix}.png")), png).unwrap();
    }
    c.set_window_size(1000, 900).await.unwrap();
}

#[test]
fn register_submit_find_reply_solve_and_follow_by_link_in_chromium() {
    let Some(BrowserEnv {
        webdriver,
        smtp,
        capture,
        dir,
        data,
        shots,
    }) = browser_env()
    else {
        return;
    };
    let server = Server::start_with_env(&data, &[("LOKET_SMTP_URL", smtp.as_str())]);
    let base = format!("http://{}", server.addr);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let anna = format!("anna.{nanos}@gemeente.nl");
    let bert = format!("bert.{nanos}@gemeente.nl");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (b, cap, who, tmp, sh) = (
            base.clone(),
            capture.clone(),
            anna.clone(),
            dir.path().to_owned(),
            shots.clone(),
        );
        with_browser(&webdriver, move |c| async move {
            let (base, capture, anna, shots) = (b, cap, who, sh);
            let dir = tmp;
            // Register: ask for the link, open it from the mail, choose a password.
            c.goto(&format!("{base}/toegang")).await.unwrap();
            fill(&c, "email", &anna).await;
            submit(&c, "/toegang").await;
            wait_text(&c, "spam").await;
            let link = mail_link(&capture, &anna, "/toegang/");
            c.goto(&link).await.unwrap();
            fill(&c, "password", "een-lang-wachtwoord").await;
            fill(&c, "repeat", "een-lang-wachtwoord").await;
            let action = link.trim_start_matches(&base).to_owned();
            submit(&c, &action).await;
            wait_url(&c, "/mijn?welkom=1").await;
            // Log out and in again.
            submit(&c, "/uitloggen").await;
            wait_url(&c, "/inloggen?uitgelogd=1").await;
            c.goto(&format!("{base}/inloggen")).await.unwrap();
            fill(&c, "email", &anna).await;
            fill(&c, "password", "een-lang-wachtwoord").await;
            submit(&c, "/inloggen").await;
            wait_url(&c, "/mijn").await;
            // Submit a ticket with an attachment.
            c.goto(&format!("{base}/")).await.unwrap();
            shot(&c, &shots, "home").await;
            fill(&c, "name", "Anna").await;
            fill(&c, "email", &anna).await;
            fill(&c, "subject", "Kwartslamp in de rapportage").await;
            fill(&c, "message", "De export geeft een foutmelding.").await;
            let file = dir.join("export-log.txt");
            std::fs::write(&file, "fout 42").unwrap();
            c.find(Locator::Id("files"))
                .await
                .unwrap()
                .send_keys(file.to_str().unwrap())
                .await
                .unwrap();
            submit(&c, "/tickets/new").await;
            wait_text(&c, "ticket-number").await;
            let number = c
                .find(Locator::Id("ticket-number"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            // See it in the list, find it by keyword and by number.
            c.goto(&format!("{base}/mijn")).await.unwrap();
            assert!(c.source().await.unwrap().contains("Kwartslamp in de rapportage"));
            shot(&c, &shots, "my-tickets").await;
            for q in ["kwartslamp", number.as_str()] {
                c.goto(&format!("{base}/mijn?q={q}")).await.unwrap();
                assert!(
                    c.source().await.unwrap().contains(&format!("/mijn/{number}")),
                    "search {q}"
                );
            }
            // Open it, see the attachment, reply, mark it solved.
            c.find(Locator::Css(&format!("a[href='/mijn/{number}']")))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            wait_text(&c, "export-log.txt").await;
            fill(&c, "message", "Aanvulling vanuit het portaal").await;
            submit(&c, &format!("/mijn/{number}/reply")).await;
            wait_text(&c, "Aanvulling vanuit het portaal").await;
            shot(&c, &shots, "ticket").await;
            c.find(Locator::Css(&format!("a[href='/mijn/{number}/solve']")))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            wait_text(&c, "Ja, mijn vraag is opgelost").await;
            submit(&c, &format!("/mijn/{number}/solve")).await;
            wait_text(&c, "<strong>Opgelost</strong>").await;
        })
        .await;
        // A second visitor follows a ticket from the mail link, without an account.
        let (b, cap, who, sh) = (base.clone(), capture.clone(), bert.clone(), shots.clone());
        with_browser(&webdriver, move |c| async move {
            let (base, capture, bert, shots) = (b, cap, who, sh);
            c.goto(&format!("{base}/")).await.unwrap();
            fill(&c, "email", &bert).await;
            fill(&c, "subject", "Vraag zonder account").await;
            fill(&c, "message", "Hoe werkt dit?").await;
            submit(&c, "/tickets/new").await;
            wait_text(&c, "ticket-number").await;
            let follow = mail_link(&capture, &bert, "/t/");
            c.goto(&follow).await.unwrap();
            assert!(c.source().await.unwrap().contains("Vraag zonder account"));
            shot(&c, &shots, "follow-link").await;
            fill(&c, "message", "Nog een vraag").await;
            let action = follow.trim_start_matches(&base).to_owned() + "/reply";
            submit(&c, &action).await;
            wait_text(&c, "Nog een vraag").await;
        })
        .await;
    });
    server.stop();
    assert!(shots.join("ticket-phone.png").exists());
}
