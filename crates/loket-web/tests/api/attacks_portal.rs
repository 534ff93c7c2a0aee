//! What the outside attack on the portal after issue 9 found, each
//! reproduced: text fields that filled memory, an authorised flag that moved
//! with a contact, strangers using up a contact's tickets, search without a
//! limit, framework text for bad query strings, and a cached file that set a cookie.

use super::client::{App, multipart_files};
use super::polish::login;
use super::portal::{csrf_of, form_token, multipart};
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn text_fields_together_are_bounded() {
    let app = App::new().await;
    let (csrf, cookie) = csrf_of(&app.page("GET", "/", None, None).await);
    let big = "A".repeat(1_500_000);
    let fields = [
        ("csrf", csrf.as_str()),
        ("email", "veld@gemeente.nl"),
        ("subject", "Velden"),
        ("message", big.as_str()),
        ("extra1", big.as_str()),
        ("extra2", big.as_str()),
    ];
    let (ct, body) = multipart_files(&fields, &[]);
    let p = app.raw_body("POST", "/tickets/new", &ct, body, Some(&cookie)).await;
    assert_eq!(
        p.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "three large text fields are refused"
    );
    // Many small ones add up too.
    let names: Vec<String> = (0..3_000).map(|i| format!("{}{i}", "n".repeat(1_000))).collect();
    let mut many: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    many.extend(names.iter().map(|n| (n.as_str(), "x")));
    let (ct, body) = multipart_files(&many, &[]);
    let p = app.raw_body("POST", "/tickets/new", &ct, body, Some(&cookie)).await;
    assert_eq!(p.status, StatusCode::PAYLOAD_TOO_LARGE);
    // So do many tiny ones: a form has at most a few dozen fields.
    let tiny: Vec<String> = (0..300).map(|i| format!("f{i}")).collect();
    let mut many: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    many.extend(tiny.iter().map(|n| (n.as_str(), "")));
    let (ct, body) = multipart_files(&many, &[]);
    let p = app.raw_body("POST", "/tickets/new", &ct, body, Some(&cookie)).await;
    assert_eq!(p.status, StatusCode::PAYLOAD_TOO_LARGE);
    // One message of 900 kB is still fine.
    let (ct, body) = multipart(
        &[
            ("csrf", csrf.as_str()),
            ("email", "veld@gemeente.nl"),
            ("subject", "Lang"),
            ("message", &"A".repeat(900_000)),
        ],
        None,
    );
    let p = app.raw_body("POST", "/tickets/new", &ct, body, Some(&cookie)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_contact_who_moves_is_not_authorised_in_the_new_organisation() {
    let app = App::new().await;
    let (_, a) = app
        .call(
            "POST",
            "/api/v1/organisations",
            Some(json!({"name": "A", "domains": []})),
        )
        .await;
    let (_, b) = app
        .call(
            "POST",
            "/api/v1/organisations",
            Some(json!({"name": "B", "domains": []})),
        )
        .await;
    let (_, c) = app
        .call("POST", "/api/v1/contacts", Some(json!({"email": "mover@x.nl"})))
        .await;
    let path = format!("/api/v1/contacts/{}", c["id"]);
    let (_, v) = app
        .call(
            "PATCH",
            &path,
            Some(json!({"organisation_id": a["id"], "authorised": true})),
        )
        .await;
    assert_eq!(v["authorised"], json!(true));
    let (_, v) = app
        .call("PATCH", &path, Some(json!({"organisation_id": b["id"]})))
        .await;
    assert_eq!(
        (&v["organisation_id"], &v["authorised"]),
        (&b["id"], &json!(false)),
        "{v}"
    );
    let (_, v) = app
        .call(
            "PATCH",
            &path,
            Some(json!({"organisation_id": a["id"], "authorised": true})),
        )
        .await;
    assert_eq!(v["authorised"], json!(true), "staff can authorise in the same change");
}

#[tokio::test]
async fn strangers_cannot_use_up_a_contacts_tickets() {
    let app = App::new().await;
    let cookie = login(&app, "doelwit@gemeente.nl").await;
    let (csrf, anon) = csrf_of(&app.page("GET", "/", None, None).await);
    for i in 0..10 {
        let subject = format!("Nep {i}");
        let fields = [
            ("csrf", csrf.as_str()),
            ("email", "doelwit@gemeente.nl"),
            ("subject", subject.as_str()),
            ("message", "x"),
        ];
        let (ct, body) = multipart(&fields, None);
        app.raw_body("POST", "/tickets/new", &ct, body, Some(&anon)).await;
    }
    let csrf = form_token(&app.page("GET", "/", None, Some(&cookie)).await.body);
    let fields = [
        ("csrf", csrf.as_str()),
        ("email", "doelwit@gemeente.nl"),
        ("subject", "Echt"),
        ("message", "Mijn eigen vraag"),
    ];
    let (ct, body) = multipart(&fields, None);
    let p = app.raw_body("POST", "/tickets/new", &ct, body, Some(&cookie)).await;
    assert_eq!(
        p.status,
        StatusCode::SEE_OTHER,
        "the contact still gets through: {}",
        p.body
    );
}

#[tokio::test]
async fn portal_search_is_limited_per_contact() {
    let app = App::new().await;
    let cookie = login(&app, "zoeker@gemeente.nl").await;
    let mut statuses = Vec::new();
    for i in 0..31 {
        statuses.push(
            app.page("GET", &format!("/mijn?q=ver{i}"), None, Some(&cookie))
                .await
                .status,
        );
    }
    assert!(statuses[..30].iter().all(|s| *s == StatusCode::OK), "{statuses:?}");
    assert_eq!(statuses[30], StatusCode::TOO_MANY_REQUESTS);
    // Listing without a search stays possible.
    assert_eq!(
        app.page("GET", "/mijn", None, Some(&cookie)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn odd_query_strings_get_the_portals_page_and_files_set_no_cookie() {
    let app = App::new().await;
    for path in ["/?lang=en&lang=nl", "/inloggen?terug=a&terug=b"] {
        let p = app.page("GET", path, None, None).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(p.body.contains("<html lang="), "{path}: {}", p.body);
    }
    let css = app.page("GET", "/static/portal.css?lang=en", None, None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.cookies.iter().all(|c| !c.starts_with("loket_lang")),
        "{:?}",
        css.cookies
    );
    let en = app.page("GET", "/inloggen?lang=EN", None, None).await;
    assert!(en.body.contains("<html lang=\"en\">"));
}

#[tokio::test]
async fn logging_in_gives_a_new_form_nonce() {
    let app = App::new().await;
    let (_, planted) = csrf_of(&app.page("GET", "/inloggen", None, None).await);
    let cookie = login(&app, "nonce@gemeente.nl").await;
    let csrf = form_token(&app.page("GET", "/inloggen", None, Some(&planted)).await.body);
    let form = format!("csrf={csrf}&email=nonce%40gemeente.nl&password=paars-fietsje-onder-de-brug");
    let p = app.page("POST", "/inloggen", Some(&form), Some(&planted)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let fresh = p
        .cookies
        .iter()
        .find_map(|c| c.strip_prefix("loket_csrf="))
        .and_then(|c| c.split(';').next())
        .expect("a new nonce with the session");
    assert!(!planted.contains(fresh), "the nonce from before the login is replaced");
    assert!(!cookie.is_empty());
}
