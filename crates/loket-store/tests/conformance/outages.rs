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
