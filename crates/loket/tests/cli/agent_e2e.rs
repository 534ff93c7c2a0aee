//! The agent workspace end to end in headless Chromium against the real
//! `loket serve`, with Dovecot (`LOKET_TEST_IMAP_ADDR`) delivering a
//! customer's mail and the SMTP sink receiving the agent's reply: sign-in with
//! password and TOTP enrolment, the ticket appearing in the queue without a
//! reload, its attachment opened in the browser, a reply, a request for
//! information with a date, a transfer to Gepland with a version, a second
//! agent on the same ticket, a phone ticket for a new caller, a merge and a
//! move to another address.
//! Screenshots of the overview, a queue and a ticket page go to
//! `target/e2e-screenshots/`.

use super::portal_e2e::{BrowserEnv, browser_env, fill, shot, submit, var, wait_text, wait_url, with_browser};
use super::{Server, loket, stdout};
use fantoccini::{Client, Locator};
use loket_mail::imap::tools;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d,
    0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

pub(crate) const PASSWORD: &str = "paars-fietsje-onder-de-brug";

/// The text of the newest mail to `rcpt` that contains `text`, waiting for it.
pub(crate) fn mail_with(capture: &str, rcpt: &str, text: &str) -> String {
    let started = Instant::now();
    loop {
        for e in std::fs::read_dir(capture).unwrap() {
            let raw = std::fs::read(e.unwrap().path()).unwrap();
            let Some(m) = mail_parser::MessageParser::default().parse(&raw) else {
                continue;
            };
            let body = m.body_text(0).unwrap_or_default().into_owned();
            if m.header_raw("X-Rcpt-Args").is_some_and(|r| r.contains(rcpt)) && body.contains(text) {
                return body;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no mail with {text:?} for {rcpt}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

pub(crate) async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css)).await.unwrap().click().await.unwrap();
}

async fn text_of(c: &Client, id: &str) -> String {
    c.find(Locator::Id(id)).await.unwrap().text().await.unwrap()
}

fn totp_now(secret: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    loket_core::service::totp_code(secret, now).unwrap()
}

#[test]
fn an_agent_signs_in_with_totp_sees_mail_arrive_and_works_the_ticket_in_chromium() {
    let Some(imap) = var("LOKET_TEST_IMAP_ADDR") else {
        return;
    };
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
    let (account, config) = super::imap_mailbox(&imap, "box11@example.test", dir.path());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let cfg = config.to_str().unwrap().to_owned();
    let staff = format!(
        "anna.{}@leverancier.nl",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    stdout(&loket(
        &data,
        &[
            "--config",
            &cfg,
            "agent",
            "add",
            "--email",
            &staff,
            "--name",
            "Anna de Vries",
        ],
    ));
    set_password(&cfg, &data, &staff);
    stdout(&loket(
        &data,
        &["--config", &cfg, "agent", "require-totp", "--role", "agent"],
    ));
    stdout(&loket(
        &data,
        &[
            "--config",
            &cfg,
            "agent",
            "add",
            "--email",
            "bram@leverancier.nl",
            "--name",
            "Bram Beheer",
            "--role",
            "admin",
        ],
    ));
    set_password(&cfg, &data, "bram@leverancier.nl");

    let server = Server::start_full(&data, &["--config", &cfg], &[("LOKET_SMTP_URL", smtp.as_str())]);
    let base = format!("http://{}", server.addr);
    let customer = format!("klant.{}@gemeente-zuid.nl", std::process::id());
    rt.block_on(async {
        let webdriver2 = webdriver.clone();
        let (b, who, acct, sh, cap, me) = (
            base.clone(),
            customer.clone(),
            account.clone(),
            shots.clone(),
            capture.clone(),
            staff.clone(),
        );
        with_browser(&webdriver, move |c| async move {
            let (base, customer, account, shots, capture, staff) = (b, who, acct, sh, cap, me);
            // Sign in: password, then enrolment (the role requires TOTP).
            let mut failures = Vec::new();
            super::portal_a11y::check_page(&c, &base, "/agent/inloggen", &mut failures).await;
            assert!(failures.is_empty(), "axe-core found:\n{}", failures.join("\n"));
            c.goto(&format!("{base}/agent?lang=nl")).await.unwrap();
            wait_url(&c, "/agent/inloggen").await;
            fill(&c, "email", &staff).await;
            fill(&c, "password", PASSWORD).await;
            submit(&c, "/agent/inloggen").await;
            wait_url(&c, "/agent/koppelen").await;
            let secret = text_of(&c, "totp-secret").await.replace(' ', "");
            super::portal_a11y::check_page(&c, &base, "/agent/koppelen", &mut failures).await;
            assert!(failures.is_empty(), "axe-core found:\n{}", failures.join("\n"));
            c.goto(&format!("{base}/agent/koppelen?lang=nl")).await.unwrap();
            fill(&c, "code", &totp_now(&secret)).await;
            submit(&c, "/agent/koppelen").await;
            wait_text(&c, "recovery-codes").await;
            click(&c, "a[href='/agent']").await;
            wait_text(&c, "Open tickets per afdeling en status").await;

            // The Helpdesk queue is open when the customer's mail arrives.
            c.goto(&format!("{base}/agent/wachtrij/helpdesk")).await.unwrap();
            wait_text(&c, "Helpdesk").await;
            let png = base64_lines(PNG);
            let mail = format!(
                "From: Jan Klant <{customer}>\r\nTo: box11@example.test\r\nSubject: Storing koppeling BRP\r\n\
                 Message-ID: <agent-e2e-{}@gemeente-zuid.nl>\r\nMIME-Version: 1.0\r\n\
                 Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
                 De koppeling met de BRP geeft sinds vanochtend fout 500.\r\n--b1\r\nContent-Type: image/png\r\n\
                 Content-Disposition: attachment; filename=\"scherm.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{png}\r\n--b1--\r\n",
                std::process::id()
            );
            tools::append(&account, mail.as_bytes()).await.unwrap();
            // No reload: the queue's script brings it in.
            wait_text(&c, "Storing koppeling BRP").await;
            wait_text(&c, "id=\"new-tickets\" role=\"status\"").await;
            shot(&c, &shots, "agent-queue").await;
            let number = c
                .find(Locator::Css("#queue tbody tr"))
                .await
                .unwrap()
                .attr("data-ticket")
                .await
                .unwrap()
                .unwrap();
            click(&c, &format!("#queue a[href='/agent/tickets/{number}']")).await;
            wait_text(&c, "fout 500").await;
            assert!(c.source().await.unwrap().contains("id=\"not-authorised\""));
            shot(&c, &shots, "agent-ticket").await;

            // The attachment opens in the browser as a picture.
            let href = c
                .find(Locator::Css("ul.files a"))
                .await
                .unwrap()
                .attr("href")
                .await
                .unwrap()
                .unwrap();
            c.goto(&format!("{base}{href}")).await.unwrap();
            let shown: bool = c
                .execute("return document.contentType === 'image/png' && !!document.querySelector('img');", vec![])
                .await
                .unwrap()
                .as_bool()
                .unwrap();
            assert!(shown, "the PNG is shown inline");
            c.goto(&format!("{base}/agent/tickets/{number}")).await.unwrap();

            // Reply with a canned reply, edited before sending: the mail
            // reaches the customer, the ticket is Beantwoord.
            c.execute(
                "const s = document.getElementById('canned');\
                 s.value = [...s.options].find(o => o.text === 'Geen geautoriseerde contactpersoon').value;",
                vec![],
            )
            .await
            .unwrap();
            click(&c, "#canned-form button[type='submit']").await;
            wait_text(&c, "niet geregistreerd als geautoriseerde contactpersoon").await;
            let reply = c.find(Locator::Id("reply-text")).await.unwrap();
            reply.send_keys("\nWij hebben de koppeling alvast opnieuw gestart.").await.unwrap();
            click(&c, "#reply-form button[type='submit']:not([name])").await;
            wait_text(&c, "id=\"ticket-status\">Beantwoord<").await;
            assert_eq!(text_of(&c, "ticket-status").await, "Beantwoord");
            let body = mail_with(&capture, &customer, "alvast opnieuw gestart");
            assert!(body.contains(&number) && body.contains("Beste Jan Klant"), "{body}");

            // Ask for information until a chosen date: Uitgesteld, Wacht op reactie.
            c.execute(
                "document.querySelectorAll('details').forEach(d => d.open = true);\
                 document.getElementById('ask-until').value = arguments[0];",
                vec![serde_json::json!(in_days(10))],
            )
            .await
            .unwrap();
            fill(&c, "ask-text", "Welke versie van de koppeling gebruikt u?").await;
            click(&c, "#ask-form button[type='submit']").await;
            wait_text(&c, "id=\"ticket-status\">Uitgesteld<").await;
            assert_eq!(text_of(&c, "ticket-status").await, "Uitgesteld");
            assert_eq!(text_of(&c, "ticket-department").await, "Wacht op reactie");
            assert_eq!(text_of(&c, "ticket-postponed").await, in_days_dutch(10));

            // Transfer to Gepland with version 8.4.1.
            c.execute(
                "document.querySelectorAll('details').forEach(d => d.open = true);\
                 document.getElementById('transfer-department').value = 'planned';",
                vec![],
            )
            .await
            .unwrap();
            fill(&c, "transfer-version", "8.4.1").await;
            click(&c, "#transfer-form button[type='submit']").await;
            wait_text(&c, "id=\"ticket-department\">Gepland<").await;
            assert_eq!(text_of(&c, "ticket-department").await, "Gepland");
            assert_eq!(text_of(&c, "ticket-release").await, "8.4.1");

            // A second agent opens the same ticket: each sees the other.
            let profile = tempfile::tempdir().unwrap();
            let d = super::portal_e2e::browser(&webdriver2, profile.path()).await;
            d.goto(&format!("{base}/agent/inloggen")).await.unwrap();
            fill(&d, "email", "bram@leverancier.nl").await;
            fill(&d, "password", PASSWORD).await;
            submit(&d, "/agent/inloggen").await;
            wait_url(&d, "/agent").await;
            d.goto(&format!("{base}/agent/tickets/{number}")).await.unwrap();
            wait_text(&c, "<strong>Bram Beheer</strong>").await;
            wait_text(&d, "<strong>Anna de Vries</strong>").await;
            let _ = d.close().await;

            // A phone ticket for a new caller: the confirmation reaches them.
            let caller = format!("beller.{number}@gemeente-noord.nl");
            let mut phone = Vec::new();
            for subject in ["Telefonisch: export faalt", "Telefonisch: nog een vraag"] {
                c.goto(&format!("{base}/agent/telefoon")).await.unwrap();
                fill(&c, "email", &caller).await;
                fill(&c, "name", "Bea Beller").await;
                fill(&c, "subject", subject).await;
                fill(&c, "message", "Belde om 10:15 over de kwartaalexport.").await;
                click(&c, "#phone-form button[type='submit']").await;
                wait_text(&c, &format!("{subject}</h1>")).await;
                let url = c.current_url().await.unwrap();
                let n = url.path().rsplit('/').next().unwrap().to_owned();
                mail_with(&capture, &caller, &n);
                phone.push(n);
            }
            // Merge the second into the first; the first keeps its number.
            c.execute("document.querySelectorAll('details').forEach(d => d.open = true);", vec![])
                .await
                .unwrap();
            fill(&c, "merge-into", &phone[0]).await;
            click(&c, "#merge-form input[name='zeker']").await;
            click(&c, "#merge-form button[type='submit']").await;
            wait_url(&c, &format!("/agent/tickets/{}?gedaan=samenvoegen", phone[0])).await;
            let thread = c.source().await.unwrap();
            assert_eq!(thread.matches("Belde om 10:15").count(), 2, "both calls in one thread");
            // Move the caller's tickets to the municipality's service desk.
            c.execute("document.querySelectorAll('details').forEach(d => d.open = true);", vec![])
                .await
                .unwrap();
            let desk = format!("servicedesk.{number}@gemeente-noord.nl");
            fill(&c, "move-to", &desk).await;
            click(&c, "#move-form input[name='zeker']").await;
            click(&c, "#move-form button[type='submit']").await;
            wait_text(&c, &format!("<br>{desk}</p>")).await;

            // The mailboxes page shows today's good fetch of the IMAP mailbox.
            c.goto(&format!("{base}/agent/beheer/postvakken")).await.unwrap();
            wait_text(&c, "id=\"mailboxes\"").await;
            let today = loket_core::time::Zone::default().date(chrono::Utc::now());
            assert!(c.source().await.unwrap().contains(&today), "a fetch today");

            c.goto(&format!("{base}/agent")).await.unwrap();
            wait_text(&c, "Gepland").await;
            shot(&c, &shots, "agent-overview").await;

            // The same automated accessibility check as the portal's pages,
            // in both languages and at desktop and phone width.
            for path in [
                "/agent".to_owned(),
                "/agent/wachtrij/helpdesk".to_owned(),
                format!("/agent/tickets/{number}"),
                format!("/agent/tickets/{}", phone[0]),
                "/agent/zoeken?q=koppeling".to_owned(),
                "/agent/telefoon?zoek=gemeente".to_owned(),
                "/agent/beheer/postvakken".to_owned(),
                "/agent/beheer/labels".to_owned(),
                "/agent/beheer/organisaties".to_owned(),
                "/agent/beheer/contacten?zoek=gemeente".to_owned(),
                "/agent/beheer/geblokkeerd".to_owned(),
            ] {
                super::portal_a11y::check_page(&c, &base, &path, &mut failures).await;
            }
            assert!(failures.is_empty(), "axe-core found:\n{}", failures.join("\n"));
        })
        .await;
    });
    server.stop();
    assert!(shots.join("agent-ticket-desktop.png").exists());
}

/// `loket agent set-password`: the password comes on standard input, never
/// as an argument.
pub(crate) fn set_password(cfg: &str, data: &std::path::Path, email: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["--config", cfg, "agent", "set-password", "--email", email])
        .env("LOKET_DATA_DIR", data)
        .env_remove("LOKET_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
}

fn base64_lines(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A day `days` from now in Amsterdam, as the date picker takes it.
fn in_days(days: i64) -> String {
    loket_core::time::Zone::default().day(chrono::Utc::now() + chrono::Duration::days(days))
}

/// The same day as the page shows it.
fn in_days_dutch(days: i64) -> String {
    loket_core::time::Zone::default().date(chrono::Utc::now() + chrono::Duration::days(days))
}
