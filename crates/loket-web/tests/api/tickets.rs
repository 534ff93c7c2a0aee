//! Tickets through the API: channels, every use case, refused transitions and bad input.

use super::client::App;
use axum::http::StatusCode;
use serde_json::json;
use std::collections::HashSet;

fn body(requester: &str) -> serde_json::Value {
    json!({"subject": "Koppeling stuk", "message": "Het berichtenverkeer staat stil.", "requester": requester})
}

#[tokio::test]
async fn each_channel_gets_a_distinct_number_department_and_status() {
    let app = App::new().await;
    let mut numbers = HashSet::new();
    for channel in ["portal", "email", "phone", "api"] {
        let (status, v) = app
            .call(
                "POST",
                "/api/v1/tickets",
                Some(json!({"subject": "S", "message": "M", "requester": "a@gemeente.nl", "channel": channel})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        assert_eq!(
            (v["status"].as_str(), v["department"].as_str(), v["channel"].as_str()),
            (Some("new"), Some("helpdesk"), Some(channel))
        );
        assert!(numbers.insert(v["number"].as_i64().unwrap()));
    }
    let (status, v) = app
        .call("POST", "/api/v1/tickets", Some(json!({"subject": "Update", "message": "Graag 7.4", "requester": "a@gemeente.nl", "department": "updates", "urgent": true})))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        (v["department"].as_str(), v["urgent"].as_bool(), v["channel"].as_str()),
        (Some("updates"), Some(true), Some("api"))
    );
    let (status, got) = app.call("GET", &format!("/api/v1/tickets/{}", v["number"]), None).await;
    assert_eq!(status, StatusCode::OK);
    // The ticket as created, with its requester's address and name besides.
    let mut got = got;
    let extra = got.as_object_mut().unwrap();
    assert_eq!(extra.remove("requester_email"), Some(json!("a@gemeente.nl")));
    assert_eq!(extra.remove("requester_name"), Some(json!("")));
    assert_eq!(got, v);
}

#[tokio::test]
async fn every_use_case_moves_status_and_department() {
    let app = App::new().await;
    app.call(
        "POST",
        "/api/v1/organisations",
        Some(json!({"name": "Gemeente A", "domains": ["gemeente-a.nl"]})),
    )
    .await;
    let n = app.ticket(body("jan@gemeente-a.nl")).await;
    let t = |p: &str| format!("/api/v1/tickets/{n}{p}");
    let step = |status: &str, department: &str, v: &serde_json::Value| {
        assert_eq!(
            (v["status"].as_str(), v["department"].as_str()),
            (Some(status), Some(department)),
            "{v}"
        );
    };
    let (s, v) = app
        .call("POST", &t("/customer-replies"), Some(json!({"message": "Aanvulling"})))
        .await;
    assert_eq!(s, StatusCode::OK);
    step("new", "helpdesk", &v);
    let (_, v) = app
        .call("POST", &t("/replies"), Some(json!({"message": "We kijken ernaar."})))
        .await;
    step("answered", "helpdesk", &v);
    let (_, v) = app
        .call(
            "POST",
            &t("/customer-replies"),
            Some(json!({"message": "Nog steeds stuk"})),
        )
        .await;
    step("open", "helpdesk", &v);
    let (_, v) = app.call("POST", &t("/notes"), Some(json!({"message": "Intern"}))).await;
    step("open", "helpdesk", &v);
    let (_, v) = app
        .call(
            "POST",
            &t("/postpone"),
            Some(json!({"message": "Stuur een logbestand"})),
        )
        .await;
    step("postponed", "awaiting_reply", &v);
    assert!(v["postponed_until"].is_string());
    let (_, v) = app
        .call("POST", &t("/customer-replies"), Some(json!({"message": "Bijgevoegd"})))
        .await;
    step("open", "helpdesk", &v);
    let (_, v) = app
        .call(
            "POST",
            &t("/transfer"),
            Some(json!({"department": "functional_meeting"})),
        )
        .await;
    step("open", "functional_meeting", &v);
    assert!(v["promised_at"].is_string());
    let (_, v) = app
        .call(
            "POST",
            &t("/transfer"),
            Some(json!({"department": "planned", "version": "7.4.2"})),
        )
        .await;
    step("open", "planned", &v);
    assert_eq!(v["release_version"], "7.4.2");
    let (_, v) = app
        .call("PUT", &t("/work-item"), Some(json!({"work_item": "ADO-123"})))
        .await;
    assert_eq!(v["work_item"], "ADO-123");
    let (_, v) = app
        .call("PUT", &t("/labels"), Some(json!({"labels": ["bug", "koppeling"]})))
        .await;
    assert_eq!(v["labels"], json!(["bug", "koppeling"]));
    let (_, v) = app
        .call(
            "PUT",
            &t("/assignee"),
            Some(json!({"assignee": "admin@leverancier.nl"})),
        )
        .await;
    assert!(v["assignee_id"].is_i64());
    let (_, v) = app.call("PUT", &t("/version"), Some(json!({"version": "7.5"}))).await;
    assert_eq!(v["release_version"], "7.5");
    let (_, v) = app
        .call("POST", &t("/transfer"), Some(json!({"department": "delivered"})))
        .await;
    step("open", "delivered", &v);
    let (_, v) = app.call("POST", &t("/resolve"), None).await;
    step("resolved", "delivered", &v);
    let (_, v) = app.call("POST", &t("/reopen"), None).await;
    step("open", "delivered", &v);
    let (_, v) = app
        .call("POST", &t("/transfer"), Some(json!({"department": "development"})))
        .await;
    step("resolved", "development", &v);

    let (_, msgs) = app.call("GET", &t("/messages"), None).await;
    let kinds: Vec<&str> = msgs
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["public", "public", "public", "public", "internal", "public", "public"]
    );
    let (_, audit) = app.call("GET", &t("/audit"), None).await;
    assert!(audit.as_array().unwrap().len() > 15);
    let id = msgs[1]["id"].as_i64().unwrap();
    let (s, _) = app
        .call("DELETE", &t(&format!("/messages/{id}?reason=AVG")), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, msgs) = app.call("GET", &t("/messages"), None).await;
    let msgs = msgs.as_array().unwrap();
    // The removed one is gone; a staff-only event says so in its place.
    assert_eq!(msgs.len(), 7);
    assert!(msgs.iter().all(|m| m["id"].as_i64() != Some(id)));
    assert_eq!(msgs.iter().filter(|m| m["kind"] == "event").count(), 1);
}

