//! What the agent workspace reads and writes: staff passwords and sessions
//! (idle and absolute expiry), TOTP steps that work once, recovery codes, the
//! roles that must use TOTP, the overview's counts and the queue filters.

use super::harness::{Env, both};
use super::tickets::new_ticket;
use chrono::Duration;
use loket_core::service::{Actor, NextStep, Reply, totp_code};
use loket_core::store::{SessionStage, TicketFilter};
use loket_core::*;

const PASSWORD: &str = "paars-fietsje-onder-de-brug";

async fn sign_in_and_sessions(env: &Env) {
    let s = &env.service;
    let anna = s
        .create_staff(&Actor::System, "anna@leverancier.nl", "Anna", Role::Agent)
        .await
        .unwrap();
    // No password yet: nobody signs in.
    assert!(s.staff_login("anna@leverancier.nl", PASSWORD).await.is_err());
    s.set_staff_password(&Actor::System, "anna@leverancier.nl", PASSWORD)
        .await
        .unwrap();
    assert!(
        s.staff_login("anna@leverancier.nl", "verkeerd-wachtwoord-1")
            .await
            .is_err()
    );
    let (token, next) = s.staff_login("ANNA@leverancier.nl", PASSWORD).await.unwrap();
    assert_eq!(next, NextStep::Done);
    let live = s.staff_session(&token).await.unwrap().unwrap();
    assert!(live.signed_in && !live.has_totp && live.staff.id == anna.id);
    // Idle for 59 minutes: still there (and used again); 61 more: gone.
    env.clock.set(s.now() + Duration::minutes(59));
    assert!(s.staff_session(&token).await.unwrap().is_some());
    env.clock.set(s.now() + Duration::minutes(61));
    assert!(s.staff_session(&token).await.unwrap().is_none());
    // Used all the time, a session still ends twelve hours after sign-in.
    let (token, _) = s.staff_login("anna@leverancier.nl", PASSWORD).await.unwrap();
    for _ in 0..13 {
        env.clock.set(s.now() + Duration::minutes(59));
        let _ = s.staff_session(&token).await.unwrap();
    }
    assert!(s.staff_session(&token).await.unwrap().is_none(), "12 hours at most");

    // The role now requires TOTP: enrol first, then every sign-in asks a code.
    s.require_totp(&Actor::System, Role::Agent, true).await.unwrap();
    assert_eq!(s.totp_roles().await.unwrap(), vec![Role::Agent]);
    let (token, next) = s.staff_login("anna@leverancier.nl", PASSWORD).await.unwrap();
    assert_eq!(next, NextStep::Enrol);
    assert!(!s.staff_session(&token).await.unwrap().unwrap().signed_in);
    let enrolment = s.staff_begin_enrolment(&token).await.unwrap();
    assert!(
        enrolment
            .uri
            .starts_with("otpauth://totp/Loket:anna@leverancier.nl?secret=")
    );
    assert_eq!(s.staff_begin_enrolment(&token).await.unwrap().secret, enrolment.secret);
    let now = u64::try_from(s.now().timestamp()).unwrap();
    let code = totp_code(&enrolment.secret, now).unwrap();
    let (recovery, token) = s.staff_confirm_enrolment(&token, &code).await.unwrap();
    assert_eq!(recovery.len(), 10);
    assert!(s.staff_session(&token).await.unwrap().unwrap().signed_in);
    // Two enrolments at once: the store keeps the first secret only.
    let by = loket_core::store::Stamp {
        actor: "system".into(),
        at: s.now(),
    };
    assert!(matches!(
        env.store
            .set_totp(anna.id, Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), &[], &by)
            .await,
        Err(DomainError::Conflict(_))
    ));
    // Enrolled: a signed-in session cannot replace the secret.
    assert!(matches!(
        s.staff_begin_enrolment(&token).await,
        Err(DomainError::Conflict(_))
    ));

    let (token, next) = s.staff_login("anna@leverancier.nl", PASSWORD).await.unwrap();
    assert_eq!(next, NextStep::Code);
    assert!(s.staff_verify_code(&token, &code).await.is_err(), "the step is spent");
    let later = totp_code(&enrolment.secret, now + 30).unwrap();
    let (_, signed) = s.staff_verify_code(&token, &later).await.unwrap();
    assert!(s.staff_session(&signed).await.unwrap().unwrap().signed_in);
    assert!(
        s.staff_session(&token).await.unwrap().is_none(),
        "the password step's token is spent"
    );
    // A recovery code once.
    let (token, _) = s.staff_login("anna@leverancier.nl", PASSWORD).await.unwrap();
    s.staff_verify_code(&token, &recovery[0]).await.unwrap();
    let (token, _) = s.staff_login("anna@leverancier.nl", PASSWORD).await.unwrap();
    assert!(s.staff_verify_code(&token, &recovery[0]).await.is_err());
    // The store refuses a step at or before the last one used.
    assert!(env.store.use_totp_step(anna.id, 10).await.is_ok_and(|ok| !ok));

    // Ending sessions; a new password ends them too.
    let (other, _) = s.staff_login("anna@leverancier.nl", PASSWORD).await.unwrap();
    assert!(
        s.end_staff_sessions(&Actor::System, "anna@leverancier.nl")
            .await
            .unwrap()
            >= 2
    );
    assert!(s.staff_session(&other).await.unwrap().is_none());
    let (again, _) = s.staff_login("anna@leverancier.nl", PASSWORD).await.unwrap();
    s.set_staff_password(&Actor::System, "anna@leverancier.nl", "zeven-zilveren-zwaluwen")
        .await
        .unwrap();
    assert!(s.staff_session(&again).await.unwrap().is_none());
    // Resetting TOTP: enrolment comes again.
    s.reset_totp(&Actor::System, "anna@leverancier.nl").await.unwrap();
    let (_, next) = s
        .staff_login("anna@leverancier.nl", "zeven-zilveren-zwaluwen")
        .await
        .unwrap();
    assert_eq!(next, NextStep::Enrol);
    // Only admins change these for others.
    let agent = Actor::Staff(anna.clone());
    assert!(s.require_totp(&agent, Role::Admin, true).await.is_err());
    assert!(s.end_staff_sessions(&agent, "beheer@leverancier.nl").await.is_err());
    s.require_totp(&env.admin, Role::Agent, false).await.unwrap();
    assert!(s.totp_roles().await.unwrap().is_empty());
    // The audit trail has it, never a secret.
    let trail = env.store.audit_of(&format!("staff:{}", anna.id)).await.unwrap();
    let actions: Vec<&str> = trail.iter().map(|a| a.action.as_str()).collect();
    for a in [
        "password_set",
        "totp_enrol",
        "recovery_code_used",
        "sessions_ended",
        "totp_remove",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    assert!(
        trail
            .iter()
            .all(|a| a.new_value.as_deref() != Some(enrolment.secret.as_str()))
    );
    // A stage written is read back.
    let (token, _) = s
        .staff_login("anna@leverancier.nl", "zeven-zilveren-zwaluwen")
        .await
        .unwrap();
    let hash = loket_core::service::token_hash(&token);
    env.store
        .update_staff_session(&hash, SessionStage::SignedIn, None, None)
        .await
        .unwrap();
    assert!(s.staff_session(&token).await.unwrap().unwrap().signed_in);
}

