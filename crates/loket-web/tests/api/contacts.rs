//! Contacts, organisations and moving tickets through the API.

use super::client::App;
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn contacts_organisations_and_moving_tickets() {
    let app = App::new().await;
    let (s, org) = app
        .call(
            "POST",
            "/api/v1/organisations",
            Some(json!({"name": "Gemeente B", "domains": ["gemeente-b.nl"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{org}");
    let (s, dup) = app
        .call(
            "POST",
            "/api/v1/organisations",
            Some(json!({"name": "Dubbel", "domains": ["gemeente-b.nl"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{dup}");
    let (s, bad) = app
        .call(
            "POST",
            "/api/v1/organisations",
            Some(json!({"name": "X", "domains": ["geen domein"]})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    let (s, c) = app
        .call(
            "POST",
            "/api/v1/contacts",
            Some(json!({"email": "Els@Gemeente-B.nl", "name": "Els"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(
        (c["email"].as_str(), c["organisation_id"].as_i64()),
        (Some("els@gemeente-b.nl"), org["id"].as_i64())
    );
    let id = c["id"].as_i64().unwrap();
    let (_, c2) = app
        .call(
            "PATCH",
            &format!("/api/v1/contacts/{id}"),
            Some(json!({"authorised": true})),
        )
        .await;
    assert_eq!(
        (c2["authorised"].as_bool(), c2["organisation_id"].as_i64()),
        (Some(true), org["id"].as_i64()),
        "absent keeps"
    );
    let (_, c3) = app
        .call(
            "PATCH",
            &format!("/api/v1/contacts/{id}"),
            Some(json!({"organisation_id": null})),
        )
        .await;
    assert!(c3["organisation_id"].is_null(), "null detaches");
    let (s, _) = app
        .call(
            "PATCH",
            &format!("/api/v1/contacts/{id}"),
            Some(json!({"organisation_id": 999})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = app.call("GET", "/api/v1/contacts/999", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = app.call("GET", "/api/v1/contacts", None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);

    app.ticket(json!({"subject": "A", "message": "x", "requester": "els@gemeente-b.nl"}))
        .await;
    app.ticket(json!({"subject": "B", "message": "x", "requester": "els@gemeente-b.nl"}))
        .await;
    let (s, moved) = app
        .call(
            "POST",
            "/api/v1/contacts/move-tickets",
            Some(json!({"from": "els@gemeente-b.nl", "to": "helpdesk@gemeente-b.nl"})),
        )
        .await;
    assert_eq!((s, moved["moved"].as_i64()), (StatusCode::OK, Some(2)));
    let (_, shared) = app
        .call("GET", "/api/v1/tickets?requester=helpdesk@gemeente-b.nl", None)
        .await;
    assert_eq!(shared["tickets"].as_array().unwrap().len(), 2);
    assert!(
        shared["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["organisation_id"] == org["id"])
    );
}

#[tokio::test]
async fn product_managers_cannot_manage_contacts() {
    let app = App::new().await;
    app.service
        .create_staff(
            &loket_core::service::Actor::System,
            "pm@leverancier.nl",
            "PM",
            loket_core::Role::ProductManager,
        )
        .await
        .unwrap();
    app.service
        .register_token("pm@leverancier.nl", "lkt_pm", None)
        .await
        .unwrap();
    let (s, v) = app
        .raw(
            "POST",
            "/api/v1/contacts",
            Some(r#"{"email": "x@y.nl"}"#),
            Some("lkt_pm"),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
}

#[tokio::test]
async fn quarantine_is_listed_and_retried_by_desk_staff_only() {
    let app = App::new().await;
    let intake = loket_mail::Intake::new(app.service.clone(), loket_mail::Mailbox::defaults());
    intake
        .ingest("helpdesk", b"Subject: zonder afzender\r\n\r\nx", None)
        .await
        .unwrap();
    let (s, list) = app.call("GET", "/api/v1/mail/quarantine", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(list[0]["reason"].as_str().unwrap().contains("sender"));
    let id = list[0]["id"].as_i64().unwrap();
    let (s, r) = app
        .call("POST", &format!("/api/v1/mail/quarantine/{id}/retry"), None)
        .await;
    assert_eq!((s, r["outcome"].as_str()), (StatusCode::OK, Some("quarantined")), "{r}");
    let (s, _) = app.call("POST", "/api/v1/mail/quarantine/999/retry", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    app.service
        .create_staff(
            &loket_core::service::Actor::System,
            "c@leverancier.nl",
            "C",
            loket_core::Role::Consultant,
        )
        .await
        .unwrap();
    app.service
        .register_token("c@leverancier.nl", "lkt_c", None)
        .await
        .unwrap();
    let (s, _) = app.raw("GET", "/api/v1/mail/quarantine", None, Some("lkt_c")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
