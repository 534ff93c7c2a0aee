//! The outbox against a real SMTP server: confirmations with number and follow
//! link, threading of replies both ways, loop safety, and delivery delayed by a
//! server that is down.

use super::intake::mail;
use super::{env, service_var};
use chrono::Duration;
use loket_core::service::{Actor, Reply};
use loket_core::*;
use loket_mail::templates::Templates;
use loket_mail::{OutboxSettings, Outcome, Sender};
use mail_parser::MessageParser;

fn settings(url: &str) -> OutboxSettings {
    OutboxSettings {
        smtp_url: Some(url.to_owned()),
        from: "Helpdesk <helpdesk@leverancier.nl>".into(),
        reply_to: [("helpdesk".to_string(), "helpdesk@leverancier.nl".to_string())].into(),
        public_url: "https://helpdesk.example.nl".into(),
        message_id_domain: "loket.test".into(),
        templates: Templates::default(),
        time_zone: loket_core::time::Zone::default(),
    }
}

/// A captured mail: its headers and text.
struct Captured {
    subject: String,
    message_id: String,
    in_reply_to: Option<String>,
    references: Vec<String>,
    reply_to: Option<String>,
    mime_version: Option<String>,
    auto_submitted: Option<String>,
    body: String,
}

/// Mails the SMTP server captured for `rcpt` (in no particular order within a second).
fn captured(dir: &str, rcpt: &str) -> Vec<Captured> {
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let raw = std::fs::read(&f).unwrap();
        let Some(m) = MessageParser::default().parse(&raw) else {
            continue;
        };
        if !m.header_raw("X-Rcpt-Args").is_some_and(|r| r.contains(rcpt)) {
            continue;
        }
        out.push(Captured {
            subject: m.subject().unwrap_or_default().to_owned(),
            message_id: m.message_id().unwrap_or_default().to_owned(),
            in_reply_to: m.in_reply_to().as_text().map(ToOwned::to_owned),
            references: m
                .references()
                .as_text_list()
                .map(|l| l.iter().map(ToString::to_string).collect())
                .unwrap_or_default(),
            reply_to: m
                .reply_to()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .map(ToOwned::to_owned),
            mime_version: m.header_raw("MIME-Version").map(|v| v.trim().to_owned()),
            auto_submitted: m.header_raw("Auto-Submitted").map(|v| v.trim().to_owned()),
            body: m.body_text(0).unwrap_or_default().into_owned(),
        });
    }
    out
}

fn unique(name: &str) -> String {
    format!(
        "{name}.{}@gemeente.nl",
        Utc::now().timestamp_nanos_opt().unwrap_or_default()
    )
}

use chrono::Utc;

/// A ticket a visitor made on the portal.
async fn portal_ticket(service: &loket_core::service::Service, subject: &str, message: &str, to: &str) -> Ticket {
    service
        .create_ticket(
            &Actor::System,
            loket_core::service::CreateTicket::new(subject, message, to, Channel::Portal),
        )
        .await
        .unwrap()
}

/// A new agent.
async fn agent(service: &loket_core::service::Service, email: &str) -> Actor {
    Actor::Staff(
        service
            .create_staff(&Actor::System, email, "Agent", Role::Agent)
            .await
            .unwrap(),
    )
}

