//! Attacks on the mail intake, each reproduced: a forged bounce, a stranger
//! replying into someone else's thread (by a public mail domain, by guessed
//! or copied Message-IDs, by a forged staff address), a mail with very many
//! references, and mail too large to load.

use super::env;
use super::intake::mail;
use loket_core::service::{Actor, CreateTicket};
use loket_core::store::{ContactPatch, TicketFilter};
use loket_core::*;
use loket_mail::{IntakeSettings, Outcome};

fn created(o: Outcome) -> Ticket {
    match o {
        Outcome::Created(t) => t,
        other => panic!("expected a new ticket, got {other:?}"),
    }
}

fn dsn(recipient: &str, returned_id: &str) -> String {
    format!(
        "From: MAILER-DAEMON@mx.elders.nl\r\nTo: helpdesk@leverancier.nl\r\nSubject: Undelivered Mail\r\n\
Message-ID: <dsn-{returned_id}>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n\
--B\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n\
--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.elders.nl\r\n\r\nFinal-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n\
--B\r\nContent-Type: message/rfc822\r\n\r\nFrom: helpdesk@leverancier.nl\r\nTo: {recipient}\r\nSubject: x\r\nMessage-ID: <{returned_id}>\r\n\r\nx\r\n\
--B--\r\n"
    )
}