both!(staff_sign_in_totp_and_sessions, sign_in_and_sessions);

async fn counts_and_queues(env: &Env) {
    let s = &env.service;
    let me = s
        .create_staff(&Actor::System, "anna@leverancier.nl", "Anna", Role::Agent)
        .await
        .unwrap();
    let mut made = Vec::new();
    for (i, subject) in ["Een", "Twee", "Drie", "Vier", "Vijf"].iter().enumerate() {
        let mut input = new_ticket(subject, "tekst", &format!("klant{i}@zuid.nl"));
        input.urgent = i == 1;
        if i == 2 {
            input.channel = Channel::Phone;
        }
        made.push(s.create_ticket(&env.admin, input).await.unwrap());
        env.clock.set(s.now() + Duration::minutes(1));
    }
    let n = |i: usize| made[i].number;
    s.assign(&env.admin, n(0), Some("anna@leverancier.nl")).await.unwrap();
    s.transfer(&env.admin, n(3), Department::Bi, None).await.unwrap();
    s.ask_info(&env.admin, n(3), Reply::text("Welke versie?"), None)
        .await
        .unwrap();
    s.resolve(&env.admin, n(4)).await.unwrap();

    let c = env.store.ticket_counts(me.id).await.unwrap();
    assert_eq!((c.mine, c.unassigned, c.urgent, c.waiting), (1, 3, 1, 1));
    let total: i64 = c.by_place.iter().map(|(_, _, n)| n).sum();
    assert_eq!(total, 4, "resolved tickets are not counted");
    let bi_postponed = c
        .by_place
        .iter()
        .find(|(d, st, _)| *d == Department::Bi && *st == Status::Postponed)
        .map(|(_, _, n)| *n);
    assert_eq!(bi_postponed, Some(1), "{:?}", c.by_place);

    let list = |f: TicketFilter| async move {
        env.store
            .list_tickets(&f)
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.number)
            .collect::<Vec<_>>()
    };
    let open_oldest = TicketFilter {
        open_only: true,
        oldest_first: true,
        limit: 2,
        ..TicketFilter::default()
    };
    let first = list(open_oldest.clone()).await;
    assert_eq!(first, vec![n(0), n(1)]);
    let cursor = env.store.ticket_by_number(n(1)).await.unwrap().unwrap().id;
    let second = list(TicketFilter {
        after: Some(cursor),
        ..open_oldest.clone()
    })
    .await;
    assert_eq!(second, vec![n(2), n(3)], "resolved n(4) is left out");
    let helpdesk = list(TicketFilter {
        department: Some(Department::Helpdesk),
        open_only: true,
        oldest_first: true,
        limit: 50,
        ..TicketFilter::default()
    })
    .await;
    assert_eq!(helpdesk, vec![n(0), n(1), n(2)]);
    let unassigned = list(TicketFilter {
        unassigned: true,
        open_only: true,
        limit: 50,
        ..TicketFilter::default()
    })
    .await;
    assert_eq!(unassigned, vec![n(3), n(2), n(1)], "newest first by default");
    let urgent = list(TicketFilter {
        urgent_only: true,
        limit: 50,
        ..TicketFilter::default()
    })
    .await;
    assert_eq!(urgent, vec![n(1)]);
    let phone = list(TicketFilter {
        channel: Some(Channel::Phone),
        limit: 50,
        ..TicketFilter::default()
    })
    .await;
    assert_eq!(phone, vec![n(2)]);
    s.set_labels(&env.admin, n(0), &["BRP".into(), "koppeling".into()])
        .await
        .unwrap();
    s.set_labels(&env.admin, n(1), &["BRP".into()]).await.unwrap();
    assert_eq!(env.store.labels_in_use(10).await.unwrap(), vec!["BRP", "koppeling"]);
    assert_eq!(
        env.store.label_counts().await.unwrap(),
        vec![("BRP".to_owned(), 2), ("koppeling".to_owned(), 1)]
    );
    let urgent_first = list(TicketFilter {
        urgent_first: true,
        oldest_first: true,
        open_only: true,
        limit: 2,
        ..TicketFilter::default()
    })
    .await;
    assert_eq!(urgent_first, vec![n(1), n(0)]);
    let second_page = list(TicketFilter {
        urgent_first: true,
        oldest_first: true,
        open_only: true,
        limit: 2,
        offset: 2,
        ..TicketFilter::default()
    })
    .await;
    assert_eq!(second_page, vec![n(2), n(3)]);
    // The customer of the oldest ticket reacts: it comes first by reaction.
    env.clock.set(s.now() + Duration::minutes(5));
    let jan = env.store.contact_by_email("klant0@zuid.nl").await.unwrap().unwrap();
    s.customer_reply(&Actor::Contact(jan), n(0), Reply::text("Nog steeds kapot"))
        .await
        .unwrap();
    let by_reaction = list(TicketFilter {
        by_customer_reaction: true,
        open_only: true,
        limit: 50,
        ..TicketFilter::default()
    })
    .await;
    assert_eq!(by_reaction[0], n(0), "{by_reaction:?}");
    let staff = env.store.list_staff().await.unwrap();
    assert_eq!(
        staff.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
        vec!["Anna", "Beheer"]
    );
}

