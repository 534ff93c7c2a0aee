//! The forum end to end in headless Chromium against the real `loket serve`
//! with the SMTP sink: an admin adds a category in the workspace; a contact
//! registers and starts a topic; another contact replies; an agent marks the
//! reply as the solution; the first contact's follower mails (the reply and
//! the solution) arrive at the SMTP server, and the unsubscribe link in them
//! works. The forum and moderation pages pass axe-core.

use super::agent_e2e::{PASSWORD, click, mail_with, set_password};
use super::portal_e2e::{BrowserEnv, browser_env, fill, mail_link, shot, submit, wait_text, wait_url, with_browser};
use super::{Server, loket, stdout};
use fantoccini::Client;

/// Registers `email` on the portal by the mailed link; ends logged in.
pub(crate) async fn register(c: &Client, base: &str, capture: &str, email: &str) {
    c.goto(&format!("{base}/toegang")).await.unwrap();
    fill(c, "email", email).await;
    submit(c, "/toegang").await;
    wait_text(c, "spam").await;
    let link = mail_link(capture, email, "/toegang/");
    c.goto(&link).await.unwrap();
    fill(c, "password", "een-lang-wachtwoord").await;
    fill(c, "repeat", "een-lang-wachtwoord").await;
    submit(c, link.trim_start_matches(base)).await;
    wait_url(c, "/mijn?welkom=1").await;
}

/// Signs a staff member in to the workspace.
async fn sign_in(c: &Client, base: &str, email: &str) {
    c.goto(&format!("{base}/agent/inloggen")).await.unwrap();
    fill(c, "email", email).await;
    fill(c, "password", PASSWORD).await;
    submit(c, "/agent/inloggen").await;
    wait_url(c, "/agent").await;
}

/// A server with one staff member (`role`, password [`PASSWORD`]) and mail to
/// the sink; answers the server and its base URL.
pub(crate) fn staff_server(
    dir: &tempfile::TempDir,
    data: &std::path::Path,
    smtp: &str,
    email: &str,
    name: &str,
    role: &str,
) -> (Server, String) {
    let cfg = dir.path().join("loket.toml");
    std::fs::write(&cfg, "").unwrap();
    let cfg = cfg.to_str().unwrap().to_owned();
    let add = [
        "--config", &cfg, "agent", "add", "--email", email, "--name", name, "--role", role,
    ];
    stdout(&loket(data, &add));
    set_password(&cfg, data, email);
    let server = Server::start_with_env(data, &[("LOKET_SMTP_URL", smtp)]);
    let base = format!("http://{}", server.addr);
    (server, base)
}

