//! Service levels on the business calendar: deadlines stored with the ticket,
//! warnings and breaches recorded once each (also when checks race), mailed to
//! the assignee or the agents, clocks stopped while the customer has the turn;
//! and the automatic resolve of a ticket postponed over Christmas.

use super::harness::{Env, both};
use super::tickets::new_ticket;
use chrono::{DateTime, Duration, TimeZone, Utc};
use loket_core::service::Reply;
use loket_core::service_level::DueKind;
use loket_core::*;

/// Amsterdam winter time (UTC+1, all dates here are in December and
/// January) as UTC.
fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap() - Duration::hours(1)
}

async fn level_mails(env: &Env) -> Vec<(MailKind, String)> {
    env.store
        .pending_outbox(1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, m)| matches!(m.kind, MailKind::SlaWarning | MailKind::SlaBreach))
        .map(|(_, m)| (m.kind, m.to))
        .collect()
}

async fn helpdesk_deadlines(env: &Env) {
    let s = &env.service;
    let agent = s
        .create_staff(&env.admin, "anna@leverancier.nl", "Anna", Role::Agent)
        .await
        .unwrap();
    env.clock.set(at(2026, 12, 18, 16, 45));
    let fri = s
        .create_ticket(&env.admin, new_ticket("Vrijdag", "Vraag", "jan@gemeente.nl"))
        .await
        .unwrap();
    let stored = env.store.ticket_by_number(fri.number).await.unwrap().unwrap();
    assert_eq!(
        (stored.due_kind, stored.due_at),
        (Some(DueKind::Answer), Some(at(2026, 12, 21, 16, 45)))
    );
    env.clock.set(at(2026, 12, 24, 10, 0));
    let thu = s
        .create_ticket(&env.admin, new_ticket("Kerstavond", "Vraag", "piet@gemeente.nl"))
        .await
        .unwrap();
    assert_eq!(thu.due_at, Some(at(2026, 12, 28, 10, 0)), "both Christmas days skipped");
    let read = env.store.ticket_by_number(thu.number).await.unwrap().unwrap();
    assert_eq!(read, thu, "the deadline reads back as written");
    // The confirmation states the deadline the creation set.
    let confirmations: Vec<_> = env
        .store
        .pending_outbox(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, m)| m.kind == MailKind::Confirmation)
        .map(|(_, m)| m.due_at)
        .collect();
    assert_eq!(
        confirmations,
        vec![Some(at(2026, 12, 21, 16, 45)), Some(at(2026, 12, 28, 10, 0))]
    );

    // Before the warning (three quarters of 510 working minutes after Friday
    // 16:45 is Monday 14:37): nothing.
    env.clock.set(at(2026, 12, 21, 14, 0));
    let r = s.check_service_levels().await.unwrap();
    assert_eq!((r.warnings, r.breaches), (0, 0));
    assert!(level_mails(env).await.is_empty());
    // The warning, once, from two checks at the same moment.
    env.clock.set(at(2026, 12, 21, 15, 0));
    let (a, b) = tokio::join!(s.check_service_levels(), s.check_service_levels());
    assert_eq!(a.unwrap().warnings + b.unwrap().warnings, 1);
    assert_eq!(
        level_mails(env).await,
        vec![(MailKind::SlaWarning, "anna@leverancier.nl".to_owned())],
        "an unassigned ticket warns the agents"
    );
    assert_eq!(env.store.service_level_counts(env.clock.now()).await.unwrap(), (0, 1));
    // An unrelated change does not warn again.
    s.set_labels(&env.admin, fri.number, &["printer".into()]).await.unwrap();
    assert_eq!(s.check_service_levels().await.unwrap().warnings, 0);
    // Assigned now; the deadline passes: a breach for the assignee.
    s.assign(&env.admin, fri.number, Some(&agent.email)).await.unwrap();
    env.clock.set(at(2026, 12, 21, 16, 46));
    let r = s.check_service_levels().await.unwrap();
    assert_eq!((r.warnings, r.breaches), (0, 1));
    assert_eq!(level_mails(env).await.len(), 2);
    assert_eq!(
        level_mails(env).await[1],
        (MailKind::SlaBreach, "anna@leverancier.nl".to_owned())
    );
    assert_eq!(
        s.check_service_levels().await.unwrap(),
        loket_core::service::LevelReport::default(),
        "recorded once"
    );
    let (overdue, _) = env.store.service_level_counts(env.clock.now()).await.unwrap();
    assert_eq!(overdue, 1);
    let listed = env
        .store
        .list_tickets(&store::TicketFilter {
            overdue_at: Some(env.clock.now()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.iter().map(|t| t.number).collect::<Vec<_>>(), vec![fri.number]);
    let audit = env.store.audit(fri.id).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "service_level_breach"), "{audit:?}");
    let report = s
        .service_level_report(&env.admin, at(2026, 12, 1, 0, 0), at(2027, 1, 1, 0, 0))
        .await
        .unwrap();
    assert_eq!(report.len(), 1);
    assert_eq!(
        (
            report[0].department,
            report[0].kind,
            report[0].warnings,
            report[0].breaches
        ),
        (Department::Helpdesk, DueKind::Answer, 1, 1)
    );

    // The answer stops the clock; the customer's reaction starts a new one.
    let answered = s.agent_reply(&env.admin, fri.number, Reply::text("Zo.")).await.unwrap();
    assert_eq!((answered.due_at, answered.due_kind), (None, None));
    assert_eq!(env.store.service_level_counts(env.clock.now()).await.unwrap().0, 0);
    env.clock.set(at(2026, 12, 23, 11, 0));
    let asked = s
        .customer_reply(&env.admin, fri.number, Reply::text("En dit?"))
        .await
        .unwrap();
    assert_eq!(asked.due_at, Some(at(2026, 12, 24, 11, 0)));
    // Waiting for the customer: no clock.
    let waiting = s
        .ask_info(&env.admin, fri.number, Reply::text("Welke versie?"), None)
        .await
        .unwrap();
    assert_eq!(waiting.due_at, None);
    // Urgent: one working hour.
    env.clock.set(at(2026, 12, 22, 16, 30));
    let mut input = new_ticket("Storing", "Niets werkt", "kees@gemeente.nl");
    input.urgent = true;
    let urgent = s.create_ticket(&env.admin, input).await.unwrap();
    assert_eq!(
        (urgent.due_kind, urgent.due_at),
        (Some(DueKind::Urgent), Some(at(2026, 12, 23, 9, 0)))
    );
}

