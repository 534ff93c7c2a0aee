//! The forum through its pages: contacts start topics and reply (Markdown
//! made safe, files, the privacy check), followers are mailed, staff mark
//! the solution and moderate; hidden topics, moderation and bans refuse
//! whoever may not.

use super::agent::{Browser, signed_in, staff};
use super::client::{App, Page, multipart_files};
use super::portal::form_token;
use axum::http::StatusCode;
use loket_core::*;

/// A logged-in contact's browser.
async fn contact<'a>(app: &'a App, email: &str, name: &str) -> Browser<'a> {
    let admin = app.staff("beheer@leverancier.nl", Role::Admin).await;
    let c = app.service.create_contact(&admin, email, name).await.unwrap();
    let session = app.service.start_session(c.id).await.unwrap();
    let mut b = Browser::new(app);
    b.cookies.push(("loket_session".into(), session));
    b.go("GET", "/forum", None).await;
    b
}

/// Posts a portal form with files (as browsers do) from the page at `from`.
async fn post_multipart(
    b: &mut Browser<'_>,
    from: &str,
    to: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> Page {
    let page = b.go("GET", from, None).await;
    let token = form_token(&page.body);
    let mut all = vec![("csrf", token.as_str())];
    all.extend_from_slice(fields);
    let (ct, body) = multipart_files(&all, files);
    let cookie = b.header();
    b.app.raw_body("POST", to, &ct, body, Some(&cookie)).await
}

fn outbox_to(mails: &[(OutboxId, OutboxMail)], kind: MailKind) -> Vec<String> {
    let mut to: Vec<String> = mails
        .iter()
        .filter(|(_, m)| m.kind == kind)
        .map(|(_, m)| m.to.clone())
        .collect();
    to.sort();
    to
}

#[tokio::test]
async fn contacts_post_and_follow_staff_mark_the_solution_and_moderate() {
    let app = App::new().await;
    let admin_email = staff(&app, "piet@leverancier.nl", Role::Admin).await;
    let mut admin = signed_in(&app, &admin_email).await;
    let made = admin
        .post(
            "/agent/forum",
            "/agent/forum",
            "action=category&name=Koppelingen&description=StUF+en+API",
        )
        .await;
    assert_eq!(made.location.as_deref(), Some("/agent/forum"));
    let again = admin
        .post("/agent/forum", "/agent/forum", "action=category&name=Koppelingen")
        .await;
    assert!(
        again.body.contains("Er is al een categorie met de naam Koppelingen."),
        "{}",
        again.body
    );
    let cat = app.service.forum_categories().await.unwrap()[0].id;

    // Jan starts a topic: Markdown is rendered, script is not.
    let mut jan = contact(&app, "jan@zuid.nl", "Jan Jansen").await;
    let category = format!("/forum/c/{cat}");
    let started = post_multipart(
        &mut jan,
        &category,
        &category,
        &[
            ("subject", "Koppeling valt weg"),
            ("message", "Sinds **vanochtend** <script>alert(1)</script>"),
        ],
        &[("log.txt", b"regel 1")],
    )
    .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let topic_url = started.location.unwrap().split('?').next().unwrap().to_owned();
    let id: i64 = topic_url.rsplit('/').next().unwrap().parse().unwrap();
    let page = jan.go("GET", &topic_url, None).await;
    assert!(page.body.contains("<strong>vanochtend</strong>") && !page.body.contains("<script>alert"));
    assert!(page.body.contains("Jan Jansen"));
    assert!(page.body.contains("U volgt dit onderwerp"), "the starter follows it");
    let file = app.service.forum_topic(None, id).await.unwrap().posts[0].files[0].id;
    let anonymous = app.page("GET", &format!("/forum/bijlage/{file}"), None, None).await;
    assert_eq!(anonymous.status, StatusCode::OK);
    assert_eq!(anonymous.body, "regel 1");

    // Personal data stops the post; nothing is stored.
    let stopped = post_multipart(
        &mut jan,
        &topic_url,
        &topic_url,
        &[("message", "Het gaat om BSN 123456782")],
        &[],
    )
    .await;
    assert_eq!(stopped.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        stopped.body.contains("persoonsgegevens horen er niet op"),
        "{}",
        stopped.body
    );
    assert!(
        !stopped.body.contains("name=\"anyway\""),
        "no sending anyway on a public forum"
    );
    assert_eq!(app.service.forum_topic(None, id).await.unwrap().posts.len(), 1);

    // Kees replies: Jan is mailed, Kees is not.
    let mut kees = contact(&app, "kees@noord.nl", "Kees").await;
    let replied = post_multipart(
        &mut kees,
        &topic_url,
        &topic_url,
        &[("message", "Herstart de koppeling.")],
        &[],
    )
    .await;
    assert_eq!(replied.status, StatusCode::SEE_OTHER, "{}", replied.body);
    let mails = app.service.store().pending_outbox(100).await.unwrap();
    assert_eq!(outbox_to(&mails, MailKind::ForumReply), vec!["jan@zuid.nl"]);
    let reply = app.service.forum_topic(None, id).await.unwrap().posts[1].id;

    // Kees may not mark the solution; staff may; followers are mailed.
    let denied = kees
        .post(&topic_url, &format!("{topic_url}/oplossing"), &format!("post={reply}"))
        .await;
    assert_eq!(denied.status, StatusCode::NOT_FOUND);
    let admin_topic = format!("/agent/forum/{id}");
    let marked = admin
        .post(&admin_topic, &admin_topic, &format!("action=solution&post={reply}"))
        .await;
    assert_eq!(marked.location.as_deref(), Some(admin_topic.as_str()));
    let mails = app.service.store().pending_outbox(100).await.unwrap();
    assert_eq!(
        outbox_to(&mails, MailKind::ForumSolution),
        vec!["jan@zuid.nl", "kees@noord.nl"]
    );
    let staff_reply = admin
        .post(&admin_topic, &admin_topic, "action=reply&body=Opgelost+in+**8.4.2**.")
        .await;
    assert_eq!(staff_reply.status, StatusCode::SEE_OTHER);
    let page = app.page("GET", &topic_url, None, None).await;
    assert!(page.body.contains("class=\"tag staff\">Helpdesk<") && page.body.contains("class=\"tag solved\""));

    // Search finds it by a word of the reply.
    let found = app.page("GET", "/forum/zoeken?q=herstarten", None, None).await;
    assert!(found.body.contains("Koppeling valt weg"), "{}", found.body);

    // Moderation refuses contacts and anonymous visitors.
    for who in [Some(jan.header()), None] {
        let token = form_token(&jan.go("GET", &topic_url, None).await.body);
        let p = app
            .page(
                "POST",
                &admin_topic,
                Some(&format!("csrf={token}&action=hide")),
                who.as_deref(),
            )
            .await;
        assert_eq!(p.location.as_deref(), Some("/agent/inloggen"));
        assert_eq!(
            app.page("GET", "/agent/forum", None, who.as_deref())
                .await
                .location
                .as_deref(),
            Some("/agent/inloggen")
        );
    }

    // Locked: no replies.
    admin.post(&admin_topic, &admin_topic, "action=lock").await;
    let locked = post_multipart(&mut jan, &category, &topic_url, &[("message", "Nog één ding")], &[]).await;
    assert_eq!(locked.status, StatusCode::CONFLICT);
    assert!(locked.body.contains("gesloten"));
    admin.post(&admin_topic, &admin_topic, "action=unlock").await;

    // A banned contact cannot post, and is told why.
    let kees_id = app
        .service
        .store()
        .contact_by_email("kees@noord.nl")
        .await
        .unwrap()
        .unwrap()
        .id;
    let no_reason = admin
        .post(
            &admin_topic,
            &admin_topic,
            &format!("action=ban&contact={}&reason=", kees_id.0),
        )
        .await;
    assert!(no_reason.body.contains("Geef een reden"), "{}", no_reason.body);
    admin
        .post(
            &admin_topic,
            &admin_topic,
            &format!("action=ban&contact={}&reason=Reclame", kees_id.0),
        )
        .await;
    let banned = post_multipart(&mut kees, &category, &topic_url, &[("message", "Koop printers")], &[]).await;
    assert_eq!(banned.status, StatusCode::FORBIDDEN);
    assert!(banned.body.contains("U kunt niet meer op het forum schrijven"));
    let new_topic = post_multipart(
        &mut kees,
        &category,
        &category,
        &[("subject", "Te koop"), ("message", "Printers")],
        &[],
    )
    .await;
    assert_eq!(new_topic.status, StatusCode::FORBIDDEN);
    assert!(
        admin
            .go("GET", "/agent/forum", None)
            .await
            .body
            .contains("kees@noord.nl: Reclame")
    );

    // Hidden: gone for contacts and visitors (page, list, search, file), there for staff.
    admin.post(&admin_topic, &admin_topic, "action=hide").await;
    for who in [Some(jan.header()), None] {
        for path in [topic_url.clone(), format!("/forum/bijlage/{file}")] {
            let p = app.page("GET", &path, None, who.as_deref()).await;
            assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}");
        }
        assert!(
            !app.page("GET", &category, None, who.as_deref())
                .await
                .body
                .contains("Koppeling valt weg")
        );
        assert!(
            !app.page("GET", "/forum/zoeken?q=koppeling", None, who.as_deref())
                .await
                .body
                .contains("Koppeling valt weg")
        );
    }
    let history = admin.go("GET", &admin_topic, None).await;
    assert_eq!(history.status, StatusCode::OK);
    for step in [
        "als oplossing",
        "gesloten",
        "heropend",
        "onderwerp verborgen",
        "schrijver kees@noord.nl geblokkeerd",
    ] {
        assert!(history.body.contains(step), "{step}");
    }

    // A topic becomes a ticket of its starter.
    admin.post(&admin_topic, &admin_topic, "action=show").await;
    let ticket = admin.post(&admin_topic, &admin_topic, "action=ticket").await;
    let n: i64 = ticket.location.unwrap().rsplit('/').next().unwrap().parse().unwrap();
    let t = app
        .service
        .store()
        .ticket_by_number(TicketNumber(n))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.subject, "Koppeling valt weg");
}

