//! Intake over IMAP against a real Dovecot server (`LOKET_TEST_IMAP_ADDR`,
//! with accounts `box1@example.test` … `box12@example.test`, password `secret`):
//! flagging only after storing, crash recovery, quarantine, duplicates across
//! mailboxes, and a broken mailbox that does not stop the others.

use super::intake::mail;
use super::{env, service_var};
use loket_core::store::TicketFilter;
use loket_core::*;
use loket_mail::imap::{ImapConfig, Security, sweep_once, tools};
use loket_mail::{Mailbox, Outcome};
use std::time::Duration;

fn account(addr: &str, n: u8) -> ImapConfig {
    let (host, port) = addr.rsplit_once(':').unwrap();
    ImapConfig {
        host: host.into(),
        port: Some(port.parse().unwrap()),
        security: Security::Plain,
        user: format!("box{n}@example.test"),
        password: Some("secret".into()),
        password_file: None,
        folder: "INBOX".into(),
        processed_folder: None,
        poll_secs: 1,
    }
}

async fn reset(cfg: &ImapConfig) {
    tools::clear(cfg).await.unwrap();
}

async fn append(cfg: &ImapConfig, raw: &[u8]) {
    tools::append(cfg, raw).await.unwrap();
}

async fn search(cfg: &ImapConfig, q: &str) -> Vec<u32> {
    tools::search(cfg, q).await.unwrap()
}

fn with_imap(name: &str, department: Department, cfg: ImapConfig) -> Mailbox {
    Mailbox {
        name: name.into(),
        address: None,
        department,
        imap: Some(cfg),
    }
}

