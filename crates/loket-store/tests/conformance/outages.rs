//! The outage page's storage: components, an incident with its components and
//! updates, resolving it, maintenance windows, and what is active when.

use super::harness::{Env, both};
use chrono::Duration;
use loket_core::outages::{NewOutage, OutageKind, OutageState};
use loket_core::*;

async fn outages_and_updates(env: &Env) {
    let s = &env.service;
    let admin = &env.admin;
    let portal = s.create_component(admin, "Portaal").await.unwrap();
    let links = s.create_component(admin, "Koppelingen").await.unwrap();
    assert!(matches!(
        s.create_component(admin, "Portaal").await,
        Err(DomainError::Conflict(_))
    ));
    let now = s.now();
    let incident = s
        .create_outage(
            admin,
            NewOutage {
                title: "Koppelingen traag".into(),
                kind: OutageKind::Incident,
                state: OutageState::Investigating,
                components: vec![links.id, 999],
                starts_at: now,
                ends_at: None,
                body: "Wij onderzoeken het.".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        incident.components.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![links.id]
    );
    let window = NewOutage {
        title: "Onderhoud".into(),
        kind: OutageKind::Maintenance,
        state: OutageState::Scheduled,
        components: vec![portal.id],
        starts_at: now + Duration::hours(2),
        ends_at: Some(now + Duration::hours(1)),
        body: "Nieuwe versie.".into(),
    };
    assert!(
        s.create_outage(admin, window.clone()).await.is_err(),
        "an end before the start"
    );
    let over = NewOutage {
        starts_at: now - Duration::hours(3),
        ends_at: Some(now - Duration::hours(1)),
        ..window.clone()
    };
    assert!(s.create_outage(admin, over).await.is_err(), "a window that is over");
    let future = NewOutage {
        kind: OutageKind::Incident,
        state: OutageState::Investigating,
        starts_at: now + Duration::days(1),
        ends_at: None,
        ..window.clone()
    };
    assert!(
        s.create_outage(admin, future).await.is_err(),
        "an incident in the future"
    );
    assert!(
        s.update_outage(admin, incident.id, OutageState::Scheduled, "x")
            .await
            .is_err(),
        "an incident is never scheduled maintenance"
    );
    let planned = s
        .create_outage(
            admin,
            NewOutage {
                ends_at: Some(now + Duration::hours(4)),
                ..window
            },
        )
        .await
        .unwrap();
    let active: Vec<i64> = s.active_outages().await.unwrap().iter().map(|o| o.id).collect();
    assert_eq!(active, vec![incident.id], "maintenance starts later");
    env.clock.set(now + Duration::hours(3));
    assert_eq!(s.active_outages().await.unwrap().len(), 2);
    let resolved = s
        .update_outage(admin, incident.id, OutageState::Resolved, "Opgelost.")
        .await
        .unwrap();
    assert!(resolved.resolved_at.is_some());
    assert_eq!(resolved.updates.len(), 2);
    assert_eq!(resolved.updates[0].body, "Opgelost.", "newest first");
    assert_eq!(
        s.active_outages()
            .await
            .unwrap()
            .iter()
            .map(|o| o.id)
            .collect::<Vec<_>>(),
        vec![planned.id]
    );
    env.clock.set(now + Duration::hours(5));
    assert!(s.active_outages().await.unwrap().is_empty(), "the window closed");
    assert!(
        s.update_outage(admin, 999_999, OutageState::Monitoring, "x")
            .await
            .is_err()
    );
    assert!(
        s.update_outage(admin, planned.id, OutageState::Monitoring, "  ")
            .await
            .is_err()
    );
    let agent = s
        .create_staff(admin, "con@leverancier.nl", "Con", Role::Consultant)
        .await
        .unwrap();
    assert!(matches!(
        s.create_component(&service::Actor::Staff(agent), "BI").await,
        Err(DomainError::Forbidden(_))
    ));
}

both!(outages_and_updates_on, outages_and_updates);

async fn subscribers_and_linked_tickets(env: &Env) {
    let s = &env.service;
    let admin = &env.admin;
    let mails = |kind: MailKind| async move {
        env.store
            .pending_outbox(1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|(_, m)| m.kind == kind)
            .map(|(_, m)| (m.to, m.link_token))
            .collect::<Vec<_>>()
    };
    for who in ["a@aa.nl", "b@bee.nl", "c@cee.nl"] {
        s.subscribe_outages(who).await.unwrap();
    }
    s.subscribe_outages("a@aa.nl").await.unwrap();
    let asks = mails(MailKind::OutageSubscribe).await;
    assert_eq!(asks.len(), 3, "one confirmation mail per address within the hour");
    assert!(s.subscribe_outages("geen adres").await.is_err());
    // a and b confirm; c does not.
    for (to, token) in &asks {
        if to != "c@cee.nl" {
            s.confirm_outage_subscription(token.as_deref().unwrap()).await.unwrap();
        }
    }
    assert!(s.confirm_outage_subscription("1-00").await.is_err(), "a forged link");
    let t = s
        .create_ticket(
            admin,
            super::tickets::new_ticket("Koppeling", "Traag", "jan@gemeente.nl"),
        )
        .await
        .unwrap();
    let o = s
        .create_outage(
            admin,
            NewOutage {
                title: "Koppelingen traag".into(),
                kind: OutageKind::Incident,
                state: OutageState::Investigating,
                components: vec![],
                starts_at: s.now(),
                ends_at: None,
                body: "Wij onderzoeken het.".into(),
            },
        )
        .await
        .unwrap();
    s.link_outage_ticket(admin, o.id, t.number).await.unwrap();
    assert_eq!(env.store.linked_tickets().await.unwrap(), vec![(o.id, t.number)]);
    assert_eq!(
        env.store.ticket_outages(t.id).await.unwrap(),
        vec![(o.id, "Koppelingen traag".to_owned())]
    );
    assert!(
        matches!(
            s.link_outage_ticket(admin, 999, t.number).await,
            Err(DomainError::NotFound(_))
        ),
        "an unknown outage"
    );
    let mut to: Vec<String> = mails(MailKind::OutageUpdate)
        .await
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    to.sort();
    assert_eq!(to, vec!["a@aa.nl", "b@bee.nl"], "confirmed subscribers only");
    // b unsubscribes; the resolving update reaches a, and the ticket's requester.
    let b = env.store.subscriber_id("b@bee.nl").await.unwrap().unwrap();
    let off = s
        .subscriber_token(b, service::SubscriberLink::Unsubscribe)
        .await
        .unwrap();
    assert!(
        s.end_outage_subscription(&asks[0].1.clone().unwrap()).await.is_err(),
        "not with the confirm link"
    );
    s.end_outage_subscription(&off).await.unwrap();
    let b_confirm = asks
        .iter()
        .find(|(to, _)| to == "b@bee.nl")
        .and_then(|(_, t)| t.clone())
        .unwrap();
    assert!(
        s.confirm_outage_subscription(&b_confirm).await.is_err(),
        "an old confirmation link does not undo an unsubscribe"
    );
    s.update_outage(admin, o.id, OutageState::Resolved, "Opgelost.")
        .await
        .unwrap();
    let updates = mails(MailKind::OutageUpdate).await;
    assert_eq!(updates.iter().filter(|(t, _)| t == "a@aa.nl").count(), 2);
    assert_eq!(updates.iter().filter(|(t, _)| t == "b@bee.nl").count(), 1);
    env.clock.set(s.now() + Duration::hours(2));
    s.subscribe_outages("b@bee.nl").await.unwrap();
    assert!(
        s.confirm_outage_subscription(&b_confirm).await.is_err(),
        "a new request makes the older links worthless"
    );
    let newest = mails(MailKind::OutageSubscribe)
        .await
        .into_iter()
        .rev()
        .find(|(to, _)| to == "b@bee.nl")
        .and_then(|(_, t)| t)
        .unwrap();
    s.confirm_outage_subscription(&newest).await.unwrap();
    assert_eq!(
        mails(MailKind::OutageResolved)
            .await
            .into_iter()
            .map(|(t, _)| t)
            .collect::<Vec<_>>(),
        vec!["jan@gemeente.nl".to_owned()]
    );
}

both!(subscribers_and_linked_tickets_on, subscribers_and_linked_tickets);
