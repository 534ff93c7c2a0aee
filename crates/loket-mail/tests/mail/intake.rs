//! The intake pipeline on a real store: new tickets, threading, duplicates
//! across mailboxes, automatic mail, strangers, quarantine, and a corpus of
//! real-world mail.

use super::env;
use loket_core::service::{Actor, Reply};
use loket_core::store::TicketFilter;
use loket_core::*;
use loket_mail::Outcome;

pub fn mail(from: &str, subject: &str, id: &str, extra: &str, body: &str) -> Vec<u8> {
    format!("From: {from}\r\nTo: helpdesk@leverancier.nl\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n{extra}Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n")
        .into_bytes()
}

fn created(o: Outcome) -> Ticket {
    match o {
        Outcome::Created(t) => t,
        other => panic!("expected a new ticket, got {other:?}"),
    }
}

#[tokio::test]
async fn mail_makes_a_ticket_with_confirmation_and_replies_thread() {
    let e = env().await;
    let t = created(
        e.intake
            .ingest(
                "helpdesk",
                &mail(
                    "Jan Jansen <jan@gemeente.nl>",
                    "Printer kapot",
                    "m1@gemeente.nl",
                    "",
                    "Hij doet het niet.",
                ),
                None,
            )
            .await
            .unwrap(),
    );
    assert_eq!(
        (t.department, t.status, t.channel, t.mailbox.as_deref()),
        (Department::Helpdesk, Status::New, Channel::Email, Some("helpdesk"))
    );
    let outbox = e.service.store().pending_outbox(10).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        (outbox[0].1.kind, outbox[0].1.to.as_str()),
        (MailKind::Confirmation, "jan@gemeente.nl")
    );
    let admin = Actor::Staff(
        e.service
            .create_staff(&Actor::System, "agent@leverancier.nl", "Agent", Role::Agent)
            .await
            .unwrap(),
    );
    e.service
        .agent_reply(&admin, t.number, Reply::text("Probeer opnieuw op te starten."))
        .await
        .unwrap();

    // By the ticket tag in the subject.
    let subject = format!("Re: [#{}] Printer kapot", t.number);
    let o = e
        .intake
        .ingest(
            "helpdesk",
            &mail(
                "jan@gemeente.nl",
                &subject,
                "m2@gemeente.nl",
                "",
                "Werkt nog steeds niet.",
            ),
            None,
        )
        .await
        .unwrap();
    let Outcome::Appended(t2) = o else { panic!("{o:?}") };
    assert_eq!((t2.number, t2.status), (t.number, Status::Open));
    // By In-Reply-To, without a tag.
    let o = e
        .intake
        .ingest(
            "helpdesk",
            &mail(
                "jan@gemeente.nl",
                "Re: Printer",
                "m3@gemeente.nl",
                "In-Reply-To: <m2@gemeente.nl>\r\n",
                "Nog iets.",
            ),
            None,
        )
        .await
        .unwrap();
    assert!(matches!(o, Outcome::Appended(ref x) if x.number == t.number), "{o:?}");
    assert_eq!(e.service.store().messages(t.id, true).await.unwrap().len(), 4);
}

