//! The outage page end to end in headless Chromium against the real
//! `loket serve` with the SMTP sink: three visitors subscribe, two confirm
//! by the mailed link; an agent publishes an incident in the workspace; its
//! banner shows on every portal page; each update reaches the two confirmed
//! subscribers and nothing reaches the unconfirmed one; the feed parses as
//! Atom (`atom_syndication`); the pages pass axe-core.

use super::agent_e2e::{PASSWORD, click};
use super::http::request;
use super::portal_e2e::{BrowserEnv, browser_env, fill, mail_link, shot, submit, wait_text, wait_url, with_browser};
use fantoccini::Locator;
use std::time::{Duration, Instant};

/// How many mails in the sink's folder went to `rcpt` and contain `text`.
fn count_mails(capture: &str, rcpt: &str, text: &str) -> usize {
    std::fs::read_dir(capture)
        .unwrap()
        .filter(|e| {
            let raw = std::fs::read(e.as_ref().unwrap().path()).unwrap();
            mail_parser::MessageParser::default().parse(&raw).is_some_and(|m| {
                m.header_raw("X-Rcpt-Args").is_some_and(|r| r.contains(rcpt))
                    && m.body_text(0).unwrap_or_default().contains(text)
            })
        })
        .count()
}

/// A header of a mail to `rcpt` containing `text`.
fn header_of(capture: &str, rcpt: &str, text: &str, header: &str) -> Option<String> {
    std::fs::read_dir(capture).unwrap().find_map(|e| {
        let raw = std::fs::read(e.unwrap().path()).unwrap();
        let m = mail_parser::MessageParser::default().parse(&raw)?;
        let ours = m.header_raw("X-Rcpt-Args").is_some_and(|r| r.contains(rcpt))
            && m.body_text(0).unwrap_or_default().contains(text);
        if ours {
            m.header_raw(header).map(|h| h.trim().to_owned())
        } else {
            None
        }
    })
}

