//! The agent workspace over HTTP: sign-in with password and TOTP (enrolment,
//! codes that work once, recovery codes), sessions that are not the portal's,
//! and the ticket actions with their effects.

use super::client::{App, Page};
use super::portal::form_token;
use axum::http::StatusCode;
use loket_core::service::{Actor, CreateTicket, Upload, totp_code};
use loket_core::*;

const PASSWORD: &str = "paars-fietsje-onder-de-brug";

/// A staff member with a password; answers their address.
pub(super) async fn staff(app: &App, email: &str, role: Role) -> String {
    app.staff(email, role).await;
    app.service
        .set_staff_password(&Actor::System, email, PASSWORD)
        .await
        .unwrap();
    email.to_owned()
}

/// A browser: its cookies, kept across requests.
pub(super) struct Browser<'a> {
    pub(super) app: &'a App,
    pub(super) cookies: Vec<(String, String)>,
}

impl<'a> Browser<'a> {
    pub(super) fn new(app: &'a App) -> Self {
        Self {
            app,
            cookies: Vec::new(),
        }
    }

    pub(super) fn header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub(super) async fn go(&mut self, method: &str, path: &str, form: Option<&str>) -> Page {
        let cookie = self.header();
        let page = self
            .app
            .page(method, path, form, (!cookie.is_empty()).then_some(cookie.as_str()))
            .await;
        for c in &page.cookies {
            let (kv, _) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = kv.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() {
                self.cookies.push((k.to_owned(), v.to_owned()));
            }
        }
        page
    }

    /// Posts a form of the page at `from` (its CSRF token added).
    pub(super) async fn post(&mut self, from: &str, to: &str, fields: &str) -> Page {
        let page = self.go("GET", from, None).await;
        let token = form_token(&page.body);
        let body = if fields.is_empty() {
            format!("csrf={token}")
        } else {
            format!("csrf={token}&{fields}")
        };
        self.go("POST", to, Some(&body)).await
    }

    async fn sign_in(&mut self, email: &str) -> Page {
        let email = email.replace('@', "%40");
        self.post(
            "/agent/inloggen",
            "/agent/inloggen",
            &format!("email={email}&password={PASSWORD}"),
        )
        .await
    }
}

fn secret_of(page: &Page) -> String {
    page.body
        .split("id=\"totp-secret\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap()
        .replace(' ', "")
}

fn now_code(app: &App, secret: &str, offset: i64) -> String {
    let at = app.service.now().timestamp() + offset;
    totp_code(secret, u64::try_from(at).unwrap()).unwrap()
}

#[tokio::test]
async fn sign_in_with_password_then_totp_enrolment_codes_and_recovery() {
    let app = App::new().await;
    let email = staff(&app, "anna@leverancier.nl", Role::Agent).await;
    app.service
        .require_totp(&Actor::System, Role::Agent, true)
        .await
        .unwrap();

    // Anonymous visitors are sent to sign in.
    let mut b = Browser::new(&app);
    let p = b.go("GET", "/agent", None).await;
    assert_eq!(p.location.as_deref(), Some("/agent/inloggen"));
    let p = b.go("GET", "/agent/inloggen", None).await;
    assert!(p.body.contains("Inloggen voor medewerkers") && p.body.contains("lang=\"nl\""));

    // A wrong password and an unknown address get one answer, in Dutch.
    let p = b
        .post(
            "/agent/inloggen",
            "/agent/inloggen",
            "email=anna%40leverancier.nl&password=fout-fout-fout-1",
        )
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(p.body.contains("Het e-mailadres of wachtwoord klopt niet."));
    let unknown = b
        .post(
            "/agent/inloggen",
            "/agent/inloggen",
            "email=niemand%40leverancier.nl&password=fout-fout-fout-1",
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);

    // The role requires TOTP: enrolment comes before anything else.
    let p = b.sign_in(&email).await;
    assert_eq!(p.location.as_deref(), Some("/agent/koppelen"));
    let p = b.go("GET", "/agent", None).await;
    assert_eq!(
        p.location.as_deref(),
        Some("/agent/koppelen"),
        "nothing before enrolment"
    );
    let enrol = b.go("GET", "/agent/koppelen", None).await;
    assert!(enrol.body.contains("data:image/svg+xml;base64,"), "a QR code");
    let secret = secret_of(&enrol);
    assert_eq!(secret.len(), 32, "160 bits in base32: {secret}");
    let wrong = b.post("/agent/koppelen", "/agent/koppelen", "code=000000").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Deze code klopt niet"));
    assert_eq!(secret_of(&wrong), secret, "the same secret until confirmed");
    let code = now_code(&app, &secret, 0);
    let done = b
        .post("/agent/koppelen", "/agent/koppelen", &format!("code={code}"))
        .await;
    assert_eq!(done.status, StatusCode::OK);
    let codes: Vec<String> = done
        .body
        .split("<li><code>")
        .skip(1)
        .map(|r| r.split('<').next().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10, "{}", done.body);
    let overview = b.go("GET", "/agent", None).await;
    assert_eq!(overview.status, StatusCode::OK);
    // Enrolled: the enrolment page is closed, also to a signed-in session.
    assert_eq!(
        b.go("GET", "/agent/koppelen", None).await.location.as_deref(),
        Some("/agent")
    );
    assert!(overview.body.contains("Open tickets per afdeling en status"));

    // Sign out; the next sign-in asks for a code, and a code works once.
    let out = b.post("/agent", "/agent/uitloggen", "").await;
    assert_eq!(out.location.as_deref(), Some("/agent/inloggen?uitgelogd=1"));
    assert!(
        b.go("GET", "/agent/inloggen?uitgelogd=1", None)
            .await
            .body
            .contains("U bent uitgelogd.")
    );
    assert_eq!(
        b.go("GET", "/agent", None).await.location.as_deref(),
        Some("/agent/inloggen")
    );
    let p = b.sign_in(&email).await;
    assert_eq!(p.location.as_deref(), Some("/agent/code"));
    assert_eq!(
        b.go("GET", "/agent", None).await.location.as_deref(),
        Some("/agent/code")
    );
    // The enrolment code's step is spent: the same code does not work again.
    let replay = b.post("/agent/code", "/agent/code", &format!("code={code}")).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED, "a code works once");
    // Someone with only the password cannot enrol a secret of their own.
    let p = b.go("GET", "/agent/koppelen", None).await;
    assert_eq!(p.location.as_deref(), Some("/agent/code"));
    let next = now_code(&app, &secret, 30);
    let ok = b.post("/agent/code", "/agent/code", &format!("code={next}")).await;
    assert_eq!(ok.location.as_deref(), Some("/agent"), "{}", ok.body);

    // A recovery code works once, in any case and with spaces (a minute
    // later: code attempts are limited per minute).
    app.clock.set(app.service.now() + chrono::Duration::seconds(61));
    b.post("/agent", "/agent/uitloggen", "").await;
    b.sign_in(&email).await;
    let typed = format!("code={}", codes[3].to_uppercase().replace('-', "+"));
    let ok = b.post("/agent/code", "/agent/code", &typed).await;
    assert_eq!(ok.location.as_deref(), Some("/agent"), "{}", ok.body);
    b.post("/agent", "/agent/uitloggen", "").await;
    b.sign_in(&email).await;
    let again = b.post("/agent/code", "/agent/code", &typed).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);

    // Codes are limited like logins: the sixth try in a minute is refused.
    let mut last = StatusCode::OK;
    for _ in 0..6 {
        last = b.post("/agent/code", "/agent/code", "code=111111").await.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);

    // An admin ends every session of a staff member.
    app.clock.set(app.service.now() + chrono::Duration::seconds(61));
    let mut c = Browser::new(&app);
    c.sign_in(&email).await;
    let fresh = now_code(&app, &secret, 30);
    c.post("/agent/code", "/agent/code", &format!("code={fresh}")).await;
    assert_eq!(c.go("GET", "/agent", None).await.status, StatusCode::OK);
    assert_eq!(app.service.end_staff_sessions(&Actor::System, &email).await.unwrap(), 2);
    assert_eq!(
        c.go("GET", "/agent", None).await.location.as_deref(),
        Some("/agent/inloggen")
    );
}