both!(overview_counts_and_queue_filters, counts_and_queues);

async fn canned_viewers_and_contacts(env: &Env) {
    let s = &env.service;
    let shipped = env.store.canned_replies().await.unwrap();
    assert_eq!(shipped.len(), 5, "the migration ships the procedure's texts");
    assert!(shipped.iter().any(|c| c.body.contains("Zivver")));
    let by = loket_core::store::Stamp {
        actor: "system".into(),
        at: s.now(),
    };
    let new = env
        .store
        .save_canned_reply(None, "Bedankt", "Dank u, {naam}.", &by)
        .await
        .unwrap();
    let changed = env
        .store
        .save_canned_reply(Some(new.id), "Bedankt", "Hartelijk dank, {naam}.", &by)
        .await
        .unwrap();
    assert_eq!((changed.id, changed.body.as_str()), (new.id, "Hartelijk dank, {naam}."));
    let clash = env.store.save_canned_reply(None, "Bedankt", "x", &by).await;
    assert!(matches!(clash, Err(DomainError::Conflict(_))));
    assert!(env.store.delete_canned_reply(new.id, &by).await.unwrap());
    assert!(!env.store.delete_canned_reply(new.id, &by).await.unwrap());

    let t = s
        .create_ticket(&env.admin, new_ticket("Kijker", "tekst", "kees@zuid.nl"))
        .await
        .unwrap();
    let anna = s
        .create_staff(&Actor::System, "anna@leverancier.nl", "Anna", Role::Agent)
        .await
        .unwrap();
    let now = s.now();
    env.store.mark_viewing(t.id, anna.id, false, now).await.unwrap();
    env.store.mark_viewing(t.id, anna.id, true, now).await.unwrap();
    assert_eq!(
        env.store.viewers(t.id, now - Duration::seconds(60)).await.unwrap(),
        vec![(anna.id, true)]
    );
    assert!(
        env.store
            .viewers(t.id, now + Duration::seconds(1))
            .await
            .unwrap()
            .is_empty()
    );

    let zuid = s
        .create_organisation(&env.admin, "Gemeente Zuid_Oost", &["zuid.nl".into()])
        .await
        .unwrap();
    let _ = zuid;
    s.create_contact(&env.admin, "piet@elders.nl", "Piet 100% Bakker")
        .await
        .unwrap();
    let found = |q: &'static str| async move {
        env.store
            .find_contacts(q, 20)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.email)
            .collect::<Vec<_>>()
    };
    assert_eq!(found("zuid_oost").await, vec!["kees@zuid.nl"], "by organisation name");
    assert_eq!(found("BAKKER").await, vec!["piet@elders.nl"]);
    assert_eq!(found("100%").await, vec!["piet@elders.nl"]);
    assert!(found("1_0").await.is_empty(), "_ is a character, not a wildcard");
    let at = s.now();
    env.store.record_mailbox("helpdesk", None, at).await.unwrap();
    env.store
        .record_mailbox("helpdesk", Some("login refused"), at + Duration::minutes(1))
        .await
        .unwrap();
    let status = env.store.mailbox_status().await.unwrap();
    assert_eq!(status.len(), 1);
    assert_eq!(status[0].last_ok_at, Some(at));
    assert_eq!(
        status[0].last_error,
        Some(("login refused".to_owned(), at + Duration::minutes(1)))
    );
}