#[tokio::test]
async fn refused_transitions_answer_409_with_a_reason_and_change_nothing() {
    let app = App::new().await;
    let n = app.ticket(body("jan@gemeente.nl")).await;
    let (s, v) = app.call("POST", &format!("/api/v1/tickets/{n}/reopen"), None).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["error"], "conflict");
    assert!(v["message"].as_str().unwrap().contains("only a resolved ticket"), "{v}");
    let (s, v) = app
        .call(
            "POST",
            &format!("/api/v1/tickets/{n}/transfer"),
            Some(json!({"department": "planned"})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(v["message"].as_str().unwrap().contains("release version"));
    app.call("POST", &format!("/api/v1/tickets/{n}/resolve"), None).await;
    let (s, v) = app.call("POST", &format!("/api/v1/tickets/{n}/resolve"), None).await;
    assert_eq!(
        (s, v["message"].as_str()),
        (StatusCode::CONFLICT, Some("the ticket is already resolved"))
    );
    let (s, _) = app
        .call(
            "POST",
            &format!("/api/v1/tickets/{n}/postpone"),
            Some(json!({"message": "?"})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, v) = app.call("GET", &format!("/api/v1/tickets/{n}"), None).await;
    assert_eq!(
        (v["status"].as_str(), v["department"].as_str()),
        (Some("resolved"), Some("helpdesk"))
    );
}

#[tokio::test]
async fn bad_input_gets_a_clear_json_error() {
    let app = App::new().await;
    let (s, v) = app
        .raw("POST", "/api/v1/tickets", Some("{\"subject\": "), Some(&app.token))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["message"].as_str().unwrap().contains("malformed"));
    let (s, v) = app
        .call(
            "POST",
            "/api/v1/tickets",
            Some(json!({"subject": "S", "message": "M", "requester": "a@b.nl", "department": "kantine"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["message"].as_str().unwrap().contains("kantine"), "{v}");
    let (s, v) = app
        .call("POST", "/api/v1/tickets", Some(json!({"subject": "S", "message": "M"})))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["message"].as_str().unwrap().contains("requester"), "{v}");
    let (s, v) = app
        .call(
            "POST",
            "/api/v1/tickets",
            Some(json!({"subject": "S", "message": "M", "requester": "geen adres"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["message"].as_str().unwrap().contains("not a valid e-mail address"));
    let (s, _) = app
        .call(
            "POST",
            "/api/v1/tickets",
            Some(json!({"subject": "S", "message": "M", "requester": "a@b.nl", "colour": "red"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v) = app
        .call("POST", "/api/v1/tickets", Some(json!({"subject": "S", "message": "M", "requester": "a@b.nl", "attachments": [{"filename": "x", "content_base64": "!!"}]})))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = app.call("GET", "/api/v1/tickets?status=weg", None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, _) = app.call("GET", "/api/v1/tickets?limit=0", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v) = app.call("GET", "/api/v1/tickets/999", None).await;
    assert_eq!((s, v["error"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (s, _) = app.call("GET", "/api/v1/nergens", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.raw("GET", "/api/v1/tickets", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app.raw("GET", "/api/v1/tickets", None, Some("lkt_wrong")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (_, page) = app.call("GET", "/api/v1/tickets", None).await;
    assert_eq!(page["tickets"], json!([]), "nothing was half-written");
}

#[tokio::test]
async fn list_pages_filters_and_search() {
    let app = App::new().await;
    let mut numbers = Vec::new();
    for i in 0..5 {
        numbers.push(app.ticket(json!({"subject": format!("Vraag {i}"), "message": if i == 2 { "zeldzame kwartslamp" } else { "gewoon" }, "requester": format!("k{}@gemeente.nl", i % 2)})).await);
    }
    let (_, p1) = app.call("GET", "/api/v1/tickets?limit=2", None).await;
    assert_eq!(p1["tickets"].as_array().unwrap().len(), 2);
    let (_, p2) = app
        .call(
            "GET",
            &format!("/api/v1/tickets?limit=2&before={}", p1["next_before"]),
            None,
        )
        .await;
    let (_, p3) = app
        .call(
            "GET",
            &format!("/api/v1/tickets?limit=2&before={}", p2["next_before"]),
            None,
        )
        .await;
    assert_eq!(p3["tickets"].as_array().unwrap().len(), 1);
    assert!(p3["next_before"].is_null());
    let (_, mine) = app.call("GET", "/api/v1/tickets?requester=K1@gemeente.nl", None).await;
    assert_eq!(mine["tickets"].as_array().unwrap().len(), 2);
    let (_, none) = app
        .call("GET", "/api/v1/tickets?requester=onbekend@gemeente.nl", None)
        .await;
    assert_eq!(none["tickets"], json!([]));
    let (_, found) = app.call("GET", "/api/v1/search?q=kwartslamp", None).await;
    assert_eq!(
        found
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["number"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![numbers[2]]
    );
    let (_, by_number) = app
        .call("GET", &format!("/api/v1/search?q=%23{}", numbers[4]), None)
        .await;
    assert_eq!(by_number[0]["number"].as_i64(), Some(numbers[4]));
    let (s, _) = app.call("GET", "/api/v1/search?q=", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn openapi_and_health() {
    let app = App::new().await;
    let (s, doc) = app.raw("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/tickets",
        "/api/v1/tickets/{number}",
        "/api/v1/tickets/{number}/transfer",
        "/api/v1/search",
        "/api/v1/contacts/move-tickets",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["components"]["schemas"]["Ticket"].is_object());
    assert_eq!(doc["servers"][0]["url"], "/");
    // Every API route of the router is described, each with its 404 where it names something.
    for path in app
        .paths
        .iter()
        .filter(|p| p.starts_with("/api/v1/") && !p.ends_with("openapi.json"))
    {
        let item = &doc["paths"][path.as_str()];
        assert!(item.is_object(), "{path} is not in the OpenAPI document");
        for (method, op) in item.as_object().unwrap() {
            let responses = &op["responses"];
            assert!(responses["401"].is_object(), "{method} {path} lacks 401");
            if path.contains('{') {
                assert!(responses["404"].is_object(), "{method} {path} lacks 404");
            }
        }
    }
    let (s, v) = app.raw("GET", "/healthz", None, None).await;
    assert_eq!((s, v.as_str()), (StatusCode::OK, Some("ok")));
}
