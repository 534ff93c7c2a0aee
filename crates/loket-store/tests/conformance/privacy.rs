//! Privacy incidents on each backend: the scan finds what customers sent
//! (text and attachments), records each message once even when two scans
//! race, an agent confirms (label, files removed for good, sender told) or
//! overrules, `apply` mode confirms by itself, and the counts per
//! organisation come out as a seeded data set says.

use super::harness::{Env, both};
use super::tickets::new_ticket;
use chrono::Duration;
use loket_core::privacy_store::*;
use loket_core::service::{Actor, Limits, PrivacyMode, Service, Upload};
use loket_core::*;
use std::fmt::Write as _;

/// A CSV with `n` clients (valid BSNs), as a municipality might send one.
fn clients_csv(n: usize) -> Vec<u8> {
    let mut csv = String::from("Naam;BSN;Woonplaats\n");
    for (i, bsn) in bsns().take(n).enumerate() {
        writeln!(csv, "Cliënt {i} Jansen;{bsn};Utrecht").unwrap();
    }
    csv.into_bytes()
}

/// Valid BSNs (eleven-test), from 100000000 on.
fn bsns() -> impl Iterator<Item = String> {
    (100_000_000u32..)
        .map(|n| n.to_string())
        .filter(|s| loket_privacy::is_bsn(s.as_bytes()))
}

async fn ticket_with(env: &Env, from: &str, text: &str, files: Vec<Upload>) -> Ticket {
    let mut input = new_ticket("Vraag over cliënten", text, from);
    input.channel = Channel::Email;
    input.attachments = files;
    env.service.create_ticket(&Actor::System, input).await.unwrap()
}

fn incident_of(list: &[Incident]) -> &Incident {
    assert_eq!(list.len(), 1, "{list:?}");
    &list[0]
}