async fn tickets(e: &super::Env) -> usize {
    e.service
        .store()
        .list_tickets(&TicketFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn mail_is_flagged_only_after_it_is_stored() {
    let Some(addr) = service_var("LOKET_TEST_IMAP_ADDR") else {
        return;
    };
    let cfg = account(&addr, 1);
    reset(&cfg).await;
    for i in 0..3 {
        append(
            &cfg,
            &mail(
                "jan@gemeente.nl",
                &format!("Vraag {i}"),
                &format!("imap-a{i}@gemeente.nl"),
                "",
                "Hallo",
            ),
        )
        .await;
    }
    let mut e = env().await;
    e.intake = loket_mail::Intake::new(
        e.service.clone(),
        vec![with_imap("helpdesk", Department::Helpdesk, cfg.clone())],
    );
    assert_eq!(search(&cfg, "UNSEEN").await.len(), 3);
    assert_eq!(sweep_once(&e.intake, "helpdesk", &cfg).await.unwrap(), 3);
    assert_eq!(tickets(&e).await, 3);
    assert!(search(&cfg, "UNSEEN").await.is_empty(), "flagged after storing");
    assert_eq!(search(&cfg, "ALL").await.len(), 3, "never deleted");
    assert_eq!(sweep_once(&e.intake, "helpdesk", &cfg).await.unwrap(), 0);
    assert_eq!(tickets(&e).await, 3);
}

#[tokio::test]
async fn a_crash_between_storing_and_flagging_neither_loses_nor_doubles() {
    let Some(addr) = service_var("LOKET_TEST_IMAP_ADDR") else {
        return;
    };
    let cfg = account(&addr, 2);
    reset(&cfg).await;
    let raw = mail("piet@gemeente.nl", "Crash", "imap-crash@gemeente.nl", "", "x");
    append(&cfg, &raw).await;
    let uid = search(&cfg, "ALL").await[0];
    let mut e = env().await;
    e.intake = loket_mail::Intake::new(
        e.service.clone(),
        vec![with_imap("helpdesk", Department::Helpdesk, cfg.clone())],
    );
    // The earlier process stored the mail, then died before flagging it.
    assert!(matches!(
        e.intake
            .ingest("helpdesk", &raw, Some((0, i64::from(uid))))
            .await
            .unwrap(),
        Outcome::Created(_)
    ));
    assert_eq!(search(&cfg, "UNSEEN").await, vec![uid]);
    // The restarted process sees it again, recognises it, and flags it.
    sweep_once(&e.intake, "helpdesk", &cfg).await.unwrap();
    assert!(search(&cfg, "UNSEEN").await.is_empty());
    assert_eq!(tickets(&e).await, 1);
}

#[tokio::test]
async fn mail_that_cannot_be_processed_stays_unseen_in_quarantine() {
    let Some(addr) = service_var("LOKET_TEST_IMAP_ADDR") else {
        return;
    };
    let cfg = account(&addr, 3);
    reset(&cfg).await;
    append(&cfg, b"Subject: zonder afzender\r\nMessage-ID: <q@x>\r\n\r\nx\r\n").await;
    let mut e = env().await;
    e.intake = loket_mail::Intake::new(
        e.service.clone(),
        vec![with_imap("helpdesk", Department::Helpdesk, cfg.clone())],
    );
    assert_eq!(sweep_once(&e.intake, "helpdesk", &cfg).await.unwrap(), 0);
    assert_eq!(search(&cfg, "UNSEEN").await.len(), 1, "never marked read");
    let q = e.service.store().list_quarantine(10).await.unwrap();
    assert_eq!(q.len(), 1);
    assert!(q[0].reason.contains("sender"));
}

#[tokio::test]
async fn one_message_in_two_mailboxes_makes_one_ticket() {
    let Some(addr) = service_var("LOKET_TEST_IMAP_ADDR") else {
        return;
    };
    let (a, b) = (account(&addr, 4), account(&addr, 5));
    reset(&a).await;
    reset(&b).await;
    let raw = mail(
        "els@gemeente.nl",
        "Update graag",
        "imap-both@gemeente.nl",
        "",
        "Naar 7.5 graag",
    );
    append(&a, &raw).await;
    append(&b, &raw).await;
    let mut e = env().await;
    e.intake = loket_mail::Intake::new(
        e.service.clone(),
        vec![
            with_imap("updates", Department::Updates, a.clone()),
            with_imap("helpdesk", Department::Helpdesk, b.clone()),
        ],
    );
    sweep_once(&e.intake, "updates", &a).await.unwrap();
    sweep_once(&e.intake, "helpdesk", &b).await.unwrap();
    let all = e
        .service
        .store()
        .list_tickets(&TicketFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].department, Department::Updates);
    assert!(
        search(&a, "UNSEEN").await.is_empty() && search(&b, "UNSEEN").await.is_empty(),
        "both flagged"
    );
}

#[tokio::test]
async fn a_broken_mailbox_does_not_stop_the_others() {
    let Some(addr) = service_var("LOKET_TEST_IMAP_ADDR") else {
        return;
    };
    let good = account(&addr, 6);
    reset(&good).await;
    let mut bad = account(&addr, 7);
    bad.password = Some("wrong".into());
    let mut e = env().await;
    e.intake = loket_mail::Intake::new(
        e.service.clone(),
        vec![
            with_imap("helpdesk", Department::Helpdesk, good.clone()),
            with_imap("updates", Department::Updates, bad.clone()),
        ],
    );
    let t1 = tokio::spawn(loket_mail::imap::run(e.intake.clone(), "updates".into(), bad));
    let t2 = tokio::spawn(loket_mail::imap::run(e.intake.clone(), "helpdesk".into(), good.clone()));
    append(
        &good,
        &mail("kees@gemeente.nl", "Live", "imap-live@gemeente.nl", "", "x"),
    )
    .await;
    let mut waited = 0;
    while tickets(&e).await == 0 {
        assert!(waited < 100, "the good mailbox was not read");
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    t1.abort();
    t2.abort();
    assert_eq!(tickets(&e).await, 1);
}

#[tokio::test]
async fn one_bad_mail_never_holds_back_the_mail_after_it() {
    let Some(addr) = service_var("LOKET_TEST_IMAP_ADDR") else {
        return;
    };
    let cfg = account(&addr, 9);
    reset(&cfg).await;
    // What once failed on every pass (16,400 ids: "too many SQL variables"),
    // a mail too large to load, and an ordinary mail after them.
    let refs: Vec<String> = (0..16_400).map(|i| format!("<gok.{i}@leverancier.nl>")).collect();
    let header = format!("References: {}\r\n", refs.join(" "));
    append(
        &cfg,
        &mail("jan@gemeente.nl", "Veel ids", "imap-refs@gemeente.nl", &header, "x"),
    )
    .await;
    let big = mail(
        "jan@gemeente.nl",
        "Te groot",
        "imap-big@gemeente.nl",
        "",
        &"x".repeat(1_500_000),
    );
    append(&cfg, &big).await;
    append(
        &cfg,
        &mail("piet@gemeente.nl", "Daarna", "imap-after@gemeente.nl", "", "x"),
    )
    .await;
    let big_uid = search(&cfg, "ALL").await[1];
    let mut e = env().await;
    e.intake = loket_mail::Intake::new(
        e.service.clone(),
        vec![with_imap("helpdesk", Department::Helpdesk, cfg.clone())],
    )
    .with_settings(loket_mail::IntakeSettings {
        max_mail_bytes: 1_000_000,
        ..loket_mail::IntakeSettings::default()
    });
    assert_eq!(sweep_once(&e.intake, "helpdesk", &cfg).await.unwrap(), 2);
    assert_eq!(tickets(&e).await, 2);
    assert_eq!(
        search(&cfg, "UNSEEN").await,
        vec![big_uid],
        "the large one stays in the mailbox"
    );
    let q = e.service.store().list_quarantine(10).await.unwrap();
    assert_eq!(q.len(), 1);
    assert!(q[0].reason.contains("too large") && q[0].size > 1_500_000, "{q:?}");
    // The next pass neither loads it nor records it again.
    assert_eq!(sweep_once(&e.intake, "helpdesk", &cfg).await.unwrap(), 0);
    let q = e.service.store().list_quarantine(10).await.unwrap();
    assert_eq!(q.len(), 1, "{q:?}");
    // Raised limit: the next pass takes it in and clears its quarantine entry.
    e.intake = e.intake.clone().with_settings(loket_mail::IntakeSettings::default());
    assert_eq!(sweep_once(&e.intake, "helpdesk", &cfg).await.unwrap(), 1);
    assert!(search(&cfg, "UNSEEN").await.is_empty());
    assert!(e.service.store().list_quarantine(10).await.unwrap().is_empty());
}
