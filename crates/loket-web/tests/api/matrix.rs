//! The authorisation of every route, in one table. The routes come from the
//! router itself: a route without a row here fails the test, so a new route
//! cannot be missed. Each row says, for anonymous visitors, customer A (the
//! requester), customer B (A's organisation), customer C (another
//! organisation), and each staff role, what the answer must be:
//!
//! `Y` allowed (2xx, 3xx, or 409 refused by the rules), `U` 401, `F` 403,
//! `N` 404 (what a customer gets for what is not theirs), `L` sent to the login page,
//! `S` sent to the staff sign-in page (a portal session counts for nothing there).

use super::client::{App, multipart_files};
use super::portal::form_token;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use loket_core::service::{Actor, CreateTicket, Reply, Upload};
use loket_core::*;
use std::collections::BTreeSet;

/// The actors, in the order of the expectation strings.
const ACTORS: [&str; 8] = [
    "anonymous",
    "customer A",
    "customer B (same organisation)",
    "customer C (other organisation)",
    "agent",
    "product manager",
    "consultant",
    "admin",
];

/// `(method, path, body, expected per actor)`. Rows that change what later
/// rows need (removing a message, revoking links) come last.
const TABLE: &[(&str, &str, &str, &str)] = &[
    // Public pages.
    ("GET", "/", "", "YYYYYYYY"),
    ("GET", "/verstuurd", "", "YYYYYYYY"),
    ("GET", "/healthz", "", "YYYYYYYY"),
    ("GET", "/static/{file}", "", "YYYYYYYY"),
    ("GET", "/api/v1/openapi.json", "", "YYYYYYYY"),
    ("POST", "/tickets/new", "multipart", "YYYYYYYY"),
    ("GET", "/toegang", "", "YYYYYYYY"),
    ("POST", "/toegang", "email=iemand%40zuid.nl", "YYYYYYYY"),
    ("GET", "/toegang/{token}", "", "NNNNNNNN"),
    (
        "POST",
        "/toegang/{token}",
        "password=paars-fietsje-onder-de-brug&repeat=paars-fietsje-onder-de-brug",
        "NNNNNNNN",
    ),
    ("GET", "/inloggen", "", "YYYYYYYY"),
    ("GET", "/wijzigingen?q=koppeling", "", "YYYYYYYY"),
    ("GET", "/storingen", "", "YYYYYYYY"),
    ("GET", "/storingen.json", "", "YYYYYYYY"),
    ("GET", "/storingen/feed.atom", "", "YYYYYYYY"),
    ("POST", "/storingen/abonneren", "email=iemand%40zuid.nl", "YYYYYYYY"),
    ("GET", "/storingen/abonneren", "", "YYYYYYYY"),
    // (A link with a wrong code: its page asks, its post finds nothing.)
    ("GET", "/storingen/{what}/{token}", "", "YYYYYYYY"),
    ("POST", "/storingen/{what}/{token}", "", "NNNNNNNN"),
    // The forum: read by anyone, written by logged-in contacts (staff
    // moderate in the workspace; a portal page knows no staff session).
    ("GET", "/forum", "", "YYYYYYYY"),
    ("GET", "/forum/zoeken?q=koppeling", "", "YYYYYYYY"),
    ("POST", "/forum/naam", "name=Jan+de+Vries", "LYYYLLLL"),
    ("GET", "/forum/naam", "", "YYYYYYYY"),
    ("GET", "/forum/c/{id}", "", "YYYYYYYY"),
    ("POST", "/forum/c/{id}", "multipart", "LYYYLLLL"),
    ("GET", "/forum/onderwerp/{id}", "", "YYYYYYYY"),
    ("POST", "/forum/onderwerp/{id}", "multipart", "LYYYLLLL"),
    ("POST", "/forum/onderwerp/{id}/volgen", "on=1", "LYYYLLLL"),
    // Only the topic's starter (customer A) marks its solution.
    ("POST", "/forum/onderwerp/{id}/oplossing", "post=2", "LYNNLLLL"),
    ("GET", "/forum/bijlage/{id}", "", "YYYYYYYY"),
    // (A link with a wrong code: its page names the topic, so it finds nothing.)
    ("GET", "/forum/afmelden/{token}", "", "NNNNNNNN"),
    ("POST", "/forum/afmelden/{token}", "", "NNNNNNNN"),
    // (No version is released in the fixture: not found for everyone.)
    ("GET", "/wijzigingen/{version}", "", "NNNNNNNN"),
    // A form's POST address opened with GET leads back to its page.
    ("GET", "/tickets/new", "", "YYYYYYYY"),
    ("GET", "/uitloggen", "", "YYYYYYYY"),
    ("GET", "/t/{number}/{token}/reply", "", "YYYYYYYY"),
    ("GET", "/t/{number}/{token}/solve", "", "YYYYYYYY"),
    ("GET", "/mijn/{number}/reply", "", "YYYYYYYY"),
    ("GET", "/mijn/{number}/solve", "", "LYNNLLLL"),
    (
        "POST",
        "/inloggen",
        "email=jan%40zuid.nl&password=fout-wachtwoord-123",
        "UUUUUUUU",
    ),
    // The follow link: whoever holds it (the token is the key).
    ("GET", "/t/{number}/{token}", "", "YYYYYYYY"),
    ("GET", "/t/{number}/{token}/bijlage/{id}", "", "YYYYYYYY"),
    ("POST", "/t/{number}/{token}/reply", "message=Reactie", "YYYYYYYY"),
    // A customer's own tickets.
    ("GET", "/mijn", "", "LYYYLLLL"),
    ("GET", "/mijn/{number}", "", "LYNNLLLL"),
    ("GET", "/mijn/{number}/bijlage/{id}", "", "LYNNLLLL"),
    ("POST", "/mijn/{number}/reply", "message=Aanvulling", "LYNNLLLL"),
    // The API: staff with a bearer token.
    ("GET", "/api/v1/tickets", "", "UUUUYYYY"),
    (
        "POST",
        "/api/v1/tickets",
        r#"{"subject":"S","message":"M","requester":"x@zuid.nl"}"#,
        "UUUUYYYY",
    ),
    ("GET", "/api/v1/tickets/{number}", "", "UUUUYYYY"),
    ("GET", "/api/v1/tickets/{number}/messages", "", "UUUUYYYY"),
    ("GET", "/api/v1/tickets/{number}/attachments", "", "UUUUYYYY"),
    (
        "GET",
        "/api/v1/tickets/{number}/attachments/{id}/content",
        "",
        "UUUUYYYY",
    ),
    ("GET", "/api/v1/tickets/{number}/audit", "", "UUUUYYYY"),
    (
        "POST",
        "/api/v1/tickets/{number}/replies",
        r#"{"message":"Antwoord"}"#,
        "UUUUYYYY",
    ),
    (
        "POST",
        "/api/v1/tickets/{number}/customer-replies",
        r#"{"message":"Belde"}"#,
        "UUUUYYYY",
    ),
    (
        "POST",
        "/api/v1/tickets/{number}/notes",
        r#"{"message":"Notitie"}"#,
        "UUUUYYYY",
    ),
    (
        "POST",
        "/api/v1/tickets/{number}/postpone",
        r#"{"message":"Vraag"}"#,
        "UUUUYYYY",
    ),
    (
        "POST",
        "/api/v1/tickets/{number}/transfer",
        r#"{"department":"bi"}"#,
        "UUUUYYYY",
    ),
    (
        "PUT",
        "/api/v1/tickets/{number}/labels",
        r#"{"labels":["x"]}"#,
        "UUUUYYYY",
    ),
    (
        "PUT",
        "/api/v1/tickets/{number}/assignee",
        r#"{"assignee":null}"#,
        "UUUUYYYY",
    ),
    (
        "PUT",
        "/api/v1/tickets/{number}/version",
        r#"{"version":"8.4.1"}"#,
        "UUUUYYYY",
    ),
    (
        "PUT",
        "/api/v1/tickets/{number}/work-item",
        r#"{"work_item":"AB#1"}"#,
        "UUUUYYYY",
    ),
    ("POST", "/api/v1/tickets/{number}/resolve", "", "UUUUYYYY"),
    ("POST", "/api/v1/tickets/{number}/reopen", "", "UUUUYYYY"),
    ("GET", "/api/v1/contacts", "", "UUUUYYYY"),
    (
        "POST",
        "/api/v1/contacts",
        r#"{"email":"nieuw@zuid.nl","name":"Nieuw"}"#,
        "UUUUYFFY",
    ),
    ("GET", "/api/v1/contacts/{id}", "", "UUUUYYYY"),
    ("PATCH", "/api/v1/contacts/{id}", r#"{"authorised":true}"#, "UUUUYFFY"),
    (
        "POST",
        "/api/v1/contacts/move-tickets",
        r#"{"from":"piet@noord.nl","to":"balie@noord.nl"}"#,
        "UUUUYFFY",
    ),
    ("GET", "/api/v1/organisations", "", "UUUUYYYY"),
    (
        "POST",
        "/api/v1/organisations",
        r#"{"name":"West","domains":["west.nl"]}"#,
        "UUUUYFFY",
    ),
    ("GET", "/api/v1/organisations/{id}", "", "UUUUYYYY"),
    (
        "PATCH",
        "/api/v1/organisations/{id}",
        r#"{"share_tickets":true}"#,
        "UUUUYFFY",
    ),
    (
        "POST",
        "/api/v1/organisations/{id}/domains",
        r#"{"domain":"zuid-oost.nl"}"#,
        "UUUUYFFY",
    ),
    ("GET", "/api/v1/search?q=koppeling", "", "UUUUYYYY"),
    ("GET", "/api/v1/tickets/{number}/privacy-incidents", "", "UUUUYYYY"),
    (
        "POST",
        "/api/v1/tickets/{number}/privacy-incidents/{id}",
        r#"{"confirm":true}"#,
        "UUUUYFFY",
    ),
    (
        "GET",
        "/api/v1/privacy/incidents?from=2026-01-01&to=2026-12-31",
        "",
        "UUUUYYYY",
    ),
    (
        "GET",
        "/api/v1/reports/service-levels?from=2026-01-01&to=2026-12-31",
        "",
        "UUUUYYYY",
    ),
    ("GET", "/api/v1/mail/quarantine", "", "UUUUYFFY"),
    ("GET", "/api/v1/releases", "", "UUUUYYYY"),
    (
        "POST",
        "/api/v1/releases",
        r#"{"version":"8.5","kind":"major","notes":"Nieuw"}"#,
        "UUUUYYFY",
    ),
    ("GET", "/api/v1/releases/{version}", "", "UUUUYYYY"),
    (
        "PUT",
        "/api/v1/releases/{version}",
        r#"{"kind":"interim","notes":"Sneller"}"#,
        "UUUUYYFY",
    ),
    ("POST", "/api/v1/mail/quarantine/{id}/retry", "", "UUUUYFFY"),
    // The agent workspace: staff with a workspace session, nobody else.
    ("GET", "/agent/inloggen", "", "YYYYYYYY"),
    ("GET", "/agent/wachtwoord/{token}", "", "NNNNNNNN"),
    (
        "POST",
        "/agent/wachtwoord/{token}",
        "password=paars-fietsje-onder-de-brug&repeat=paars-fietsje-onder-de-brug",
        "NNNNNNNN",
    ),
    (
        "POST",
        "/agent/inloggen",
        "email=jan%40zuid.nl&password=fout-wachtwoord-123",
        "UUUUUUUU",
    ),
    ("GET", "/agent/code", "", "SSSSYYYY"),
    ("POST", "/agent/code", "code=000000", "SSSSYYYY"),
    ("GET", "/agent/koppelen", "", "SSSSYYYY"),
    ("POST", "/agent/koppelen", "code=000000", "SSSSUUUU"),
    ("GET", "/agent", "", "SSSSYYYY"),
    ("GET", "/agent/wachtrij/{queue}", "", "SSSSYYYY"),
    ("GET", "/agent/zoeken?q=koppeling", "", "SSSSYYYY"),
    ("GET", "/agent/tickets/{number}", "", "SSSSYYYY"),
    ("GET", "/agent/tickets/{number}/bijlage/{id}", "", "SSSSYYYY"),
    ("POST", "/agent/tickets/{number}/antwoord", "text=Antwoord", "SSSSYYYY"),
    ("POST", "/agent/tickets/{number}/notitie", "text=Notitie", "SSSSYYYY"),
    ("POST", "/agent/tickets/{number}/informatie", "text=Vraag", "SSSSYYYY"),
    (
        "POST",
        "/agent/tickets/{number}/doorsturen",
        "department=bi",
        "SSSSYYYY",
    ),
    ("POST", "/agent/tickets/{number}/toewijzen", "assignee=", "SSSSYYYY"),
    ("POST", "/agent/tickets/{number}/labels", "labels=x", "SSSSYYYY"),
    ("POST", "/agent/tickets/{number}/oplossen", "", "SSSSYYYY"),
    ("POST", "/agent/tickets/{number}/heropenen", "", "SSSSYYYY"),
    ("POST", "/agent/tickets/{number}/aanwezig", "typing=1", "SSSSYYYY"),
    (
        "POST",
        "/agent/bulk",
        "action=label&label=bulk&n={number}&back=%2Fagent%2Fwachtrij%2Fall",
        "SSSSYYYY",
    ),
    ("GET", "/agent/beheer/standaardantwoorden", "", "SSSSFFFY"),
    (
        "POST",
        "/agent/beheer/standaardantwoorden",
        "title=Nieuw&body=Beste+%7Bnaam%7D",
        "SSSSFFFY",
    ),
    ("GET", "/api/v1/staff", "", "UUUUYYYY"),
    ("GET", "/api/v1/canned-replies", "", "UUUUYYYY"),
    ("GET", "/agent/telefoon?zoek=zuid", "", "SSSSYYYY"),
    (
        "POST",
        "/agent/telefoon",
        "email=beller%40zuid.nl&subject=Belde&message=Vraag",
        "SSSSYYYY",
    ),
    // Last: these change what the rows above need.
    ("POST", "/agent/versies/{version}/uitbrengen", "zeker=1", "SSSSFYFY"),
    ("POST", "/api/v1/releases/{version}/release", "", "UUUUFYFY"),
    ("POST", "/t/{number}/{token}/solve", "", "YYYYYYYY"),
    ("POST", "/mijn/{number}/solve", "", "LYNNLLLL"),
    (
        "DELETE",
        "/api/v1/tickets/{number}/attachments/{id}?reason=AVG",
        "",
        "UUUUYFFY",
    ),
    (
        "DELETE",
        "/api/v1/tickets/{number}/messages/{id}?reason=AVG",
        "",
        "UUUUYFFY",
    ),
    (
        "POST",
        "/agent/tickets/{number}/bijlage/{id}/verwijderen",
        "text=AVG&zeker=1",
        "SSSSYFFY",
    ),
    (
        "POST",
        "/agent/tickets/{number}/bericht/{id}/verwijderen",
        "text=AVG&zeker=1",
        "SSSSYFFY",
    ),
    ("POST", "/api/v1/tickets/{number}/revoke-links", "", "UUUUYFFY"),
    ("POST", "/uitloggen", "", "YYYYYYYY"),
    (
        "POST",
        "/agent/tickets/{number}/verplaatsen",
        "to=balie%40zuid.nl&zeker=1",
        "SSSSYFFY",
    ),
    (
        "POST",
        "/agent/beheer/standaardantwoorden/{id}/verwijderen",
        "",
        "SSSSFFFY",
    ),
    (
        "POST",
        "/agent/tickets/{number}/samenvoegen",
        "into={number}&zeker=1",
        "SSSSYYYY",
    ),
    ("GET", "/agent/beheer/geblokkeerd", "", "SSSSYYYY"),
    ("GET", "/agent/privacy", "", "SSSSYYYY"),
    ("GET", "/agent/privacy/organisatie/{id}", "", "SSSSYYYY"),
    (
        "POST",
        "/agent/tickets/{number}/privacy/{id}",
        "decision=dismiss",
        "SSSSYFFY",
    ),
    ("GET", "/agent/beheer/medewerkers", "", "SSSSFFFY"),
    ("GET", "/agent/beheer/postvakken", "", "SSSSYFFY"),
    ("GET", "/agent/beheer/taken", "", "SSSSFFFY"),
    ("GET", "/agent/beheer/webhooks", "", "SSSSFFFY"),
    (
        "POST",
        "/agent/beheer/webhooks",
        "url=http%3A%2F%2F127.0.0.1%3A9%2Fhook",
        "SSSSFFFY",
    ),
    // (Webhook 1 exists only for the admin, who added it above.)
    ("POST", "/agent/beheer/webhooks/{id}", "active=0", "SSSSFFFY"),
    ("GET", "/agent/versies", "", "SSSSYYYY"),
    ("GET", "/agent/overleg", "", "SSSSYYYY"),
    ("GET", "/agent/wensen", "", "SSSSYYYY"),
    ("GET", "/agent/storingen", "", "SSSSYFFY"),
    ("POST", "/agent/storingen", "component=Portaal", "SSSSYFFY"),
    (
        "POST",
        "/agent/storingen/{id}",
        "state=monitoring&body=Wij+houden+het+in+de+gaten",
        "SSSSYFFY",
    ),
    ("POST", "/agent/storingen/{id}/ticket", "number={number}", "SSSSYFFY"),
    ("GET", "/agent/storingen/{id}", "", "YYYYYYYY"),
    ("GET", "/agent/storingen/{id}/ticket", "", "YYYYYYYY"),
    ("GET", "/agent/forum", "", "SSSSYFFY"),
    ("POST", "/agent/forum", "action=category&name=Nieuw", "SSSSFFFY"),
    ("GET", "/agent/forum/{id}", "", "SSSSYFFY"),
    ("POST", "/agent/forum/{id}", "action=lock", "SSSSYFFY"),
    ("GET", "/agent/forum/bijlage/{id}", "", "SSSSYFFY"),
    // (The fixture's ticket is no wish: the rules refuse, on the ticket page.)
    ("POST", "/agent/tickets/{number}/wens", "wish={number}", "SSSSYYYY"),
    (
        "POST",
        "/agent/overleg/{number}",
        "reply=Besproken%3A+komt+in+8.5",
        "SSSSYYYY",
    ),
    (
        "POST",
        "/agent/versies",
        "version=8.4.1&kind=interim&notes=Sneller",
        "SSSSYYFY",
    ),
    ("GET", "/agent/versies/{version}", "", "SSSSYYYY"),
    (
        "POST",
        "/agent/versies/{version}",
        "kind=interim&notes=Sneller%21",
        "SSSSYYFY",
    ),
    // (The fixture has no failed job: the admin is told there is none.)
    ("POST", "/agent/beheer/taken/{id}/opnieuw", "", "SSSSFFFN"),
    ("GET", "/agent/beheer/labels", "", "SSSSYFFY"),
    ("POST", "/agent/beheer/labels", "from=x&to=y", "SSSSYFFY"),
    ("POST", "/agent/beheer/postvakken/{id}/opnieuw", "", "SSSSYFFY"),
    ("GET", "/agent/beheer/organisaties", "", "SSSSYFFY"),
    (
        "POST",
        "/agent/beheer/organisaties",
        "do=add&name=West&domains=west.nl",
        "SSSSYFFY",
    ),
    ("GET", "/agent/beheer/contacten?zoek=zuid", "", "SSSSYFFY"),
    (
        "POST",
        "/agent/beheer/contacten",
        "id=1&authorised=1&organisation=",
        "SSSSYFFY",
    ),
    (
        "POST",
        "/agent/beheer/medewerkers",
        "do=add&email=nieuw%40leverancier.nl&name=Nieuw&role=agent",
        "SSSSFFFY",
    ),
    (
        "POST",
        "/agent/beheer/geblokkeerd/opheffen",
        "pattern=%40nergens.nl",
        "SSSSNFFN",
    ),
    (
        "POST",
        "/api/v1/tickets/{number}/merge",
        r#"{"into":{number}}"#,
        "UUUUYYYY",
    ),
    ("POST", "/api/v1/tickets/{number}/spam", r#"{"ban":"none"}"#, "UUUUYYYY"),
    ("POST", "/agent/tickets/{number}/spam", "ban=none", "SSSSYYYY"),
    ("POST", "/agent/uitloggen", "", "YYYYYYYY"),
];

/// What one actor brings: a session and CSRF cookie, a form token, a bearer token.
struct Who {
    cookie: String,
    csrf: String,
    bearer: Option<String>,
}

/// The records the routes are tried on.
struct Fixture {
    number: TicketNumber,
    follow: String,
    attachment: AttachmentId,
    message: MessageId,
    first_message: MessageId,
    contact: ContactId,
    organisation: OrganisationId,
    quarantined: i64,
    incident: i64,
    sessions: [String; 3],
}

async fn fixture(app: &App) -> Fixture {
    let admin = app.staff("admin@leverancier.nl", Role::Admin).await;
    let zuid = app
        .service
        .create_organisation(&admin, "Zuid", &["zuid.nl".into()])
        .await
        .unwrap();
    app.service
        .create_organisation(&admin, "Noord", &["noord.nl".into()])
        .await
        .unwrap();
    app.service
        .create_release(
            &admin,
            loket_core::releases::ReleaseDraft {
                version: "8.4.1".into(),
                kind: loket_core::releases::ReleaseKind::Interim,
                planned_on: None,
                notes: "# Versie 8.4.1".into(),
            },
        )
        .await
        .unwrap();
    app.service
        .create_outage(
            &admin,
            loket_core::outages::NewOutage {
                title: "Koppelingen traag".into(),
                kind: loket_core::outages::OutageKind::Incident,
                state: loket_core::outages::OutageState::Investigating,
                components: Vec::new(),
                starts_at: app.service.now(),
                ends_at: None,
                body: "Wij onderzoeken het.".into(),
            },
        )
        .await
        .unwrap();
    let mut input = CreateTicket::new(
        "Koppeling",
        "Het werkt niet voor BSN 123456782",
        "jan@zuid.nl",
        Channel::Portal,
    );
    input.attachments = vec![Upload::bytes("log.txt", "text/plain", b"fout".to_vec())];
    let t = app.service.create_ticket(&Actor::System, input).await.unwrap();
    app.service.scan_privacy().await.unwrap();
    let incident = app.service.ticket_incidents(&admin, t.number).await.unwrap()[0].id;
    app.service
        .agent_reply(&admin, t.number, Reply::text("Antwoord"))
        .await
        .unwrap();
    let messages = app.service.store().messages(t.id, true).await.unwrap();
    let attachment = app.service.store().attachments(t.id).await.unwrap()[0].id;
    let secret = app.service.store().secret("follow_link").await.unwrap();
    let follow = loket_mail::links::follow_token(&secret, t.id, t.requester_id, app.service.now());
    let intake = loket_mail::Intake::new(app.service.clone(), loket_mail::Mailbox::defaults());
    intake
        .ingest("helpdesk", b"Subject: zonder afzender\r\n\r\nx", None)
        .await
        .unwrap();
    let quarantined = app.service.store().list_quarantine(1).await.unwrap()[0].id;
    let mut sessions = Vec::new();
    for email in ["jan@zuid.nl", "kees@zuid.nl", "piet@noord.nl"] {
        let c = app.service.create_contact(&admin, email, "").await.unwrap();
        sessions.push(app.service.start_session(c.id).await.unwrap());
    }
    app.service
        .create_ticket(
            &Actor::System,
            CreateTicket::new("Noord", "x", "piet@noord.nl", Channel::Portal),
        )
        .await
        .unwrap();
    // Forum topic 1 by customer A with a file and a reply (post 2) by B.
    let category = app
        .service
        .create_forum_category(&admin, "Koppelingen", "")
        .await
        .unwrap();
    let jan = Actor::Contact(
        app.service
            .store()
            .contact_by_email("jan@zuid.nl")
            .await
            .unwrap()
            .unwrap(),
    );
    let kees = Actor::Contact(
        app.service
            .store()
            .contact_by_email("kees@zuid.nl")
            .await
            .unwrap()
            .unwrap(),
    );
    let file = Upload::bytes("notities.txt", "text/plain", b"stappen".to_vec());
    let topic = app
        .service
        .start_forum_topic(&jan, category.id, "Koppeling valt weg", "Sinds vanochtend.", &[file])
        .await
        .unwrap();
    app.service
        .reply_forum(&kees, topic, "Bij ons ook.", &[])
        .await
        .unwrap();
    Fixture {
        number: t.number,
        follow,
        attachment,
        message: messages[1].id,
        first_message: messages[0].id,
        contact: t.requester_id,
        organisation: zuid.id,
        quarantined,
        incident,
        sessions: sessions.try_into().unwrap(),
    }
}

async fn who(app: &App, actor: usize, f: &Fixture) -> Who {
    let mut session = (1..=3)
        .contains(&actor)
        .then(|| format!("loket_session={}", f.sessions[actor - 1]));
    let bearer = match actor {
        4..=7 => {
            let role = [Role::Agent, Role::ProductManager, Role::Consultant, Role::Admin][actor - 4];
            let email = format!("{}@leverancier.nl", role.id());
            app.staff(&email, role).await;
            let token = format!("lkt_{}", role.id());
            app.service.register_token(&email, &token, None).await.unwrap();
            // The same staff member signed in to the workspace.
            let password = "paars-fietsje-onder-de-brug";
            app.service
                .set_staff_password(&Actor::System, &email, password)
                .await
                .unwrap();
            let (staff_token, _) = app.service.staff_login(&email, password).await.unwrap();
            session = Some(format!("loket_staff={staff_token}"));
            Some(token)
        }
        _ => None,
    };
    let home = app.page("GET", "/", None, session.as_deref()).await;
    let nonce = home
        .cookies
        .iter()
        .find_map(|c| c.strip_prefix("loket_csrf="))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    let cookie = match session {
        Some(s) => format!("{s}; loket_csrf={nonce}"),
        None => format!("loket_csrf={nonce}"),
    };
    let csrf = form_token(&app.page("GET", "/", None, Some(&cookie)).await.body);
    Who { cookie, csrf, bearer }
}

fn fill(path: &str, f: &Fixture) -> String {
    let id = if ["/forum/", "/standaardantwoorden/", "/webhooks/", "/storingen/"]
        .iter()
        .any(|p| path.contains(p))
    {
        "1".to_owned()
    } else if path.contains("/privacy/organisatie/") {
        f.organisation.to_string()
    } else if path.contains("/privacy-incidents/") || path.contains("/privacy/") {
        f.incident.to_string()
    } else if path.contains("/bijlage/") || path.contains("/attachments/") {
        f.attachment.to_string()
    } else if path.contains("/bericht/") {
        f.first_message.to_string()
    } else if path.contains("/messages/") {
        f.message.to_string()
    } else if path.contains("/contacts/") {
        f.contact.to_string()
    } else if path.contains("/organisations/") {
        f.organisation.to_string()
    } else {
        f.quarantined.to_string()
    };
    let token = if path.starts_with("/toegang/") || path.starts_with("/agent/wachtwoord/") {
        "0".repeat(64)
    } else {
        f.follow.clone()
    };
    path.replace("{number}", &f.number.to_string())
        .replace("{token}", &token)
        .replace("{id}", &id)
        .replace("{file}", "portal.css")
        .replace("{queue}", "helpdesk")
        .replace("{version}", "8.4.1")
        .replace("{what}", "afmelden")
}

async fn send(app: &App, who: &Who, method: &str, path: &str, body: &str) -> (StatusCode, Option<String>) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("cookie", &who.cookie);
    if let Some(t) = &who.bearer {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let (content_type, bytes) = if path.starts_with("/api/") {
        ("application/json".to_owned(), body.as_bytes().to_vec())
    } else if body == "multipart" {
        multipart_files(
            &[
                ("csrf", &who.csrf),
                ("email", "iemand@zuid.nl"),
                ("subject", "Vraag"),
                ("message", "Tekst"),
            ],
            &[],
        )
    } else if path.ends_with("/reply") {
        let message = body.trim_start_matches("message=").replace('+', " ");
        multipart_files(&[("csrf", &who.csrf), ("message", &message)], &[])
    } else {
        let form = if body.is_empty() {
            format!("csrf={}", who.csrf)
        } else {
            format!("csrf={}&{body}", who.csrf)
        };
        ("application/x-www-form-urlencoded".to_owned(), form.into_bytes())
    };
    let empty = method == "GET" || method == "DELETE" || (path.starts_with("/api/") && body.is_empty());
    let req = if empty {
        req.body(Body::empty())
    } else {
        req.header("content-type", content_type).body(Body::from(bytes))
    }
    .unwrap();
    let resp = app.request(req).await;
    let location = resp.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
    (resp.status(), location)
}

fn class(status: StatusCode, location: Option<&str>) -> char {
    match status.as_u16() {
        303 | 302 | 307 if location.is_some_and(|l| l.starts_with("/inloggen?terug=")) => 'L',
        303 | 302 | 307 if location == Some("/agent/inloggen") => 'S',
        200..=399 | 409 => 'Y',
        401 => 'U',
        403 => 'F',
        404 => 'N',
        _ => '?',
    }
}

/// Which methods each router path answers (a path with the wrong method is 405).
async fn routes(app: &App) -> BTreeSet<(String, String)> {
    let f = Fixture {
        number: TicketNumber(1),
        follow: "x".into(),
        attachment: AttachmentId(1),
        message: MessageId(1),
        first_message: MessageId(1),
        contact: ContactId(1),
        organisation: OrganisationId(1),
        quarantined: 1,
        incident: 1,
        sessions: [String::new(), String::new(), String::new()],
    };
    let mut out = BTreeSet::new();
    for path in &app.paths {
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let req = Request::builder()
                .method(method)
                .uri(fill(path, &f))
                .body(Body::empty())
                .unwrap();
            if app.request(req).await.status() != StatusCode::METHOD_NOT_ALLOWED {
                out.insert((method.to_owned(), path.clone()));
            }
        }
    }
    out
}

#[tokio::test]
async fn every_route_answers_every_actor_as_the_table_says() {
    let probe = App::new().await;
    let in_router = routes(&probe).await;
    let in_table: BTreeSet<(String, String)> = TABLE
        .iter()
        .map(|(m, p, _, _)| ((*m).to_owned(), p.split('?').next().unwrap().to_owned()))
        .collect();
    let missing: Vec<_> = in_router.difference(&in_table).collect();
    assert!(missing.is_empty(), "routes without a row in the table: {missing:?}");
    let stale: Vec<_> = in_table.difference(&in_router).collect();
    assert!(stale.is_empty(), "rows for routes the router does not have: {stale:?}");

    let mut wrong = Vec::new();
    for (actor, name) in ACTORS.iter().enumerate() {
        // A fresh installation per actor, so one actor's changes never decide another's answer.
        let app = App::new().await;
        let f = fixture(&app).await;
        let w = who(&app, actor, &f).await;
        for (method, path, body, expected) in TABLE {
            let (status, location) = send(&app, &w, method, &fill(path, &f), &fill(body, &f)).await;
            let got = class(status, location.as_deref());
            let want = expected.chars().nth(actor).unwrap();
            if got != want {
                wrong.push(format!(
                    "{method} {path} as {name}: expected {want}, got {got} ({status})"
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} answers differ from the table:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
