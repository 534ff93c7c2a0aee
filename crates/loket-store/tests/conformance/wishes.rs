//! Wish-list demand: linked wishes count organisations, the list sorts by
//! them, and planning a wish takes the linked tickets along with one mail each.

use super::harness::{Env, both};
use super::tickets::new_ticket;
use loket_core::*;

async fn wish(env: &Env, subject: &str, requester: &str) -> Ticket {
    let t = env
        .service
        .create_ticket(&env.admin, new_ticket(subject, "Graag", requester))
        .await
        .unwrap();
    env.service
        .transfer(&env.admin, t.number, Department::Wishlist, None)
        .await
        .unwrap()
}

async fn demand_and_follow(env: &Env) {
    let s = &env.service;
    let admin = &env.admin;
    for (name, domain) in [("Aa", "aa.nl"), ("Bee", "bee.nl"), ("Cee", "cee.nl")] {
        s.create_organisation(admin, &format!("Gemeente {name}"), &[domain.into()])
            .await
            .unwrap();
    }
    let export = wish(env, "Export naar Excel", "a@aa.nl").await;
    let dark = wish(env, "Donkere modus", "b@bee.nl").await;
    // Two more organisations ask for the export, one twice; one person without one.
    let mut linked = Vec::new();
    for who in ["x@bee.nl", "y@cee.nl", "z@cee.nl", "jan@gmail.com"] {
        let t = s
            .create_ticket(admin, new_ticket("Excel", "Ook graag", who))
            .await
            .unwrap();
        let t = s.link_wish(admin, t.number, export.number).await.unwrap();
        assert_eq!(t.department, Department::Wishlist);
        linked.push(t);
    }
    // Linking to a linked ticket links to its wish; to itself or a non-wish is refused.
    let extra = s
        .create_ticket(admin, new_ticket("Excel!", "Ja", "q@aa.nl"))
        .await
        .unwrap();
    s.link_wish(admin, extra.number, linked[0].number).await.unwrap();
    assert_eq!(env.store.wish_of(extra.id).await.unwrap(), Some(export.id));
    assert!(s.link_wish(admin, dark.number, dark.number).await.is_err());
    let plain = s
        .create_ticket(admin, new_ticket("Vraag", "Hoe?", "v@aa.nl"))
        .await
        .unwrap();
    assert!(matches!(
        s.link_wish(admin, dark.number, plain.number).await,
        Err(DomainError::Conflict(_))
    ));
    assert!(
        s.link_wish(admin, extra.number, dark.number).await.is_err(),
        "linked once"
    );
    // Two wishes linked to each other at the same moment: one link wins.
    let print = wish(env, "Printen", "p@aa.nl").await;
    let copy = wish(env, "Afdrukken", "q@bee.nl").await;
    let (first, second) = tokio::join!(
        s.link_wish(admin, print.number, copy.number),
        s.link_wish(admin, copy.number, print.number)
    );
    assert_eq!(
        u8::from(first.is_ok()) + u8::from(second.is_ok()),
        1,
        "{first:?} {second:?}"
    );

    let list = s.wish_list(admin, 10).await.unwrap();
    let rows: Vec<(TicketNumber, i64, i64)> = list.iter().map(|w| (w.number, w.organisations, w.linked)).collect();
    // Export: Aa, Bee, Cee and the person without an organisation; five linked.
    // The pair that raced: one wish with the other linked (Aa and Bee).
    let root = if first.is_ok() { copy.number } else { print.number };
    assert_eq!(rows, vec![(export.number, 4, 5), (root, 2, 1), (dark.number, 1, 0)]);

    // Planned: every linked ticket follows with one mail; released: delivered.
    s.transfer(admin, export.number, Department::Planned, Some("9.0".into()))
        .await
        .unwrap();
    assert_eq!(s.run_jobs(10).await.unwrap().done, 1);
    for t in linked.iter().chain([&extra]) {
        let now = env.store.get_ticket(t.id).await.unwrap().unwrap();
        assert_eq!(
            (now.department, now.release_version.as_deref()),
            (Department::Planned, Some("9.0"))
        );
    }
    let planned_mails = env
        .store
        .pending_outbox(1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, m)| m.kind == MailKind::WishPlanned)
        .count();
    assert_eq!(planned_mails, 5);
    // A ticket linked now, to a planned wish, follows at once.
    let late = s
        .create_ticket(admin, new_ticket("Excel graag", "Ja", "late@bee.nl"))
        .await
        .unwrap();
    s.link_wish(admin, late.number, export.number).await.unwrap();
    s.run_jobs(10).await.unwrap();
    let late = env.store.get_ticket(late.id).await.unwrap().unwrap();
    assert_eq!(late.department, Department::Planned);
    assert!(
        !s.wish_list(admin, 10)
            .await
            .unwrap()
            .iter()
            .any(|w| w.number == export.number),
        "a planned wish leaves the list"
    );
}

both!(demand_and_follow_on, demand_and_follow);
