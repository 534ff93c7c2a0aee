//! Every use case moves status and department as the procedure says, writes its
//! audit lines and outbox mails, and refused transitions change nothing.

use super::harness::{Env, both};
use super::tickets::new_ticket;
use chrono::Duration;
use loket_core::service::{Actor, Reply};
use loket_core::*;

async fn lifecycle(env: &Env) {
    let s = &env.service;
    let admin = &env.admin;
    let t = s
        .create_ticket(admin, new_ticket("Vraag", "Hoe werkt dit?", "jan@gemeente.nl"))
        .await
        .unwrap();
    let n = t.number;

    // A customer reply on a Nieuw ticket keeps it Nieuw.
    let t1 = s.customer_reply(admin, n, Reply::text("Nog een detail")).await.unwrap();
    assert_eq!(t1.status, Status::New);
    assert!(t1.last_customer_at.is_some());

    let t2 = s.agent_reply(admin, n, Reply::text("Zo werkt het.")).await.unwrap();
    assert_eq!(t2.status, Status::Answered);
    assert_eq!(t2.first_response_at, Some(env.clock.now()));

    let t3 = s.customer_reply(admin, n, Reply::text("Dank, maar...")).await.unwrap();
    assert_eq!(t3.status, Status::Open);

    s.add_note(admin, n, Reply::text("Intern: navragen bij PM"))
        .await
        .unwrap();
    assert_eq!(
        env.store.ticket_by_number(n).await.unwrap().unwrap().status,
        Status::Open
    );

    let t4 = s
        .ask_info(admin, n, Reply::text("Kunt u een schermafdruk sturen?"), None)
        .await
        .unwrap();
    assert_eq!(
        (t4.status, t4.department),
        (Status::Postponed, Department::AwaitingReply)
    );
    assert_eq!(t4.postponed_until, Some(env.clock.now() + Duration::days(14)));

    // Not yet due: nothing happens.
    env.clock.set(env.clock.now() + Duration::days(13));
    assert_eq!(s.auto_resolve_due().await.unwrap(), 0);
    env.clock.set(env.clock.now() + Duration::days(2));
    assert_eq!(s.auto_resolve_due().await.unwrap(), 1);
    let t5 = env.store.ticket_by_number(n).await.unwrap().unwrap();
    assert_eq!(
        (t5.status, t5.department, t5.postponed_until),
        (Status::Resolved, Department::Helpdesk, None)
    );
    assert_eq!(s.auto_resolve_due().await.unwrap(), 0, "runs once");

    let again = s.resolve(admin, n).await;
    assert!(matches!(again, Err(DomainError::Conflict(_))), "{again:?}");

    // A customer reply reopens a resolved ticket.
    let t6 = s
        .customer_reply(admin, n, Reply::text("Het probleem is terug"))
        .await
        .unwrap();
    assert_eq!(t6.status, Status::Open);
    let t7 = s.resolve(admin, n).await.unwrap();
    assert_eq!(t7.status, Status::Resolved);
    let t8 = s.reopen(admin, n).await.unwrap();
    assert_eq!(t8.status, Status::Open);
    assert!(matches!(s.reopen(admin, n).await, Err(DomainError::Conflict(_))));

    let kinds: Vec<MailKind> = env
        .store
        .pending_outbox(100)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, m)| m.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![
            MailKind::Confirmation,
            MailKind::AgentReply,
            MailKind::InfoRequest,
            MailKind::AutoResolved
        ]
    );

    let audit = env.store.audit(t.id).await.unwrap();
    let status_changes: Vec<(String, String)> = audit
        .iter()
        .filter(|a| a.field.as_deref() == Some("status"))
        .map(|a| (a.old_value.clone().unwrap(), a.new_value.clone().unwrap()))
        .collect();
    let expect = [
        ("new", "answered"),
        ("answered", "open"),
        ("open", "postponed"),
        ("postponed", "resolved"),
        ("resolved", "open"),
        ("open", "resolved"),
        ("resolved", "open"),
    ];
    assert_eq!(
        status_changes,
        expect
            .iter()
            .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
            .collect::<Vec<_>>()
    );
    assert!(audit.iter().any(|a| a.action == "auto_resolve" && a.actor == "system"));

    let public = env.store.messages(t.id, false).await.unwrap();
    assert!(public.iter().all(|m| m.kind == MessageKind::Public));
    assert_eq!(env.store.messages(t.id, true).await.unwrap().len(), public.len() + 1);
}
both!(ticket_lifecycle_follows_the_procedure, lifecycle);