/// Waits until `rcpt` has `n` mails containing `text`.
fn wait_mails(capture: &str, rcpt: &str, text: &str, n: usize) {
    let started = Instant::now();
    loop {
        let got = count_mails(capture, rcpt, text);
        if got >= n {
            assert_eq!(got, n, "{rcpt}: more than {n} mails with {text:?}");
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{rcpt}: {got} of {n} mails with {text:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn an_incident_shows_a_banner_everywhere_and_reaches_confirmed_subscribers_in_chromium() {
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
    let run = std::process::id();
    let agent = format!("storing.{run}@leverancier.nl");
    let (server, base) = super::forum_e2e::staff_server(&dir, &data, &smtp, &agent, "Sanne Storing", "agent");
    let subscribers: Vec<String> = ["een", "twee", "drie"]
        .iter()
        .map(|n| format!("abonnee.{n}.{run}@gemeente.nl"))
        .collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (b, cap, subs) = (base.clone(), capture.clone(), subscribers.clone());
    rt.block_on(with_browser(&webdriver, move |c| async move {
        let (base, capture, subscribers) = (b, cap, subs);
        let mut failures = Vec::new();
        // Three subscribe; the first two confirm by the mailed link (a page with a button).
        for (i, who) in subscribers.iter().enumerate() {
            c.goto(&format!("{base}/storingen")).await.unwrap();
            fill(&c, "subscribe-email", who).await;
            submit(&c, "/storingen/abonneren").await;
            wait_text(&c, "ongewenste e-mail").await;
            let link = mail_link(&capture, who, "/storingen/bevestigen/");
            if i < 2 {
                c.goto(&link).await.unwrap();
                if i == 0 {
                    let path = link.trim_start_matches(&base).to_owned();
                    super::portal_a11y::check_page(&c, &base, &path, &mut failures).await;
                    c.goto(&format!("{link}?lang=nl")).await.unwrap();
                }
                submit(&c, link.trim_start_matches(&base)).await;
                wait_text(&c, "Uw aanmelding is bevestigd").await;
            }
        }
        // The agent publishes an incident in the workspace.
        c.goto(&format!("{base}/agent/inloggen")).await.unwrap();
        fill(&c, "email", &agent).await;
        fill(&c, "password", PASSWORD).await;
        submit(&c, "/agent/inloggen").await;
        wait_url(&c, "/agent").await;
        c.goto(&format!("{base}/agent/storingen")).await.unwrap();
        fill(&c, "title", "Koppelingen traag").await;
        fill(&c, "body", "Wij onderzoeken waarom de StUF-koppeling traag is.").await;
        submit(&c, "/agent/storingen").await;
        wait_text(&c, "Koppelingen traag <small>").await;
        let source = c.source().await.unwrap();
        super::portal_a11y::check_page(&c, &base, "/agent/storingen", &mut failures).await;
        let id: String = source
            .split("action=\"/agent/storingen/")
            .nth(1)
            .unwrap()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();

        // The banner is on every portal page.
        for page in [
            "/",
            "/mijn",
            "/inloggen",
            "/toegang",
            "/wijzigingen",
            "/forum",
            "/storingen",
        ] {
            c.goto(&format!("{base}{page}?lang=nl")).await.unwrap();
            let banner = c
                .find(Locator::Id("outage-banner"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert_eq!(banner, "Storing: Koppelingen traag (onderzoek)", "{page}");
        }
        shot(&c, &shots, "outage-page").await;
        super::portal_a11y::check_page(&c, &base, "/storingen", &mut failures).await;

        // Two updates: monitoring, then resolved.
        for (state, text) in [
            ("monitoring", "De koppeling is hersteld; wij houden het in de gaten."),
            ("resolved", "Opgelost."),
        ] {
            c.goto(&format!("{base}/agent/storingen?lang=nl")).await.unwrap();
            c.find(Locator::Id(&format!("state-{id}")))
                .await
                .unwrap()
                .select_by_value(state)
                .await
                .unwrap();
            fill(&c, &format!("update-{id}"), text).await;
            click(
                &c,
                &format!("form[action='/agent/storingen/{id}'] button[type='submit']"),
            )
            .await;
            wait_url(&c, "/agent/storingen").await;
            wait_text(&c, "Storingspagina").await;
        }
        c.goto(&format!("{base}/?lang=nl")).await.unwrap();
        assert!(
            c.find(Locator::Id("outage-banner")).await.is_err(),
            "resolved: no banner"
        );
        assert!(failures.is_empty(), "axe-core found:\n{}", failures.join("\n"));
    }));

    // Each confirmed subscriber gets every update (three), with a way out;
    // the unconfirmed one gets only the confirmation request.
    for who in &subscribers[..2] {
        wait_mails(&capture, who, "Alles over storingen en onderhoud", 3);
        assert!(count_mails(&capture, who, "/storingen/afmelden/") == 3);
        let list = header_of(&capture, who, "Alles over storingen", "List-Unsubscribe").expect("List-Unsubscribe");
        assert!(
            list.starts_with("<http://") && list.contains("/storingen/afmelden/"),
            "{list}"
        );
    }
    assert_eq!(count_mails(&capture, &subscribers[2], "Alles over storingen"), 0);
    assert_eq!(count_mails(&capture, &subscribers[2], "/storingen/bevestigen/"), 1);

    // The feed is Atom: one entry per update, the newest first.
    let (status, feed) = request(&server.addr, "GET", "/storingen/feed.atom", None, None).unwrap();
    assert_eq!(status, 200);
    let feed: atom_syndication::Feed = feed.as_str().unwrap().parse().expect("an Atom feed");
    assert_eq!(feed.entries().len(), 3);
    assert!(
        feed.entries()[0].title().as_str().contains("opgelost"),
        "{:?}",
        feed.entries()[0].title()
    );
    assert!(
        feed.entries()
            .iter()
            .all(|e| !e.id().is_empty() && e.links().iter().any(|l| l.href().contains("/storingen")))
    );
    server.stop();
}
