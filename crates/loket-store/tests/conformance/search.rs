//! Full-text search: by a word of a message, the subject, the requester and the
//! number; internal notes hidden from contacts; removal takes effect at once.

use super::harness::{Env, both};
use super::tickets::new_ticket;
use loket_core::service::Reply;
use loket_core::store::SearchQuery;
use loket_core::*;

async fn numbers(env: &Env, text: &str, requester: Option<ContactId>) -> Vec<TicketNumber> {
    numbers_in(&*env.store, text, requester).await
}

async fn numbers_in(
    store: &dyn loket_core::store::Store,
    text: &str,
    requester: Option<ContactId>,
) -> Vec<TicketNumber> {
    let q = SearchQuery {
        text: text.into(),
        shared: None,
        requester,
        organisation: None,
        limit: 50,
    };
    store.search(&q).await.unwrap().into_iter().map(|t| t.number).collect()
}

/// A ticket made by the admin.
async fn make(env: &Env, subject: &str, message: &str, requester: &str) -> Ticket {
    env.service
        .create_ticket(&env.admin, new_ticket(subject, message, requester))
        .await
        .unwrap()
}

async fn search(env: &Env) {
    let s = &env.service;
    let a = make(
        env,
        "Beschikking printen",
        "De beschikkingen komen niet uit de printer.",
        "jan@gemeente-a.nl",
    )
    .await;
    let b = make(
        env,
        "Koppeling",
        "Het berichtenverkeer staat stil sinds de update.",
        "piet@gemeente-b.nl",
    )
    .await;
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

/// Dutch forms, prefixes and accents find each other, the same on both
/// backends and for contacts as for staff.
async fn dutch(env: &Env) {
    let a = make(
        env,
        "Vraag over jeugdzorg",
        "De Rapportage van het cliënt-dossier klopt niet.",
        "jan@gemeente-a.nl",
    )
    .await;
    let b = make(
        env,
        "Koppeling",
        "Drie beschikkingen ontbreken in de export.",
        "piet@gemeente-b.nl",
    )
    .await;
    for (query, want) in [
        ("jeugd", a.number),
        ("rapportages", a.number),
        ("client", a.number),
        ("CLIËNTEN", a.number),
        ("beschikking", b.number),
        ("Beschikkingen export", b.number),
    ] {
        assert_eq!(numbers(env, query, None).await, vec![want], "staff: {query}");
    }
    assert_eq!(
        numbers(env, "rapportages", Some(a.requester_id)).await,
        vec![a.number],
        "contact"
    );
    assert!(numbers(env, "rapportages", Some(b.requester_id)).await.is_empty());
    assert!(
        numbers(env, "jeugd koppeling", None).await.is_empty(),
        "every word must match"
    );
    assert!(
        numbers(env, "de", None).await.len() == 2,
        "a short word matches whole words"
    );
    assert!(numbers(env, "d", None).await.is_empty(), "no one-letter prefix");

    // An index made by an older version is built again when the store opens.
    env.raw_sql(
        "UPDATE settings SET value = 'old' WHERE name = 'search_index_version'; DELETE FROM search_docs;",
        "UPDATE settings SET value = 'old' WHERE name = 'search_index_version'; \
         UPDATE messages SET search_doc = ''; UPDATE tickets SET search_doc = '';",
    )
    .await;
    assert!(numbers(env, "jeugd", None).await.is_empty(), "the index was emptied");
    let store = env.reopen().await;
    assert_eq!(
        numbers_in(&*store, "jeugd", None).await,
        vec![a.number],
        "rebuilt: subject"
    );
    assert_eq!(
        numbers_in(&*store, "beschikking", None).await,
        vec![b.number],
        "rebuilt: message"
    );
}
both!(search_dutch_forms_prefixes_and_rebuild, dutch);
