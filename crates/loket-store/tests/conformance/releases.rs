//! Releasing a version: its 20 Gepland tickets move to Opgeleverd with one
//! mail each, once, also when the job runs again; the change document shows a
//! reader only their own delivered tickets.

use super::harness::{Env, both};
use super::tickets::new_ticket;
use loket_core::jobs::NewJob;
use loket_core::releases::{ReleaseDraft, ReleaseKind};
use loket_core::service::Actor;
use loket_core::*;

async fn released_mails(env: &Env) -> Vec<String> {
    env.store
        .pending_outbox(1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, m)| m.kind == MailKind::Released)
        .map(|(_, m)| m.to)
        .collect()
}

async fn releasing_a_version(env: &Env) {
    let s = &env.service;
    let admin = &env.admin;
    let draft = ReleaseDraft {
        version: "8.4.1".into(),
        kind: ReleaseKind::Interim,
        planned_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 15),
        notes: "# Versie 8.4.1\n\n- De BRP-koppeling is sneller.".into(),
    };
    s.create_release(admin, draft.clone()).await.unwrap();
    assert!(matches!(
        s.create_release(admin, draft.clone()).await,
        Err(DomainError::Conflict(_))
    ));
    let bad = ReleaseDraft {
        version: "8.4/../1".into(),
        ..draft.clone()
    };
    assert!(matches!(
        s.create_release(admin, bad).await,
        Err(DomainError::Invalid(_))
    ));
    let mut numbers = Vec::new();
    for i in 0..20 {
        let t = s
            .create_ticket(
                admin,
                new_ticket(&format!("Wens {i}"), "Graag", &format!("k{i}@gemeente.nl")),
            )
            .await
            .unwrap();
        s.transfer(admin, t.number, Department::Planned, Some("8.4.1".into()))
            .await
            .unwrap();
        numbers.push(t.number);
    }
    // One in another version stays.
    let other = s
        .create_ticket(admin, new_ticket("Later", "Graag", "k0@gemeente.nl"))
        .await
        .unwrap();
    s.transfer(admin, other.number, Department::Planned, Some("8.5".into()))
        .await
        .unwrap();
    // Not released: no change document yet.
    assert!(s.change_document(None, "8.4.1").await.is_err());

    let counts = env.store.release_ticket_counts().await.unwrap();
    assert_eq!((counts.get("8.4.1"), counts.get("8.5")), (Some(&20), Some(&1)));
    let r = s.release(admin, "8.4.1").await.unwrap();
    assert!(r.released_at.is_some());
    assert!(matches!(s.release(admin, "8.4.1").await, Err(DomainError::Conflict(_))));
    assert!(matches!(s.release(admin, "9.9").await, Err(DomainError::NotFound(_))));
    let ran = s.run_jobs(10).await.unwrap();
    assert_eq!(ran.done, 1);
    for n in &numbers {
        let t = env.store.ticket_by_number(*n).await.unwrap().unwrap();
        assert_eq!(
            (t.department, t.release_version.as_deref(), t.status),
            (Department::Delivered, Some("8.4.1"), Status::Resolved)
        );
    }
    // Nothing is planned in a released version any more (it would never be
    // delivered); a version not kept yet is added when a ticket is planned in it.
    let late = s
        .create_ticket(admin, new_ticket("Te laat", "Graag", "laat@gemeente.nl"))
        .await
        .unwrap();
    assert!(matches!(
        s.transfer(admin, late.number, Department::Planned, Some("8.4.1".into()))
            .await,
        Err(DomainError::Conflict(_))
    ));
    for bad in ["8.4/1", "..", "８.４", "8.4.1\u{200b}", "v 9"] {
        assert!(
            matches!(
                s.transfer(admin, late.number, Department::Planned, Some(bad.into()))
                    .await,
                Err(DomainError::Invalid(_))
            ),
            "{bad:?}"
        );
    }
    s.transfer(admin, late.number, Department::Planned, Some("8.6".into()))
        .await
        .unwrap();
    assert!(env.store.release("8.6").await.unwrap().is_some(), "8.6 is kept now");
    // Not released without a change document; adding it describes the kept version.
    assert!(matches!(s.release(admin, "8.6").await, Err(DomainError::Conflict(_))));
    let described = s
        .create_release(
            admin,
            ReleaseDraft {
                version: "8.6".into(),
                notes: "# Versie 8.6".into(),
                ..draft.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(described.notes, "# Versie 8.6");
    // Already in Gepland with another version: the version changes.
    let moved = s
        .transfer(admin, late.number, Department::Planned, Some("8.7".into()))
        .await
        .unwrap();
    assert_eq!(moved.release_version.as_deref(), Some("8.7"));
    let other = env.store.ticket_by_number(other.number).await.unwrap().unwrap();
    assert_eq!(other.department, Department::Planned);
    let mut mails = released_mails(env).await;
    mails.sort();
    let mut expected: Vec<String> = (0..20).map(|i| format!("k{i}@gemeente.nl")).collect();
    expected.sort();
    assert_eq!(mails, expected, "one mail per ticket");

    // The same work run again (a retry after a crash) mails nobody twice.
    env.store
        .enqueue_jobs(
            &[NewJob {
                kind: loket_core::service::RELEASE_JOB.into(),
                key: Some("again".into()),
                payload: r#"{"version":"8.4.1"}"#.into(),
                run_at: env.service.now(),
            }],
            env.service.now(),
        )
        .await
        .unwrap();
    assert_eq!(s.run_jobs(10).await.unwrap().done, 1);
    assert_eq!(released_mails(env).await.len(), 20);

    // The change document: public, with a reader's own tickets only.
    let (doc, none) = s.change_document(None, "8.4.1").await.unwrap();
    assert!(doc.notes.contains("BRP-koppeling") && none.is_empty());
    let k3 = env.store.contact_by_email("k3@gemeente.nl").await.unwrap().unwrap();
    let (_, own) = s.change_document(Some(&k3), "8.4.1").await.unwrap();
    assert_eq!(own.iter().map(|t| t.number).collect::<Vec<_>>(), vec![numbers[3]]);
    let found = env
        .store
        .list_releases(true, Some("brp SNELLER"), false, 10)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert!(
        env.store
            .list_releases(true, Some("100%"), false, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // A consultant reads but does not release.
    let c = s
        .create_staff(admin, "con@leverancier.nl", "Con", Role::Consultant)
        .await
        .unwrap();
    assert!(matches!(
        s.create_release(&Actor::Staff(c), draft).await,
        Err(DomainError::Forbidden(_))
    ));
}

both!(releasing_a_version_on, releasing_a_version);
