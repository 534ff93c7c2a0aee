//! The attacks an outside review made on a running Loket, each reproduced
//! here: uploads that filled the disk, input that should be refused, missing
//! security headers, tokens that never expired, a consultant creating
//! contacts, one per-IP limit for everyone behind a proxy, and a password
//! reset that did not end access.

use super::client::{App, multipart_files};
use super::portal::{csrf_of, form_token, ticket};
use axum::http::StatusCode;
use loket_core::service::Limits;
use loket_core::*;
use serde_json::json;

fn small_limits() -> Limits {
    Limits {
        max_attachment_bytes: 1024 * 1024,
        ..Limits::default()
    }
}

#[tokio::test]
async fn refused_uploads_leave_nothing_on_disk() {
    let app = App::with(small_limits(), loket_web::PortalSettings::default()).await;
    let (t, token) = ticket(&app, "jan@gemeente.nl", "Schijf vol").await;
    assert!(app.blob_files().is_empty());
    let url = format!("/t/{}/{token}", t.number);
    let (csrf, cookie) = csrf_of(&app.page("GET", &url, None, None).await);
    let fits = vec![7u8; 800 * 1024];
    let too_big = vec![8u8; 1024 * 1024 + 1];
    let files: [(&str, &[u8]); 2] = [("past.bin", &fits), ("big.bin", &too_big)];

    // A follow-link reply with one file that fits and one that does not.
    let (ct, body) = multipart_files(&[("csrf", &csrf), ("message", "Zie bijlagen")], &files);
    let p = app
        .raw_body("POST", &format!("{url}/reply"), &ct, body, Some(&cookie))
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.body.contains("De bijlage &#39;big.bin&#39; is groter dan 1 MB")
            && p.body.contains("Kies uw bijlagen opnieuw")
            && p.body.contains("Uw reactie is niet verstuurd")
            && p.body.contains("Zie bijlagen"),
        "the reason in Dutch and the text kept: {}",
        p.body
    );
    assert!(app.blob_files().is_empty(), "nothing stored: {:?}", app.blob_files());
    assert_eq!(app.service.store().messages(t.id, true).await.unwrap().len(), 1);

    // The ticket form.
    let (csrf_home, cookie_home) = csrf_of(&app.page("GET", "/", None, None).await);
    let (ct, body) = multipart_files(
        &[
            ("csrf", &csrf_home),
            ("email", "piet@gemeente.nl"),
            ("subject", "Bijlagen"),
            ("message", "Twee bestanden"),
        ],
        &files,
    );
    let p = app
        .raw_body("POST", "/tickets/new", &ct, body, Some(&cookie_home))
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("value=\"Bijlagen\"") && p.body.contains("Twee bestanden"));
    assert!(app.blob_files().is_empty(), "{:?}", app.blob_files());

    // An API reply to a ticket that does not exist.
    let b64 = base64_encode(&fits);
    let (s, _) = app
        .call(
            "POST",
            "/api/v1/tickets/999999/replies",
            Some(json!({"message": "x", "attachments": [{"filename": "a.bin", "content_base64": b64}]})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = app
        .call(
            "POST",
            &format!("/api/v1/tickets/{}/replies", t.number),
            Some(json!({"message": "x", "attachments": [
                {"filename": "a.bin", "content_base64": b64},
                {"filename": "b.bin", "content_base64": base64_encode(&too_big)}
            ]})),
        )
        .await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("files")),
        "{v}"
    );
    assert!(v["message_nl"].as_str().unwrap().contains("groter dan 1 MB"), "{v}");
    assert!(app.blob_files().is_empty(), "{:?}", app.blob_files());

    // What is accepted is kept, once.
    let (ct, body) = multipart_files(&[("csrf", &csrf), ("message", "Nu goed")], &files[..1]);
    let p = app
        .raw_body("POST", &format!("{url}/reply"), &ct, body, Some(&cookie))
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(app.blob_files().len(), 1, "{:?}", app.blob_files());
}