async fn departments(env: &Env) {
    let s = &env.service;
    let admin = &env.admin;
    let t = s
        .create_ticket(admin, new_ticket("Wens", "Graag een knop", "jan@gemeente.nl"))
        .await
        .unwrap();
    let n = t.number;
    let t1 = s.transfer(admin, n, Department::InternalReview, None).await.unwrap();
    assert_eq!(t1.department, Department::InternalReview);
    assert_eq!(t1.promised_at, Some(env.clock.now() + Duration::days(14)));
    let t2 = s.transfer(admin, n, Department::FunctionalMeeting, None).await.unwrap();
    assert_eq!(t2.promised_at, Some(env.clock.now() + Duration::days(42)));
    assert!(matches!(
        s.transfer(admin, n, Department::FunctionalMeeting, None).await,
        Err(DomainError::Conflict(_))
    ));
    let refused = s.transfer(admin, n, Department::Planned, None).await;
    assert!(
        matches!(refused, Err(DomainError::Conflict(ref m)) if m.contains("version")),
        "{refused:?}"
    );
    assert_eq!(
        env.store.ticket_by_number(n).await.unwrap().unwrap().department,
        Department::FunctionalMeeting
    );
    let t3 = s
        .transfer(admin, n, Department::Planned, Some("7.4.1".into()))
        .await
        .unwrap();
    assert_eq!(
        (t3.department, t3.release_version.as_deref()),
        (Department::Planned, Some("7.4.1"))
    );
    assert!(matches!(
        s.set_version(admin, n, None).await,
        Err(DomainError::Conflict(_))
    ));
    let t4 = s.set_version(admin, n, Some("7.5")).await.unwrap();
    assert_eq!(t4.release_version.as_deref(), Some("7.5"));
    let t5 = s.transfer(admin, n, Department::Development, None).await.unwrap();
    assert_eq!((t5.department, t5.status), (Department::Development, Status::Resolved));
    let t6 = s.set_work_item(admin, n, Some("ADO-4711")).await.unwrap();
    assert_eq!(t6.work_item.as_deref(), Some("ADO-4711"));

    let agent = s
        .create_staff(admin, "agent@leverancier.nl", "Agent", Role::Agent)
        .await
        .unwrap();
    let t7 = s.assign(admin, n, Some("Agent@leverancier.nl")).await.unwrap();
    assert_eq!(t7.assignee_id, Some(agent.id));
    assert!(matches!(
        s.assign(admin, n, Some("niemand@leverancier.nl")).await,
        Err(DomainError::Invalid(_))
    ));
    assert_eq!(s.assign(admin, n, None).await.unwrap().assignee_id, None);
    assert!(matches!(
        s.set_labels(admin, n, &[String::new()]).await,
        Err(DomainError::Invalid(_))
    ));

    let audit = env.store.audit(t.id).await.unwrap();
    assert!(audit.iter().any(|a| a.field.as_deref() == Some("department")
        && a.old_value.as_deref() == Some("planned")
        && a.new_value.as_deref() == Some("development")));
    assert!(
        audit
            .iter()
            .any(|a| a.field.as_deref() == Some("work_item") && a.new_value.as_deref() == Some("ADO-4711"))
    );
}
both!(departments_versions_and_assignment, departments);