both!(canned_replies_viewers_and_contact_lookup, canned_viewers_and_contacts);

async fn merging(env: &Env) {
    let s = &env.service;
    let a = s
        .create_ticket(
            &env.admin,
            new_ticket("Export faalt", "De kwartaalexport geeft fout 42", "jan@zuid.nl"),
        )
        .await
        .unwrap();
    let b = s
        .create_ticket(
            &env.admin,
            new_ticket("Nogmaals export", "Zelfde probleem", "jan@zuid.nl"),
        )
        .await
        .unwrap();
    let other = s
        .create_ticket(&env.admin, new_ticket("Iets anders", "Andere vraag", "kees@zuid.nl"))
        .await
        .unwrap();
    s.add_note(&env.admin, a.number, Reply::text("Interne notitie bij het eerste"))
        .await
        .unwrap();
    assert!(matches!(
        s.merge(&env.admin, a.number, other.number).await,
        Err(DomainError::Conflict(_))
    ));
    assert!(matches!(
        s.merge(&env.admin, a.number, a.number).await,
        Err(DomainError::Conflict(_))
    ));
    let kept = s.merge(&env.admin, a.number, b.number).await.unwrap();
    assert_eq!(kept.number, b.number);
    let gone = env.store.get_ticket(a.id).await.unwrap().unwrap();
    assert_eq!(gone.status, Status::Resolved);
    assert_eq!(s.merged_into(&gone).await.unwrap().map(|t| t.number), Some(b.number));
    let msgs = env.store.messages(b.id, true).await.unwrap();
    assert_eq!(msgs.len(), 3, "both first messages and the note");
    assert!(env.store.messages(a.id, true).await.unwrap().is_empty());
    // Search finds the moved words under the ticket that kept its number.
    let found = env
        .store
        .search(&loket_core::store::SearchQuery {
            text: "kwartaalexport".into(),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.iter().map(|t| t.number).collect::<Vec<_>>(), vec![b.number]);
    // Merged once: neither merges again.
    assert!(matches!(
        s.merge(&env.admin, a.number, b.number).await,
        Err(DomainError::Conflict(_))
    ));
    let trail = env.store.audit(b.id).await.unwrap();
    assert!(
        trail
            .iter()
            .any(|e| e.action == "merged_from" && e.new_value == Some(a.number.to_string()))
    );
    // A chain: b into c; a leads to c, and b changes no more.
    let c = s
        .create_ticket(&env.admin, new_ticket("Derde", "En nog een", "jan@zuid.nl"))
        .await
        .unwrap();
    s.merge(&env.admin, b.number, c.number).await.unwrap();
    assert_eq!(s.merged_into(&gone).await.unwrap().map(|t| t.number), Some(c.number));
    assert!(matches!(
        s.add_note(&env.admin, b.number, Reply::text("hier niet")).await,
        Err(DomainError::Conflict(_))
    ));
    // Moving the requester's tickets takes the merged ones along.
    assert_eq!(
        s.move_tickets(&env.admin, "jan@zuid.nl", "balie@zuid.nl")
            .await
            .unwrap(),
        3
    );
}

both!(merge_two_tickets_of_one_requester, merging);