#[tokio::test]
async fn follow_link_replies_are_rate_limited() {
    let app = App::new().await;
    let (t, token) = ticket(&app, "jan@gemeente.nl", "Veel reacties").await;
    let url = format!("/t/{}/{token}", t.number);
    let (csrf, cookie) = csrf_of(&app.page("GET", &url, None, None).await);
    let mut statuses = Vec::new();
    for i in 0..21 {
        let text = format!("Reactie {i}");
        let (ct, body) = multipart_files(&[("csrf", &csrf), ("message", &text)], &[]);
        let p = app
            .raw_body("POST", &format!("{url}/reply"), &ct, body, Some(&cookie))
            .await;
        if i == 20 {
            assert!(
                p.body.contains("probeer het over een uur opnieuw") && p.body.contains("Reactie 20"),
                "{}",
                p.body
            );
        }
        statuses.push(p.status);
    }
    assert!(
        statuses[..20].iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{statuses:?}"
    );
    assert_eq!(statuses[20], StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = App::new().await;
    let (t, token) = ticket(&app, "jan@gemeente.nl", "Koppen").await;
    for path in [
        "/".to_owned(),
        format!("/t/{}/{token}", t.number),
        "/inloggen".into(),
        "/bestaat-niet".into(),
        "/api/v1/tickets".into(),
        "/static/portal.css".into(),
    ] {
        let p = app.page("GET", &path, None, None).await;
        let h = |name: &str| p.headers.get(name).map(|v| v.to_str().unwrap().to_owned());
        let csp = h("content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe"),
            "{path}: {csp}"
        );
        assert_eq!(h("referrer-policy").as_deref(), Some("no-referrer"), "{path}");
        assert_eq!(h("x-content-type-options").as_deref(), Some("nosniff"), "{path}");
        assert_eq!(h("strict-transport-security"), None, "no HSTS over plain http");
        if p.headers
            .get("content-type")
            .is_some_and(|c| c.to_str().unwrap().starts_with("text/html"))
        {
            assert!(
                !p.body.contains("<script") && !p.body.contains("<style"),
                "{path}: no inline code"
            );
        }
    }
    let secure = App::with(
        Limits::default(),
        loket_web::PortalSettings {
            secure_cookies: true,
            ..loket_web::PortalSettings::default()
        },
    )
    .await;
    let p = secure.page("GET", "/", None, None).await;
    assert!(p.headers.get("strict-transport-security").is_some());
    assert!(p.cookies.iter().all(|c| c.contains("Secure")), "{:?}", p.cookies);
}