#[tokio::test]
async fn sessions_expire_and_never_cross_between_portal_and_workspace() {
    let app = App::new().await;
    let email = staff(&app, "bert@leverancier.nl", Role::Agent).await;
    let mut b = Browser::new(&app);
    let p = b.sign_in(&email).await;
    assert_eq!(p.location.as_deref(), Some("/agent"), "no TOTP required, none enrolled");
    assert_eq!(b.go("GET", "/agent", None).await.status, StatusCode::OK);
    // The staff session is no portal session.
    let mine = b.go("GET", "/mijn", None).await;
    assert!(mine.location.is_some_and(|l| l.starts_with("/inloggen")));
    // A page's background poll is no sign of life: an hour after the last
    // request of a person the session is over, polls or not.
    app.clock.set(app.service.now() + chrono::Duration::minutes(50));
    let poll = axum::http::Request::builder()
        .uri("/agent/wachtrij/all")
        .header("cookie", b.header())
        .header("x-loket-background", "1")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(app.request(poll).await.status(), StatusCode::OK);
    app.clock.set(app.service.now() + chrono::Duration::minutes(11));
    assert_eq!(
        b.go("GET", "/agent", None).await.location.as_deref(),
        Some("/agent/inloggen")
    );

    // Signing in again leads back to the page that asked for it.
    let deep = b.go("GET", "/agent/wachtrij/bi?sort=newest", None).await;
    assert_eq!(deep.location.as_deref(), Some("/agent/inloggen"));
    let p = b.sign_in(&email).await;
    assert_eq!(p.location.as_deref(), Some("/agent/wachtrij/bi?sort=newest"));
    // A remembered page is only ever one of the workspace's.
    let mut c = Browser::new(&app);
    c.cookies
        .push(("loket_agent_back".into(), "https://evil.example/".into()));
    assert_eq!(c.sign_in(&email).await.location.as_deref(), Some("/agent"));

    // A customer's portal session counts for nothing here.
    let admin = app.staff("admin@leverancier.nl", Role::Admin).await;
    let contact = app.service.create_contact(&admin, "jan@zuid.nl", "Jan").await.unwrap();
    let portal = app.service.start_session(contact.id).await.unwrap();
    let p = app
        .page("GET", "/agent", None, Some(&format!("loket_session={portal}")))
        .await;
    assert_eq!(p.location.as_deref(), Some("/agent/inloggen"));
    // Nor does a portal session token presented as a staff cookie.
    let p = app
        .page("GET", "/agent", None, Some(&format!("loket_staff={portal}")))
        .await;
    assert_eq!(p.location.as_deref(), Some("/agent/inloggen"));
}

async fn current(app: &App, n: TicketNumber) -> Ticket {
    app.service.store().ticket_by_number(n).await.unwrap().unwrap()
}

pub(super) async fn signed_in<'a>(app: &'a App, email: &str) -> Browser<'a> {
    let mut b = Browser::new(app);
    let p = b.sign_in(email).await;
    assert_eq!(p.location.as_deref(), Some("/agent"));
    b
}

