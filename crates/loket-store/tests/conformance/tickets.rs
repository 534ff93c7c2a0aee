//! Creating and reading tickets, numbers under concurrency, lists, optimistic
//! concurrency, contacts and organisations, attachments and tokens.

use super::harness::{Env, both};
use loket_core::service::{Actor, CreateTicket, Upload};
use loket_core::store::{ContactPatch, TicketFilter};
use loket_core::*;
use std::collections::HashSet;

pub fn new_ticket(subject: &str, message: &str, requester: &str) -> CreateTicket {
    CreateTicket::new(subject, message, requester, Channel::Api)
}

async fn create_and_read(env: &Env) {
    let mut input = new_ticket(
        "Printer  kapot",
        "De printer op de derde verdieping doet het niet.",
        "Jan@Gemeente-A.nl",
    );
    input.requester_name = Some("Jan Jansen".into());
    input.urgent = true;
    let t = env.service.create_ticket(&env.admin, input).await.unwrap();
    assert!(t.number.0 > 100_000);
    assert_eq!(
        (t.status, t.department, t.channel),
        (Status::New, Department::Helpdesk, Channel::Api)
    );
    assert_eq!(t.subject, "Printer kapot");
    let read = env.store.ticket_by_number(t.number).await.unwrap().unwrap();
    assert_eq!(read, t);
    assert_eq!(env.store.get_ticket(t.id).await.unwrap().unwrap(), t);
    let contact = env.store.get_contact(t.requester_id).await.unwrap().unwrap();
    assert_eq!(
        (contact.email.as_str(), contact.name.as_str()),
        ("jan@gemeente-a.nl", "Jan Jansen")
    );
    let msgs = env.store.messages(t.id, true).await.unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].body_text, "De printer op de derde verdieping doet het niet.");
    assert!(msgs[0].body_html.starts_with("<p>"));
    let audit = env.store.audit(t.id).await.unwrap();
    assert_eq!(audit[0].action, "create");
    assert!(audit[0].actor.starts_with("staff:"));
    let outbox = env.store.pending_outbox(10).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        (outbox[0].1.kind, outbox[0].1.to.as_str()),
        (MailKind::Confirmation, "jan@gemeente-a.nl")
    );
    assert!(env.store.ticket_by_number(TicketNumber(1)).await.unwrap().is_none());
}
both!(create_and_read_ticket, create_and_read);

async fn concurrent_numbers(env: &Env) {
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let service = env.service.clone();
        let admin = env.admin.clone();
        tasks.push(tokio::spawn(async move {
            let mut numbers = Vec::new();
            for i in 0..125 {
                let input = new_ticket(
                    &format!("Vraag {worker}-{i}"),
                    "Tekst",
                    &format!("k{worker}@gemeente.nl"),
                );
                numbers.push(service.create_ticket(&admin, input).await.unwrap().number);
            }
            numbers
        }));
    }
    let mut all = HashSet::new();
    for t in tasks {
        for n in t.await.unwrap() {
            assert!(all.insert(n), "number {n} given twice");
        }
    }
    assert_eq!(all.len(), 1000);
}
both!(eight_creators_get_distinct_numbers, concurrent_numbers);