async fn scan_decide_and_count(env: &Env) {
    let svc = &env.service;
    let agent = Actor::Staff(
        svc.create_staff(&Actor::System, "anna@leverancier.nl", "Anna", Role::Agent)
            .await
            .unwrap(),
    );
    svc.create_organisation(&env.admin, "Gemeente Aa", &["aa.nl".into()])
        .await
        .unwrap();
    svc.create_organisation(&env.admin, "Gemeente Bee", &["bee.nl".into()])
        .await
        .unwrap();
    let full = ticket_with(
        env,
        "jan@aa.nl",
        "Zie de lijst in de bijlage.",
        vec![Upload::bytes("clienten.csv", "text/csv", clients_csv(3))],
    )
    .await;
    let light = ticket_with(env, "piet@aa.nl", "Het gaat om BSN 123456782, graag kijken.", vec![]).await;
    let clean = ticket_with(
        env,
        "kees@bee.nl",
        "Het rapport laadt niet. Bel me op 030-1234567.",
        vec![],
    )
    .await;
    let image = ticket_with(
        env,
        "kees@bee.nl",
        "Schermafdruk bijgevoegd.",
        vec![Upload::bytes(
            "scherm.png",
            "image/png",
            b"\x89PNG\r\n\x1a\nnot really".to_vec(),
        )],
    )
    .await;

    // Two scans at once: each message is recorded once.
    let (one, two) = tokio::join!(svc.scan_privacy(), svc.scan_privacy());
    let (one, two) = (one.unwrap(), two.unwrap());
    assert_eq!(one.scanned + two.scanned, 4, "{one:?} {two:?}");
    assert_eq!(one.found + two.found, 3, "{one:?} {two:?}");
    assert_eq!(svc.scan_privacy().await.unwrap().scanned, 0, "nothing twice");
    assert!(env.store.pending_scans(10).await.unwrap().is_empty());
    assert!(matches!(
        env.store.record_scan(&[MessageId(1)], &[]).await,
        Err(DomainError::Conflict(_))
    ));
    // A removed message's id can come back (SQLite reuses the highest
    // rowid): the new message is scanned all the same.
    let last = ticket_with(env, "piet@aa.nl", "Nog een vraag, BSN 111222333.", vec![]).await;
    let id = env.store.messages(last.id, true).await.unwrap()[0].id;
    svc.remove_message(&agent, last.number, id, "test").await.unwrap();
    assert!(
        env.store.pending_scans(10).await.unwrap().is_empty(),
        "gone with its message"
    );
    let again = ticket_with(env, "piet@aa.nl", "En nog een, BSN 123456782.", vec![]).await;
    assert_eq!(svc.scan_privacy().await.unwrap().found, 1);
    let found_again = incident_of(&svc.ticket_incidents(&agent, again.number).await.unwrap()).clone();
    assert_eq!(found_again.people, 1);
    svc.decide_incident(&agent, again.number, found_again.id, false)
        .await
        .unwrap();

    let on = |t: &Ticket| svc.ticket_incidents(&agent, t.number);
    let found = incident_of(&on(&full).await.unwrap()).clone();
    assert_eq!(
        (found.class, found.state, found.people),
        (IncidentClass::Full, IncidentState::Proposed, 3)
    );
    let item = found.items.iter().find(|i| i.name == "clienten.csv").unwrap();
    assert_eq!(item.counts.get("bsn"), Some(&3));
    assert!(
        item.samples.iter().all(|x| !x.preview.contains("100000")),
        "masked: {item:?}"
    );
    let l = incident_of(&on(&light).await.unwrap()).clone();
    assert_eq!((l.class, l.people), (IncidentClass::Light, 1));
    assert!(
        on(&clean).await.unwrap().is_empty(),
        "a phone number alone is no person"
    );
    let u = incident_of(&on(&image).await.unwrap()).clone();
    assert_eq!((u.class, u.state), (IncidentClass::Unscanned, IncidentState::Noted));
    assert_eq!(u.items[0].not_scanned.len(), 1, "{u:?}");

    // Customers neither see nor decide.
    let jan = Actor::Contact(env.store.contact_by_email("jan@aa.nl").await.unwrap().unwrap());
    assert!(matches!(
        svc.ticket_incidents(&jan, full.number).await,
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        svc.decide_incident(&jan, full.number, found.id, true).await,
        Err(DomainError::Forbidden(_))
    ));
    // An incident is decided on its own ticket only.
    assert!(matches!(
        svc.decide_incident(&agent, light.number, found.id, true).await,
        Err(DomainError::NotFound(_))
    ));

    // Confirmed: labelled, the file removed for good, the sender told.
    let sha = env.store.attachments(full.id).await.unwrap()[0].sha256.clone();
    let t = svc.decide_incident(&agent, full.number, found.id, true).await.unwrap();
    assert!(t.labels.contains(&FULL_LABEL.to_owned()), "{:?}", t.labels);
    let files = env.store.attachments(full.id).await.unwrap();
    assert!(files[0].removed_at.is_some());
    assert!(env.blobs.get(&sha).await.unwrap().is_none(), "bytes gone");
    let mails = env.store.pending_outbox(100).await.unwrap();
    assert!(
        mails
            .iter()
            .any(|(_, m)| m.kind == MailKind::PrivacyNotice && m.to == "jan@aa.nl" && m.ticket_id == Some(full.id))
    );
    assert!(matches!(
        svc.decide_incident(&agent, full.number, found.id, true).await,
        Err(DomainError::Conflict(_))
    ));
    let audit = env.store.audit(full.id).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "privacy_confirm" && e.actor.starts_with("staff:"))
    );

    // Overruled: no label, recorded.
    let t = svc.decide_incident(&agent, light.number, l.id, false).await.unwrap();
    assert!(t.labels.is_empty());
    let l = incident_of(&on(&light).await.unwrap()).clone();
    assert_eq!(l.state, IncidentState::Dismissed);
    assert!(l.decided_by.is_some_and(|d| d.starts_with("staff:")));

    // `apply` mode confirms by itself, once, even with two scans racing.
    let auto = Service::new(
        env.store.clone(),
        env.blobs.clone(),
        env.clock.clone(),
        Limits::default(),
    )
    .with_privacy_mode(PrivacyMode::Apply);
    let bee = ticket_with(
        env,
        "kees@bee.nl",
        "Lijst",
        vec![Upload::bytes("lijst.csv", "text/csv", clients_csv(2))],
    )
    .await;
    let (one, two) = tokio::join!(auto.scan_privacy(), auto.scan_privacy());
    assert_eq!(one.unwrap().applied + two.unwrap().applied, 1);
    let t = env.store.get_ticket(bee.id).await.unwrap().unwrap();
    assert!(t.labels.contains(&FULL_LABEL.to_owned()));
    assert_eq!(
        incident_of(&on(&bee).await.unwrap()).decided_by.as_deref(),
        Some("system")
    );

    // One person, confirmed, from a domain no organisation has yet.
    let cee = ticket_with(env, "els@cee.nl", "Mevrouw, geboren 12-03-1961, BSN 111222333.", vec![]).await;
    auto.scan_privacy().await.unwrap();
    let t = env.store.get_ticket(cee.id).await.unwrap().unwrap();
    assert!(t.labels.contains(&LIGHT_LABEL.to_owned()), "{:?}", t.labels);
    // A prevented upload counts for the contact's organisation.
    let kees = env.store.contact_by_email("kees@bee.nl").await.unwrap().unwrap();
    env.store
        .record_prevented(&NewIncident {
            ticket: None,
            message: None,
            contact: Some(kees.id),
            organisation: None,
            class: IncidentClass::Full,
            people: 143,
            items: vec![],
            state: IncidentState::Prevented,
            at: svc.now(),
        })
        .await
        .unwrap();

    // A stranger stopped at the portal counts for the organisation of the
    // domain, and is made no contact.
    let stopped = loket_core::service::Suspect {
        file: Some("lijst.csv".into()),
        people: 12,
        counts: vec![("bsn".into(), 12)],
    };
    svc.record_prevented("onbekend@bee.nl", std::slice::from_ref(&stopped))
        .await
        .unwrap();
    assert!(env.store.contact_by_email("onbekend@bee.nl").await.unwrap().is_none());
    let period = (svc.now() - Duration::days(90), svc.now() + Duration::days(1));
    let counts = |v: Vec<IncidentCount>| -> Vec<(String, i64, i64, i64)> {
        v.into_iter().map(|c| (c.name, c.light, c.full, c.prevented)).collect()
    };
    assert_eq!(
        counts(env.store.incident_counts(period.0, period.1).await.unwrap()),
        vec![
            ("Gemeente Aa".into(), 0, 1, 0),
            ("Gemeente Bee".into(), 0, 1, 2),
            (String::new(), 1, 0, 0),
        ]
    );
    // The organisation added later takes its contacts' incidents along.
    svc.create_organisation(&env.admin, "Gemeente Cee", &["cee.nl".into()])
        .await
        .unwrap();
    let now = counts(env.store.incident_counts(period.0, period.1).await.unwrap());
    assert_eq!(now[2], ("Gemeente Cee".into(), 1, 0, 0), "{now:?}");
    assert_eq!(now.len(), 3, "{now:?}");
    // Outside the period: nothing.
    assert!(
        env.store
            .incident_counts(period.1, period.1 + Duration::days(1))
            .await
            .unwrap()
            .is_empty()
    );
}

