//! Full-text search: by a word of a message, the subject, the requester and the
//! number; internal notes hidden from contacts; removal takes effect at once.

use super::harness::{Env, both};
use super::tickets::new_ticket;
use loket_core::service::Reply;
use loket_core::store::SearchQuery;
use loket_core::*;

async fn numbers(env: &Env, text: &str, requester: Option<ContactId>) -> Vec<TicketNumber> {
    let q = SearchQuery {
        text: text.into(),
        requester,
        organisation: None,
        limit: 50,
    };
    env.store
        .search(&q)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.number)
        .collect()
}

async fn search(env: &Env) {
    let s = &env.service;
    let a = s
        .create_ticket(
            &env.admin,
            new_ticket(
                "Beschikking printen",
                "De beschikkingen komen niet uit de printer.",
                "jan@gemeente-a.nl",
            ),
        )
        .await
        .unwrap();
    let b = s
        .create_ticket(
            &env.admin,
            new_ticket(
                "Koppeling",
                "Het berichtenverkeer staat stil sinds de update.",
                "piet@gemeente-b.nl",
            ),
        )
        .await
        .unwrap();
    s.add_note(&env.admin, b.number, Reply::text("Geheim: zebrapad"))
        .await
        .unwrap();

    assert_eq!(numbers(env, "printer", None).await, vec![a.number]);
    assert_eq!(numbers(env, "berichtenverkeer", None).await, vec![b.number]);
    assert_eq!(numbers(env, "Koppeling", None).await, vec![b.number], "subject");
    assert_eq!(
        numbers(env, "piet@gemeente-b.nl", None).await,
        vec![b.number],
        "requester"
    );
    assert_eq!(
        numbers(env, &format!("#{}", a.number), None).await,
        vec![a.number],
        "number"
    );
    assert_eq!(
        numbers(env, &a.number.to_string(), None).await,
        vec![a.number],
        "number"
    );
    assert_eq!(numbers(env, "zebrapad", None).await, vec![b.number], "staff find notes");
    assert!(
        numbers(env, "zebrapad", Some(b.requester_id)).await.is_empty(),
        "contacts never find notes"
    );
    assert_eq!(
        numbers(env, "berichtenverkeer", Some(b.requester_id)).await,
        vec![b.number]
    );
    assert!(
        numbers(env, "berichtenverkeer", Some(a.requester_id)).await.is_empty(),
        "only own tickets"
    );
    assert!(
        numbers(env, &b.number.to_string(), Some(a.requester_id))
            .await
            .is_empty(),
        "only own numbers"
    );
    assert!(numbers(env, "\"unbalanced OR (", None).await.is_empty());
    assert!(numbers(env, "olifant", None).await.is_empty());

    let msg = env.store.messages(a.id, true).await.unwrap()[0].id;
    s.remove_message(&env.admin, a.number, msg, "AVG").await.unwrap();
    assert!(
        numbers(env, "printer", None).await.is_empty(),
        "a removed message is gone from search at once"
    );
    assert_eq!(
        numbers(env, "Beschikking", None).await,
        vec![a.number],
        "the subject is still found"
    );
}
both!(search_by_word_number_and_removal, search);
