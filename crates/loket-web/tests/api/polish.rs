//! The portal as a Dutch customer expects it: Dutch time, one ticket per
//! form however often it is sent, the organisation view and its isolation,
//! authorship by channel and status texts that promise only what applies.

use super::client::App;
use super::portal::{access_link, csrf_of, multipart, session_of, ticket};
use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use loket_core::service::{Actor, CreateTicket, Reply};
use loket_core::*;
use serde_json::json;

async fn admin(app: &App) -> Actor {
    Actor::Staff(
        app.service
            .store()
            .staff_by_email("admin@leverancier.nl")
            .await
            .unwrap()
            .unwrap(),
    )
}

/// Registers `email` on the portal and answers the Cookie header of its session.
pub async fn login(app: &App, email: &str) -> String {
    let (csrf, c) = csrf_of(&app.page("GET", "/toegang", None, None).await);
    let form = format!("csrf={csrf}&email={}", email.replace('@', "%40"));
    app.page("POST", "/toegang", Some(&form), Some(&c)).await;
    let url = format!("/toegang/{}", access_link(app, email).await);
    let pw = "paars-fietsje-onder-de-brug";
    let ok = app
        .page(
            "POST",
            &url,
            Some(&format!("csrf={csrf}&password={pw}&repeat={pw}")),
            Some(&c),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    format!("{c}; loket_session={}", session_of(&ok.cookies))
}

#[tokio::test]
async fn times_are_shown_in_dutch_time_with_daylight_saving() {
    let app = App::new().await;
    let admin = admin(&app).await;
    // 23:14 UTC on 27 March 2026 is 00:14 on the 28th in winter time (UTC+1).
    app.clock.set(Utc.with_ymd_and_hms(2026, 3, 27, 23, 14, 0).unwrap());
    let (t, token) = ticket(&app, "tijd@gemeente.nl", "Tijd").await;
    // 22:30 UTC on 1 July is 00:30 on 2 July in summer time (UTC+2).
    app.clock.set(Utc.with_ymd_and_hms(2026, 7, 1, 22, 30, 0).unwrap());
    app.service
        .agent_reply(&admin, t.number, Reply::text("Zomertijd"))
        .await
        .unwrap();
    let p = app.page("GET", &format!("/t/{}/{token}", t.number), None, None).await;
    assert!(p.body.contains("00:14") && !p.body.contains("23:14"), "winter time");
    assert!(p.body.contains("00:30") && !p.body.contains("22:30"), "summer time");
    assert!(
        p.body.contains("28-03-2026") || p.body.contains("28 maart 2026"),
        "the Dutch date"
    );
}

/// Sends the ticket form with this address and message; answers the number
/// of the ticket the confirmation page will show (from its sealed cookie).
async fn send_form(app: &App, csrf: &str, cookie: &str, email: &str, message: &str) -> String {
    let fields = [
        ("csrf", csrf),
        ("email", email),
        ("subject", "Dubbel verstuurd"),
        ("message", message),
    ];
    let (ct, body) = multipart(&fields, None);
    let sent = app.raw_body("POST", "/tickets/new", &ct, body, Some(cookie)).await;
    assert_eq!(sent.location.as_deref(), Some("/verstuurd"));
    sent.cookies
        .iter()
        .find_map(|c| c.strip_prefix("loket_verstuurd="))
        .and_then(|c| c.split('.').next())
        .expect("the sealed number")
        .to_owned()
}

#[tokio::test]
async fn a_form_sent_again_makes_no_second_ticket() {
    let app = App::new().await;
    let (csrf, cookie) = csrf_of(&app.page("GET", "/", None, None).await);
    // A double click, a refresh, or the back button and "Versturen" again.
    let mut seals = Vec::new();
    for _ in 0..3 {
        seals.push(send_form(&app, &csrf, &cookie, "dubbel@gemeente.nl", "Eén keer bedoeld").await);
    }
    assert!(
        seals.iter().all(|n| *n == seals[0]),
        "the same ticket each time: {seals:?}"
    );
    let contact = app
        .service
        .store()
        .contact_by_email("dubbel@gemeente.nl")
        .await
        .unwrap()
        .unwrap();
    let q = loket_core::store::TicketFilter {
        requester: Some(contact.id),
        ..Default::default()
    };
    assert_eq!(app.service.store().list_tickets(&q).await.unwrap().len(), 1);
    // Another message, or someone else, makes a ticket of its own.
    let other = send_form(&app, &csrf, &cookie, "dubbel@gemeente.nl", "Nog een vraag").await;
    assert_ne!(other, seals[0]);
    let theirs = send_form(&app, &csrf, &cookie, "ander@gemeente.nl", "Eén keer bedoeld").await;
    assert_ne!(theirs, seals[0], "never another's ticket");
    // A stranger sending exactly the same text for that address learns
    // nothing: another browser makes a ticket of its own.
    let (csrf2, cookie2) = csrf_of(&app.page("GET", "/", None, None).await);
    let stranger = send_form(&app, &csrf2, &cookie2, "dubbel@gemeente.nl", "Eén keer bedoeld").await;
    assert_ne!(stranger, seals[0]);
    // The next day the same text is a new question.
    app.clock.set(app.service.now() + chrono::Duration::days(1));
    let tomorrow = send_form(&app, &csrf, &cookie, "dubbel@gemeente.nl", "Eén keer bedoeld").await;
    assert_ne!(tomorrow, seals[0]);
}

/// An organisation that shares its tickets, with two authorised contacts, one
/// who is not authorised, and a second organisation that does not share.
struct Orgs {
    /// Filed by Anna before she belonged to any organisation.
    earlier: Ticket,
    anna: Ticket,
    bert: Ticket,
    carla: Ticket,
    dirk: Ticket,
}

async fn organisations(app: &App) -> Orgs {
    let earlier = ticket(app, "anna@a.nl", "Van voor de organisatie").await.0;
    let (status, org_a) = app
        .call(
            "POST",
            "/api/v1/organisations",
            Some(json!({"name": "Gemeente A", "domains": []})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{org_a}");
    let (_, org_b) = app
        .call(
            "POST",
            "/api/v1/organisations",
            Some(json!({"name": "Gemeente B", "domains": []})),
        )
        .await;
    let (status, shared) = app
        .call(
            "PATCH",
            &format!("/api/v1/organisations/{}", org_a["id"]),
            Some(json!({"share_tickets": true})),
        )
        .await;
    assert_eq!(
        (status, &shared["share_tickets"]),
        (StatusCode::OK, &json!(true)),
        "{shared}"
    );
    let mut made = Vec::new();
    for (email, org, authorised) in [
        ("anna@a.nl", &org_a, true),
        ("bert@a.nl", &org_a, true),
        ("carla@a.nl", &org_a, false),
        ("dirk@b.nl", &org_b, true),
    ] {
        let (_, contact) = app
            .call("POST", "/api/v1/contacts", Some(json!({"email": email})))
            .await;
        let (status, v) = app
            .call(
                "PATCH",
                &format!("/api/v1/contacts/{}", contact["id"]),
                Some(json!({"organisation_id": org["id"], "authorised": authorised})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        made.push(ticket(app, email, &format!("Vraag van {email}")).await.0);
    }
    let mut made = made.into_iter();
    Orgs {
        earlier,
        anna: made.next().unwrap(),
        bert: made.next().unwrap(),
        carla: made.next().unwrap(),
        dirk: made.next().unwrap(),
    }
}

#[tokio::test]
async fn the_organisation_view_shows_shared_tickets_to_authorised_contacts_only() {
    let app = App::new().await;
    let o = organisations(&app).await;
    let see = |body: &str, t: &Ticket| body.contains(&format!("/mijn/{}", t.number));

    let anna = login(&app, "anna@a.nl").await;
    let list = app.page("GET", "/mijn", None, Some(&anna)).await.body;
    assert!(
        see(&list, &o.anna) && see(&list, &o.bert) && see(&list, &o.carla),
        "all of A's tickets"
    );
    assert!(!see(&list, &o.dirk), "never another organisation's");
    assert!(
        see(&list, &o.earlier),
        "her own tickets from before she joined stay hers"
    );
    assert!(list.contains("Ingediend door"), "who submitted each");
    let page = app
        .page("GET", &format!("/mijn/{}", o.bert.number), None, Some(&anna))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("bert@a.nl"), "the colleague is named");
    let other = app
        .page("GET", &format!("/mijn/{}", o.dirk.number), None, Some(&anna))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let found = app.page("GET", "/mijn?q=vraag", None, Some(&anna)).await.body;
    assert!(
        see(&found, &o.bert) && !see(&found, &o.dirk),
        "search keeps to the organisation"
    );

    // A contact who is not authorised sees only their own.
    let bert = login(&app, "bert@a.nl").await;
    let list = app.page("GET", "/mijn", None, Some(&bert)).await.body;
    assert!(
        see(&list, &o.earlier),
        "a joining contact's tickets become the organisation's"
    );
    let carla = login(&app, "carla@a.nl").await;
    let list = app.page("GET", "/mijn", None, Some(&carla)).await.body;
    assert!(see(&list, &o.carla) && !see(&list, &o.anna) && !see(&list, &o.bert));
    let page = app
        .page("GET", &format!("/mijn/{}", o.anna.number), None, Some(&carla))
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // An authorised contact of an organisation that does not share: own only.
    let dirk = login(&app, "dirk@b.nl").await;
    let list = app.page("GET", "/mijn", None, Some(&dirk)).await.body;
    assert!(see(&list, &o.dirk) && !see(&list, &o.anna));

    // Sharing off again: Anna is back to her own tickets.
    let org = o.anna.organisation_id.unwrap();
    app.call(
        "PATCH",
        &format!("/api/v1/organisations/{org}"),
        Some(json!({"share_tickets": false})),
    )
    .await;
    let list = app.page("GET", "/mijn", None, Some(&anna)).await.body;
    assert!(see(&list, &o.anna) && see(&list, &o.earlier) && !see(&list, &o.bert));
}

#[tokio::test]
async fn the_requester_writes_the_first_message_except_by_phone() {
    let app = App::new().await;
    let mail = app
        .ticket(json!({"subject": "Per mail", "message": "Vraag", "requester": "mail@gemeente.nl", "channel": "email"}))
        .await;
    let phone = app
        .ticket(
            json!({"subject": "Gebeld", "message": "Belde over X", "requester": "bel@gemeente.nl", "channel": "phone"}),
        )
        .await;
    let store = app.service.store();
    let first = |n: i64| async move {
        let t = store.ticket_by_number(TicketNumber(n)).await.unwrap().unwrap();
        let m = store.messages(t.id, false).await.unwrap().remove(0);
        (t, m.author)
    };
    let (t, author) = first(mail).await;
    assert_eq!(author, Author::Contact(t.requester_id));
    assert!(t.last_customer_at.is_some(), "the customer wrote it");
    let (t, author) = first(phone).await;
    assert!(matches!(author, Author::Staff(_)), "staff wrote it down");
    let secret = store.secret("follow_link").await.unwrap();
    let token = loket_mail::links::follow_token(&secret, t.id, t.requester_id, app.service.now());
    let p = app.page("GET", &format!("/t/{}/{token}", t.number), None, None).await;
    assert!(
        p.body.contains("genoteerd uit uw telefoongesprek"),
        "the portal says so"
    );
}

#[tokio::test]
async fn status_texts_promise_only_what_applies() {
    let app = App::new().await;
    let admin = admin(&app).await;
    app.clock.set(Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap());
    let (t, token) = ticket(&app, "status@gemeente.nl", "Status").await;
    let url = format!("/t/{}/{token}", t.number);
    app.service
        .ask_info(&admin, t.number, Reply::text("Welke versie?"), None)
        .await
        .unwrap();
    let p = app.page("GET", &url, None, None).await.body;
    assert!(p.contains("Wacht op uw reactie"), "what is asked");
    assert!(
        p.contains("12-12-2026") || p.contains("12 december 2026"),
        "and until when"
    );

    let (t, token) = ticket(&app, "status@gemeente.nl", "Intern").await;
    let url = format!("/t/{}/{token}", t.number);
    app.service
        .transfer(&admin, t.number, Department::InternalReview, None)
        .await
        .unwrap();
    let p = app.page("GET", &url, None, None).await.body;
    let by = app.service.now() + chrono::Duration::days(14);
    let date = loket_core::time::Zone::default().long_date(by, Lang::Nl);
    assert!(
        p.contains("wordt besproken in het intern overleg van ")
            && p.contains(&format!("; u krijgt vóór {date} een reactie")),
        "the promise while it applies, with its date: {p}"
    );
    app.service.resolve(&admin, t.number).await.unwrap();
    let p = app.page("GET", &url, None, None).await.body;
    assert!(
        p.contains("Opgelost") && !p.contains("u krijgt vóór"),
        "no promise once resolved"
    );

    // Asked for information, then taken into internal review: the wait (and
    // the automatic resolve) ends, the review's promise applies.
    let (t, token) = ticket(&app, "status@gemeente.nl", "Eerst gevraagd").await;
    let url = format!("/t/{}/{token}", t.number);
    app.service
        .ask_info(&admin, t.number, Reply::text("Welke versie?"), None)
        .await
        .unwrap();
    let moved = app
        .service
        .transfer(&admin, t.number, Department::InternalReview, None)
        .await
        .unwrap();
    assert_eq!((moved.status, moved.postponed_until), (Status::Open, None));
    let p = app.page("GET", &url, None, None).await.body;
    assert!(
        p.contains("wordt besproken in het intern overleg van") && !p.contains("Wacht op uw reactie"),
        "{p}"
    );

    // Planned work says in which version.
    let (t, token) = ticket(&app, "status@gemeente.nl", "Gepland").await;
    app.service
        .transfer(&admin, t.number, Department::Planned, Some("2027.1".into()))
        .await
        .unwrap();
    let p = app
        .page("GET", &format!("/t/{}/{token}", t.number), None, None)
        .await
        .body;
    assert!(p.contains("gepland in versie 2027.1"), "{p}");
}

#[tokio::test]
async fn portal_tickets_are_always_confirmed() {
    let app = App::new().await;
    for i in 0..8 {
        ticket(&app, "veel@gemeente.nl", &format!("Vraag {i}")).await;
    }
    let mails = app.service.store().pending_outbox(100).await.unwrap();
    let confirmations = mails
        .iter()
        .filter(|(_, m)| m.kind == MailKind::Confirmation && m.to == "veel@gemeente.nl")
        .count();
    assert_eq!(
        confirmations, 8,
        "the loop guard is for mail, not for people on the portal"
    );
}

#[tokio::test]
async fn a_ticket_page_without_a_session_asks_for_a_login_and_comes_back() {
    let app = App::new().await;
    let (t, _) = ticket(&app, "terug@gemeente.nl", "Terug").await;
    let page = format!("/mijn/{}", t.number);
    let p = app.page("GET", &page, None, None).await;
    let want = format!("/inloggen?terug={page}");
    assert_eq!(
        (p.status, p.location.as_deref()),
        (StatusCode::SEE_OTHER, Some(want.as_str()))
    );
    let cookie = login(&app, "terug@gemeente.nl").await;
    let csrf = super::portal::form_token(&app.page("GET", &want, None, Some(&cookie)).await.body);
    let pw = "paars-fietsje-onder-de-brug";
    for (terug, to) in [
        (page.as_str(), page.as_str()),
        ("https://evil.example/", "/mijn"),
        ("//evil", "/mijn"),
    ] {
        let encoded = terug.replace('/', "%2F").replace(':', "%3A");
        let form = format!("csrf={csrf}&email=terug%40gemeente.nl&password={pw}&terug={encoded}");
        let p = app.page("POST", "/inloggen", Some(&form), Some(&cookie)).await;
        assert_eq!(p.location.as_deref(), Some(to), "terug={terug}");
    }
}

#[tokio::test]
async fn downloads_keep_accented_file_names() {
    let app = App::new().await;
    let admin = admin(&app).await;
    let (t, token) = ticket(&app, "bestand@gemeente.nl", "Bestand").await;
    let reply = Reply {
        attachments: vec![loket_core::service::Upload::bytes(
            "cliëntoverzicht \"x\".csv",
            "text/csv",
            b"a;b".to_vec(),
        )],
        ..Reply::text("Zie bijlage")
    };
    app.service.agent_reply(&admin, t.number, reply).await.unwrap();
    let att = app.service.store().attachments(t.id).await.unwrap().remove(0);
    let r = app
        .request(
            axum::http::Request::get(format!("/t/{}/{token}/bijlage/{}", t.number, att.id))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    let cd = r.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(
        cd.contains("filename*=UTF-8''cli%C3%ABntoverzicht%20%22x%22.csv"),
        "{cd}"
    );
    assert!(cd.contains("filename=\"cli_ntoverzicht _x_.csv\""), "{cd}");
}

#[tokio::test]
async fn error_pages_are_dutch_pages() {
    let app = App::new().await;
    for path in ["/bestaat-niet", "/mijn/abc", "/t/abc/def"] {
        let p = app.page("GET", path, None, None).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            p.body.contains("<html lang=\"nl\">") && !p.body.contains("Invalid URL"),
            "{path}: {}",
            p.body
        );
    }
    let (t, _) = ticket(&app, "x@gemeente.nl", "X").await;
    app.service
        .create_ticket(
            &admin(&app).await,
            CreateTicket::new("Y", "y", "y@gemeente.nl", Channel::Portal),
        )
        .await
        .unwrap();
    let p = app.page("GET", &format!("/t/{}/forged", t.number), None, None).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(p.body.contains("<html lang=\"nl\">"));
}

#[tokio::test]
async fn a_form_sent_after_logging_in_elsewhere_comes_back_with_its_text() {
    let app = App::new().await;
    let (csrf, cookie) = csrf_of(&app.page("GET", "/", None, None).await);
    let (t, token) = ticket(&app, "tab@gemeente.nl", "Twee tabbladen").await;
    let follow = format!("/t/{}/{token}", t.number);
    let reply_csrf = super::portal::form_token(&app.page("GET", &follow, None, Some(&cookie)).await.body);
    // Meanwhile the visitor logs in in another tab: the session changes.
    let logged_in = login(&app, "tab@gemeente.nl").await;
    let session = logged_in.split("; ").find(|c| c.starts_with("loket_session=")).unwrap();
    let now = format!("{cookie}; {session}");
    let before = app.service.store().messages(t.id, true).await.unwrap().len();

    let fields = [
        ("csrf", csrf.as_str()),
        ("email", "tab@gemeente.nl"),
        ("subject", "Lang verhaal"),
        ("message", "Een lange tekst die niet verloren mag gaan"),
    ];
    let (ct, body) = multipart(&fields, Some(("bijlage.txt", b"inhoud")));
    let p = app.raw_body("POST", "/tickets/new", &ct, body, Some(&now)).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(
        p.body.contains("Een lange tekst die niet verloren mag gaan"),
        "the text is kept"
    );
    assert!(p.body.contains("intussen in- of uitgelogd"), "and the page says why");
    let fresh = super::portal::form_token(&p.body);
    assert_ne!(fresh, csrf, "with a token that fits now");
    let q = loket_core::store::TicketFilter {
        requester: Some(t.requester_id),
        ..Default::default()
    };
    assert_eq!(
        app.service.store().list_tickets(&q).await.unwrap().len(),
        1,
        "nothing was made"
    );
    assert!(
        app.blob_files()
            .iter()
            .all(|f| !std::fs::read(f).is_ok_and(|b| b == b"inhoud")),
        "no file kept"
    );

    // The same for a reply on the follow page.
    let fields = [
        ("csrf", reply_csrf.as_str()),
        ("message", "Mijn aanvulling blijft staan"),
    ];
    let (ct, body) = multipart(&fields, None);
    let p = app
        .raw_body("POST", &format!("{follow}/reply"), &ct, body, Some(&now))
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.body.contains("Mijn aanvulling blijft staan") && p.body.contains("intussen in- of uitgelogd"));
    assert_eq!(
        app.service.store().messages(t.id, true).await.unwrap().len(),
        before,
        "nothing was added"
    );

    // A form from another site (no nonce of ours) is refused outright.
    let (ct, body) = multipart(&fields, None);
    let p = app
        .raw_body("POST", &format!("{follow}/reply"), &ct, body, Some(session))
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(
        !p.body.contains("Mijn aanvulling blijft staan"),
        "nothing of it is shown"
    );
}

#[tokio::test]
async fn a_new_contact_writing_in_english_gets_english_mail() {
    let app = App::new().await;
    for (lang, email) in [("en", "sarah@utrecht.nl"), ("nl", "sanne@utrecht.nl")] {
        let (csrf, cookie) = csrf_of(&app.page("GET", &format!("/?lang={lang}"), None, None).await);
        let cookie = format!("{cookie}; loket_lang={lang}");
        let fields = [
            ("csrf", csrf.as_str()),
            ("email", email),
            ("subject", "Language"),
            ("message", "Hello"),
        ];
        let (ct, body) = multipart(&fields, None);
        let sent = app.raw_body("POST", "/tickets/new", &ct, body, Some(&cookie)).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
        let c = app.service.store().contact_by_email(email).await.unwrap().unwrap();
        assert_eq!(c.language.id(), lang, "{email}");
    }
    // An existing contact keeps the language they have.
    let (csrf, cookie) = csrf_of(&app.page("GET", "/?lang=nl", None, None).await);
    let fields = [
        ("csrf", csrf.as_str()),
        ("email", "sarah@utrecht.nl"),
        ("subject", "Taal"),
        ("message", "Hallo"),
    ];
    let (ct, body) = multipart(&fields, None);
    app.raw_body(
        "POST",
        "/tickets/new",
        &ct,
        body,
        Some(&format!("{cookie}; loket_lang=nl")),
    )
    .await;
    let c = app
        .service
        .store()
        .contact_by_email("sarah@utrecht.nl")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.language, Lang::En);
    // Registering from the English page: the set-password mail in English.
    let (csrf, cookie) = csrf_of(&app.page("GET", "/toegang?lang=en", None, None).await);
    let p = app
        .page(
            "POST",
            "/toegang",
            Some(&format!("csrf={csrf}&email=emma%40utrecht.nl")),
            Some(&format!("{cookie}; loket_lang=en")),
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let c = app
        .service
        .store()
        .contact_by_email("emma@utrecht.nl")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.language, Lang::En);
}

#[tokio::test]
async fn my_tickets_show_the_latest_news_first() {
    let app = App::new().await;
    let admin = admin(&app).await;
    let (older, _) = ticket(&app, "nieuws@gemeente.nl", "Oudere vraag").await;
    app.clock.set(app.service.now() + chrono::Duration::hours(1));
    let (newer, _) = ticket(&app, "nieuws@gemeente.nl", "Nieuwere vraag").await;
    let cookie = login(&app, "nieuws@gemeente.nl").await;
    let at = |body: &str, t: &Ticket| body.find(&format!("/mijn/{}\"", t.number)).unwrap();
    let list = app.page("GET", "/mijn", None, Some(&cookie)).await.body;
    assert!(at(&list, &newer) < at(&list, &older), "newest first");
    // An answer on the older ticket brings it to the top.
    app.clock.set(app.service.now() + chrono::Duration::hours(1));
    app.service
        .agent_reply(&admin, older.number, Reply::text("Antwoord"))
        .await
        .unwrap();
    let list = app.page("GET", "/mijn", None, Some(&cookie)).await.body;
    assert!(at(&list, &older) < at(&list, &newer), "the latest news first");
}