#[tokio::test]
async fn confirmation_and_replies_go_out_and_thread_back() {
    let (Some(url), Some(cap)) = (
        service_var("LOKET_TEST_SMTP_URL"),
        service_var("LOKET_TEST_SMTP_CAPTURE"),
    ) else {
        return;
    };
    let e = env().await;
    let jan = unique("jan");
    let sender = Sender::new(e.service.clone(), settings(&url)).unwrap();
    let Outcome::Created(t) = e
        .intake
        .ingest(
            "helpdesk",
            &mail(
                &jan,
                "Beschikking ontbreekt",
                &format!("first.{jan}"),
                "",
                "Waar is de beschikking?",
            ),
            None,
        )
        .await
        .unwrap()
    else {
        panic!("no ticket")
    };
    assert_eq!(sender.run_once().await.unwrap(), 1);
    let got = captured(&cap, &jan);
    assert_eq!(got.len(), 1, "one confirmation");
    let conf = &got[0];
    assert_eq!(conf.subject, format!("[#{}] Beschikking ontbreekt", t.number));
    assert_eq!(conf.auto_submitted.as_deref(), Some("auto-replied"));
    let link = format!("https://helpdesk.example.nl/t/{}/", t.number);
    assert!(
        conf.body.contains(&t.number.to_string()) && conf.body.contains(&link),
        "{}",
        conf.body
    );
    let token = conf
        .body
        .split(&link)
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    let secret = e.service.store().secret("follow_link").await.unwrap();
    assert!(
        loket_mail::links::verify(&secret, t.id, t.requester_id, token, e.service.now(), None),
        "the link carries a valid follow token"
    );
    assert_eq!(sender.run_once().await.unwrap(), 0, "sent once");

    // The agent answers; the mail threads to the customer's message.
    let agent = agent(&e.service, "agent@leverancier.nl").await;
    e.service
        .agent_reply(&agent, t.number, Reply::text("Die staat nu klaar."))
        .await
        .unwrap();
    assert_eq!(sender.run_once().await.unwrap(), 1);
    let got = captured(&cap, &jan);
    assert_eq!(got.len(), 2);
    // Capture files of one second sort at random: pick the answer by content.
    let answer = got.iter().find(|m| m.message_id != conf.message_id).unwrap();
    assert!(answer.body.contains("Die staat nu klaar."));
    assert_eq!(answer.in_reply_to.as_deref(), Some(format!("first.{jan}").as_str()));
    assert_eq!(answer.auto_submitted, None, "a human answer is not automatic");

    // The customer replies to that mail, without the tag in the subject.
    let reply = mail(
        &jan,
        "Re: bedankt",
        &format!("second.{jan}"),
        &format!("In-Reply-To: <{}>\r\n", answer.message_id),
        "Top, dank!",
    );
    let o = e.intake.ingest("helpdesk", &reply, None).await.unwrap();
    assert!(
        matches!(o, Outcome::Appended(ref x) if x.number == t.number && x.status == Status::Open),
        "{o:?}"
    );
    // And a reply to the confirmation threads too.
    let late = mail(
        &jan,
        "Re: ontvangen",
        &format!("third.{jan}"),
        &format!("References: <{}>\r\n", conf.message_id),
        "Nog een vraag",
    );
    assert!(
        matches!(e.intake.ingest("helpdesk", &late, None).await.unwrap(), Outcome::Appended(ref x) if x.number == t.number)
    );
}

#[tokio::test]
async fn a_portal_ticket_threads_its_mails_and_greets_without_a_name() {
    let (Some(url), Some(cap)) = (
        service_var("LOKET_TEST_SMTP_URL"),
        service_var("LOKET_TEST_SMTP_CAPTURE"),
    ) else {
        return;
    };
    let e = env().await;
    let anna = unique("anna");
    // Out of the box (no mailbox address), Reply-To is the From address.
    let bare = OutboxSettings {
        reply_to: std::collections::BTreeMap::new(),
        ..settings(&url)
    };
    let sender = Sender::new(e.service.clone(), bare).unwrap();
    let t = portal_ticket(&e.service, "Via het portaal", "Mijn vraag", &anna).await;
    assert_eq!(sender.run_once().await.unwrap(), 1);
    let got = captured(&cap, &anna);
    let conf = &got[0];
    assert!(conf.body.starts_with("Beste heer/mevrouw,"), "{}", conf.body);
    assert!(!conf.body.contains(&anna), "no address as a name: {}", conf.body);
    assert_eq!(conf.reply_to.as_deref(), Some("helpdesk@leverancier.nl"));
    assert_eq!(conf.mime_version.as_deref(), Some("1.0"));
    assert_eq!(
        conf.in_reply_to, None,
        "the first mail of a portal ticket starts the thread"
    );

    let agent = agent(&e.service, "agent2@leverancier.nl").await;
    e.service
        .agent_reply(&agent, t.number, Reply::text("Wij kijken ernaar."))
        .await
        .unwrap();
    assert_eq!(sender.run_once().await.unwrap(), 1);
    let got = captured(&cap, &anna);
    let answer = got.iter().find(|m| m.message_id != conf.message_id).unwrap();
    assert_eq!(
        answer.in_reply_to.as_deref(),
        Some(conf.message_id.as_str()),
        "threads to the confirmation"
    );
    assert_eq!(answer.references, vec![conf.message_id.clone()]);
    assert_eq!(answer.reply_to.as_deref(), Some("helpdesk@leverancier.nl"));

    e.service
        .agent_reply(&agent, t.number, Reply::text("Het is opgelost."))
        .await
        .unwrap();
    assert_eq!(sender.run_once().await.unwrap(), 1);
    let got = captured(&cap, &anna);
    let third = got
        .iter()
        .find(|m| m.message_id != conf.message_id && m.message_id != answer.message_id)
        .unwrap();
    assert_eq!(third.in_reply_to.as_deref(), Some(answer.message_id.as_str()));
    assert_eq!(
        third.references,
        vec![conf.message_id.clone(), answer.message_id.clone()]
    );
}

