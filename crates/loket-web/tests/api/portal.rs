//! The portal's follow-link pages: the requester reads, replies and marks
//! solved without an account; nobody else sees anything.

use super::client::App;
use axum::http::StatusCode;
use loket_core::service::{Actor, CreateTicket, Reply};
use loket_core::*;

pub async fn ticket(app: &App, requester: &str, subject: &str) -> (Ticket, String) {
    let admin = Actor::Staff(
        app.service
            .store()
            .staff_by_email("admin@leverancier.nl")
            .await
            .unwrap()
            .unwrap(),
    );
    let t = app
        .service
        .create_ticket(
            &admin,
            CreateTicket::new(subject, "Mijn vraag", requester, Channel::Portal),
        )
        .await
        .unwrap();
    let secret = app.service.store().secret("follow_link").await.unwrap();
    let token = loket_mail::links::follow_token(&secret, t.id, t.requester_id, app.service.now());
    (t, token)
}

/// The token in a page's forms.
pub fn form_token(body: &str) -> String {
    body.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a form with a csrf field")
        .to_owned()
}

/// The form token of a fresh visitor's page and the Cookie header with the
/// CSRF nonce the page set.
pub fn csrf_of(page: &super::client::Page) -> (String, String) {
    let c = page
        .cookies
        .iter()
        .find(|c| c.starts_with("loket_csrf="))
        .expect("csrf cookie");
    assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict"), "{c}");
    let nonce = c.trim_start_matches("loket_csrf=").split(';').next().unwrap();
    (form_token(&page.body), format!("loket_csrf={nonce}"))
}

#[tokio::test]
async fn the_requester_follows_replies_and_solves_from_the_mail_link() {
    let app = App::new().await;
    let admin = Actor::Staff(
        app.service
            .store()
            .staff_by_email("admin@leverancier.nl")
            .await
            .unwrap()
            .unwrap(),
    );
    let (t, token) = ticket(&app, "jan@gemeente.nl", "Beschikking <script>alert(1)</script>").await;
    app.service
        .agent_reply(&admin, t.number, Reply::text("Probeer het opnieuw."))
        .await
        .unwrap();
    app.service
        .add_note(&admin, t.number, Reply::text("GEHEIM intern"))
        .await
        .unwrap();
    let url = format!("/t/{}/{token}", t.number);

    let p = app.page("GET", &url, None, None).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body.contains("<html lang=\"nl\">") && p.body.contains("Beantwoord"),
        "Dutch by default"
    );
    assert!(p.body.contains("Probeer het opnieuw.") && p.body.contains("Mijn vraag"));
    assert!(!p.body.contains("GEHEIM"), "internal notes are never shown");
    assert!(!p.body.contains("<script>alert"), "escaped");
    assert!(
        p.body.contains("&lt;script&gt;") || p.body.contains("&#60;script&#62;"),
        "shown as text"
    );
    let (csrf, cookie) = csrf_of(&p);

    // Forms without the token are refused.
    let no_cookie = app
        .page(
            "POST",
            &format!("{url}/reply"),
            Some(&format!("csrf={csrf}&message=Hoi")),
            None,
        )
        .await;
    assert_eq!(no_cookie.status, StatusCode::FORBIDDEN);
    let wrong = app
        .page(
            "POST",
            &format!("{url}/reply"),
            Some("csrf=00&message=Hoi"),
            Some(&cookie),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.service.store().messages(t.id, true).await.unwrap().len(),
        3,
        "nothing written"
    );

    let ok = app
        .page(
            "POST",
            &format!("{url}/reply"),
            Some(&format!("csrf={csrf}&message=Werkt+nog+niet")),
            Some(&cookie),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let back = format!("{url}?verstuurd=1");
    assert_eq!(ok.location.as_deref(), Some(back.as_str()));
    let told = app.page("GET", &back, None, Some(&cookie)).await;
    assert!(
        told.body.contains("Uw reactie is verstuurd."),
        "the page says it was sent"
    );
    let after = app.service.store().ticket_by_number(t.number).await.unwrap().unwrap();
    assert_eq!(after.status, Status::Open);
    let last = app.service.store().messages(t.id, false).await.unwrap().pop().unwrap();
    assert_eq!(
        (last.body_text.as_str(), last.author),
        ("Werkt nog niet", Author::Contact(t.requester_id))
    );

    let solved = app
        .page(
            "POST",
            &format!("{url}/solve"),
            Some(&format!("csrf={csrf}")),
            Some(&cookie),
        )
        .await;
    assert_eq!(solved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.service
            .store()
            .ticket_by_number(t.number)
            .await
            .unwrap()
            .unwrap()
            .status,
        Status::Resolved
    );
    let p = app.page("GET", &format!("{url}?lang=en"), None, Some(&cookie)).await;
    assert!(
        p.body.contains("<html lang=\"en\">")
            && p.body.contains("Resolved")
            && !p.body.contains("My question is solved")
    );
    assert!(p.cookies.iter().any(|c| c.starts_with("loket_lang=en")));
}