async fn list_filters_and_pages(env: &Env) {
    let a = env
        .service
        .create_ticket(&env.admin, new_ticket("Een", "x", "a@gemeente.nl"))
        .await
        .unwrap();
    let b = env
        .service
        .create_ticket(&env.admin, new_ticket("Twee", "x", "b@gemeente.nl"))
        .await
        .unwrap();
    let mut upd = new_ticket("Drie", "x", "a@gemeente.nl");
    upd.department = Some(Department::Updates);
    let c = env.service.create_ticket(&env.admin, upd).await.unwrap();
    env.service
        .set_labels(&env.admin, b.number, &["AVG".into(), " bug ".into(), "AVG".into()])
        .await
        .unwrap();

    let all = env
        .store
        .list_tickets(&TicketFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|t| t.number).collect::<Vec<_>>(),
        vec![c.number, b.number, a.number]
    );
    let mine = env
        .store
        .list_tickets(&TicketFilter {
            requester: Some(a.requester_id),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(mine.len(), 2);
    let upd = env
        .store
        .list_tickets(&TicketFilter {
            department: Some(Department::Updates),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(upd.iter().map(|t| t.number).collect::<Vec<_>>(), vec![c.number]);
    let labelled = env
        .store
        .list_tickets(&TicketFilter {
            label: Some("bug".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(labelled.len(), 1);
    assert_eq!(labelled[0].labels, vec!["AVG".to_string(), "bug".to_string()]);
    let page1 = env
        .store
        .list_tickets(&TicketFilter {
            limit: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    let page2 = env
        .store
        .list_tickets(&TicketFilter {
            limit: 2,
            before: Some(page1[1].id),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page2.iter().map(|t| t.number).collect::<Vec<_>>(), vec![a.number]);
    let new = env
        .store
        .list_tickets(&TicketFilter {
            status: Some(Status::Resolved),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(new.is_empty());
}
both!(list_with_filters_and_pages, list_filters_and_pages);

async fn stale_change_is_refused(env: &Env) {
    let t = env
        .service
        .create_ticket(&env.admin, new_ticket("S", "x", "a@gemeente.nl"))
        .await
        .unwrap();
    let change = loket_core::store::TicketChange {
        after: Ticket {
            status: Status::Resolved,
            ..t.clone()
        },
        expected_version: t.version + 7,
        actor: "system".into(),
        at: env.clock.now(),
        messages: vec![],
        audit: vec![],
        outbox: vec![],
        remove_messages: vec![],
        remove_attachments: vec![],
        settle: None,
        jobs: Vec::new(),
        receipt: None,
    };
    assert!(matches!(env.store.apply(&change).await, Err(DomainError::Stale)));
    assert_eq!(env.store.get_ticket(t.id).await.unwrap().unwrap().status, Status::New);
}
both!(stale_version_is_refused, stale_change_is_refused);

async fn contacts_and_organisations(env: &Env) {
    let early = env
        .service
        .create_contact(&env.admin, "Piet@Utrecht.nl", "Piet")
        .await
        .unwrap();
    assert_eq!(early.organisation_id, None);
    let lookalike = env
        .service
        .create_contact(&env.admin, "x@utrechtxnl.nl", "")
        .await
        .unwrap();
    let underscore = env.service.create_contact(&env.admin, "y@a-b.nl", "").await.unwrap();
    for not_a_domain in ["a_b.nl", "a%b.nl", "gemeente", "10.0.0.1"] {
        assert!(
            matches!(
                env.service
                    .create_organisation(&env.admin, "Fout", &[not_a_domain.into()])
                    .await,
                Err(DomainError::Invalid(_))
            ),
            "{not_a_domain}"
        );
    }
    assert!(matches!(
        env.service
            .create_organisation(&env.admin, "Iedereen", &["gmail.com".into()])
            .await,
        Err(DomainError::Invalid(Problem::PublicMailDomain(_)))
    ));
    assert_eq!(
        env.store
            .get_contact(underscore.id)
            .await
            .unwrap()
            .unwrap()
            .organisation_id,
        None,
        "no organisation took it"
    );
    let org = env
        .service
        .create_organisation(
            &env.admin,
            "Gemeente Utrecht",
            &["utrecht.nl".into(), "@UTRECHT.nl".into()],
        )
        .await
        .unwrap();
    assert_eq!(org.domains, vec!["utrecht.nl".to_string()]);
    assert_eq!(
        env.store.get_contact(early.id).await.unwrap().unwrap().organisation_id,
        Some(org.id)
    );
    assert_eq!(
        env.store
            .get_contact(lookalike.id)
            .await
            .unwrap()
            .unwrap()
            .organisation_id,
        None
    );
    let again = env
        .service
        .create_contact(&env.admin, "PIET@utrecht.nl", "")
        .await
        .unwrap();
    assert_eq!(again.id, early.id, "addresses are unique case-insensitively");
    let late = env
        .service
        .create_contact(&env.admin, "kees@utrecht.nl", "Kees")
        .await
        .unwrap();
    assert_eq!(late.organisation_id, Some(org.id));
    let dup = env
        .service
        .create_organisation(&env.admin, "Ander", &["utrecht.nl".into()])
        .await;
    assert!(matches!(dup, Err(DomainError::Conflict(_))), "{dup:?}");
    let patched = env
        .service
        .update_contact(
            &env.admin,
            late.id,
            ContactPatch {
                authorised: Some(true),
                organisation_id: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(patched.authorised);
    assert_eq!(patched.organisation_id, None);
    assert_eq!(patched.name, "Kees");
    let trail = env.store.audit_of(&format!("contact:{}", late.id)).await.unwrap();
    let changed: Vec<_> = trail
        .iter()
        .map(|a| (a.field.clone().unwrap(), a.old_value.clone(), a.new_value.clone()))
        .collect();
    assert_eq!(
        changed,
        vec![
            ("organisation".to_string(), Some(org.id.to_string()), None),
            ("authorised".to_string(), Some("false".into()), Some("true".into())),
        ]
    );
    assert!(trail.iter().all(|a| a.actor.starts_with("staff:")));
    let org_trail = env.store.audit_of(&format!("organisation:{}", org.id)).await.unwrap();
    assert_eq!(org_trail[0].new_value.as_deref(), Some("utrecht.nl"));
    assert_eq!(env.store.list_contacts(Some(org.id), 10).await.unwrap().len(), 1);
    assert_eq!(env.store.list_organisations().await.unwrap().len(), 1);
    let t = env
        .service
        .create_ticket(&env.admin, new_ticket("Org", "x", "piet@utrecht.nl"))
        .await
        .unwrap();
    assert_eq!(t.organisation_id, Some(org.id));
}
both!(contacts_and_organisations_by_domain, contacts_and_organisations);

async fn attachments_stored_and_removed(env: &Env) {
    let mut input = new_ticket("Bijlage", "Zie bijlage", "a@gemeente.nl");
    input.attachments = vec![Upload::bytes("lijst.xlsx", "", b"BSN 123456782".to_vec())];
    let t = env.service.create_ticket(&env.admin, input).await.unwrap();
    let atts = env.store.attachments(t.id).await.unwrap();
    assert_eq!(atts.len(), 1);
    assert_eq!(
        (atts[0].size, atts[0].media_type.as_str()),
        (13, "application/octet-stream")
    );
    assert_eq!(
        env.blobs.get(&atts[0].sha256).await.unwrap().as_deref(),
        Some(&b"BSN 123456782"[..])
    );
    let msg = env.store.messages(t.id, true).await.unwrap()[0].id;
    env.service
        .remove_message(&env.admin, t.number, msg, "privacygevoelige gegevens")
        .await
        .unwrap();
    // Only the staff-only event that says a message went, and why.
    let left = env.store.messages(t.id, true).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].kind, MessageKind::Event);
    assert!(!left[0].body_text.contains("123456782"));
    assert!(env.store.messages(t.id, false).await.unwrap().is_empty());
    let atts = env.store.attachments(t.id).await.unwrap();
    assert!(atts[0].removed_at.is_some());
    assert_eq!(
        env.blobs.get(&atts[0].sha256).await.unwrap(),
        None,
        "bytes are gone for good"
    );
    let audit = env.store.audit(t.id).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.field.as_deref() == Some("message")
                && a.new_value.as_deref() == Some("privacygevoelige gegevens"))
    );
}
both!(
    attachments_are_stored_and_removed_for_good,
    attachments_stored_and_removed
);

async fn sweep(env: &Env) {
    let keep = Upload::bytes("blijft.txt", "", b"blijft".to_vec());
    let mut input = new_ticket("Bijlage", "Zie bijlage", "a@gemeente.nl");
    input.attachments = vec![keep];
    let t = env.service.create_ticket(&env.admin, input).await.unwrap();
    let kept = env.store.attachments(t.id).await.unwrap()[0].sha256.clone();
    // Bytes nothing refers to (a crash between keeping and removing), and bytes
    // whose record committed though they were never put in place (a crash
    // between the commit and keeping them).
    let orphan = env.blobs.stage(b"wees").await.unwrap();
    env.blobs.keep(&orphan).await.unwrap();
    let waiting = env.blobs.stage(b"laat").await.unwrap();
    let sha = waiting.sha256.clone();
    std::mem::forget(waiting); // as a process that stopped would leave it
    let mut late = new_ticket("Laat", "x", "b@gemeente.nl");
    late.attachments = vec![Upload::bytes("laat.txt", "", b"laat".to_vec())];
    env.service.create_ticket(&env.admin, late).await.unwrap();
    env.blobs.delete(&sha).await.unwrap(); // committed, never put in place
    assert!(env.store.blob_in_use(&kept).await.unwrap());
    assert!(!env.store.blob_in_use(&orphan.sha256).await.unwrap());
    let report = env
        .service
        .sweep_blobs(std::time::Duration::from_hours(1))
        .await
        .unwrap();
    assert_eq!(
        report,
        loket_core::service::SweepReport::default(),
        "fresh files are left alone"
    );
    let report = env.service.sweep_blobs(std::time::Duration::ZERO).await.unwrap();
    assert_eq!((report.removed, report.kept), (1, 1), "{report:?}");
    assert_eq!(env.blobs.get(&orphan.sha256).await.unwrap(), None);
    assert!(env.blobs.get(&kept).await.unwrap().is_some());
    assert_eq!(
        env.blobs.get(&sha).await.unwrap().as_deref(),
        Some(&b"laat"[..]),
        "kept by the sweep"
    );
}
both!(the_sweep_removes_only_what_nothing_refers_to, sweep);

async fn tokens(env: &Env) {
    let staff = env
        .service
        .create_staff(&env.admin, "agent@leverancier.nl", "Agent", Role::Agent)
        .await
        .unwrap();
    env.service
        .register_token("AGENT@leverancier.nl", "lkt_secret", None)
        .await
        .unwrap();
    assert_eq!(
        env.service
            .authenticate_token("lkt_secret")
            .await
            .unwrap()
            .map(|s| s.id),
        Some(staff.id)
    );
    assert!(env.service.authenticate_token("lkt_other").await.unwrap().is_none());
    let dup = env
        .service
        .create_staff(&env.admin, "agent@leverancier.nl", "X", Role::Agent)
        .await;
    assert!(matches!(dup, Err(DomainError::Conflict(_))));
    let by_agent = env
        .service
        .create_staff(&Actor::Staff(staff), "x@leverancier.nl", "X", Role::Admin)
        .await;
    assert!(matches!(by_agent, Err(DomainError::Forbidden(_))));
}
both!(staff_tokens, tokens);

async fn concurrent_changes(env: &Env) {
    let t = env
        .service
        .create_ticket(&env.admin, new_ticket("Druk", "x", "a@gemeente.nl"))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for w in 0..8 {
        let (service, admin) = (env.service.clone(), env.admin.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..5 {
                let note = loket_core::service::Reply::text(&format!("notitie {w}-{i}"));
                service.add_note(&admin, t.number, note).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(
        env.store.messages(t.id, true).await.unwrap().len(),
        41,
        "no change lost, none doubled"
    );
    assert_eq!(env.store.get_ticket(t.id).await.unwrap().unwrap().version, 41);
}
both!(concurrent_changes_to_one_ticket_all_land, concurrent_changes);