#[tokio::test]
async fn updates_mailbox_and_one_ticket_per_message_id() {
    let e = env().await;
    let raw = mail(
        "a@gemeente.nl",
        "Graag update naar 7.4",
        "dubbel@gemeente.nl",
        "",
        "Wanneer kan dat?",
    );
    let t = created(e.intake.ingest("updates", &raw, Some((7, 1))).await.unwrap());
    assert_eq!(t.department, Department::Updates);
    assert_eq!(
        e.intake.ingest("helpdesk", &raw, Some((3, 9))).await.unwrap(),
        Outcome::Duplicate,
        "same Message-ID, other mailbox"
    );
    assert_eq!(
        e.intake.ingest("updates", &raw, Some((7, 1))).await.unwrap(),
        Outcome::Duplicate,
        "same UID"
    );
    let all = e
        .service
        .store()
        .list_tickets(&TicketFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    assert!(
        e.intake.ingest("kantine", &raw, None).await.is_err(),
        "unknown mailbox stores nothing"
    );
}

#[tokio::test]
async fn out_of_office_is_kept_but_never_answered() {
    let e = env().await;
    let t = created(
        e.intake
            .ingest(
                "helpdesk",
                &mail("jan@gemeente.nl", "Vraag", "q1@gemeente.nl", "", "Vraag?"),
                None,
            )
            .await
            .unwrap(),
    );
    let ooo = mail(
        "jan@gemeente.nl",
        &format!("Automatisch antwoord: [#{}] Vraag", t.number),
        "ooo1@gemeente.nl",
        "Auto-Submitted: auto-replied\r\n",
        "Ik ben afwezig tot maandag.",
    );
    let o = e.intake.ingest("helpdesk", &ooo, None).await.unwrap();
    let Outcome::Automatic(t2) = o else { panic!("{o:?}") };
    assert_eq!(t2.status, Status::New, "no status change");
    // An auto-reply that starts a thread of its own gets a ticket but no confirmation.
    let stray = mail(
        "robot@elders.nl",
        "Out of office",
        "ooo2@elders.nl",
        "X-Autoreply: yes\r\n",
        "Away.",
    );
    created(e.intake.ingest("helpdesk", &stray, None).await.unwrap());
    let kinds: Vec<String> = e
        .service
        .store()
        .pending_outbox(10)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, m)| m.to)
        .collect();
    assert_eq!(
        kinds,
        vec!["jan@gemeente.nl".to_string()],
        "only the first, human mail was confirmed"
    );
}

#[tokio::test]
async fn confirmations_to_one_address_are_rate_limited() {
    let e = env().await;
    for i in 0..8 {
        created(
            e.intake
                .ingest(
                    "helpdesk",
                    &mail(
                        "loop@elders.nl",
                        &format!("Bericht {i}"),
                        &format!("l{i}@elders.nl"),
                        "",
                        "x",
                    ),
                    None,
                )
                .await
                .unwrap(),
        );
    }
    let sent = e.service.store().pending_outbox(100).await.unwrap().len();
    assert_eq!(
        i64::try_from(sent).unwrap(),
        loket_core::service::AUTOMATIC_MAILS_PER_HOUR
    );
}

#[tokio::test]
async fn a_stranger_naming_a_ticket_gets_a_new_linked_ticket() {
    let e = env().await;
    let t = created(
        e.intake
            .ingest(
                "helpdesk",
                &mail("jan@gemeente-a.nl", "Vraag", "s1@a.nl", "", "x"),
                None,
            )
            .await
            .unwrap(),
    );
    let o = e
        .intake
        .ingest(
            "helpdesk",
            &mail(
                "piet@gemeente-b.nl",
                &format!("Re: [#{}] Vraag", t.number),
                "s2@b.nl",
                "",
                "Ik wil meelezen",
            ),
            None,
        )
        .await
        .unwrap();
    let other = created(o);
    assert_ne!(other.number, t.number);
    let notes = e.service.store().messages(other.id, true).await.unwrap();
    assert!(
        notes
            .iter()
            .any(|m| m.kind == MessageKind::Internal && m.body_text.contains(&t.number.to_string()))
    );
    assert_eq!(
        e.service.store().messages(t.id, true).await.unwrap().len(),
        1,
        "nothing appended to the stranger's ticket"
    );
}

#[tokio::test]
async fn what_cannot_be_processed_is_quarantined_with_a_reason() {
    let e = env().await;
    let o = e
        .intake
        .ingest("helpdesk", b"\x00\x01 dit is geen mail", None)
        .await
        .unwrap();
    assert!(matches!(o, Outcome::NotMail(_)), "{o:?}");
    let o = e
        .intake
        .ingest("helpdesk", b"Subject: zonder afzender\r\n\r\nx", None)
        .await
        .unwrap();
    assert!(
        matches!(o, Outcome::Quarantined(ref why) if why.contains("sender")),
        "{o:?}"
    );
    let q = e.service.store().list_quarantine(10).await.unwrap();
    assert_eq!(q.len(), 2);
    assert!(
        q.iter()
            .all(|m| !m.reason.is_empty() && m.attempts == 1 && m.next_attempt_at.is_some())
    );
    // The raw bytes are kept for the retry.
    assert!(e.service.store().quarantined_raw(q[1].id).await.unwrap().is_some());
    // The same mail again, before its retry time, is deferred; the job retries
    // it when due and doubles the wait when it fails again.
    assert_eq!(
        e.intake
            .ingest("helpdesk", b"Subject: zonder afzender\r\n\r\nx", None)
            .await
            .unwrap(),
        Outcome::Deferred
    );
    assert_eq!(e.intake.retry_quarantine().await.unwrap(), 0, "nothing due yet");
    e.clock.set(e.clock.now() + chrono::Duration::minutes(16));
    assert_eq!(
        e.intake.retry_quarantine().await.unwrap(),
        0,
        "still not a mail with a sender"
    );
    let q = e.service.store().list_quarantine(10).await.unwrap();
    assert_eq!(q[1].attempts, 2);
    let wait = q[1].next_attempt_at.unwrap() - e.clock.now();
    assert!(wait > chrono::Duration::minutes(25), "backoff grows: {wait}");
    // A retry of the same mail updates its entry instead of adding one.
    e.clock.set(e.clock.now() + chrono::Duration::hours(2));
    e.intake
        .ingest("helpdesk", b"Subject: zonder afzender\r\n\r\nx", None)
        .await
        .unwrap();
    let q = e.service.store().list_quarantine(10).await.unwrap();
    assert_eq!((q.len(), q[1].attempts), (2, 3));
}