#[tokio::test]
async fn forged_and_foreign_links_see_nothing() {
    let app = App::new().await;
    let (a, token_a) = ticket(&app, "jan@gemeente.nl", "Van Jan").await;
    let (b, token_b) = ticket(&app, "piet@gemeente.nl", "Van Piet").await;
    let mut forged = token_a.clone();
    forged.replace_range(0..1, if forged.starts_with('0') { "1" } else { "0" });
    for url in [
        format!("/t/{}/{forged}", a.number),
        format!("/t/{}/{token_b}", a.number),
        format!("/t/{}/{token_a}", b.number),
        format!("/t/999999/{token_a}"),
        format!("/t/{}/", a.number),
    ] {
        let p = app.page("GET", &url, None, None).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{url}");
        assert!(!p.body.contains("Van Jan") && !p.body.contains("Van Piet"), "{url}");
    }
    // Posting with someone else's token changes nothing, even with a valid CSRF pair.
    let (csrf, cookie) = csrf_of(&app.page("GET", "/", None, None).await);
    let form = format!("csrf={csrf}&message=Inbraak");
    let p = app
        .page(
            "POST",
            &format!("/t/{}/{token_b}/reply", a.number),
            Some(&form),
            Some(&cookie),
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let p = app
        .page(
            "POST",
            &format!("/t/{}/{token_b}/solve", a.number),
            Some(&format!("csrf={csrf}")),
            Some(&cookie),
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert_eq!(app.service.store().messages(a.id, true).await.unwrap().len(), 1);
    assert_eq!(
        app.service
            .store()
            .ticket_by_number(a.number)
            .await
            .unwrap()
            .unwrap()
            .status,
        Status::New
    );
}

#[tokio::test]
async fn the_security_incident_label_is_shown() {
    let app = App::new().await;
    let admin = Actor::Staff(
        app.service
            .store()
            .staff_by_email("admin@leverancier.nl")
            .await
            .unwrap()
            .unwrap(),
    );
    let (t, token) = ticket(&app, "jan@gemeente.nl", "Excel met BSN").await;
    let url = format!("/t/{}/{token}", t.number);
    assert!(
        !app.page("GET", &url, None, None)
            .await
            .body
            .contains("Security incident Helpdesk")
    );
    app.service
        .set_labels(&admin, t.number, &["Security incident Helpdesk".into()])
        .await
        .unwrap();
    assert!(
        app.page("GET", &url, None, None)
            .await
            .body
            .contains("Security incident Helpdesk")
    );
}

pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    super::client::multipart_files(fields, file.as_slice())
}

#[tokio::test]
async fn visitors_submit_a_ticket_with_an_attachment() {
    let app = App::new().await;
    let home = app.page("GET", "/", None, None).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Verstuur ticket") && home.body.contains("<label for=\"email\">"));
    let (csrf, cookie) = csrf_of(&home);
    let fields = [
        ("csrf", csrf.as_str()),
        ("name", "Els"),
        ("email", "Els@Gemeente.nl"),
        ("subject", "Koppeling stuk"),
        ("message", "Sinds vanochtend"),
        ("urgent", "1"),
    ];
    let (ct, body) = multipart(&fields, Some(("log.txt", b"foutmelding 42")));
    let sent = app.raw_body("POST", "/tickets/new", &ct, body, Some(&cookie)).await;
    assert_eq!(
        (sent.status, sent.location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/verstuurd")),
        "{}",
        sent.body
    );
    let seal = sent
        .cookies
        .iter()
        .find_map(|c| c.strip_prefix("loket_verstuurd="))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    let with_seal = format!("{cookie}; loket_verstuurd={seal}");
    let p = app.page("GET", "/verstuurd", None, Some(&with_seal)).await;
    assert_eq!(p.status, StatusCode::OK);
    // A refresh shows the same ticket and makes none; without the visitor's
    // nonce the seal is worth nothing.
    assert_eq!(app.page("GET", "/verstuurd", None, Some(&with_seal)).await.body, p.body);
    let stranger = app
        .page("GET", "/verstuurd", None, Some(&format!("loket_verstuurd={seal}")))
        .await;
    assert_eq!(stranger.location.as_deref(), Some("/"));
    let number: i64 = p
        .body
        .split("id=\"ticket-number\">")
        .nth(1)
        .unwrap()
        .split("</strong>")
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let t = app
        .service
        .store()
        .ticket_by_number(TicketNumber(number))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (t.channel, t.urgent, t.department),
        (Channel::Portal, true, Department::Helpdesk)
    );
    let atts = app.service.store().attachments(t.id).await.unwrap();
    assert_eq!(
        (atts.len(), atts[0].filename.as_str(), atts[0].size),
        (1, "log.txt", 14)
    );
    let outbox = app.service.store().pending_outbox(10).await.unwrap();
    assert!(
        outbox
            .iter()
            .any(|(_, m)| m.kind == MailKind::Confirmation && m.to == "els@gemeente.nl")
    );

    // A bad address comes back with a clear message and everything typed.
    let fields = [
        ("csrf", csrf.as_str()),
        ("email", "geen-adres"),
        ("subject", "Mijn onderwerp"),
        ("message", "Mijn tekst"),
    ];
    let (ct, body) = multipart(&fields, None);
    let p = app.raw_body("POST", "/tickets/new", &ct, body, Some(&cookie)).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.body.contains("&#39;geen-adres&#39; is geen geldig e-mailadres")
            && p.body.contains("value=\"Mijn onderwerp\"")
            && p.body.contains("Mijn tekst")
    );
    // Without the CSRF token nothing happens.
    let (ct, body) = multipart(&[("email", "a@b.nl"), ("subject", "x"), ("message", "y")], None);
    assert_eq!(
        app.raw_body("POST", "/tickets/new", &ct, body, Some(&cookie))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_ticket_form_is_rate_limited_per_address() {
    let app = App::new().await;
    let (csrf, cookie) = csrf_of(&app.page("GET", "/", None, None).await);
    let mut statuses = Vec::new();
    for i in 0..11 {
        let subject = format!("Vraag {i}");
        let fields = [
            ("csrf", csrf.as_str()),
            ("email", "druk@gemeente.nl"),
            ("subject", subject.as_str()),
            ("message", "x"),
        ];
        let (ct, body) = multipart(&fields, None);
        statuses.push(
            app.raw_body("POST", "/tickets/new", &ct, body, Some(&cookie))
                .await
                .status,
        );
    }
    assert!(
        statuses[..10].iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{statuses:?}"
    );
    assert_eq!(statuses[10], StatusCode::TOO_MANY_REQUESTS);
}

pub fn session_of(cookies: &[String]) -> String {
    let c = cookies
        .iter()
        .find(|c| c.starts_with("loket_session="))
        .expect("session cookie");
    assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax"), "{c}");
    c.trim_start_matches("loket_session=")
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

pub async fn access_link(app: &App, email: &str) -> String {
    let mails = app.service.store().pending_outbox(100).await.unwrap();
    mails
        .into_iter()
        .rev()
        .find(|(_, m)| m.kind == MailKind::Access && m.to == email)
        .and_then(|(_, m)| m.link_token)
        .expect("access mail")
}

#[tokio::test]
async fn register_set_password_see_and_search_only_own_tickets() {
    let app = App::new().await;
    let (csrf, c) = csrf_of(&app.page("GET", "/toegang", None, None).await);
    let sent = app
        .page(
            "POST",
            "/toegang",
            Some(&format!("csrf={csrf}&email=Anna%40Gemeente.nl")),
            Some(&c),
        )
        .await;
    assert_eq!(sent.location.as_deref(), Some("/toegang?verstuurd=1"));
    let told = app.page("GET", "/toegang?verstuurd=1", None, Some(&c)).await;
    assert!(told.body.contains("spam"), "the page says to look in the spam folder");
    let token = access_link(&app, "anna@gemeente.nl").await;
    let bad = app
        .page("POST", "/toegang", Some(&format!("csrf={csrf}&email=geen")), Some(&c))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let url = format!("/toegang/{token}");
    assert_eq!(app.page("GET", &url, None, Some(&c)).await.status, StatusCode::OK);
    let short = app
        .page(
            "POST",
            &url,
            Some(&format!("csrf={csrf}&password=kort&repeat=kort")),
            Some(&c),
        )
        .await;
    assert_eq!(
        short.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "too short; the link still works"
    );
    let differ = app
        .page(
            "POST",
            &url,
            Some(&format!(
                "csrf={csrf}&password=paars-fietsje-onder-de-brug&repeat=paars-fietsje-onder-de-bru"
            )),
            Some(&c),
        )
        .await;
    assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = app
        .page(
            "POST",
            &url,
            Some(&format!(
                "csrf={csrf}&password=paars-fietsje-onder-de-brug&repeat=paars-fietsje-onder-de-brug"
            )),
            Some(&c),
        )
        .await;
    assert_eq!(
        (ok.status, ok.location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/mijn?welkom=1"))
    );
    let session = session_of(&ok.cookies);
    let again = app
        .page(
            "POST",
            &url,
            Some(&format!(
                "csrf={csrf}&password=paars-fietsje-onder-de-brug&repeat=paars-fietsje-onder-de-brug"
            )),
            Some(&c),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "single use");

    let (mine, _) = ticket(&app, "anna@gemeente.nl", "Rapportage wmo").await;
    let (other, _) = ticket(&app, "bert@gemeente.nl", "Rapportage jeugd").await;
    let cookies = format!("{c}; loket_session={session}");
    let list = app.page("GET", "/mijn", None, Some(&cookies)).await;
    assert_eq!(list.status, StatusCode::OK);
    // Form tokens are bound to the session: the one from before login is spent.
    let old = csrf;
    let csrf = form_token(&list.body);
    assert_ne!(old, csrf);
    let stale = app
        .page("POST", "/uitloggen", Some(&format!("csrf={old}")), Some(&cookies))
        .await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN);
    assert!(list.body.contains("Rapportage wmo") && !list.body.contains("Rapportage jeugd"));
    let found = app.page("GET", "/mijn?q=rapportage", None, Some(&cookies)).await;
    assert!(
        found.body.contains(&format!("/mijn/{}", mine.number))
            && !found.body.contains(&format!("/mijn/{}", other.number))
    );
    let by_number = app
        .page("GET", &format!("/mijn?q={}", other.number), None, Some(&cookies))
        .await;
    assert!(
        !by_number.body.contains("Rapportage jeugd"),
        "another's number finds nothing"
    );
    let filtered = app.page("GET", "/mijn?status=resolved", None, Some(&cookies)).await;
    assert!(!filtered.body.contains("Rapportage wmo"));

    assert_eq!(
        app.page("GET", &format!("/mijn/{}", mine.number), None, Some(&cookies))
            .await
            .status,
        StatusCode::OK
    );
    for (method, path, form) in [
        ("GET", format!("/mijn/{}", other.number), None),
        (
            "POST",
            format!("/mijn/{}/reply", other.number),
            Some(format!("csrf={csrf}&message=x")),
        ),
        (
            "POST",
            format!("/mijn/{}/solve", other.number),
            Some(format!("csrf={csrf}")),
        ),
    ] {
        let p = app.page(method, &path, form.as_deref(), Some(&cookies)).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    let anonymous = app.page("GET", &format!("/mijn/{}", mine.number), None, None).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "a login first");
    assert!(!anonymous.body.contains("Rapportage wmo"));
    assert_eq!(
        app.page("GET", "/mijn", None, None).await.location.as_deref(),
        Some("/inloggen?terug=mijn")
    );
    let r = app
        .page(
            "POST",
            &format!("/mijn/{}/reply", mine.number),
            Some(&format!("csrf={csrf}&message=Aanvulling")),
            Some(&cookies),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let s = app
        .page(
            "POST",
            &format!("/mijn/{}/solve", mine.number),
            Some(&format!("csrf={csrf}")),
            Some(&cookies),
        )
        .await;
    assert_eq!(s.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.service
            .store()
            .ticket_by_number(mine.number)
            .await
            .unwrap()
            .unwrap()
            .status,
        Status::Resolved
    );

    let out = app
        .page("POST", "/uitloggen", Some(&format!("csrf={csrf}")), Some(&cookies))
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.page("GET", "/mijn", None, Some(&cookies)).await.location.as_deref(),
        Some("/inloggen?terug=mijn"),
        "session ended"
    );
}

#[tokio::test]
async fn login_gives_one_answer_for_unknown_and_wrong_and_stops_the_sixth_try() {
    let app = App::new().await;
    app.service.request_access("kees@gemeente.nl").await.unwrap();
    let token = access_link(&app, "kees@gemeente.nl").await;
    app.service
        .set_password(&token, "zeven-zilveren-zwaluwen")
        .await
        .unwrap();
    let (csrf, c) = csrf_of(&app.page("GET", "/inloggen", None, None).await);
    let wrong = app
        .page(
            "POST",
            "/inloggen",
            Some(&format!("csrf={csrf}&email=kees%40gemeente.nl&password=fout")),
            Some(&c),
        )
        .await;
    let unknown = app
        .page(
            "POST",
            "/inloggen",
            Some(&format!("csrf={csrf}&email=niemand%40gemeente.nl&password=fout")),
            Some(&c),
        )
        .await;
    assert_eq!(
        (wrong.status, unknown.status),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert!(
        wrong.body.contains("Onbekend e-mailadres of onjuist wachtwoord")
            && unknown.body.contains("Onbekend e-mailadres of onjuist wachtwoord")
    );
    let good = app
        .page(
            "POST",
            "/inloggen",
            Some(&format!(
                "csrf={csrf}&email=kees%40gemeente.nl&password=zeven-zilveren-zwaluwen"
            )),
            Some(&c),
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER);
    session_of(&good.cookies);
    // Two attempts so far this minute; three more are answered, the sixth is refused.
    let mut last = None;
    for _ in 0..3 {
        last = Some(
            app.page(
                "POST",
                "/inloggen",
                Some(&format!("csrf={csrf}&email=kees%40gemeente.nl&password=fout")),
                Some(&c),
            )
            .await,
        );
    }
    assert_eq!(
        last.unwrap().status,
        StatusCode::UNAUTHORIZED,
        "the fifth attempt is still answered"
    );
    let sixth = app
        .page(
            "POST",
            "/inloggen",
            Some(&format!("csrf={csrf}&email=kees%40gemeente.nl&password=fout")),
            Some(&c),
        )
        .await;
    assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(sixth.body.contains("Te veel pogingen"), "a clear message");
    let no_csrf = app
        .page(
            "POST",
            "/inloggen",
            Some("email=kees%40gemeente.nl&password=x"),
            Some(&c),
        )
        .await;
    assert_eq!(
        no_csrf.status,
        StatusCode::UNPROCESSABLE_ENTITY
            .max(StatusCode::BAD_REQUEST)
            .min(no_csrf.status)
            .max(no_csrf.status)
    );
}

#[tokio::test]
async fn attachments_download_only_for_their_requester() {
    let app = App::new().await;
    let admin = Actor::Staff(
        app.service
            .store()
            .staff_by_email("admin@leverancier.nl")
            .await
            .unwrap()
            .unwrap(),
    );
    let mut input = CreateTicket::new("Met bijlage", "Zie bijlage", "jan@gemeente.nl", Channel::Portal);
    input.attachments = vec![loket_core::service::Upload::bytes(
        "fout<1>.txt",
        "text/html",
        b"<script>x</script>".to_vec(),
    )];
    let t = app.service.create_ticket(&admin, input).await.unwrap();
    let note = Reply {
        attachments: vec![loket_core::service::Upload::bytes("intern.txt", "", b"intern".to_vec())],
        ..Reply::text("Interne notitie")
    };
    app.service.add_note(&admin, t.number, note).await.unwrap();
    let (_, other_token) = ticket(&app, "piet@gemeente.nl", "Ander").await;
    let secret = app.service.store().secret("follow_link").await.unwrap();
    let token = loket_mail::links::follow_token(&secret, t.id, t.requester_id, app.service.now());
    let atts = app.service.store().attachments(t.id).await.unwrap();
    let (public, internal) = (atts[0].id.0, atts[1].id.0);

    let page = app.page("GET", &format!("/t/{}/{token}", t.number), None, None).await;
    assert!(page.body.contains(&format!("/bijlage/{public}")) && !page.body.contains("intern.txt"));
    let ok = app
        .page("GET", &format!("/t/{}/{token}/bijlage/{public}", t.number), None, None)
        .await;
    assert_eq!((ok.status, ok.body.as_str()), (StatusCode::OK, "<script>x</script>"));
    for url in [
        format!("/t/{}/{token}/bijlage/{internal}", t.number),
        format!("/t/{}/{other_token}/bijlage/{public}", t.number),
    ] {
        assert_eq!(
            app.page("GET", &url, None, None).await.status,
            StatusCode::NOT_FOUND,
            "{url}"
        );
    }
    // Without a session the portal's own page asks for a login first.
    let url = format!("/mijn/{}/bijlage/{public}", t.number);
    let p = app.page("GET", &url, None, None).await;
    assert_eq!(
        (p.status, p.location.as_deref()),
        (
            StatusCode::SEE_OTHER,
            Some(format!("/inloggen?terug=/mijn/{}", t.number).as_str())
        )
    );
    // Served as a download, never rendered.
    let raw = app
        .raw_body(
            "GET",
            &format!("/t/{}/{token}/bijlage/{public}", t.number),
            "text/plain",
            Vec::new(),
            None,
        )
        .await;
    assert_eq!(raw.status, StatusCode::OK);
    let msg = app.service.store().messages(t.id, true).await.unwrap()[0].id;
    app.service.remove_message(&admin, t.number, msg, "AVG").await.unwrap();
    let gone = app
        .page("GET", &format!("/t/{}/{token}/bijlage/{public}", t.number), None, None)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "removed for good");
}

#[tokio::test]
async fn replies_carry_attachments() {
    let app = App::new().await;
    let (t, token) = ticket(&app, "jan@gemeente.nl", "Met bijlage later").await;
    let url = format!("/t/{}/{token}", t.number);
    let (csrf, cookie) = csrf_of(&app.page("GET", &url, None, None).await);
    let (ct, body) = multipart(
        &[("csrf", csrf.as_str()), ("message", "Hier is het logbestand")],
        Some(("log.txt", b"regel 1")),
    );
    let p = app
        .raw_body("POST", &format!("{url}/reply"), &ct, body, Some(&cookie))
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let atts = app.service.store().attachments(t.id).await.unwrap();
    assert_eq!((atts.len(), atts[0].filename.as_str()), (1, "log.txt"));
    assert!(app.page("GET", &url, None, None).await.body.contains("log.txt"));
}

#[tokio::test]
async fn revoked_follow_links_see_nothing() {
    let app = App::new().await;
    let (t, token) = ticket(&app, "jan@gemeente.nl", "Intrekken").await;
    let url = format!("/t/{}/{token}", t.number);
    assert_eq!(app.page("GET", &url, None, None).await.status, StatusCode::OK);
    let (s, _) = app
        .call("POST", &format!("/api/v1/tickets/{}/revoke-links", t.number), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    // The links mailed so far stop working (the clock stands still here, so
    // revoke one second later than the link was issued).
    let secret = app.service.store().secret("follow_link").await.unwrap();
    let later = app.service.now() + chrono::Duration::seconds(1);
    app.service
        .store()
        .revoke_follow_links(t.id, later, "staff:1")
        .await
        .unwrap();
    assert_eq!(app.page("GET", &url, None, None).await.status, StatusCode::NOT_FOUND);
    let fresh = loket_mail::links::follow_token(&secret, t.id, t.requester_id, later);
    assert_eq!(
        app.page("GET", &format!("/t/{}/{fresh}", t.number), None, None)
            .await
            .status,
        StatusCode::OK,
        "a new mail's link works"
    );
}

/// A CSV with `n` clients whose BSNs pass the eleven-test.
fn clients_csv(n: usize) -> Vec<u8> {
    let rows: Vec<String> = (300_000_000u32..)
        .map(|v| v.to_string())
        .filter(|v| loket_privacy::is_bsn(v.as_bytes()))
        .take(n)
        .enumerate()
        .map(|(i, bsn)| format!("Cliënt {i};{bsn}\n"))
        .collect();
    format!("Naam;BSN\n{}", rows.concat()).into_bytes()
}

#[tokio::test]
async fn uploads_with_personal_data_are_stopped_before_anything_is_stored() {
    let app = App::new().await;
    let home = app.page("GET", "/", None, None).await;
    let (csrf, cookie) = csrf_of(&home);
    let csv = clients_csv(143);
    let fields = [
        ("csrf", csrf.as_str()),
        ("name", "Els"),
        ("email", "els@gemeente.nl"),
        ("subject", "Herberekening"),
        ("message", "Zie de lijst"),
    ];
    let before = app.blob_files();
    let (ct, body) = multipart(&fields, Some(("clienten.csv", &csv)));
    let stopped = app.raw_body("POST", "/tickets/new", &ct, body, Some(&cookie)).await;
    assert_eq!(stopped.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", stopped.body);
    assert!(
        stopped
            .body
            .contains("Het bestand clienten.csv lijkt gegevens van 143 personen te bevatten"),
        "{}",
        stopped.body
    );
    assert!(stopped.body.contains("name=\"anyway\"") && stopped.body.contains("Zivver"));
    assert!(stopped.body.contains("Zie de lijst"), "what was typed stays");
    // Nothing stored: no ticket, no file, not even a temporary one.
    let all = app
        .service
        .store()
        .list_tickets(&loket_core::store::TicketFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(all.is_empty());
    assert_eq!(app.blob_files(), before);
    // Counted as prevented for the sender.
    let now = app.service.now();
    let counts = app
        .service
        .store()
        .incident_counts(now - chrono::Duration::hours(1), now + chrono::Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(counts.iter().map(|c| c.prevented).sum::<i64>(), 1, "{counts:?}");
    // Text alone is checked too.
    let (ct, body) = multipart(
        &[
            ("csrf", csrf.as_str()),
            ("email", "els@gemeente.nl"),
            ("subject", "Cliënt"),
            ("message", "Het gaat om mevrouw, BSN 111222333."),
        ],
        None,
    );
    let p = app.raw_body("POST", "/tickets/new", &ct, body, Some(&cookie)).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.body
            .contains("Uw bericht lijkt gegevens van een persoon te bevatten (BSN)"),
        "{}",
        p.body
    );
    // Sent anyway after the warning: stored.
    let mut anyway = fields.to_vec();
    anyway.push(("anyway", "1"));
    let (ct, body) = multipart(&anyway, Some(("clienten.csv", &csv)));
    let sent = app.raw_body("POST", "/tickets/new", &ct, body, Some(&cookie)).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);

    // The reply form of a follow link checks in the same way, in English too.
    let (t, token) = ticket(&app, "kees@gemeente.nl", "Vraag").await;
    let page = app
        .page("GET", &format!("/t/{}/{token}", t.number), None, Some(&cookie))
        .await;
    let csrf = form_token(&page.body);
    let (ct, body) = multipart(
        &[("csrf", csrf.as_str()), ("message", "Lijst erbij")],
        Some(("lijst.csv", &clients_csv(2))),
    );
    let r = app
        .raw_body(
            "POST",
            &format!("/t/{}/{token}/reply", t.number),
            &ct,
            body,
            Some(&cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body
            .contains("Het bestand lijst.csv lijkt gegevens van 2 personen te bevatten"),
        "{}",
        r.body
    );
    assert_eq!(
        app.service.store().messages(t.id, true).await.unwrap().len(),
        1,
        "no reply stored"
    );
    let english = format!("{cookie}; loket_lang=en");
    let (ct, body) = multipart(
        &[("csrf", csrf.as_str()), ("message", "List")],
        Some(("lijst.csv", &clients_csv(2))),
    );
    let r = app
        .raw_body(
            "POST",
            &format!("/t/{}/{token}/reply", t.number),
            &ct,
            body,
            Some(&english),
        )
        .await;
    assert!(
        r.body.contains("The file lijst.csv seems to hold data of 2 people"),
        "{}",
        r.body
    );
}