#[tokio::test]
async fn input_that_should_be_refused_gets_a_clear_422_in_dutch_and_english() {
    let app = App::new().await;
    let create = |extra: serde_json::Value| {
        let mut body = json!({"subject": "Vraag", "message": "Tekst", "requester": "jan@gemeente.nl"});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    let cases = [
        (json!({"requester_name": "x".repeat(1_000_000)}), "name"),
        (json!({"requester": "a,b@x.nl"}), "email"),
        (json!({"requester": "a@[127.0.0.1]"}), "email"),
        (json!({"requester": "(c)a@x.nl"}), "email"),
        (json!({"subject": "Met\u{0}nul"}), "subject"),
        (json!({"message": "Met\u{0}nul"}), "message"),
        (json!({"subject": "   "}), "subject"),
    ];
    for (extra, field) in cases {
        let (s, v) = app.call("POST", "/api/v1/tickets", Some(create(extra.clone()))).await;
        assert_eq!(
            (s, v["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{extra}: {v}"
        );
        assert!(v["message"].as_str().unwrap().len() < 300, "no huge echo");
        assert!(!v["message_nl"].as_str().unwrap().is_empty(), "{v}");
    }
    let (_, v) = app
        .call(
            "POST",
            "/api/v1/tickets",
            Some(create(json!({"requester": "a,b@x.nl"}))),
        )
        .await;
    assert_eq!(
        v["message_nl"].as_str(),
        Some("'a,b@x.nl' is geen geldig e-mailadres. Controleer het adres, bijvoorbeeld naam@gemeente.nl.")
    );
    let number = app.ticket(create(json!({}))).await;
    let labels: Vec<String> = (0..10_000).map(|i| format!("l{i}")).collect();
    let (s, v) = app
        .call(
            "PUT",
            &format!("/api/v1/tickets/{number}/labels"),
            Some(json!({ "labels": labels })),
        )
        .await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("labels")),
        "{v}"
    );
    let (_, page) = app.call("GET", "/api/v1/tickets", None).await;
    assert_eq!(page["tickets"].as_array().unwrap().len(), 1, "only the valid ticket");

    // A password of spaces, or a common one, is refused on the portal in Dutch.
    app.service.request_access("kees@gemeente.nl").await.unwrap();
    let link = app.service.store().pending_outbox(10).await.unwrap();
    let token = link.iter().rev().find_map(|(_, m)| m.link_token.clone()).unwrap();
    let url = format!("/toegang/{token}");
    let (csrf, c) = csrf_of(&app.page("GET", &url, None, None).await);
    for (pw, says) in [
        ("          ", "Vul het wachtwoord in"),
        ("kort-12", "minstens 10 tekens"),
        ("Kees.Gemeente", "te makkelijk te raden"),
        ("wachtwoord1", "te makkelijk te raden"),
        ("kees@gemeente.nl", "te makkelijk te raden"),
        ("1234567890", "te makkelijk te raden"),
    ] {
        let form = format!("csrf={csrf}&password={pw}&repeat={pw}").replace('@', "%40");
        let p = app.page("POST", &url, Some(&form), Some(&c)).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{pw}");
        assert!(p.body.contains(says), "{pw}: {}", p.body);
    }
}

#[tokio::test]
async fn consultants_cannot_move_tickets_nor_create_contacts_that_way() {
    let app = App::new().await;
    app.staff("c@leverancier.nl", Role::Consultant).await;
    app.service
        .register_token("c@leverancier.nl", "lkt_consultant", None)
        .await
        .unwrap();
    ticket(&app, "jan@gemeente.nl", "Verhuizen").await;
    let body = json!({"from": "jan@gemeente.nl", "to": "nieuw@gemeente.nl"}).to_string();
    let (s, _) = app
        .raw(
            "POST",
            "/api/v1/contacts/move-tickets",
            Some(&body),
            Some("lkt_consultant"),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(
        app.service
            .store()
            .contact_by_email("nieuw@gemeente.nl")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn api_tokens_expire_and_can_be_revoked() {
    let app = App::new().await;
    app.service
        .register_token("admin@leverancier.nl", "lkt_kort", Some(1))
        .await
        .unwrap();
    assert_eq!(
        app.raw("GET", "/api/v1/tickets", None, Some("lkt_kort")).await.0,
        StatusCode::OK
    );
    app.clock.set(app.service.now() + chrono::Duration::days(2));
    assert_eq!(
        app.raw("GET", "/api/v1/tickets", None, Some("lkt_kort")).await.0,
        StatusCode::UNAUTHORIZED,
        "expired"
    );
    let tokens = app.service.list_tokens(Some("admin@leverancier.nl")).await.unwrap();
    assert_eq!(tokens.len(), 2);
    let forever = tokens.iter().find(|t| t.expires_at.is_none()).unwrap();
    assert_eq!(forever.id, loket_core::service::token_hash("lkt_test")[..12]);
    app.service.revoke_token(&forever.id).await.unwrap();
    assert_eq!(
        app.raw("GET", "/api/v1/tickets", None, Some("lkt_test")).await.0,
        StatusCode::UNAUTHORIZED,
        "revoked"
    );
    assert!(matches!(
        app.service.revoke_token(&forever.id).await,
        Err(DomainError::NotFound(_))
    ));
}

#[tokio::test]
async fn forwarded_for_counts_only_behind_a_trusted_proxy() {
    async fn refused_after(app: &App) -> Option<usize> {
        let (csrf, cookie) = csrf_of(&app.page("GET", "/", None, None).await);
        for i in 0..31 {
            let email = format!("k{i}@gemeente.nl");
            let (ct, body) = multipart_files(
                &[("csrf", &csrf), ("email", &email), ("subject", "x"), ("message", "y")],
                &[],
            );
            let req = axum::http::Request::builder()
                .method("POST")
                .uri("/tickets/new")
                .header("content-type", ct)
                .header("cookie", &cookie)
                .header("x-forwarded-for", format!("203.0.113.{i}, 10.0.0.{i}"))
                .body(axum::body::Body::from(body))
                .unwrap();
            if app.request(req).await.status() == StatusCode::TOO_MANY_REQUESTS {
                return Some(i);
            }
        }
        None
    }
    // Without configured proxies the header is the client's own word: one limit for all.
    assert_eq!(refused_after(&App::new().await).await, Some(30));
    let behind = App::with(
        Limits::default(),
        loket_web::PortalSettings {
            trusted_proxies: vec!["192.0.2.10".parse().unwrap(), "10.0.0.0/8".parse().unwrap()],
            ..loket_web::PortalSettings::default()
        },
    )
    .await;
    assert_eq!(refused_after(&behind).await, None, "each visitor has their own limit");
}

#[tokio::test]
async fn a_password_reset_ends_sessions_and_older_links() {
    let app = App::new().await;
    let links = async |app: &App| {
        let mails = app.service.store().pending_outbox(100).await.unwrap();
        mails.into_iter().rev().find_map(|(_, m)| m.link_token).unwrap()
    };
    app.service.request_access("anna@gemeente.nl").await.unwrap();
    let first = links(&app).await;
    app.service.request_access("anna@gemeente.nl").await.unwrap();
    let second = links(&app).await;
    app.service
        .set_password(&second, "paars-fietsje-onder-de-brug")
        .await
        .unwrap();
    assert!(
        matches!(
            app.service.set_password(&first, "een-ander-lang-wachtwoord-9").await,
            Err(DomainError::NotFound(_))
        ),
        "an older link stops working once a newer one was used"
    );
    let anna = app
        .service
        .login("anna@gemeente.nl", "paars-fietsje-onder-de-brug")
        .await
        .unwrap();
    let session = app.service.start_session(anna.id).await.unwrap();
    let cookies = format!("loket_session={session}");
    assert_eq!(
        app.page("GET", "/mijn", None, Some(&cookies)).await.status,
        StatusCode::OK
    );

    app.service.request_access("anna@gemeente.nl").await.unwrap();
    let reset = links(&app).await;
    app.service
        .set_password(&reset, "zeven-zilveren-zwaluwen")
        .await
        .unwrap();
    let p = app.page("GET", "/mijn", None, Some(&cookies)).await;
    assert_eq!(
        p.location.as_deref(),
        Some("/inloggen?terug=mijn"),
        "the old session ended"
    );
    let trail = app
        .service
        .store()
        .audit_of(&format!("contact:{}", anna.id))
        .await
        .unwrap();
    assert!(
        trail
            .iter()
            .any(|a| a.action == "password_set" && a.new_value.as_deref() == Some("1"))
    );
    // The login form works with a fresh token.
    let (csrf, c) = csrf_of(&app.page("GET", "/inloggen", None, None).await);
    let p = app
        .page(
            "POST",
            "/inloggen",
            Some(&format!(
                "csrf={csrf}&email=anna%40gemeente.nl&password=zeven-zilveren-zwaluwen"
            )),
            Some(&c),
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(!form_token(&app.page("GET", "/inloggen", None, Some(&c)).await.body).is_empty());
}

#[tokio::test]
async fn staff_clear_the_undeliverable_mark() {
    let app = App::new().await;
    let c = app
        .service
        .create_contact(
            &app.staff("admin@leverancier.nl", Role::Admin).await,
            "bob@gemeente.nl",
            "Bob",
        )
        .await
        .unwrap();
    app.service
        .store()
        .mark_undeliverable("bob@gemeente.nl", app.service.now())
        .await
        .unwrap();
    let (_, v) = app.call("GET", &format!("/api/v1/contacts/{}", c.id), None).await;
    assert!(v["undeliverable_at"].is_string(), "{v}");
    let (s, _) = app
        .call(
            "PATCH",
            &format!("/api/v1/contacts/{}", c.id),
            Some(json!({"undeliverable": true})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v) = app
        .call(
            "PATCH",
            &format!("/api/v1/contacts/{}", c.id),
            Some(json!({"undeliverable": false})),
        )
        .await;
    assert_eq!((s, v["undeliverable_at"].is_null()), (StatusCode::OK, true), "{v}");
    assert!(!app.service.store().is_undeliverable("bob@gemeente.nl").await.unwrap());
    let trail = app
        .service
        .store()
        .audit_of(&format!("contact:{}", c.id))
        .await
        .unwrap();
    assert!(
        trail
            .iter()
            .any(|a| a.field.as_deref() == Some("undeliverable") && a.new_value.is_none())
    );
}

fn base64_encode(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}

#[tokio::test]
async fn login_does_the_same_work_for_unknown_addresses() {
    let app = App::new().await;
    app.service.request_access("kees@gemeente.nl").await.unwrap();
    let mails = app.service.store().pending_outbox(10).await.unwrap();
    let token = mails.into_iter().find_map(|(_, m)| m.link_token).unwrap();
    app.service
        .set_password(&token, "zeven-zilveren-zwaluwen")
        .await
        .unwrap();
    // The stand-in hash is made once per process, not per login.
    let _ = app.service.login("niemand@gemeente.nl", "x").await;
    for email in ["niemand@gemeente.nl", "kees@gemeente.nl", "geen adres"] {
        let before = app.service.password_work();
        assert!(app.service.login(email, "fout-wachtwoord").await.is_err());
        assert_eq!(app.service.password_work() - before, 1, "{email}: one Argon2 run");
    }
}

#[tokio::test]
async fn malformed_requests_get_the_portals_own_pages() {
    let app = App::new().await;
    for (method, path, status) in [
        ("GET", "/mijn/abc", StatusCode::NOT_FOUND),
        ("GET", "/t/abc/x/bijlage/zz", StatusCode::NOT_FOUND),
        ("PUT", "/inloggen", StatusCode::METHOD_NOT_ALLOWED),
        ("GET", "/bestaat/niet", StatusCode::NOT_FOUND),
    ] {
        let p = app.page(method, path, None, None).await;
        assert_eq!(p.status, status, "{method} {path}");
        assert!(p.body.contains("<html lang=\"nl\">"), "{method} {path}: {}", p.body);
    }
    let (s, v) = app.call("PUT", "/api/v1/tickets", None).await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed"))
    );
    // A form without files is a few fields: a large one is refused before it is read.
    let (csrf, c) = csrf_of(&app.page("GET", "/inloggen", None, None).await);
    let big = format!("csrf={csrf}&email={}&password=x", "a".repeat(100_000));
    let p = app.page("POST", "/inloggen", Some(&big), Some(&c)).await;
    assert_eq!(p.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(p.body.contains("Te groot"), "{}", p.body);
    // A CSRF field longer than a token is refused at once.
    let (ct, body) = multipart_files(&[("csrf", &"a".repeat(10_000)), ("message", "x")], &[]);
    let p = app.raw_body("POST", "/tickets/new", &ct, body, Some(&c)).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn over_https_the_cookies_are_host_only() {
    let app = App::with(
        Limits::default(),
        loket_web::PortalSettings {
            secure_cookies: true,
            ..loket_web::PortalSettings::default()
        },
    )
    .await;
    let p = app.page("GET", "/inloggen", None, None).await;
    let set = p.cookies.iter().find(|c| c.contains("csrf")).unwrap();
    assert!(set.starts_with("__Host-loket_csrf=") && set.contains("Secure"), "{set}");
    let nonce = set.trim_start_matches("__Host-loket_csrf=").split(';').next().unwrap();
    let token = form_token(&p.body);
    // A nonce planted under the plain name (by a sibling host) does not count.
    let planted = app
        .page(
            "POST",
            "/inloggen",
            Some(&format!("csrf={token}&email=a%40b.nl&password=x")),
            Some(&format!("loket_csrf={nonce}")),
        )
        .await;
    assert_eq!(planted.status, StatusCode::FORBIDDEN);
    let ok = app
        .page(
            "POST",
            "/inloggen",
            Some(&format!("csrf={token}&email=a%40b.nl&password=x")),
            Some(&format!("__Host-loket_csrf={nonce}")),
        )
        .await;
    assert_eq!(ok.status, StatusCode::UNAUTHORIZED, "the form was read: wrong password");
}

#[tokio::test]
async fn visitors_cannot_rename_existing_contacts() {
    let app = App::new().await;
    app.service.request_access("victim@gemeente.nl").await.unwrap();
    let (csrf, cookie) = csrf_of(&app.page("GET", "/", None, None).await);
    let (ct, body) = multipart_files(
        &[
            ("csrf", &csrf),
            ("name", "Uw account is geblokkeerd - bel 0900-1234"),
            ("email", "victim@gemeente.nl"),
            ("subject", "x"),
            ("message", "y"),
        ],
        &[],
    );
    assert_eq!(
        app.raw_body("POST", "/tickets/new", &ct, body, Some(&cookie))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let victim = app
        .service
        .store()
        .contact_by_email("victim@gemeente.nl")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        victim.name, "",
        "the name typed by a visitor does not rename an existing contact"
    );
}