#[tokio::test]
async fn real_world_corpus_parses_without_panic() {
    let e = env().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = walk(&dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    assert!(files.len() > 50, "corpus present");
    let (mut tickets, mut quarantined) = (0, 0);
    for f in &files {
        let raw = std::fs::read(f).unwrap();
        match e.intake.ingest("helpdesk", &raw, None).await {
            Ok(Outcome::Created(_) | Outcome::Appended(_) | Outcome::Automatic(_) | Outcome::Duplicate) => tickets += 1,
            Ok(Outcome::Quarantined(why) | Outcome::NotMail(why)) => {
                assert!(!why.is_empty(), "{}", f.display());
                quarantined += 1;
            }
            // The same bytes quarantined moments ago wait for their retry.
            Ok(Outcome::Deferred) => quarantined += 1,
            Err(err) => panic!("{}: {err}", f.display()),
        }
    }
    assert_eq!(tickets + quarantined, files.len());
    assert!(
        tickets > files.len() / 2,
        "most real mail becomes tickets: {tickets} of {}",
        files.len()
    );
    eprintln!(
        "corpus: {} files, {tickets} stored, {quarantined} quarantined",
        files.len()
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test]
async fn a_bounce_lands_on_its_ticket_and_marks_the_address_undeliverable() {
    let e = env().await;
    let t = created(
        e.intake
            .ingest(
                "helpdesk",
                &mail("weg@gemeente.nl", "Vraag", "b1@gemeente.nl", "", "x"),
                None,
            )
            .await
            .unwrap(),
    );
    // The confirmation gets its Message-ID when the sender claims it.
    let now = e.service.now();
    let claimed = e
        .service
        .store()
        .claim_outbox(now, now, "loket.test", 10)
        .await
        .unwrap();
    let sent_id = &claimed[0].mail_message_id;
    let dsn = format!(
        "From: MAILER-DAEMON@mx.gemeente.nl\r\nTo: helpdesk@leverancier.nl\r\nSubject: Undelivered Mail Returned to Sender\r\n\
Message-ID: <dsn1@mx.gemeente.nl>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n\
--B\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n\
--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.gemeente.nl\r\n\r\nFinal-Recipient: rfc822; weg@gemeente.nl\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n\
--B\r\nContent-Type: message/rfc822\r\n\r\nFrom: helpdesk@leverancier.nl\r\nTo: weg@gemeente.nl\r\nSubject: [#{}] Vraag\r\nMessage-ID: <{sent_id}>\r\n\r\nBevestiging\r\n\
--B--\r\n",
        t.number
    );
    let o = e.intake.ingest("helpdesk", dsn.as_bytes(), None).await.unwrap();
    assert!(matches!(o, Outcome::Automatic(ref x) if x.number == t.number), "{o:?}");
    assert!(e.service.store().is_undeliverable("weg@gemeente.nl").await.unwrap());
    assert!(!e.service.store().is_undeliverable("jan@gemeente.nl").await.unwrap());
}

#[tokio::test]
async fn quoted_history_is_folded_in_display_and_kept_in_storage() {
    let e = env().await;
    let body = "Het werkt weer, dank!\r\n\r\nOp 2 mrt. 2026 om 09:00 schreef Helpdesk <h@leverancier.nl>:\r\n> Probeer opnieuw op te starten.";
    let t = created(
        e.intake
            .ingest(
                "helpdesk",
                &mail("jan@gemeente.nl", "Opgelost", "fold@gemeente.nl", "", body),
                None,
            )
            .await
            .unwrap(),
    );
    let m = &e.service.store().messages(t.id, true).await.unwrap()[0];
    assert!(
        m.body_text.contains("Probeer opnieuw op te starten."),
        "kept in storage"
    );
    assert!(m.body_html.contains("<details"), "folded in display: {}", m.body_html);
    let shown = m.body_html.split("<details").next().unwrap();
    assert!(shown.contains("Het werkt weer") && !shown.contains("Probeer opnieuw"));
    let q = loket_core::store::SearchQuery {
        text: "opstarten opnieuw".into(),
        shared: None,
        requester: None,
        organisation: None,
        limit: 10,
    };
    let _ = e.service.store().search(&q).await.unwrap();
    let q = loket_core::store::SearchQuery {
        text: "Probeer".into(),
        shared: None,
        requester: None,
        organisation: None,
        limit: 10,
    };
    assert_eq!(
        e.service.store().search(&q).await.unwrap().len(),
        1,
        "the history stays searchable"
    );
}

#[tokio::test]
async fn spam_with_a_ban_sends_later_mail_to_quarantine_and_merged_tickets_thread_on() {
    let e = env().await;
    let agent = Actor::Staff(
        e.service
            .create_staff(&Actor::System, "agent@leverancier.nl", "Agent", Role::Agent)
            .await
            .unwrap(),
    );
    let spam = created(
        e.intake
            .ingest(
                "helpdesk",
                &mail("win@prijs.example", "Gewonnen!", "s1@prijs.example", "", "Klik hier"),
                None,
            )
            .await
            .unwrap(),
    );
    let marked = e
        .service
        .mark_spam(&agent, spam.number, loket_core::service::SpamBan::Domain)
        .await
        .unwrap();
    assert_eq!(marked.status, Status::Resolved);
    assert!(marked.labels.contains(&"spam".to_owned()));
    let later = e
        .intake
        .ingest(
            "helpdesk",
            &mail("ander@prijs.example", "Nog meer", "s2@prijs.example", "", "Klik"),
            None,
        )
        .await
        .unwrap();
    assert!(
        matches!(later, Outcome::Quarantined(ref why) if why.contains("banned")),
        "{later:?}"
    );
    // A public provider's domain or a customer's is never banned whole.
    let gmail = created(
        e.intake
            .ingest(
                "helpdesk",
                &mail("iemand@gmail.com", "Hoi", "g1@gmail.com", "", "x"),
                None,
            )
            .await
            .unwrap(),
    );
    assert!(matches!(
        e.service
            .mark_spam(&agent, gmail.number, loket_core::service::SpamBan::Domain)
            .await,
        Err(DomainError::Conflict(_))
    ));
    // The ban lifted, mail comes in again.
    e.service.unban_sender(&agent, "@prijs.example").await.unwrap();
    let again = e
        .intake
        .ingest(
            "helpdesk",
            &mail("derde@prijs.example", "Weer", "s3@prijs.example", "", "x"),
            None,
        )
        .await
        .unwrap();
    assert!(matches!(again, Outcome::Created(_)), "{again:?}");

    // Mail naming a merged ticket lands on the one it was merged into.
    let a = created(
        e.intake
            .ingest(
                "helpdesk",
                &mail("jan@gemeente.nl", "Export", "e1@gemeente.nl", "", "Fout 42"),
                None,
            )
            .await
            .unwrap(),
    );
    let b = created(
        e.intake
            .ingest(
                "helpdesk",
                &mail("jan@gemeente.nl", "Export 2", "e2@gemeente.nl", "", "Nog steeds"),
                None,
            )
            .await
            .unwrap(),
    );
    e.service.merge(&agent, a.number, b.number).await.unwrap();
    let reply = mail(
        "jan@gemeente.nl",
        &format!("Re: [#{}] Export", a.number),
        "e3@gemeente.nl",
        "",
        "Hier is de log",
    );
    let outcome = e.intake.ingest("helpdesk", &reply, None).await.unwrap();
    match outcome {
        Outcome::Appended(on) => assert_eq!(on.number, b.number),
        other => panic!("expected the reply on the merged ticket, got {other:?}"),
    }
}