both!(helpdesk_deadlines_on, helpdesk_deadlines);

async fn postponed_over_christmas(env: &Env) {
    let s = &env.service;
    let admin = &env.admin;
    env.clock.set(at(2026, 12, 18, 10, 0));
    let quiet = s
        .create_ticket(admin, new_ticket("Stil", "Vraag", "jan@gemeente.nl"))
        .await
        .unwrap();
    let replies = s
        .create_ticket(admin, new_ticket("Reageert", "Vraag", "piet@gemeente.nl"))
        .await
        .unwrap();
    for n in [quiet.number, replies.number] {
        let t = s.ask_info(admin, n, Reply::text("Welke versie?"), None).await.unwrap();
        assert_eq!(t.postponed_until, Some(at(2027, 1, 1, 10, 0)), "two weeks");
    }
    // An hour later the request is mailed: it states the date it was made with.
    let info: Vec<_> = env
        .store
        .pending_outbox(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, m)| m.kind == MailKind::InfoRequest)
        .collect();
    assert_eq!(info.len(), 2);
    assert!(
        info.iter()
            .all(|(_, m)| m.postponed_until == Some(at(2027, 1, 1, 10, 0)))
    );

    env.clock.set(at(2026, 12, 28, 9, 0));
    let back = s
        .customer_reply(admin, replies.number, Reply::text("Versie 8.3"))
        .await
        .unwrap();
    assert_eq!((back.status, back.postponed_until), (Status::Open, None));

    env.clock.set(at(2027, 1, 1, 9, 59));
    assert_eq!(s.auto_resolve_due().await.unwrap(), 0, "not before its date");
    env.clock.set(at(2027, 1, 1, 10, 0));
    assert_eq!(s.auto_resolve_due().await.unwrap(), 1, "the first run after its date");
    let quiet = env.store.ticket_by_number(quiet.number).await.unwrap().unwrap();
    assert_eq!(quiet.status, Status::Resolved);
    let replies = env.store.ticket_by_number(replies.number).await.unwrap().unwrap();
    assert_eq!(replies.status, Status::Open, "the reply keeps it open");
    env.clock.set(at(2027, 1, 20, 10, 0));
    assert_eq!(s.auto_resolve_due().await.unwrap(), 0);
}

both!(postponed_over_christmas_on, postponed_over_christmas);