both!(scan_decide_and_count_on, scan_decide_and_count);

async fn threshold_alerts_once(env: &Env) {
    let svc = Service::new(
        env.store.clone(),
        env.blobs.clone(),
        env.clock.clone(),
        Limits::default(),
    )
    .with_privacy_mode(PrivacyMode::Apply)
    .with_privacy_threshold(2, loket_core::time::Zone::default());
    let org = svc
        .create_organisation(&env.admin, "Gemeente Dee", &["dee.nl".into()])
        .await
        .unwrap();
    let boss = svc.create_contact(&env.admin, "hoofd@dee.nl", "Hoofd").await.unwrap();
    svc.update_contact(
        &env.admin,
        boss.id,
        loket_core::store::ContactPatch {
            authorised: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    svc.create_contact(&env.admin, "gewoon@dee.nl", "").await.unwrap();
    let threshold_mails = || async {
        env.store
            .pending_outbox(100)
            .await
            .unwrap()
            .into_iter()
            .filter(|(_, m)| m.kind == MailKind::PrivacyThreshold)
            .map(|(_, m)| (m.to, m.privacy_alert))
            .collect::<Vec<_>>()
    };
    ticket_with(env, "a@dee.nl", "BSN 123456782", vec![]).await;
    svc.scan_privacy().await.unwrap();
    assert!(threshold_mails().await.is_empty(), "one incident: below the threshold");
    ticket_with(env, "b@dee.nl", "BSN 111222333", vec![]).await;
    let report = svc.scan_privacy().await.unwrap();
    assert_eq!(report.alerts, 1);
    let mails = threshold_mails().await;
    assert_eq!(mails.len(), 1, "only the authorised contact: {mails:?}");
    assert_eq!(mails[0].0, "hoofd@dee.nl");
    let alert = env.store.privacy_alert(mails[0].1.unwrap()).await.unwrap().unwrap();
    assert_eq!((alert.organisation.as_str(), alert.incidents), ("Gemeente Dee", 2));
    assert!(alert.period.starts_with("2026-Q"), "{alert:?}");
    // A third incident in the same quarter mails nobody again.
    let third = format!("BSN {}", bsns().nth(5).unwrap());
    ticket_with(env, "c@dee.nl", &third, vec![]).await;
    assert_eq!(svc.scan_privacy().await.unwrap().alerts, 0);
    assert_eq!(threshold_mails().await.len(), 1);
    let _ = org;
}

both!(threshold_alerts_once_on, threshold_alerts_once);

async fn a_file_that_keeps_failing_is_given_up(env: &Env) {
    let t = ticket_with(
        env,
        "jan@aa.nl",
        "Lijst",
        vec![Upload::bytes("lijst.csv", "text/csv", clients_csv(4))],
    )
    .await;
    let message = env.store.messages(t.id, true).await.unwrap()[0].id;
    // Three scans began and never ended (the process went down each time).
    for n in 1..=3 {
        assert_eq!(env.store.begin_scan(message).await.unwrap(), n);
    }
    let report = env.service.scan_privacy().await.unwrap();
    assert_eq!((report.scanned, report.found), (1, 1));
    let agent = env.admin.clone();
    let i = incident_of(&env.service.ticket_incidents(&agent, t.number).await.unwrap()).clone();
    assert_eq!((i.class, i.state), (IncidentClass::Unscanned, IncidentState::Noted));
    assert_eq!(i.items[0].not_scanned, vec![(String::new(), "too_large".to_owned())]);
    assert_eq!(env.store.begin_scan(message).await.unwrap(), 0, "off the queue");
}

both!(
    a_file_that_keeps_failing_is_given_up_on,
    a_file_that_keeps_failing_is_given_up
);