#[tokio::test]
async fn a_forum_for_contacts_only_sends_visitors_to_the_login_and_back() {
    let portal = loket_web::PortalSettings {
        forum_public: false,
        ..loket_web::PortalSettings::default()
    };
    let app = App::with(loket_core::service::Limits::default(), portal).await;
    let admin = app.staff("beheer@leverancier.nl", Role::Admin).await;
    let cat = app.service.create_forum_category(&admin, "Algemeen", "").await.unwrap();
    for path in [
        "/forum".to_owned(),
        format!("/forum/c/{}", cat.id),
        "/forum/zoeken?q=x".into(),
    ] {
        let p = app.page("GET", &path, None, None).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{path}");
        assert!(p.location.unwrap().starts_with("/inloggen?terug=/forum"));
    }
    let login = app
        .page("GET", &format!("/inloggen?terug=/forum/c/{}", cat.id), None, None)
        .await;
    assert!(
        login.body.contains(&format!("value=\"/forum/c/{}\"", cat.id)),
        "the login comes back"
    );
    let mut jan = contact(&app, "jan@zuid.nl", "Jan").await;
    assert_eq!(jan.go("GET", "/forum", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_contact_chooses_the_name_their_posts_show() {
    let app = App::new().await;
    let admin = app.staff("beheer@leverancier.nl", Role::Admin).await;
    let cat = app.service.create_forum_category(&admin, "Algemeen", "").await.unwrap();
    let mut jan = contact(&app, "jan@zuid.nl", "").await;
    let refused = jan.post("/forum", "/forum/naam", "name=jan%40zuid.nl").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Gebruik alleen letters"), "{}", refused.body);
    let saved = jan.post("/forum", "/forum/naam", "name=Jan++de+Vries").await;
    assert_eq!(saved.location.as_deref(), Some("/forum?naam=1"));
    let category = format!("/forum/c/{}", cat.id);
    let started = post_multipart(
        &mut jan,
        &category,
        &category,
        &[("subject", "Vraag"), ("message", "Hoe?")],
        &[],
    )
    .await;
    let topic = started.location.unwrap();
    let page = app.page("GET", &topic, None, None).await;
    assert!(page.body.contains("<strong>Jan de Vries</strong>"), "{}", page.body);
    assert!(!page.body.contains("jan@zuid.nl"));
    let kept = app
        .service
        .store()
        .contact_by_email("jan@zuid.nl")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.name, "", "the name staff keep stays as it was");
    let odd = jan.post("/forum", "/forum/naam", "name=Jan+%C3%97+Piet").await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY, "× is no letter");
}