#[tokio::test]
async fn an_out_of_office_reply_gets_no_answer() {
    let (Some(url), Some(cap)) = (
        service_var("LOKET_TEST_SMTP_URL"),
        service_var("LOKET_TEST_SMTP_CAPTURE"),
    ) else {
        return;
    };
    let e = env().await;
    let robot = unique("afwezig");
    let sender = Sender::new(e.service.clone(), settings(&url)).unwrap();
    let ooo = mail(
        &robot,
        "Afwezig",
        &format!("ooo.{robot}"),
        "Auto-Submitted: auto-replied\r\n",
        "Ik ben er niet.",
    );
    assert!(matches!(
        e.intake.ingest("helpdesk", &ooo, None).await.unwrap(),
        Outcome::Created(_)
    ));
    assert_eq!(sender.run_once().await.unwrap(), 0);
    assert!(
        captured(&cap, &robot).is_empty(),
        "no mail to an auto-responder: no loop"
    );
}

#[tokio::test]
async fn a_server_that_is_down_delays_mail_until_it_returns() {
    let (Some(url), Some(cap)) = (
        service_var("LOKET_TEST_SMTP_URL"),
        service_var("LOKET_TEST_SMTP_CAPTURE"),
    ) else {
        return;
    };
    let e = env().await;
    let piet = unique("piet");
    e.intake
        .ingest("helpdesk", &mail(&piet, "Vraag", &format!("q.{piet}"), "", "x"), None)
        .await
        .unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = Sender::new(e.service.clone(), settings(&format!("smtp://127.0.0.1:{closed}"))).unwrap();
    assert_eq!(down.run_once().await.unwrap(), 0);
    assert_eq!(
        e.service.store().pending_outbox(10).await.unwrap().len(),
        1,
        "still waiting, not lost"
    );
    let up = Sender::new(e.service.clone(), settings(&url)).unwrap();
    assert_eq!(up.run_once().await.unwrap(), 0, "not before its retry time");
    e.clock.set(e.clock.now() + Duration::minutes(10));
    assert_eq!(up.run_once().await.unwrap(), 1, "delivered once the server is back");
    assert_eq!(captured(&cap, &piet).len(), 1);
    assert!(e.service.store().pending_outbox(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_permanent_failure_is_noted_on_the_ticket_and_not_retried() {
    let Some(url) = service_var("LOKET_TEST_SMTP_REJECT_URL") else {
        return;
    };
    let e = env().await;
    let kees = unique("kees");
    let Outcome::Created(t) = e
        .intake
        .ingest("helpdesk", &mail(&kees, "Vraag", &format!("r.{kees}"), "", "x"), None)
        .await
        .unwrap()
    else {
        panic!("no ticket")
    };
    let sender = Sender::new(e.service.clone(), settings(&url)).unwrap();
    assert_eq!(sender.run_once().await.unwrap(), 0);
    assert!(
        e.service.store().pending_outbox(10).await.unwrap().is_empty(),
        "given up, not pending"
    );
    let notes = e.service.store().messages(t.id, true).await.unwrap();
    assert!(
        notes.iter().any(|m| m.kind == MessageKind::Internal
            && m.body_text.contains("kon niet worden bezorgd")
            && m.body_text.contains(&kees)),
        "the failure is visible on the ticket"
    );
    e.clock.set(e.clock.now() + Duration::hours(2));
    assert_eq!(sender.run_once().await.unwrap(), 0, "not retried");
}

#[tokio::test]
async fn contacts_who_chose_english_get_english_mail() {
    let (Some(url), Some(cap)) = (
        service_var("LOKET_TEST_SMTP_URL"),
        service_var("LOKET_TEST_SMTP_CAPTURE"),
    ) else {
        return;
    };
    let e = env().await;
    let anna = unique("anna");
    let admin = Actor::Staff(
        e.service
            .create_staff(&Actor::System, "beheer@leverancier.nl", "B", Role::Admin)
            .await
            .unwrap(),
    );
    let contact = e.service.create_contact(&admin, &anna, "Anna").await.unwrap();
    let patch = loket_core::store::ContactPatch {
        language: Some(Lang::En),
        ..Default::default()
    };
    e.service.update_contact(&admin, contact.id, patch).await.unwrap();
    e.intake
        .ingest(
            "helpdesk",
            &mail(&anna, "Question", &format!("en.{anna}"), "", "Hello"),
            None,
        )
        .await
        .unwrap();
    let sender = Sender::new(e.service.clone(), settings(&url)).unwrap();
    assert_eq!(sender.run_once().await.unwrap(), 1);
    let got = captured(&cap, &anna);
    assert!(got[0].body.starts_with("Dear Anna"), "{}", got[0].body);
}

#[tokio::test]
async fn the_set_password_link_goes_out_once() {
    let (Some(url), Some(cap)) = (
        service_var("LOKET_TEST_SMTP_URL"),
        service_var("LOKET_TEST_SMTP_CAPTURE"),
    ) else {
        return;
    };
    let e = env().await;
    let lien = unique("lien");
    e.service.request_access(&lien).await.unwrap();
    let sender = Sender::new(e.service.clone(), settings(&url)).unwrap();
    assert_eq!(sender.run_once().await.unwrap(), 1);
    let got = captured(&cap, &lien);
    assert_eq!(got.len(), 1);
    assert!(
        got[0].body.contains("https://helpdesk.example.nl/toegang/"),
        "{}",
        got[0].body
    );
    assert_eq!(got[0].auto_submitted.as_deref(), Some("auto-replied"));
    assert!(!got[0].subject.contains("[#"), "no ticket");
    assert_eq!(sender.run_once().await.unwrap(), 0);
}

#[tokio::test]
async fn a_mail_queued_before_a_move_carries_no_follow_link_for_the_new_owner() {
    let (Some(url), Some(cap)) = (
        service_var("LOKET_TEST_SMTP_URL"),
        service_var("LOKET_TEST_SMTP_CAPTURE"),
    ) else {
        return;
    };
    let e = env().await;
    let (typo, right) = (unique("jan.typo"), unique("jan.goed"));
    // The confirmation to a mistyped address waits in the outbox (the server
    // was unreachable), then staff move the ticket to the right address.
    let t = portal_ticket(&e.service, "Vertrouwelijk", "BSN 123456782", &typo).await;
    let admin = agent(&e.service, "agent@leverancier.nl").await;
    e.service.move_tickets(&admin, &typo, &right).await.unwrap();
    let sender = Sender::new(e.service.clone(), settings(&url)).unwrap();
    assert!(sender.run_once().await.unwrap() >= 1);
    let to_typo = captured(&cap, &typo);
    assert_eq!(to_typo.len(), 1);
    let follow = format!("/t/{}/", t.number);
    assert!(!to_typo[0].body.contains(&follow), "{}", to_typo[0].body);
    assert!(to_typo[0].body.contains("https://helpdesk.example.nl/mijn"));
    assert!(!to_typo[0].body.contains(&right), "the new address is not told");
}

#[tokio::test]
async fn a_request_for_information_states_the_date_its_change_set() {
    let (Some(url), Some(cap)) = (
        service_var("LOKET_TEST_SMTP_URL"),
        service_var("LOKET_TEST_SMTP_CAPTURE"),
    ) else {
        return;
    };
    let e = env().await;
    let kim = unique("kim");
    let sender = Sender::new(e.service.clone(), settings(&url)).unwrap();
    let t = portal_ticket(&e.service, "Vraag", "Hoe?", &kim).await;
    let agent = agent(&e.service, "agent3@leverancier.nl").await;
    let until = e.service.now() + Duration::days(14);
    e.service
        .ask_info(&agent, t.number, Reply::text("Welke versie gebruikt u?"), Some(until))
        .await
        .unwrap();
    // Taken into internal review before the outbox sent the question.
    e.service
        .transfer(&agent, t.number, Department::InternalReview, None)
        .await
        .unwrap();
    assert_eq!(sender.run_once().await.unwrap(), 2);
    let date = loket_core::time::Zone::default().date(until);
    let asked = captured(&cap, &kim)
        .into_iter()
        .find(|m| m.body.contains("Welke versie"))
        .expect("the question went out");
    assert!(
        asked.body.contains(&date),
        "the date of the request, not an empty one: {}",
        asked.body
    );
}