async fn claim(e: &super::Env) -> Vec<loket_core::store::ClaimedMail> {
    let now = e.service.now();
    e.service
        .store()
        .claim_outbox(now, now, "leverancier.nl", 50)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_forged_bounce_marks_nobody_undeliverable() {
    let e = env().await;
    // Bob has a ticket, so Loket sent him a confirmation.
    created(
        e.intake
            .ingest(
                "helpdesk",
                &mail("bob@gemeente.nl", "Vraag", "bob1@gemeente.nl", "", "x"),
                None,
            )
            .await
            .unwrap(),
    );
    let sent = claim(&e).await;
    let store = e.service.store();
    // Anyone can send a report naming Bob: without one of Loket's own ids it counts for nothing.
    e.intake
        .ingest(
            "helpdesk",
            dsn("bob@gemeente.nl", "verzonnen@elders.nl").as_bytes(),
            None,
        )
        .await
        .unwrap();
    assert!(!store.is_undeliverable("bob@gemeente.nl").await.unwrap());
    // Loket's id of a mail to someone else does not mark Bob either.
    created(
        e.intake
            .ingest(
                "helpdesk",
                &mail("eva@gemeente.nl", "Andere", "eva1@gemeente.nl", "", "x"),
                None,
            )
            .await
            .unwrap(),
    );
    let to_eva = claim(&e)
        .await
        .into_iter()
        .find(|c| c.mail.to == "eva@gemeente.nl")
        .unwrap();
    e.intake
        .ingest(
            "helpdesk",
            dsn("bob@gemeente.nl", &to_eva.mail_message_id).as_bytes(),
            None,
        )
        .await
        .unwrap();
    assert!(!store.is_undeliverable("bob@gemeente.nl").await.unwrap());
    // A real bounce of the mail to Bob does.
    e.intake
        .ingest(
            "helpdesk",
            dsn("bob@gemeente.nl", &sent[0].mail_message_id).as_bytes(),
            None,
        )
        .await
        .unwrap();
    assert!(store.is_undeliverable("bob@gemeente.nl").await.unwrap());
    // Mail from Bob shows his address works again.
    e.intake
        .ingest(
            "helpdesk",
            &mail("bob@gemeente.nl", "Nog iets", "bob2@gemeente.nl", "", "x"),
            None,
        )
        .await
        .unwrap();
    assert!(!store.is_undeliverable("bob@gemeente.nl").await.unwrap());
}

#[tokio::test]
async fn loket_message_ids_are_random() {
    let e = env().await;
    for i in 0..2 {
        e.intake
            .ingest(
                "helpdesk",
                &mail("jan@gemeente.nl", "Vraag", &format!("r{i}@gemeente.nl"), "", "x"),
                None,
            )
            .await
            .unwrap();
    }
    let ids: Vec<String> = claim(&e).await.into_iter().map(|c| c.mail_message_id).collect();
    assert_eq!(ids.len(), 2);
    for id in &ids {
        let (local, domain) = id.split_once('@').unwrap();
        assert_eq!(domain, "leverancier.nl");
        assert!(
            local.len() == 32 && local.bytes().all(|b| b.is_ascii_hexdigit()),
            "{id}"
        );
    }
    assert_ne!(ids[0], ids[1]);
}

#[tokio::test]
async fn strangers_cannot_reply_into_another_persons_ticket() {
    let e = env().await;
    let admin = Actor::Staff(
        e.service
            .create_staff(&Actor::System, "agent@leverancier.nl", "Agent", Role::Agent)
            .await
            .unwrap(),
    );
    let org = e
        .service
        .create_organisation(&admin, "Gemeente Zuid", &["zuid.nl".into()])
        .await
        .unwrap();
    // Jan writes from a public mail provider; staff put him in his organisation.
    let jan = e.service.create_contact(&admin, "jan@gmail.com", "Jan").await.unwrap();
    e.service
        .update_contact(
            &admin,
            jan.id,
            ContactPatch {
                organisation_id: Some(Some(org.id)),
                ..ContactPatch::default()
            },
        )
        .await
        .unwrap();
    let t = created(
        e.intake
            .ingest(
                "helpdesk",
                &mail("jan@gmail.com", "Koppeling", "jan1@gmail.com", "", "x"),
                None,
            )
            .await
            .unwrap(),
    );
    assert_eq!(t.organisation_id, Some(org.id));
    let subject = format!("Re: [#{}] Koppeling", t.number);

    // (a) Another user of the same public mail provider.
    let o = e
        .intake
        .ingest(
            "helpdesk",
            &mail("piet@gmail.com", &subject, "piet1@gmail.com", "", "Ik ook"),
            None,
        )
        .await
        .unwrap();
    let new = created(o);
    assert_ne!(new.number, t.number);
    let notes = e.service.store().messages(new.id, true).await.unwrap();
    assert!(notes.iter().any(|m| m.body_text.contains(&format!("#{}", t.number))));

    // (b) A stranger quoting the Message-ID of Loket's own mail to Jan.
    let sent = claim(&e).await;
    let to_jan = sent.iter().find(|c| c.mail.to == "jan@gmail.com").unwrap();
    let header = format!(
        "In-Reply-To: <{}>\r\nReferences: <{}>\r\n",
        to_jan.mail_message_id, to_jan.mail_message_id
    );
    let o = e
        .intake
        .ingest(
            "helpdesk",
            &mail("vreemde@elders.nl", "Re: iets", "v1@elders.nl", &header, "Hallo"),
            None,
        )
        .await
        .unwrap();
    assert_ne!(created(o).number, t.number);
    // Jan himself threads by the same header.
    let o = e
        .intake
        .ingest(
            "helpdesk",
            &mail("jan@gmail.com", "Re: iets", "jan2@gmail.com", &header, "Aanvulling"),
            None,
        )
        .await
        .unwrap();
    assert!(matches!(o, Outcome::Appended(ref x) if x.number == t.number), "{o:?}");
    // A colleague of the organisation's own domain does too.
    let o = e
        .intake
        .ingest(
            "helpdesk",
            &mail("kees@zuid.nl", &subject, "kees1@zuid.nl", "", "Collega"),
            None,
        )
        .await
        .unwrap();
    assert!(matches!(o, Outcome::Appended(ref x) if x.number == t.number), "{o:?}");
}

#[tokio::test]
async fn a_forged_staff_address_gets_no_staff_rights() {
    let mut e = env().await;
    e.service
        .create_staff(&Actor::System, "agent@leverancier.nl", "Agent", Role::Agent)
        .await
        .unwrap();
    let t = e
        .service
        .create_ticket(
            &Actor::System,
            CreateTicket::new("Privé", "Mijn gegevens", "jan@gemeente.nl", Channel::Portal),
        )
        .await
        .unwrap();
    let subject = format!("[#{}] Privé", t.number);
    let results = "Authentication-Results: mx.leverancier.nl; dmarc=pass header.from=leverancier.nl\r\n";
    // Without a trusted receiving server configured, nothing is authenticated.
    let o = e
        .intake
        .ingest(
            "helpdesk",
            &mail("agent@leverancier.nl", &subject, "f1@x", results, "Vervalst"),
            None,
        )
        .await
        .unwrap();
    assert_ne!(created(o).number, t.number);
    e.intake = e.intake.clone().with_settings(IntakeSettings {
        trusted_authserv_id: Some("mx.leverancier.nl".into()),
        ..IntakeSettings::default()
    });
    // Results from another server, or failing ones, do not count either.
    for (id, header) in [
        (
            "f2@x",
            "Authentication-Results: mx.elders.nl; dmarc=pass header.from=leverancier.nl\r\n",
        ),
        (
            "f3@x",
            "Authentication-Results: mx.leverancier.nl; dmarc=fail header.from=leverancier.nl\r\n",
        ),
    ] {
        let o = e
            .intake
            .ingest(
                "helpdesk",
                &mail("agent@leverancier.nl", &subject, id, header, "Vervalst"),
                None,
            )
            .await
            .unwrap();
        assert_ne!(created(o).number, t.number, "{header}");
    }
    // Authenticated staff mail lands on the ticket as the agent's internal note.
    let o = e
        .intake
        .ingest(
            "helpdesk",
            &mail("agent@leverancier.nl", &subject, "ok@x", results, "Echt"),
            None,
        )
        .await
        .unwrap();
    assert!(matches!(o, Outcome::Appended(ref x) if x.number == t.number), "{o:?}");
    let last = e.service.store().messages(t.id, true).await.unwrap().pop().unwrap();
    assert_eq!(last.kind, MessageKind::Internal);
    assert!(matches!(last.author, Author::Staff(_)));
}

#[tokio::test]
async fn a_mail_with_sixteen_thousand_references_is_stored() {
    let e = env().await;
    let refs: Vec<String> = (0..16_400).map(|i| format!("<gok.{i}@leverancier.nl>")).collect();
    let header = format!("References: {}\r\n", refs.join(" "));
    let o = e
        .intake
        .ingest(
            "helpdesk",
            &mail("jan@gemeente.nl", "Veel", "veel@gemeente.nl", &header, "x"),
            None,
        )
        .await
        .unwrap();
    let t = created(o);
    let m = &e.service.store().messages(t.id, true).await.unwrap()[0];
    let kept = m.mail_references.as_deref().unwrap_or_default().split(' ').count();
    assert_eq!(kept, loket_mail::parse::MAX_REFERENCES, "bounded when read");
    assert!(
        m.mail_references.as_deref().unwrap().contains("gok.16399@"),
        "the most recent ones"
    );
}

#[tokio::test]
async fn a_mail_too_large_waits_in_quarantine_without_being_loaded() {
    let mut e = env().await;
    e.intake = e.intake.clone().with_settings(IntakeSettings {
        max_mail_bytes: 10_000,
        ..IntakeSettings::default()
    });
    let big = mail("jan@gemeente.nl", "Groot", "groot@gemeente.nl", "", &"x".repeat(20_000));
    let o = e.intake.ingest("helpdesk", &big, None).await.unwrap();
    assert!(
        matches!(o, Outcome::Quarantined(ref why) if why.contains("too large")),
        "{o:?}"
    );
    let q = e.service.store().list_quarantine(10).await.unwrap();
    assert_eq!(
        (q.len(), q[0].size, q[0].next_attempt_at),
        (1, i64::try_from(big.len()).unwrap(), None)
    );
    let (raw, blob) = e.service.store().quarantined_raw(q[0].id).await.unwrap().unwrap();
    assert!(raw.len() < 500 && blob.is_none(), "only its header is kept");
    assert!(
        e.service
            .store()
            .list_tickets(&TicketFilter {
                limit: 10,
                ..TicketFilter::default()
            })
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        e.intake.retry_quarantine().await.unwrap(),
        0,
        "not retried by the clock"
    );
    assert!(
        matches!(
            e.intake.ingest("helpdesk", &big, None).await.unwrap(),
            Outcome::Deferred
        ),
        "one entry"
    );
    // Piped in, Loket keeps the bytes (streamed to the blob store), and takes
    // the mail in once an administrator raises the limit and retries.
    let other = mail(
        "jan@gemeente.nl",
        "Ook groot",
        "groot2@gemeente.nl",
        "",
        &"y".repeat(20_000),
    );
    for expected_new in [true, false] {
        let staged = e.service.blobs().stage(&other).await.unwrap();
        let o = e
            .intake
            .ingest_oversized(
                "helpdesk",
                loket_mail::intake::head_of(&other),
                Some(staged),
                other.len() as u64,
                None,
            )
            .await
            .unwrap();
        assert_eq!(matches!(o, Outcome::Quarantined(_)), expected_new, "{o:?}");
    }
    let q = e.service.store().list_quarantine(10).await.unwrap();
    let piped = q
        .iter()
        .find(|m| m.message_id.as_deref() == Some("groot2@gemeente.nl"))
        .unwrap();
    let still = e.intake.retry_one(piped.id).await.unwrap();
    assert!(matches!(still, Outcome::Quarantined(_)), "{still:?}");
    let larger = e.intake.clone().with_settings(IntakeSettings::default());
    let o = larger.retry_one(piped.id).await.unwrap();
    assert!(
        matches!(o, Outcome::Created(ref t) if t.subject == "Ook groot"),
        "{o:?}"
    );
    assert_eq!(e.service.store().list_quarantine(10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_forged_mail_claiming_a_message_id_first_cannot_make_the_real_one_vanish() {
    let e = env().await;
    let id = "CAF123456789@mail.gmail.com";
    created(
        e.intake
            .ingest("helpdesk", &mail("mallory@evil.nl", "spam", id, "", "x"), None)
            .await
            .unwrap(),
    );
    let real = mail("alice@klant-a.nl", "Dringend", id, "", "Productie ligt stil");
    let t = created(e.intake.ingest("helpdesk", &real, None).await.unwrap());
    let m = &e.service.store().messages(t.id, true).await.unwrap()[0];
    assert!(m.body_text.contains("Productie ligt stil"));
    assert_eq!(m.mail_message_id, None, "taken in without the claimed id");
    // The real mail again, from the same sender, is the same mail.
    assert_eq!(
        e.intake.ingest("helpdesk", &real, None).await.unwrap(),
        Outcome::Duplicate
    );
}

#[tokio::test]
async fn removing_a_message_for_good_empties_the_mail_it_came_from() {
    let e = env().await;
    let t = created(
        e.intake
            .ingest(
                "helpdesk",
                &mail(
                    "alice@klant-a.nl",
                    "Lijst",
                    "bsn@klant-a.nl",
                    "",
                    "GEHEIM-BSN-987654321",
                ),
                None,
            )
            .await
            .unwrap(),
    );
    let m = e.service.store().messages(t.id, true).await.unwrap()[0].id;
    let raw = e.service.store().raw_mail(m).await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&raw).contains("GEHEIM-BSN-987654321"));
    let admin = Actor::Staff(
        e.service
            .create_staff(&Actor::System, "agent@leverancier.nl", "Agent", Role::Agent)
            .await
            .unwrap(),
    );
    e.service.remove_message(&admin, t.number, m, "privacy").await.unwrap();
    assert_eq!(e.service.store().raw_mail(m).await.unwrap(), Some(Vec::new()));
    // Still recognised, never taken in again.
    assert_eq!(
        e.intake
            .ingest(
                "helpdesk",
                &mail(
                    "alice@klant-a.nl",
                    "Lijst",
                    "bsn@klant-a.nl",
                    "",
                    "GEHEIM-BSN-987654321"
                ),
                None
            )
            .await
            .unwrap(),
        Outcome::Duplicate
    );
}

#[tokio::test]
async fn a_very_long_body_is_cut_on_the_ticket_and_kept_whole_as_a_file() {
    let e = env().await;
    let text = "regel met tekst\r\n".repeat(200_000); // 3.4 MB
    let t = created(
        e.intake
            .ingest(
                "helpdesk",
                &mail("jan@gemeente.nl", "Logboek", "lang@gemeente.nl", "", &text),
                None,
            )
            .await
            .unwrap(),
    );
    let m = &e.service.store().messages(t.id, true).await.unwrap()[0];
    assert!(m.body_text.len() < 1_100_000 && m.body_text.contains("bericht-volledig.txt"));
    let atts = e.service.store().attachments(t.id).await.unwrap();
    let full = atts.iter().find(|a| a.filename == "bericht-volledig.txt").unwrap();
    assert!(full.size > 3_000_000, "{}", full.size);
}

#[tokio::test]
async fn a_colleagues_mail_is_recorded_as_written_by_the_colleague() {
    let e = env().await;
    let admin = Actor::Staff(
        e.service
            .create_staff(&Actor::System, "agent@leverancier.nl", "Agent", Role::Agent)
            .await
            .unwrap(),
    );
    e.service
        .create_organisation(&admin, "Gemeente Oost", &["oost.nl".into()])
        .await
        .unwrap();
    let t = created(
        e.intake
            .ingest(
                "helpdesk",
                &mail("req@oost.nl", "Koppeling", "r1@oost.nl", "", "x"),
                None,
            )
            .await
            .unwrap(),
    );
    let subject = format!("Re: [#{}] Koppeling", t.number);
    e.intake
        .ingest(
            "helpdesk",
            &mail("Collega <collega@oost.nl>", &subject, "c1@oost.nl", "", "Sluit maar"),
            None,
        )
        .await
        .unwrap();
    let last = e.service.store().messages(t.id, true).await.unwrap().pop().unwrap();
    let colleague = e
        .service
        .store()
        .contact_by_email("collega@oost.nl")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last.author, Author::Contact(colleague.id));
    assert_ne!(colleague.id, t.requester_id);
}