#[test]
fn a_topic_a_reply_and_a_marked_solution_reach_the_follower_by_mail_in_chromium() {
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
    let admin = format!("forumbeheer.{run}@leverancier.nl");
    let (server, base) = staff_server(&dir, &data, &smtp, &admin, "Fenna Forum", "admin");
    let anna = format!("anna.forum.{run}@gemeente-aa.nl");
    let bert = format!("bert.forum.{run}@gemeente-bee.nl");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (b, cap, a, bb, wd) = (
        base.clone(),
        capture.clone(),
        anna.clone(),
        bert.clone(),
        webdriver.clone(),
    );
    rt.block_on(with_browser(&webdriver, move |c| async move {
        let (base, capture, anna, bert, webdriver) = (b, cap, a, bb, wd);
        let mut failures = Vec::new();
        // The admin adds a category.
        sign_in(&c, &base, &admin).await;
        c.goto(&format!("{base}/agent/forum")).await.unwrap();
        fill(&c, "cat-name", "Koppelingen").await;
        fill(&c, "cat-description", "StUF, API en berichtenverkeer").await;
        submit(&c, "/agent/forum").await;
        wait_text(&c, "<li>Koppelingen (0)</li>").await;

        // Anna registers and starts a topic (she follows it).
        let profile = tempfile::tempdir().unwrap();
        let a = super::portal_e2e::browser(&webdriver, profile.path()).await;
        register(&a, &base, &capture, &anna).await;
        a.goto(&format!("{base}/forum")).await.unwrap();
        click(&a, "#categories a").await;
        wait_text(&a, "Nieuw onderwerp").await;
        let category = a.current_url().await.unwrap().path().to_owned();
        fill(&a, "subject", "Berichten blijven hangen").await;
        fill(
            &a,
            "message",
            "Sinds de update blijven **StUF-berichten** in de wachtrij staan.",
        )
        .await;
        submit(&a, &category).await;
        wait_text(&a, "Uw bericht is geplaatst.").await;
        wait_text(&a, "U volgt dit onderwerp").await;
        let topic = a.current_url().await.unwrap().path().to_owned();
        assert!(a.source().await.unwrap().contains("<strong>StUF-berichten</strong>"));

        // Bert registers and replies.
        let profile_b = tempfile::tempdir().unwrap();
        let bb = super::portal_e2e::browser(&webdriver, profile_b.path()).await;
        register(&bb, &base, &capture, &bert).await;
        bb.goto(&format!("{base}{topic}")).await.unwrap();
        fill(&bb, "message", "Bij ons hielp het om de koppeling opnieuw te starten.").await;
        submit(&bb, &topic).await;
        wait_text(&bb, "opnieuw te starten").await;
        let _ = bb.close().await;

        // The admin marks Bert's reply as the solution.
        let id = topic.rsplit('/').next().unwrap().to_owned();
        c.goto(&format!("{base}/agent/forum/{id}")).await.unwrap();
        click(&c, "button[value='solution']").await;
        wait_text(&c, "gemarkeerd als oplossing").await;
        super::portal_a11y::check_page(&c, &base, &format!("/agent/forum/{id}"), &mut failures).await;
        super::portal_a11y::check_page(&c, &base, "/agent/forum", &mut failures).await;

        // Anna sees the solution, with the staff's pages and the forum's passing axe.
        a.goto(&format!("{base}{topic}")).await.unwrap();
        wait_text(&a, "class=\"tag solved\"").await;
        shot(&a, &shots, "forum-topic").await;
        for page in [
            "/forum".to_owned(),
            category.clone(),
            topic.clone(),
            "/forum/zoeken?q=koppeling".to_owned(),
        ] {
            super::portal_a11y::check_page(&a, &base, &page, &mut failures).await;
        }
        let found = {
            a.goto(&format!("{base}/forum/zoeken?q=wachtrij&lang=nl"))
                .await
                .unwrap();
            a.source().await.unwrap()
        };
        assert!(found.contains("Berichten blijven hangen"), "search finds the topic");

        // Anna's mails: the reply and the solution, each with a way out.
        let reply = mail_with(&capture, &anna, "reageerde op het forum");
        assert!(
            reply.contains("opnieuw te starten") && reply.contains(&format!("{base}{topic}")),
            "{reply}"
        );
        let solution = mail_with(&capture, &anna, "gemarkeerd als de oplossing");
        let off = solution
            .split_whitespace()
            .find(|w| w.contains("/forum/afmelden/"))
            .expect("an unsubscribe link")
            .to_owned();
        a.goto(&off).await.unwrap();
        super::portal_a11y::check_page(&a, &base, off.trim_start_matches(&base), &mut failures).await;
        a.goto(&format!("{off}?lang=nl")).await.unwrap();
        submit(&a, off.trim_start_matches(&base)).await;
        wait_text(&a, "U bent afgemeld").await;
        a.goto(&format!("{base}{topic}")).await.unwrap();
        wait_text(&a, "Volg dit onderwerp").await;
        let _ = a.close().await;
        assert!(failures.is_empty(), "axe-core found:\n{}", failures.join("\n"));
    }));
    assert!(
        !mail_with(&capture, &bert, "gemarkeerd als de oplossing").is_empty(),
        "Bert follows what he replied to"
    );
    server.stop();
}