async fn permissions(env: &Env) {
    let s = &env.service;
    let t = s
        .create_ticket(&env.admin, new_ticket("Van Jan", "x", "jan@gemeente.nl"))
        .await
        .unwrap();
    let jan = Actor::Contact(env.store.contact_by_email("jan@gemeente.nl").await.unwrap().unwrap());
    let piet = Actor::Contact(
        env.service
            .create_contact(&env.admin, "piet@gemeente.nl", "Piet")
            .await
            .unwrap(),
    );
    assert!(matches!(
        s.ticket_for(&piet, t.number).await,
        Err(DomainError::NotFound(_))
    ));
    assert!(matches!(
        s.customer_reply(&piet, t.number, Reply::text("hoi")).await,
        Err(DomainError::NotFound(_))
    ));
    assert!(matches!(
        s.resolve(&piet, t.number).await,
        Err(DomainError::NotFound(_))
    ));
    assert!(matches!(
        s.agent_reply(&jan, t.number, Reply::text("x")).await,
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        s.add_note(&jan, t.number, Reply::text("x")).await,
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        s.transfer(&jan, t.number, Department::Bi, None).await,
        Err(DomainError::Forbidden(_))
    ));
    let own = s
        .customer_reply(&jan, t.number, Reply::text("aanvulling"))
        .await
        .unwrap();
    assert_eq!(own.status, Status::New);
    assert_eq!(s.resolve(&jan, t.number).await.unwrap().status, Status::Resolved);
    let forged = s
        .create_ticket(&jan, new_ticket("Namens Piet", "x", "piet@gemeente.nl"))
        .await;
    assert!(matches!(forged, Err(DomainError::Forbidden(_))));
    let consultant = Actor::Staff(
        s.create_staff(&env.admin, "c@leverancier.nl", "C", Role::Consultant)
            .await
            .unwrap(),
    );
    let msg = env.store.messages(t.id, true).await.unwrap()[0].id;
    assert!(matches!(
        s.remove_message(&consultant, t.number, msg, "avg").await,
        Err(DomainError::Forbidden(_))
    ));
}
both!(contacts_see_and_change_only_their_own, permissions);

async fn moving(env: &Env) {
    let s = &env.service;
    for i in 0..3 {
        s.create_ticket(&env.admin, new_ticket(&format!("T{i}"), "x", "jan@gemeente.nl"))
            .await
            .unwrap();
    }
    s.create_ticket(&env.admin, new_ticket("Ander", "x", "piet@gemeente.nl"))
        .await
        .unwrap();
    assert_eq!(
        s.move_tickets(&env.admin, "JAN@gemeente.nl", "helpdesk@gemeente.nl")
            .await
            .unwrap(),
        3
    );
    let shared = env
        .store
        .contact_by_email("helpdesk@gemeente.nl")
        .await
        .unwrap()
        .unwrap();
    let filter = loket_core::store::TicketFilter {
        requester: Some(shared.id),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(env.store.list_tickets(&filter).await.unwrap().len(), 3);
    assert!(matches!(
        s.move_tickets(&env.admin, "onbekend@gemeente.nl", "x@gemeente.nl")
            .await,
        Err(DomainError::NotFound(_))
    ));
}
both!(tickets_move_to_another_address, moving);

async fn validation(env: &Env) {
    let s = &env.service;
    for (subject, message, requester) in [("", "x", "a@b.nl"), ("x", "  ", "a@b.nl"), ("x", "y", "geen-adres")] {
        let r = s
            .create_ticket(&env.admin, new_ticket(subject, message, requester))
            .await;
        assert!(
            matches!(r, Err(DomainError::Invalid(_))),
            "{subject:?} {message:?} {requester:?}: {r:?}"
        );
    }
    let long = "x".repeat(300);
    assert!(matches!(
        s.create_ticket(&env.admin, new_ticket(&long, "y", "a@b.nl")).await,
        Err(DomainError::Invalid(_))
    ));
    assert!(
        env.store
            .list_tickets(&loket_core::store::TicketFilter {
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap()
            .is_empty()
    );
    let t = s
        .create_ticket(&env.admin, new_ticket("x", "y", "a@b.nl"))
        .await
        .unwrap();
    let past = s
        .ask_info(
            &env.admin,
            t.number,
            Reply::text("?"),
            Some(env.clock.now() - Duration::hours(1)),
        )
        .await;
    assert!(matches!(past, Err(DomainError::Invalid(_))));
    assert!(matches!(
        s.agent_reply(&env.admin, TicketNumber(9), Reply::text("x")).await,
        Err(DomainError::NotFound(_))
    ));
}
both!(bad_input_is_refused_and_nothing_written, validation);