#[tokio::test]
async fn the_ticket_page_shows_the_thread_and_every_action_works() {
    let app = App::new().await;
    let email = staff(&app, "anna@leverancier.nl", Role::Agent).await;
    let admin = app.staff("admin@leverancier.nl", Role::Admin).await;
    app.service
        .create_organisation(&admin, "Gemeente Zuid", &["zuid.nl".into()])
        .await
        .unwrap();
    let mut input = CreateTicket::new(
        "Koppeling BRP",
        "De koppeling geeft fout 500",
        "jan@zuid.nl",
        Channel::Email,
    );
    input.attachments = vec![
        Upload::bytes("scherm.png", "image/png", b"\x89PNG\r\n\x1a\nxx".to_vec()),
        Upload::bytes("plaatje.svg", "image/svg+xml", b"<svg onload='alert(1)'/>".to_vec()),
    ];
    let created = app.service.create_ticket(&Actor::System, input).await.unwrap();
    let n = created.number;
    let mut agent = signed_in(&app, &email).await;

    // The queue lists it; the ticket page shows the thread and the warning.
    let q = agent.go("GET", "/agent/wachtrij/helpdesk", None).await;
    assert!(q.body.contains(&format!("data-ticket=\"{n}\"")), "{}", q.body);
    let page = agent.go("GET", &format!("/agent/tickets/{n}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("De koppeling geeft fout 500"));
    assert!(page.body.contains("Gemeente Zuid"));
    assert!(
        page.body.contains("id=\"not-authorised\""),
        "jan is not an authorised contact"
    );

    // Attachments: the PNG opens inline as itself, the SVG only downloads.
    let files = app.service.store().attachments(created.id).await.unwrap();
    let png = agent
        .go("GET", &format!("/agent/tickets/{n}/bijlage/{}", files[0].id), None)
        .await;
    assert_eq!(png.headers["content-type"], "image/png");
    assert!(
        png.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    let svg = agent
        .go("GET", &format!("/agent/tickets/{n}/bijlage/{}", files[1].id), None)
        .await;
    assert_eq!(svg.headers["content-type"], "application/octet-stream");
    assert!(
        svg.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let (status, _) = app
        .raw(
            "GET",
            &format!("/api/v1/tickets/{n}/attachments/{}/content", files[0].id),
            None,
            Some(&app.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let here = format!("/agent/tickets/{n}");
    let to = |action: &str| format!("/agent/tickets/{n}/{action}");

    // A note stays internal and is marked as such.
    let p = agent.post(&here, &to("notitie"), "text=Eerst+de+logs+bekijken").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = agent.go("GET", &here, None).await;
    assert!(page.body.contains("msg internal") && page.body.contains("Eerst de logs bekijken"));

    // An empty reply is refused in Dutch, nothing changes.
    let p = agent.post(&here, &to("antwoord"), "text=").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("class=\"error\""), "{}", p.body);
    assert_eq!(current(&app, n).await.status, Status::New);

    // A reply: Beantwoord, and a mail to the requester.
    let p = agent.post(&here, &to("antwoord"), "text=Wij+kijken+ernaar").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(current(&app, n).await.status, Status::Answered);
    let mails = app.service.store().pending_outbox(50).await.unwrap();
    assert!(
        mails
            .iter()
            .any(|(_, m)| m.kind == MailKind::AgentReply && m.to == "jan@zuid.nl")
    );

    // A reply written on a page that is out of date is not sent.
    let old = agent.go("GET", &here, None).await;
    let token = form_token(&old.body);
    let seen = current(&app, n).await.version;
    app.service
        .add_note(&Actor::System, n, loket_core::service::Reply::text("Tussendoor"))
        .await
        .ok();
    app.service
        .customer_reply(
            &Actor::Contact(
                app.service
                    .store()
                    .contact_by_email("jan@zuid.nl")
                    .await
                    .unwrap()
                    .unwrap(),
            ),
            n,
            loket_core::service::Reply::text("Nog een vraag"),
        )
        .await
        .unwrap();
    let stale = agent
        .go(
            "POST",
            &to("antwoord"),
            Some(&format!("csrf={token}&seen={seen}&text=Mijn+antwoord")),
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.body.contains("intussen gewijzigd") && stale.body.contains("Nog een vraag"));
    assert!(stale.body.contains("Mijn antwoord"), "the draft is kept");

    // Ask for information until a date: Uitgesteld, Wacht op reactie.
    let zone = loket_core::time::Zone::default();
    let day = zone.day(app.service.now() + chrono::Duration::days(20));
    let p = agent
        .post(&here, &to("informatie"), &format!("text=Welke+versie%3F&until={day}"))
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let now = current(&app, n).await;
    assert_eq!(
        (now.status, now.department),
        (Status::Postponed, Department::AwaitingReply)
    );
    assert_eq!(now.postponed_until, zone.end_of_day(&day));
    let p = agent
        .post(&here, &to("informatie"), "text=Vraag&until=31-01-2030")
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Gepland needs a release version.
    let p = agent.post(&here, &to("doorsturen"), "department=planned").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(current(&app, n).await.department, Department::AwaitingReply);
    let p = agent
        .post(&here, &to("doorsturen"), "department=planned&release_version=8.4.1")
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let now = current(&app, n).await;
    assert_eq!(
        (now.department, now.release_version.as_deref()),
        (Department::Planned, Some("8.4.1"))
    );

    // Labels, assign to me, resolve with a message, reopen.
    agent.post(&here, &to("labels"), "labels=BRP%2C+koppeling").await;
    assert_eq!(
        current(&app, n).await.labels,
        vec!["BRP".to_owned(), "koppeling".to_owned()]
    );
    agent
        .post(&here, &to("toewijzen"), "assignee=anna%40leverancier.nl")
        .await;
    let me = app.service.store().staff_by_email(&email).await.unwrap().unwrap();
    assert_eq!(current(&app, n).await.assignee_id, Some(me.id));
    let mine = agent.go("GET", "/agent/wachtrij/mine", None).await;
    assert!(mine.body.contains(&format!("data-ticket=\"{n}\"")));
    let p = agent.post(&here, &to("oplossen"), "text=Opgelost+in+8.4.1").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(current(&app, n).await.status, Status::Resolved);
    agent.post(&here, &to("heropenen"), "").await;
    assert_ne!(current(&app, n).await.status, Status::Resolved);

    // A form without its token changes nothing.
    let forged = agent.go("POST", &to("oplossen"), Some("csrf=00&text=")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_ne!(current(&app, n).await.status, Status::Resolved);

    // The overview counts link to their queues.
    let o = agent.go("GET", "/agent", None).await;
    assert!(o.body.contains("href=\"/agent/wachtrij/mine\""));
    assert!(o.body.contains("id=\"count-mine\">1<"), "{}", o.body);
}

#[tokio::test]
async fn phone_tickets_canned_replies_presence_and_moving_tickets() {
    let app = App::new().await;
    let anna = staff(&app, "anna@leverancier.nl", Role::Agent).await;
    let admin_email = staff(&app, "admin@leverancier.nl", Role::Admin).await;
    let admin = app.staff(&admin_email, Role::Admin).await;
    app.service
        .create_organisation(&admin, "Gemeente Zuid", &["zuid.nl".into()])
        .await
        .unwrap();
    app.service
        .create_contact(&admin, "piet@zuid.nl", "Piet Bakker")
        .await
        .unwrap();
    let mut a = signed_in(&app, &anna).await;

    // Find the caller by part of the organisation's name or their own.
    for q in ["zuid", "BAKKER"] {
        let p = a.go("GET", &format!("/agent/telefoon?zoek={q}"), None).await;
        assert!(p.body.contains("piet@zuid.nl"), "{q}");
    }
    let p = a.go("GET", "/agent/telefoon?zoek=%25%25", None).await;
    assert!(
        p.body.contains("id=\"no-contacts\""),
        "% is a character, not a wildcard"
    );

    // A phone ticket for a new contact: urgent, confirmed by mail.
    let missing = a
        .post(
            "/agent/telefoon",
            "/agent/telefoon",
            "email=nina%40zuid.nl&subject=&message=Export+faalt",
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("Export faalt"), "the notes are kept");
    let p = a
        .post(
            "/agent/telefoon",
            "/agent/telefoon",
            "email=nina%40zuid.nl&name=Nina+Nieuw&subject=Belde+over+export&message=Export+faalt&urgent=1",
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let n: i64 = p
        .location
        .as_deref()
        .and_then(|l| l.strip_prefix("/agent/tickets/"))
        .and_then(|l| l.split('?').next())
        .unwrap()
        .parse()
        .unwrap();
    let number = TicketNumber(n);
    let made = current(&app, number).await;
    assert!(made.urgent && made.channel == Channel::Phone);
    let mails = app.service.store().pending_outbox(50).await.unwrap();
    assert!(
        mails
            .iter()
            .any(|(_, m)| m.kind == MailKind::Confirmation && m.to == "nina@zuid.nl")
    );
    let here = format!("/agent/tickets/{n}");

    // A canned reply lands in the reply box with its placeholders filled.
    let canned = app.service.canned_replies(&admin).await.unwrap();
    assert_eq!(canned.len(), 5, "shipped with the procedure's texts");
    let more = canned.iter().find(|c| c.title == "Meer informatie nodig").unwrap();
    let p = a.go("GET", &format!("{here}?antwoord={}", more.id), None).await;
    assert!(p.body.contains("Beste Nina Nieuw,"), "{}", p.body);
    assert!(p.body.contains(&format!("ticket {n})")) && p.body.contains(&format!("/t/{n}/")));
    assert!(!p.body.contains("{naam}") && !p.body.contains("{volglink}"));

    // Only admins manage them.
    assert_eq!(
        a.go("GET", "/agent/beheer/standaardantwoorden", None).await.status,
        StatusCode::FORBIDDEN
    );
    let mut b = signed_in(&app, &admin_email).await;
    let list = "/agent/beheer/standaardantwoorden";
    let p = b.post(list, list, "title=Bedankt&body=Dank+u%2C+%7Bnaam%7D.").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let again = b.post(list, list, "title=Bedankt&body=Nog+een").await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("Nog een"), "the text is kept");
    assert_eq!(app.service.canned_replies(&admin).await.unwrap().len(), 6);

    // Working together: each sees the other on the ticket, and who types.
    b.go("GET", &here, None).await;
    let p = a.go("GET", &here, None).await;
    assert!(
        p.body.contains("Ook geopend door: <strong>Admin</strong>"),
        "{}",
        p.body
    );
    let token = form_token(&b.go("GET", &here, None).await.body);
    b.go(
        "POST",
        &format!("{here}/aanwezig"),
        Some(&format!("csrf={token}&typing=1")),
    )
    .await;
    let token = form_token(&a.go("GET", &here, None).await.body);
    let fragment = a
        .go(
            "POST",
            &format!("{here}/aanwezig"),
            Some(&format!("csrf={token}&typing=0")),
        )
        .await;
    assert!(
        fragment.body.contains("<strong>Admin</strong> (typt een antwoord)"),
        "{}",
        fragment.body
    );
    // A minute later without a sign of life, nobody else is there.
    app.clock.set(app.service.now() + chrono::Duration::seconds(61));
    let fragment = a
        .go(
            "POST",
            &format!("{here}/aanwezig"),
            Some(&format!("csrf={token}&typing=0")),
        )
        .await;
    assert!(!fragment.body.contains("Admin"), "{}", fragment.body);

    // Move every ticket of the address to another one.
    // Not without ticking that it cannot be undone (the browser asks too).
    let p = a
        .post(&here, &format!("{here}/verplaatsen"), "to=balie%40zuid.nl")
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.body
            .contains("Vink aan dat u begrijpt dat dit niet terug te draaien is.")
    );
    let p = a
        .post(&here, &format!("{here}/verplaatsen"), "to=balie%40zuid.nl&zeker=1")
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let moved = current(&app, number).await;
    let balie = app
        .service
        .store()
        .contact_by_email("balie@zuid.nl")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(moved.requester_id, balie.id);
}

#[tokio::test]
async fn the_api_keeps_pace_resolve_with_message_postpone_to_a_day_staff_and_canned() {
    let app = App::new().await;
    let body = |s: &str| serde_json::json!({"subject": s, "message": "M", "requester": "jan@zuid.nl"});
    let n = app.ticket(body("Eerste")).await;
    let second = app.ticket(body("Tweede")).await;
    let zone = loket_core::time::Zone::default();
    let day = zone.day(app.service.now() + chrono::Duration::days(5));
    let (status, v) = app
        .call(
            "POST",
            &format!("/api/v1/tickets/{n}/postpone"),
            Some(serde_json::json!({"message": "Welke versie?", "until": day})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let until: chrono::DateTime<chrono::Utc> = v["postponed_until"].as_str().unwrap().parse().unwrap();
    assert_eq!(Some(until), zone.end_of_day(&day));
    let (status, v) = app
        .call(
            "POST",
            &format!("/api/v1/tickets/{second}/postpone"),
            Some(serde_json::json!({"message": "Vraag", "until": "13-12-2026"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    // Resolve with a message: the customer gets it; resolving twice sends nothing.
    let path = format!("/api/v1/tickets/{second}/resolve");
    let (status, v) = app
        .call("POST", &path, Some(serde_json::json!({"message": "Opgelost in 8.4.1"})))
        .await;
    assert_eq!(
        (status, v["status"].as_str()),
        (StatusCode::OK, Some("resolved")),
        "{v}"
    );
    let (_, again) = app
        .call("POST", &path, Some(serde_json::json!({"message": "Nog eens"})))
        .await;
    assert_eq!(again["error"], "conflict", "{again}");
    let (_, msgs) = app
        .call("GET", &format!("/api/v1/tickets/{second}/messages"), None)
        .await;
    let texts: Vec<&str> = msgs
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["body_text"].as_str())
        .collect();
    assert!(
        texts.contains(&"Opgelost in 8.4.1") && !texts.contains(&"Nog eens"),
        "{texts:?}"
    );
    let (status, _) = app.call("POST", &format!("/api/v1/tickets/{n}/reopen"), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "a postponed ticket is not resolved");

    // Staff, canned replies, oldest first with its cursor, urgent filter.
    let (_, staff) = app.call("GET", "/api/v1/staff", None).await;
    assert!(
        staff
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["email"] == "admin@leverancier.nl")
    );
    let (_, canned) = app.call("GET", "/api/v1/canned-replies", None).await;
    assert_eq!(canned.as_array().unwrap().len(), 5);
    let (_, page) = app.call("GET", "/api/v1/tickets?sort=oldest&limit=1", None).await;
    assert_eq!(page["tickets"][0]["number"], n);
    let after = page["next_after"].as_i64().unwrap();
    let (_, page) = app
        .call(
            "GET",
            &format!("/api/v1/tickets?sort=oldest&limit=1&after={after}"),
            None,
        )
        .await;
    assert_eq!(page["tickets"][0]["number"], second);
    let (status, _) = app.call("GET", "/api/v1/tickets?sort=random", None).await;
    assert!(status.is_client_error());
    // Names in lists and threads.
    let (_, one) = app.call("GET", &format!("/api/v1/tickets/{n}"), None).await;
    assert_eq!(
        (one["requester_email"].as_str(), one["number"].as_i64()),
        (Some("jan@zuid.nl"), Some(n))
    );
    let (_, msgs) = app
        .call("GET", &format!("/api/v1/tickets/{second}/messages"), None)
        .await;
    assert!(
        msgs.as_array().unwrap().iter().any(|m| m["author_name"] == "Admin"),
        "{msgs}"
    );
    assert!(
        msgs.as_array()
            .unwrap()
            .iter()
            .any(|m| m["author_name"] == "jan@zuid.nl"),
        "{msgs}"
    );
    let (_, page) = app.call("GET", "/api/v1/tickets?urgent=true", None).await;
    assert!(page["tickets"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn merging_keeps_one_number_and_old_links_lead_there() {
    let app = App::new().await;
    let anna = staff(&app, "anna@leverancier.nl", Role::Agent).await;
    let (first, token) = super::portal::ticket(&app, "jan@zuid.nl", "Export faalt").await;
    let (second, _) = super::portal::ticket(&app, "jan@zuid.nl", "Nogmaals de export").await;
    let mut a = signed_in(&app, &anna).await;
    let here = format!("/agent/tickets/{}", first.number);
    let p = a.post(&here, &format!("{here}/samenvoegen"), "into=abc&zeker=1").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = a
        .post(
            &here,
            &format!("{here}/samenvoegen"),
            &format!("into=%23{}&zeker=1", second.number),
        )
        .await;
    assert_eq!(
        p.location.as_deref(),
        Some(format!("/agent/tickets/{}?gedaan=samenvoegen", second.number).as_str()),
        "{}",
        p.body
    );
    let old = a.go("GET", &here, None).await;
    assert!(
        old.body.contains("id=\"merged-into\""),
        "the old one points to the new one"
    );
    // The old one is read-only: a reply there is refused, in Dutch, and mails nobody.
    let before = app.service.store().pending_outbox(100).await.unwrap().len();
    let p = a
        .post(&here, &format!("{here}/antwoord"), "text=Nog+een+antwoord")
        .await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(p.body.contains("samengevoegd met ticket"), "{}", p.body);
    assert_eq!(app.service.store().pending_outbox(100).await.unwrap().len(), before);
    // The follow link mailed for the first ticket opens the second.
    let p = app
        .page("GET", &format!("/t/{}/{token}", first.number), None, None)
        .await;
    let to = p.location.expect("a redirect");
    assert!(to.starts_with(&format!("/t/{}/", second.number)), "{to}");
    let page = app.page("GET", &to, None, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Nogmaals de export"));
    assert!(
        page.body.contains("samengevoegd met deze melding"),
        "the customer is told why"
    );
}

#[tokio::test]
async fn spam_with_a_ban_is_listed_and_can_be_lifted() {
    let app = App::new().await;
    let anna = staff(&app, "anna@leverancier.nl", Role::Agent).await;
    let (t, _) = super::portal::ticket(&app, "win@prijs.example", "Gewonnen!").await;
    let mut a = signed_in(&app, &anna).await;
    let here = format!("/agent/tickets/{}", t.number);
    let p = a.post(&here, &format!("{here}/spam"), "ban=address").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let now = current(&app, t.number).await;
    assert_eq!(now.status, Status::Resolved);
    assert!(now.labels.contains(&"spam".to_owned()));
    assert!(app.service.store().is_banned("win@prijs.example").await.unwrap());
    let bans = a.go("GET", "/agent/beheer/geblokkeerd", None).await;
    assert!(
        bans.body.contains("win@prijs.example") && bans.body.contains("Medewerker"),
        "{}",
        bans.body
    );
    let p = a
        .post(
            "/agent/beheer/geblokkeerd",
            "/agent/beheer/geblokkeerd/opheffen",
            "pattern=win%40prijs.example",
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(!app.service.store().is_banned("win@prijs.example").await.unwrap());
    assert!(
        a.go("GET", "/agent/beheer/geblokkeerd", None)
            .await
            .body
            .contains("id=\"no-bans\"")
    );
}

#[tokio::test]
async fn bulk_actions_apply_to_each_ticked_ticket_and_say_what_failed() {
    let app = App::new().await;
    let anna = staff(&app, "anna@leverancier.nl", Role::Agent).await;
    let (one, _) = super::portal::ticket(&app, "jan@zuid.nl", "Een").await;
    let (two, _) = super::portal::ticket(&app, "kees@zuid.nl", "Twee").await;
    let mut a = signed_in(&app, &anna).await;
    let queue = "/agent/wachtrij/helpdesk";
    let page = a.go("GET", queue, None).await;
    assert!(page.body.contains("form=\"bulk-form\""));
    let body = format!(
        "action=assign_me&n={}&n={}&back=%2Fagent%2Fwachtrij%2Fhelpdesk",
        one.number, two.number
    );
    let p = a.post(queue, "/agent/bulk", &body).await;
    assert_eq!(
        p.location.as_deref(),
        Some("/agent/wachtrij/helpdesk?bulk=2&mislukt=&actie=toewijzen")
    );
    let me = app.service.store().staff_by_email(&anna).await.unwrap().unwrap();
    for n in [one.number, two.number] {
        assert_eq!(current(&app, n).await.assignee_id, Some(me.id));
    }
    // Transfer both to BI; one of them is there already: said by number.
    a.post(
        queue,
        "/agent/bulk",
        &format!("action=transfer&department=bi&n={}", one.number),
    )
    .await;
    let p = a
        .post(
            queue,
            "/agent/bulk",
            &format!(
                "action=transfer&department=bi&n={}&n={}&back=%2Fagent%2Fwachtrij%2Fhelpdesk",
                one.number, two.number
            ),
        )
        .await;
    let to = p.location.unwrap();
    assert_eq!(
        to,
        format!(
            "/agent/wachtrij/helpdesk?bulk=1&mislukt={}&actie=doorsturen",
            one.number
        )
    );
    let shown = a.go("GET", &to, None).await;
    assert!(shown.body.contains("id=\"bulk-result\""));
    // Never back to anywhere but a queue.
    let p = a
        .post(
            queue,
            "/agent/bulk",
            &format!("action=resolve&n={}&back=https%3A%2F%2Fevil.example", two.number),
        )
        .await;
    assert!(p.location.unwrap().starts_with("/agent?bulk=1"));
    let p = a
        .post(
            queue,
            "/agent/bulk",
            &format!(
                "action=label&label=x&n={}&back=%2Fagent%2Fwachtrij%2Fall%0D%0ASet-Cookie%3A+a%3D1",
                one.number
            ),
        )
        .await;
    assert!(
        p.location.unwrap().starts_with("/agent?bulk=1"),
        "an unreadable page falls back"
    );
    assert_eq!(current(&app, two.number).await.status, Status::Resolved);
}

#[tokio::test]
async fn the_staff_page_adds_staff_changes_roles_and_totp_requirements() {
    let app = App::new().await;
    let admin = staff(&app, "admin@leverancier.nl", Role::Admin).await;
    let anna = staff(&app, "anna@leverancier.nl", Role::Agent).await;
    let mut agent = signed_in(&app, &anna).await;
    let unknown = agent.go("GET", "/agent/bestaat-niet", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.body.contains("Loket · Werkplek"), "{}", unknown.body);
    let denied = agent.go("GET", "/agent/beheer/medewerkers", None).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert!(
        denied.body.contains("Loket · Werkplek") && !denied.body.contains("href=\"/mijn\""),
        "{}",
        denied.body
    );
    let mut b = signed_in(&app, &admin).await;
    let page = "/agent/beheer/medewerkers";
    let p = b
        .post(
            page,
            page,
            "do=add&email=piet%40leverancier.nl&name=Piet+Pol&role=consultant",
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let listed = b.go("GET", page, None).await;
    assert!(listed.body.contains("nog niet ingesteld"), "Piet has no password yet");
    let p = b.post(page, page, "do=invite&email=piet%40leverancier.nl").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let piet = app
        .service
        .store()
        .staff_by_email("piet@leverancier.nl")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(piet.role, Role::Consultant);
    // Piet gets a link to set his password: once, and a good one.
    let link = app
        .service
        .store()
        .pending_outbox(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, m)| m.kind == MailKind::StaffAccess && m.to == "piet@leverancier.nl")
        .filter_map(|(_, m)| m.link_token)
        .collect::<Vec<_>>();
    assert_eq!(link.len(), 2, "the first link and the new one");
    let (first, link) = (link[0].clone(), link[1].clone());
    let mut piet_browser = Browser::new(&app);
    let here = format!("/agent/wachtwoord/{link}");
    let form = piet_browser.go("GET", &here, None).await;
    assert!(form.body.contains("piet@leverancier.nl"), "{}", form.body);
    let p = piet_browser
        .post(
            &here,
            &here,
            "password=paars-fietsje-onder-de-brug&repeat=iets-anders-helemaal",
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = piet_browser
        .post(&here, &here, "password=welkom123&repeat=welkom123")
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "too weak");
    let p = piet_browser
        .post(&here, &here, &format!("password={PASSWORD}&repeat={PASSWORD}"))
        .await;
    assert_eq!(p.location.as_deref(), Some("/agent/inloggen?ingesteld=1"), "{}", p.body);
    assert_eq!(
        piet_browser.sign_in("piet@leverancier.nl").await.location.as_deref(),
        Some("/agent")
    );
    assert_eq!(
        piet_browser.go("GET", &here, None).await.status,
        StatusCode::NOT_FOUND,
        "once"
    );
    assert_eq!(
        piet_browser
            .go("GET", &format!("/agent/wachtwoord/{first}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND,
        "the older link is spent with it"
    );
    let p = b
        .post(page, page, "do=add&email=piet%40leverancier.nl&name=Piet&role=agent")
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "an address once");
    b.post(page, page, "do=role&email=piet%40leverancier.nl&role=product_manager")
        .await;
    assert_eq!(
        app.service
            .store()
            .staff_by_email("piet@leverancier.nl")
            .await
            .unwrap()
            .unwrap()
            .role,
        Role::ProductManager
    );
    // The last admin keeps the role.
    let p = b
        .post(page, page, "do=role&email=admin%40leverancier.nl&role=agent")
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("De laatste beheerder houdt die rol."), "{}", p.body);
    // TOTP for agents: Anna's open session stays, her next sign-in enrols.
    b.post(page, page, "do=totp&totp_role=agent").await;
    assert_eq!(app.service.totp_roles().await.unwrap(), vec![Role::Agent]);
    assert_eq!(
        agent.go("GET", "/agent", None).await.location.as_deref(),
        Some("/agent/inloggen"),
        "a session without TOTP ends when the role requires it"
    );
    let p = b.post(page, page, "do=end_sessions&email=anna%40leverancier.nl").await;
    let shown = b.go("GET", p.location.as_deref().unwrap(), None).await;
    assert!(
        shown.body.contains("Alle sessies beëindigd van anna@leverancier.nl."),
        "{}",
        shown.body
    );
    assert_eq!(agent.sign_in(&anna).await.location.as_deref(), Some("/agent/koppelen"));
}

#[tokio::test]
async fn adding_a_domain_attaches_contacts_and_their_tickets_and_contacts_get_authorised() {
    let app = App::new().await;
    let anna = staff(&app, "anna@leverancier.nl", Role::Agent).await;
    let (t, _) = super::portal::ticket(&app, "jan@noord.nl", "Vraag van Noord").await;
    assert_eq!(t.organisation_id, None);
    let mut a = signed_in(&app, &anna).await;
    let orgs = "/agent/beheer/organisaties";
    let p = a.post(orgs, orgs, "do=add&name=Gemeente+Noord&domains=").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let noord = app.service.store().list_organisations().await.unwrap()[0].clone();
    let p = a
        .post(orgs, orgs, &format!("do=domain&id={}&domain=gmail.com", noord.id))
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "never a public provider");
    // A domain banned as spam before becomes a customer's: the ban is lifted.
    let by = loket_core::store::Stamp {
        actor: "system".into(),
        at: app.service.now(),
    };
    app.service.store().ban_sender("@noord.nl", &by).await.unwrap();
    let p = a
        .post(orgs, orgs, &format!("do=domain&id={}&domain=%40Noord.nl", noord.id))
        .await;
    assert_eq!(p.location.as_deref(), Some("/agent/beheer/organisaties?gedaan=1"));
    let shown = a.go("GET", p.location.as_deref().unwrap(), None).await;
    assert!(shown.body.contains("gekoppeld: 1"), "{}", shown.body);
    assert_eq!(current(&app, t.number).await.organisation_id, Some(noord.id));
    let trail = app
        .service
        .store()
        .audit_of(&format!("organisation:{}", noord.id))
        .await
        .unwrap();
    assert!(trail.iter().any(|e| e.action == "domain_added"));
    let again = a
        .post(orgs, orgs, &format!("do=domain&id={}&domain=noord.nl", noord.id))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(!app.service.store().is_banned("kees@noord.nl").await.unwrap());
    let trail = app.service.store().audit(t.id).await.unwrap();
    assert!(
        trail.iter().any(|e| e.action == "organisation_domain"),
        "the ticket's own trail says it joined"
    );
    // Authorise Jan: the ticket page stops warning.
    let contacts = "/agent/beheer/contacten?zoek=jan";
    let page = a.go("GET", contacts, None).await;
    assert!(page.body.contains("jan@noord.nl"));
    let jan = app
        .service
        .store()
        .contact_by_email("jan@noord.nl")
        .await
        .unwrap()
        .unwrap();
    let p = a
        .post(
            contacts,
            "/agent/beheer/contacten",
            &format!("id={}&authorised=1&organisation={}&zoek=jan", jan.id, noord.id),
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = a.go("GET", &format!("/agent/tickets/{}", t.number), None).await;
    assert!(!page.body.contains("id=\"not-authorised\""));
}

#[tokio::test]
async fn the_mailboxes_page_shows_fetch_status_and_retries_quarantined_mail() {
    let app = App::new().await;
    let anna = staff(&app, "anna@leverancier.nl", Role::Agent).await;
    let now = app.service.now();
    let store = app.service.store();
    store.record_mailbox("helpdesk", None, now).await.unwrap();
    store
        .record_mailbox("helpdesk", Some("authentication failed"), now)
        .await
        .unwrap();
    let intake = loket_mail::Intake::new(app.service.clone(), loket_mail::Mailbox::defaults());
    intake
        .ingest("helpdesk", b"Subject: zonder afzender\r\n\r\nx", None)
        .await
        .unwrap();
    let id = store.list_quarantine(1).await.unwrap()[0].id;
    let mut a = signed_in(&app, &anna).await;
    let page = a.go("GET", "/agent/beheer/postvakken", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("authentication failed"), "{}", page.body);
    assert!(
        page.body.contains("id=\"quarantine\"") && page.body.contains("sender"),
        "{}",
        page.body
    );
    let p = a
        .post(
            "/agent/beheer/postvakken",
            &format!("/agent/beheer/postvakken/{id}/opnieuw"),
            "",
        )
        .await;
    assert_eq!(
        p.location.as_deref(),
        Some("/agent/beheer/postvakken?opnieuw=quarantaine")
    );
    let shown = a.go("GET", p.location.as_deref().unwrap(), None).await;
    assert!(shown.body.contains("id=\"retry-result\""));
}

#[tokio::test]
async fn labels_are_counted_renamed_into_one_and_removed() {
    let app = App::new().await;
    let anna = staff(&app, "anna@leverancier.nl", Role::Agent).await;
    let admin = app.staff("admin@leverancier.nl", Role::Admin).await;
    let (one, _) = super::portal::ticket(&app, "jan@zuid.nl", "Een").await;
    let (two, _) = super::portal::ticket(&app, "kees@zuid.nl", "Twee").await;
    app.service
        .set_labels(&admin, one.number, &["Excel".into()])
        .await
        .unwrap();
    app.service
        .set_labels(&admin, two.number, &["excel".into(), "BRP".into()])
        .await
        .unwrap();
    let mut a = signed_in(&app, &anna).await;
    let page = "/agent/beheer/labels";
    let shown = a.go("GET", page, None).await;
    assert!(shown.body.contains("<td>Excel</td>") && shown.body.contains("<td>excel</td>"));
    let p = a.post(page, page, "from=excel&to=a%2Cb").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "a label is never a list");
    let p = a.post(page, page, "from=excel&to=Excel").await;
    assert_eq!(p.location.as_deref(), Some("/agent/beheer/labels?gewijzigd=1"));
    assert_eq!(
        current(&app, two.number).await.labels,
        vec!["BRP".to_owned(), "Excel".to_owned()]
    );
    let p = a.post(page, page, "from=Excel&to=").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "an empty rename removes nothing");
    let p = a.post(page, page, "from=Excel&remove=1&zeker=1").await;
    assert_eq!(p.location.as_deref(), Some("/agent/beheer/labels?gewijzigd=2"));
    assert!(current(&app, one.number).await.labels.is_empty());
    assert_eq!(
        app.service.store().label_counts().await.unwrap(),
        vec![("BRP".to_owned(), 1)]
    );
}

#[tokio::test]
async fn the_privacy_panel_decides_removes_and_reports_in_dutch() {
    let app = App::new().await;
    let anna = staff(&app, "anna@leverancier.nl", Role::Agent).await;
    let admin = app.staff("admin@leverancier.nl", Role::Admin).await;
    app.service
        .create_organisation(&admin, "Gemeente Zuid", &["zuid.nl".into()])
        .await
        .unwrap();
    let csv: String = std::iter::once("Naam;BSN\n".to_owned())
        .chain(
            (300_000_000u32..)
                .map(|v| v.to_string())
                .filter(|v| loket_privacy::is_bsn(v.as_bytes()))
                .take(3)
                .enumerate()
                .map(|(i, b)| format!("Cliënt {i};{b}\n")),
        )
        .collect();
    let mut input = CreateTicket::new("Lijst", "Zie bijlage", "jan@zuid.nl", Channel::Email);
    input.attachments = vec![Upload::bytes("lijst.csv", "text/csv", csv.into_bytes())];
    let t = app.service.create_ticket(&Actor::System, input).await.unwrap();
    app.service.scan_privacy().await.unwrap();
    let incident = app.service.ticket_incidents(&admin, t.number).await.unwrap()[0].clone();
    let mut a = signed_in(&app, &anna).await;
    let here = format!("/agent/tickets/{}", t.number);
    let page = a.go("GET", &here, None).await;
    assert!(page.body.contains("id=\"privacy\""), "{}", page.body);
    assert!(page.body.contains("3 personen") && page.body.contains("Voorstel: wacht op uw besluit"));
    assert!(!page.body.contains("300000"), "full values never shown");
    let overview = a.go("GET", "/agent", None).await;
    assert!(overview.body.contains("id=\"count-privacy\">1<"), "{}", overview.body);
    let waiting = a.go("GET", "/agent/privacy", None).await;
    assert!(waiting.body.contains(&format!("/agent/tickets/{}#privacy", t.number)));
    // Confirming a full incident needs the box ticked.
    let action = format!("{here}/privacy/{}", incident.id);
    let p = a.post(&here, &action, "decision=confirm").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = a.post(&here, &action, "decision=confirm&zeker=1").await;
    assert_eq!(p.location.as_deref(), Some(format!("{here}?gedaan=privacy").as_str()));
    let page = a.go("GET", &format!("{here}?gedaan=privacy"), None).await;
    assert!(page.body.contains("Besluit over het privacy-incident vastgelegd."));
    assert!(page.body.contains("definitief verwijderd") && page.body.contains("SHA-256"));
    assert!(page.body.contains("Privacy-incident bevestigd") && page.body.contains("Privacymelding gestuurd"));
    assert!(
        page.body
            .contains("privacy-incident: persoonsgegevens van meerdere personen")
    );
    // Twice: told in Dutch that it was decided.
    let p = a.post(&here, &action, "decision=dismiss").await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(
        p.body.contains("Over dit privacy-incident is al besloten"),
        "{}",
        p.body
    );

    // One attachment and one message removed for good, with a reason.
    let mut input = CreateTicket::new("Log", "Zie log", "jan@zuid.nl", Channel::Email);
    input.attachments = vec![Upload::bytes("log.txt", "text/plain", b"fout 42".to_vec())];
    let t2 = app.service.create_ticket(&Actor::System, input).await.unwrap();
    let file = app.service.store().attachments(t2.id).await.unwrap()[0].id;
    let here2 = format!("/agent/tickets/{}", t2.number);
    let remove = format!("{here2}/bijlage/{file}/verwijderen");
    assert_eq!(
        a.post(&here2, &remove, "text=AVG").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let p = a.post(&here2, &remove, "text=&zeker=1").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = a.post(&here2, &remove, "text=Klantgegevens&zeker=1").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let removed = &app.service.store().attachments(t2.id).await.unwrap()[0];
    assert_eq!(removed.removal_reason.as_deref(), Some("Klantgegevens"));
    assert!(removed.removed_by.as_deref().is_some_and(|b| b.starts_with("staff:")));
    let message = app.service.store().messages(t2.id, true).await.unwrap()[0].id;
    let p = a
        .post(
            &here2,
            &format!("{here2}/bericht/{message}/verwijderen"),
            "text=AVG&zeker=1",
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let left = app.service.store().messages(t2.id, true).await.unwrap();
    assert_eq!(left.len(), 1, "only the tombstone");
    assert_eq!(left[0].kind, MessageKind::Event);
    let page = a.go("GET", &here2, None).await;
    assert!(page.body.contains("Bericht definitief verwijderd"), "{}", page.body);
    assert!(
        page.body
            .contains("Een bericht van jan@zuid.nl is hier definitief verwijderd. Reden: AVG")
    );
    assert!(
        app.service.store().messages(t2.id, false).await.unwrap().is_empty(),
        "customers see nothing of it"
    );

    // The reports: per organisation, the year by quarter, the CSV.
    let report = a.go("GET", "/agent/privacy", None).await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.body.contains("Geen voorstellen: over alles is besloten."));
    assert!(report.body.contains("Gemeente Zuid") && report.body.contains("Tegengehouden bij upload"));
    let bad = a.go("GET", "/agent/privacy?van=2026-12-31&tot=2026-01-01", None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("De periode eindigt voordat hij begint."));
    let org = app.service.store().list_organisations().await.unwrap()[0].id;
    let year = a
        .go("GET", &format!("/agent/privacy/organisatie/{org}?jaar=2026"), None)
        .await;
    assert!(
        year.body.contains("Q1") && year.body.contains("Totaal"),
        "{}",
        year.body
    );
    let csv = a
        .go(
            "GET",
            &format!("/agent/privacy/organisatie/{org}?jaar=2026&formaat=csv"),
            None,
        )
        .await;
    assert!(csv.body.starts_with('\u{feff}'), "a BOM for spreadsheet programs");
    assert!(csv.body.contains("2026;0;1;0;Gemeente Zuid"), "{}", csv.body);
}

#[tokio::test]
async fn deadlines_show_on_the_portal_the_ticket_page_the_overview_and_the_overdue_queue() {
    use chrono::TimeZone;
    let app = App::new().await;
    let email = staff(&app, "anna@leverancier.nl", Role::Agent).await;
    let admin = app.staff("admin@leverancier.nl", Role::Admin).await;
    // Friday 18 December 2026, 16:45 in Amsterdam.
    app.clock
        .set(chrono::Utc.with_ymd_and_hms(2026, 12, 18, 15, 45, 0).unwrap());
    let (t, token) = super::portal::ticket(&app, "jan@zuid.nl", "Koppeling").await;
    let n = t.number;
    let follow = app.page("GET", &format!("/t/{n}/{token}"), None, None).await;
    assert!(
        follow
            .body
            .contains("u krijgt vóór 21 december 2026 om 16:45 een antwoord"),
        "{}",
        follow.body
    );

    let mut agent = signed_in(&app, &email).await;
    let page = agent.go("GET", &format!("/agent/tickets/{n}"), None).await;
    assert!(page.body.contains("id=\"ticket-due\""), "{}", page.body);
    assert!(page.body.contains("21-12-2026 16:45"));
    assert!(page.body.contains("nog 1 werkdag werktijd"), "one working day left");
    let overview = agent.go("GET", "/agent", None).await;
    assert!(
        overview
            .body
            .contains("<span class=\"n\" id=\"count-overdue\">0</span>")
    );

    // Monday 17:00: past the deadline.
    app.clock
        .set(chrono::Utc.with_ymd_and_hms(2026, 12, 21, 16, 0, 0).unwrap());
    // (The weekend ended the session.)
    let mut agent = signed_in(&app, &email).await;
    let overview = agent.go("GET", "/agent", None).await;
    assert!(
        overview
            .body
            .contains("<span class=\"n\" id=\"count-overdue\">1</span>"),
        "{}",
        overview.body
    );
    let queue = agent.go("GET", "/agent/wachtrij/overdue", None).await;
    assert!(queue.body.contains("<h1>Te laat"), "{}", queue.body);
    assert!(queue.body.contains(&format!("data-ticket=\"{n}\"")));
    let page = agent.go("GET", &format!("/agent/tickets/{n}"), None).await;
    assert!(page.body.contains("<strong class=\"badge urgent\">Te laat</strong>"));
    // Answered: off the overdue queue.
    app.service
        .agent_reply(&admin, n, loket_core::service::Reply::text("Zo werkt het."))
        .await
        .unwrap();
    let queue = agent.go("GET", "/agent/wachtrij/overdue", None).await;
    assert!(!queue.body.contains(&format!("data-ticket=\"{n}\"")));
}

#[tokio::test]
async fn the_jobs_page_lists_failed_jobs_with_their_error_and_retries_them() {
    let app = App::new().await;
    let email = staff(&app, "beheer@leverancier.nl", Role::Admin).await;
    let now = app.service.now();
    let job = loket_core::jobs::NewJob {
        kind: "onbekend".into(),
        key: None,
        payload: "{}".into(),
        run_at: now,
    };
    app.service.store().enqueue_jobs(&[job], now).await.unwrap();
    for _ in 0..loket_core::service::MAX_ATTEMPTS {
        app.service.run_jobs(10).await.unwrap();
        app.clock.set(app.clock.now() + chrono::Duration::hours(2));
    }
    let mut admin = signed_in(&app, &email).await;
    let page = admin.go("GET", "/agent/beheer/taken", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<span class=\"n\" id=\"jobs-failed\">1</span>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Onbekende soort taak &#x27;onbekend&#x27;") || page.body.contains("Onbekende soort taak"),
        "{}",
        page.body
    );
    let id = app.service.store().list_jobs(None, 1).await.unwrap()[0].id;
    let retried = admin
        .post("/agent/beheer/taken", &format!("/agent/beheer/taken/{id}/opnieuw"), "")
        .await;
    assert_eq!(retried.location.as_deref(), Some("/agent/beheer/taken"));
    let page = admin.go("GET", "/agent/beheer/taken", None).await;
    assert!(
        page.body.contains("<span class=\"n\" id=\"jobs-due\">1</span>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Er zijn geen mislukte taken."));
}

#[tokio::test]
async fn versions_are_added_written_previewed_and_released_from_the_workspace() {
    let app = App::new().await;
    let email = staff(&app, "pm@leverancier.nl", Role::ProductManager).await;
    let admin = app.staff("admin@leverancier.nl", Role::Admin).await;
    let mut pm = signed_in(&app, &email).await;
    // A bad version keeps what was typed and says why, in Dutch.
    let bad = pm
        .post(
            "/agent/versies",
            "/agent/versies",
            "version=8.4%2F1&kind=major&notes=Mijn+tekst",
        )
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("mag alleen letters, cijfers"), "{}", bad.body);
    assert!(bad.body.contains(">Mijn tekst</textarea>"), "nothing typed is lost");
    let made = pm
        .post(
            "/agent/versies",
            "/agent/versies",
            "version=8.4.1&kind=interim&planned_on=2026-12-15&notes=%23+Nieuw%0A%0A-+**Sneller**%0A%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        )
        .await;
    assert_eq!(made.location.as_deref(), Some("/agent/versies/8.4.1?opgeslagen=1"));
    let page = pm.go("GET", "/agent/versies/8.4.1?opgeslagen=1", None).await;
    assert!(page.body.contains("De versie is opgeslagen."));
    assert!(page.body.contains("<h1>Nieuw</h1>") && page.body.contains("<strong>Sneller</strong>"));
    assert!(!page.body.contains("<script>alert"), "the preview is cleaned");
    let t = app
        .service
        .create_ticket(
            &admin,
            CreateTicket::new("Sneller", "Graag", "jan@zuid.nl", Channel::Email),
        )
        .await
        .unwrap();
    app.service
        .transfer(&admin, t.number, Department::Planned, Some("8.4.1".into()))
        .await
        .unwrap();
    let page = pm.go("GET", "/agent/versies/8.4.1", None).await;
    assert!(page.body.contains(&format!("#{} Sneller", t.number)));
    let unticked = pm
        .post("/agent/versies/8.4.1", "/agent/versies/8.4.1/uitbrengen", "")
        .await;
    assert!(unticked.body.contains("Vink aan dat u begrijpt"), "{}", unticked.body);
    assert_eq!(current(&app, t.number).await.department, Department::Planned);
    let released = pm
        .post("/agent/versies/8.4.1", "/agent/versies/8.4.1/uitbrengen", "zeker=1")
        .await;
    assert_eq!(released.location.as_deref(), Some("/agent/versies/8.4.1?uitgebracht=1"));
    app.service.run_jobs(10).await.unwrap();
    assert_eq!(current(&app, t.number).await.department, Department::Delivered);
    let page = pm.go("GET", "/agent/versies/8.4.1?uitgebracht=1", None).await;
    assert!(page.body.contains("id=\"released\"") && !page.body.contains("id=\"publish\""));
    // Released twice: said on the page.
    let again = pm
        .post("/agent/versies/8.4.1", "/agent/versies/8.4.1/uitbrengen", "zeker=1")
        .await;
    assert!(
        again.body.contains("Versie 8.4.1 is al eerder uitgebracht."),
        "{}",
        again.body
    );
    let list = pm.go("GET", "/agent/versies", None).await;
    assert!(list.body.contains("href=\"/agent/versies/8.4.1\""));
}

#[tokio::test]
async fn the_agenda_lists_the_next_meetings_and_records_outcomes() {
    use chrono::TimeZone;
    let app = App::new().await;
    let email = staff(&app, "anna@leverancier.nl", Role::Agent).await;
    let admin = app.staff("admin@leverancier.nl", Role::Admin).await;
    // Sunday 29 November 2026, noon in Amsterdam.
    app.clock
        .set(chrono::Utc.with_ymd_and_hms(2026, 11, 29, 11, 0, 0).unwrap());
    let (t, token) = super::portal::ticket(&app, "jan@zuid.nl", "Nieuwe rapportage").await;
    app.service
        .transfer(&admin, t.number, Department::FunctionalMeeting, None)
        .await
        .unwrap();
    let follow = app.page("GET", &format!("/t/{}/{token}", t.number), None, None).await;
    assert!(
        follow
            .body
            .contains("wordt besproken in het Functioneel overleg van 3 december 2026"),
        "{}",
        follow.body
    );
    let home = app.page("GET", "/", None, None).await;
    assert!(
        home.body.contains("3 december 2026"),
        "the start page names the next meeting"
    );

    let mut agent = signed_in(&app, &email).await;
    let page = agent.go("GET", "/agent/overleg", None).await;
    assert!(page.body.contains("Intern bespreken: <time"), "{}", page.body);
    assert!(page.body.contains("1 december 2026 om 10:00"));
    assert!(page.body.contains("3 december 2026 om 10:00"));
    assert!(page.body.contains(&format!("id=\"t{}\"", t.number)));
    // Nothing chosen: said, nothing changes.
    let empty = agent
        .post(
            "/agent/overleg",
            &format!("/agent/overleg/{}", t.number),
            "reply=&department=",
        )
        .await;
    assert!(empty.body.contains("Vul een antwoord in of kies een afdeling."));
    // A move the rules refuse (Gepland needs a version) sends no reply either,
    // and the form keeps what was typed.
    let refused = agent
        .post(
            "/agent/overleg",
            &format!("/agent/overleg/{}", t.number),
            "reply=Wordt+gepland.&department=planned&version=",
        )
        .await;
    assert!(refused.body.contains("releaseversie nodig"), "{}", refused.body);
    assert!(refused.body.contains(">Wordt gepland.</textarea>"), "{}", refused.body);
    assert!(refused.body.contains("<option value=\"planned\" selected>"));
    assert_eq!(current(&app, t.number).await.status, Status::New, "no reply went out");
    // A reply and a move to Gepland with its version, in one outcome.
    let done = agent
        .post(
            "/agent/overleg",
            &format!("/agent/overleg/{}", t.number),
            "reply=Besproken%3A+dit+komt+in+versie+8.5.&department=planned&version=8.5",
        )
        .await;
    assert_eq!(
        done.location.as_deref(),
        Some(format!("/agent/overleg?vastgelegd={}", t.number).as_str())
    );
    let now = current(&app, t.number).await;
    assert_eq!(
        (now.department, now.release_version.as_deref(), now.status),
        (Department::Planned, Some("8.5"), Status::Answered)
    );
    let page = agent.go("GET", "/agent/overleg", None).await;
    assert!(!page.body.contains(&format!("id=\"t{}\"", t.number)), "off the agenda");
}

#[tokio::test]
async fn work_items_link_to_the_tracker_and_a_design_item_stays_after_development() {
    let portal = loket_web::PortalSettings {
        work_item_url: Some("https://dev.azure.com/leverancier/Loket/_workitems/edit/{id}".into()),
        ..loket_web::PortalSettings::default()
    };
    let app = App::with(loket_core::service::Limits::default(), portal).await;
    let email = staff(&app, "anna@leverancier.nl", Role::Agent).await;
    let admin = app.staff("admin@leverancier.nl", Role::Admin).await;
    let t = app
        .service
        .create_ticket(
            &admin,
            CreateTicket::new("Nieuw scherm", "Graag", "jan@zuid.nl", Channel::Email),
        )
        .await
        .unwrap();
    app.service
        .transfer(&admin, t.number, Department::Design, None)
        .await
        .unwrap();
    app.service.set_work_item(&admin, t.number, Some("1234")).await.unwrap();
    app.service
        .transfer(&admin, t.number, Department::Development, None)
        .await
        .unwrap();
    app.service.set_work_item(&admin, t.number, Some("5678")).await.unwrap();
    let mut agent = signed_in(&app, &email).await;
    let page = agent.go("GET", &format!("/agent/tickets/{}", t.number), None).await;
    let items = page.body.split("id=\"work-items\"").nth(1).unwrap_or_default();
    let first = items.find("_workitems/edit/5678").unwrap_or(usize::MAX);
    let second = items.find("_workitems/edit/1234").unwrap_or(usize::MAX);
    assert!(first < second && second < usize::MAX, "{}", page.body);
}

#[tokio::test]
async fn a_ticket_is_linked_to_a_wish_from_its_page_and_the_wish_list_counts_organisations() {
    let app = App::new().await;
    let email = staff(&app, "anna@leverancier.nl", Role::Agent).await;
    let admin = app.staff("admin@leverancier.nl", Role::Admin).await;
    let new = |subject: &str, who: &str| CreateTicket::new(subject, "Graag", who, Channel::Email);
    let wish = app
        .service
        .create_ticket(&admin, new("Export naar Excel", "a@aa.nl"))
        .await
        .unwrap();
    app.service
        .transfer(&admin, wish.number, Department::Wishlist, None)
        .await
        .unwrap();
    let other = app
        .service
        .create_ticket(&admin, new("Ook Excel", "b@bee.nl"))
        .await
        .unwrap();
    let plain = app
        .service
        .create_ticket(&admin, new("Vraag", "c@cee.nl"))
        .await
        .unwrap();
    let mut agent = signed_in(&app, &email).await;
    let from = format!("/agent/tickets/{}", other.number);
    // Not a wish: said in Dutch on the page.
    let refused = agent
        .post(&from, &format!("{from}/wens"), &format!("wish={}", plain.number))
        .await;
    assert!(
        refused.body.contains(&format!(
            "Ticket {} is geen wens (het staat in de afdeling Helpdesk).",
            plain.number
        )),
        "{}",
        refused.body
    );
    let done = agent
        .post(&from, &format!("{from}/wens"), &format!("wish=%23{}", wish.number))
        .await;
    assert_eq!(done.location.as_deref(), Some(format!("{from}?gedaan=wens").as_str()));
    assert_eq!(current(&app, other.number).await.department, Department::Wishlist);
    let list = agent.go("GET", "/agent/wensen", None).await;
    assert!(
        list.body.contains(&format!("#{} Export naar Excel", wish.number)),
        "{}",
        list.body
    );
    assert!(
        list.body.contains(
            "<td data-label=\"Organisaties (of losse aanvragers)\">2</td><td data-label=\"Gekoppelde tickets\">1</td>"
        ),
        "{}",
        list.body
    );
    assert!(
        !list.body.contains("Ook Excel"),
        "a linked ticket is no wish of its own"
    );
}

/// A webhook receiver on a local port: answers 500 to the first request and
/// 200 after; keeps each request's head and body.
async fn receiver() -> (String, std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = seen.clone();
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((mut s, _)) = listener.accept().await {
            let mut raw = Vec::new();
            let mut buf = [0u8; 4096];
            // Read until the body announced by Content-Length is in.
            while let Ok(k) = s.read(&mut buf).await {
                if k == 0 {
                    break;
                }
                raw.extend_from_slice(&buf[..k]);
                let text = String::from_utf8_lossy(&raw).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let len: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("Content-Length: "))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    if body.len() >= len {
                        keep.lock().unwrap().push((head.to_owned(), body.to_owned()));
                        break;
                    }
                }
            }
            n += 1;
            let status = if n == 1 { "500 Internal Server Error" } else { "200 OK" };
            let _ = s
                .write_all(format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes())
                .await;
        }
    });
    (url, seen)
}

#[tokio::test]
async fn webhooks_receive_signed_ticket_events_retried_after_a_failure_and_logged() {
    use hmac::{Hmac, Mac};
    let app = App::new().await;
    let email = staff(&app, "beheer@leverancier.nl", Role::Admin).await;
    let admin = app.staff("admin@leverancier.nl", Role::Admin).await;
    let (url, seen) = receiver().await;
    let mut page = signed_in(&app, &email).await;
    let bad = page
        .post(
            "/agent/beheer/webhooks",
            "/agent/beheer/webhooks",
            "url=javascript%3Aalert(1)",
        )
        .await;
    assert!(bad.body.contains("Vul een http- of https-adres in"), "{}", bad.body);
    let added = page
        .post(
            "/agent/beheer/webhooks",
            "/agent/beheer/webhooks",
            &format!("url={}", loket_mail::links::path_segment(&url)),
        )
        .await;
    let secret = added
        .body
        .split("<code>")
        .nth(1)
        .and_then(|r| r.split("</code>").next())
        .unwrap()
        .to_owned();
    assert_eq!(secret.len(), 64);
    let again = page.go("GET", "/agent/beheer/webhooks", None).await;
    assert!(!again.body.contains(&secret), "the secret is shown once");

    let t = app
        .service
        .create_ticket(
            &admin,
            CreateTicket::new("Koppeling", "Werkt niet", "jan@zuid.nl", Channel::Email),
        )
        .await
        .unwrap();
    app.service
        .transfer(&admin, t.number, Department::Bi, None)
        .await
        .unwrap();
    let svc = app
        .service
        .clone()
        .with_job_handler(std::sync::Arc::new(loket_mail::webhooks::Deliverer));
    // Deliveries run apart from the other jobs, at the same time.
    assert_eq!(
        svc.run_jobs(10).await.unwrap(),
        loket_core::service::JobsReport::default()
    );
    let first = svc.run_webhook_jobs(10).await.unwrap();
    assert_eq!((first.done, first.retried), (1, 1), "one attempt met a 500");
    app.clock.set(app.clock.now() + chrono::Duration::minutes(2));
    assert_eq!(
        svc.run_webhook_jobs(10).await.unwrap().done,
        1,
        "retried after the backoff"
    );
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 3);
    let mut events = Vec::new();
    for (head, body) in &got {
        let sig = head
            .lines()
            .find_map(|l| l.strip_prefix("X-Loket-Signature: "))
            .unwrap();
        let (ts, mac) = sig.split_once(",sha256=").unwrap();
        let ts = ts.trim_start_matches("t=");
        let delivery = head.lines().find_map(|l| l.strip_prefix("X-Loket-Delivery: ")).unwrap();
        let mut m = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        m.update(format!("{ts}.{delivery}.{body}").as_bytes());
        assert_eq!(hex::encode(m.finalize().into_bytes()), mac, "signed with the secret");
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["ticket"]["number"].as_i64(), Some(t.number.0));
        assert!(!body.contains("Werkt niet"), "no message text leaves");
        events.push(format!(
            "{} {}",
            v["event"].as_str().unwrap(),
            v["ticket"]["department"].as_str().unwrap()
        ));
    }
    events.sort();
    events.dedup();
    assert_eq!(events, vec!["ticket.changed bi", "ticket.created helpdesk"]);
    let log = app.service.webhook_deliveries(&admin, 10).await.unwrap();
    let mut statuses: Vec<Option<i64>> = log.iter().map(|d| d.status).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, vec![Some(200), Some(200), Some(500)]);
    let shown = page.go("GET", "/agent/beheer/webhooks", None).await;
    assert!(shown.body.contains("De webhook antwoordde 500."), "{}", shown.body);
}

#[tokio::test]
async fn a_published_outage_shows_a_banner_on_every_portal_page_and_in_the_feed() {
    let app = App::new().await;
    let email = staff(&app, "anna@leverancier.nl", Role::Agent).await;
    let mut agent = signed_in(&app, &email).await;
    for name in ["Portaal", "Koppelingen"] {
        let made = agent
            .post("/agent/storingen", "/agent/storingen", &format!("component={name}"))
            .await;
        assert_eq!(made.location.as_deref(), Some("/agent/storingen"));
    }
    let components = app.service.store().list_components().await.unwrap();
    let koppelingen = components.iter().find(|c| c.name == "Koppelingen").unwrap().id;
    // An empty message is refused and said.
    let empty = agent
        .post(
            "/agent/storingen",
            "/agent/storingen",
            "title=Storing&kind=incident&body=",
        )
        .await;
    assert!(empty.body.contains("id=\"action-error\""), "{}", empty.body);
    let published = agent
        .post(
            "/agent/storingen",
            "/agent/storingen",
            &format!("title=Koppelingen+traag+%3Cb%3E&kind=incident&components={koppelingen}&body=Wij+onderzoeken+het+%26+melden+ons."),
        )
        .await;
    assert_eq!(published.location.as_deref(), Some("/agent/storingen"));
    for page in ["/", "/wijzigingen", "/inloggen", "/storingen"] {
        let p = app.page("GET", page, None, None).await;
        assert!(
            p.body.contains("id=\"outage-banner\"")
                && p.body.contains("Storing: Koppelingen traag &#60;b&#62; (onderzoek)"),
            "{page}: {}",
            p.body
        );
    }
    let page = app.page("GET", "/storingen", None, None).await;
    assert!(
        page.body.contains("Koppelingen: <strong>verstoord</strong>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Portaal: <strong>werkt</strong>"));

    // The feed is well-formed Atom with one entry per update.
    let id = app.service.outages(10).await.unwrap()[0].id;
    // A ticket linked to it names it on its page; the outage lists the ticket.
    let t = app
        .service
        .create_ticket(
            &Actor::System,
            CreateTicket::new("Koppeling", "Traag", "jan@gemeente.nl", Channel::Portal),
        )
        .await
        .unwrap();
    let linked = agent
        .post(
            "/agent/storingen",
            &format!("/agent/storingen/{id}/ticket"),
            &format!("number={}", t.number),
        )
        .await;
    assert_eq!(linked.location.as_deref(), Some("/agent/storingen"));
    let page = agent.go("GET", &format!("/agent/tickets/{}", t.number), None).await;
    assert!(page.body.contains("id=\"ticket-outages\"") && page.body.contains("Koppelingen traag &#60;b&#62;"));
    let list = agent.go("GET", "/agent/storingen", None).await;
    assert!(list.body.contains(&format!("href=\"/agent/tickets/{}\"", t.number)));
    agent
        .post(
            "/agent/storingen",
            &format!("/agent/storingen/{id}"),
            "state=resolved&body=Opgelost%3A+de+koppeling+werkt+weer.",
        )
        .await;
    let feed = app.page("GET", "/storingen/feed.atom", None, None).await;
    let mut reader = quick_xml::Reader::from_str(&feed.body);
    let (mut entries, mut root, mut titles) = (0, String::new(), Vec::new());
    let mut in_title = false;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                if root.is_empty() {
                    root = name.clone();
                    let ns = e.try_get_attribute("xmlns").unwrap().unwrap();
                    assert_eq!(ns.value.as_ref(), b"http://www.w3.org/2005/Atom");
                }
                if name == "entry" {
                    entries += 1;
                }
                in_title = name == "title";
            }
            quick_xml::events::Event::Text(t) if in_title => {
                titles.push(t.unescape().unwrap().into_owned());
                in_title = false;
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!((root.as_str(), entries), ("feed", 2));
    assert!(
        titles.contains(&"Koppelingen traag <b>: opgelost".to_owned()),
        "{titles:?}"
    );
    // Resolved: no banner, the outage moves to the history.
    let home = app.page("GET", "/", None, None).await;
    assert!(!home.body.contains("id=\"outage-banner\""));
    let json = app.page("GET", "/storingen.json", None, None).await;
    let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(v["active"].as_array().unwrap().len(), 0);
    assert_eq!(v["outages"][0]["state"].as_str(), Some("resolved"));
}
