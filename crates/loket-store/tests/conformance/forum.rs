//! The forum: categories (admins), topics and replies with files, follower
//! mails, search, the solution, moderation with its audit trail, bans and a
//! topic turned into a ticket.

use super::harness::{Env, both};
use loket_core::forum::Moderation;
use loket_core::service::{Actor, Upload};
use loket_core::*;

async fn contact(env: &Env, email: &str, name: &str) -> Actor {
    let mut t = super::tickets::new_ticket("Vraag", "Een vraag", email);
    t.requester_name = Some(name.into());
    env.service.create_ticket(&env.admin, t).await.unwrap();
    Actor::Contact(env.store.contact_by_email(email).await.unwrap().unwrap())
}

async fn forum_mails(env: &Env, kind: MailKind) -> Vec<String> {
    let mut to: Vec<String> = env
        .store
        .pending_outbox(1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, m)| m.kind == kind)
        .map(|(_, m)| m.to)
        .collect();
    to.sort();
    to
}

async fn topics_replies_and_moderation(env: &Env) {
    let s = &env.service;
    let admin = &env.admin;
    let agent = Actor::Staff(
        s.create_staff(admin, "anna@leverancier.nl", "Anna", Role::Agent)
            .await
            .unwrap(),
    );
    let jan = contact(env, "jan@aa.nl", "Jan").await;
    let piet = contact(env, "piet@bee.nl", "Piet").await;
    assert!(matches!(
        s.create_forum_category(&agent, "BI", "").await,
        Err(DomainError::Forbidden(_))
    ));
    let bi = s
        .create_forum_category(admin, "BI-rapportages", "Vragen over rapporten")
        .await
        .unwrap();
    let other = s.create_forum_category(admin, "Koppelingen", "").await.unwrap();
    assert!(matches!(
        s.create_forum_category(admin, "BI-rapportages", "").await,
        Err(DomainError::Conflict(_))
    ));

    // Jan starts a topic with a file; Piet replies; Jan (a follower) is mailed.
    let file = Upload::bytes("overzicht.csv", "text/csv", b"maand;aantal\n1;2\n".to_vec());
    let topic = s
        .start_forum_topic(
            &jan,
            bi.id,
            "Rapportage  wachttijden",
            "Hoe **filter** ik op maand?",
            &[file],
        )
        .await
        .unwrap();
    assert!(
        s.start_forum_topic(&jan, 999, "X", "Y", &[]).await.is_err(),
        "an unknown category"
    );
    assert!(
        s.start_forum_topic(&jan, bi.id, "  ", "Y", &[]).await.is_err(),
        "no title"
    );
    assert!(s.reply_forum(&piet, topic, "   ", &[]).await.is_err(), "no text");
    let reply = s
        .reply_forum(&piet, topic, "Via het filtermenu rechtsboven.", &[])
        .await
        .unwrap();
    assert_eq!(
        forum_mails(env, MailKind::ForumReply).await,
        vec!["jan@aa.nl"],
        "not to its writer"
    );
    let again = s
        .reply_forum(&piet, topic, "Via het filtermenu rechtsboven.", &[])
        .await
        .unwrap();
    assert_eq!(again, reply, "sent twice, posted once");
    assert_eq!(forum_mails(env, MailKind::ForumReply).await.len(), 1);
    let page = s.forum_topic(None, topic).await.unwrap();
    assert_eq!(page.topic.title, "Rapportage wachttijden");
    assert_eq!(page.topic.replies, 1);
    assert_eq!(page.posts.len(), 2);
    assert_eq!(page.posts[0].author.name, "Jan");
    assert!(!page.posts[0].author.name.contains('@'), "never an address");
    let file = &page.posts[0].files[0];
    assert_eq!((file.filename.as_str(), file.size), ("overzicht.csv", 17));
    assert!(env.store.blob_in_use(&file.sha256).await.unwrap());
    assert_eq!(s.forum_file(None, file.id).await.unwrap().post_id, page.posts[0].id);
    let cats = s.forum_categories().await.unwrap();
    assert_eq!(cats.iter().find(|c| c.id == bi.id).map(|c| c.topics), Some(1));

    // Search: stems, visible posts only.
    let found = s.search_forum("filtermenu", 10).await.unwrap();
    assert_eq!(found.iter().map(|t| t.id).collect::<Vec<_>>(), vec![topic]);
    assert_eq!(
        s.search_forum("rapportages", 10).await.unwrap().len(),
        1,
        "the title too"
    );
    s.moderate_forum(&agent, topic, Moderation::HidePost(reply, true))
        .await
        .unwrap();
    assert!(s.search_forum("filtermenu", 10).await.unwrap().is_empty());
    assert_eq!(s.forum_topic(Some(&jan), topic).await.unwrap().posts.len(), 1);
    assert_eq!(s.forum_topic(Some(&agent), topic).await.unwrap().posts.len(), 2);
    assert!(
        s.moderate_forum(&agent, topic, Moderation::HidePost(page.posts[0].id, true))
            .await
            .is_err(),
        "the opening post goes with its topic"
    );
    s.moderate_forum(&agent, topic, Moderation::HidePost(reply, false))
        .await
        .unwrap();

    // The solution: the starter or staff, not another contact; followers are mailed.
    assert!(matches!(
        s.mark_forum_solution(&piet, topic, reply).await,
        Err(DomainError::Forbidden(_))
    ));
    assert!(
        s.mark_forum_solution(&agent, topic, page.posts[0].id).await.is_err(),
        "a reply only"
    );
    s.mark_forum_solution(&agent, topic, reply).await.unwrap();
    assert_eq!(s.forum_topic(None, topic).await.unwrap().topic.solution, Some(reply));
    assert_eq!(
        forum_mails(env, MailKind::ForumSolution).await,
        vec!["jan@aa.nl", "piet@bee.nl"]
    );
    s.mark_forum_solution(&jan, topic, reply).await.unwrap();
    assert_eq!(
        forum_mails(env, MailKind::ForumSolution).await.len(),
        2,
        "marked again: no mail"
    );

    // Moderation: contacts may not; hidden topics are not found by others.
    for step in [
        Moderation::HideTopic(true),
        Moderation::Lock(true),
        Moderation::Move(other.id),
    ] {
        assert!(matches!(
            s.moderate_forum(&jan, topic, step).await,
            Err(DomainError::Forbidden(_))
        ));
    }
    s.moderate_forum(&agent, topic, Moderation::Lock(true)).await.unwrap();
    assert!(matches!(
        s.reply_forum(&piet, topic, "Nog iets", &[]).await,
        Err(DomainError::Conflict(_))
    ));
    s.reply_forum(&agent, topic, "Staff may still add to it.", &[])
        .await
        .unwrap();
    s.moderate_forum(&agent, topic, Moderation::Move(other.id))
        .await
        .unwrap();
    s.moderate_forum(&agent, topic, Moderation::HideTopic(true))
        .await
        .unwrap();
    for who in [None, Some(&jan), Some(&piet)] {
        assert!(matches!(s.forum_topic(who, topic).await, Err(DomainError::NotFound(_))));
        assert!(s.forum_topics(who, None, 50).await.unwrap().is_empty());
        assert!(s.forum_file(who, file.id).await.is_err());
    }
    assert_eq!(s.forum_topics(Some(&agent), Some(other.id), 50).await.unwrap().len(), 1);
    assert!(s.search_forum("filtermenu", 10).await.unwrap().is_empty());
    let trail: Vec<String> = env
        .store
        .audit_of(&format!("forum_topic:{topic}"))
        .await
        .unwrap()
        .into_iter()
        .map(|e| format!("{} {}", e.action, e.actor))
        .collect();
    for action in [
        "forum.hide_post",
        "forum.show_post",
        "forum.solution",
        "forum.lock",
        "forum.move",
        "forum.hide",
    ] {
        assert!(trail.iter().any(|e| e.starts_with(action)), "{action} in {trail:?}");
    }

    // A banned contact cannot post; the ban is audited and can be lifted.
    s.moderate_forum(&agent, topic, Moderation::HideTopic(false))
        .await
        .unwrap();
    let Actor::Contact(pc) = &piet else { unreachable!() };
    assert!(s.ban_forum_contact(&jan, pc.id, Some("spam"), None).await.is_err());
    s.ban_forum_contact(&agent, pc.id, Some("Reclame"), Some(topic))
        .await
        .unwrap();
    assert!(matches!(
        s.start_forum_topic(&piet, bi.id, "Te koop", "Goedkope printers", &[])
            .await,
        Err(DomainError::Forbidden(_))
    ));
    let banned = env.store.audit_of(&format!("contact:{}", pc.id.0)).await.unwrap();
    assert!(banned.iter().any(|e| e.action == "forum.ban"));
    assert_eq!(env.store.forum_bans().await.unwrap().len(), 1);
    let Actor::Contact(jc) = &jan else { unreachable!() };
    s.ban_forum_contact(&agent, jc.id, Some("Test"), None).await.unwrap();
    assert!(
        matches!(
            s.mark_forum_solution(&jan, topic, reply).await,
            Err(DomainError::Forbidden(_))
        ),
        "a banned starter marks nothing"
    );
    s.ban_forum_contact(&agent, jc.id, None, None).await.unwrap();
    s.ban_forum_contact(&agent, pc.id, None, None).await.unwrap();
    assert!(env.store.forum_bans().await.unwrap().is_empty());

    // Following: the mailed link ends it, and nobody mails the unfollowed.
    s.moderate_forum(&agent, topic, Moderation::Lock(false)).await.unwrap();
    let sub = env
        .store
        .set_forum_subscription(topic, pc.id, true, s.now())
        .await
        .unwrap()
        .unwrap();
    let token = s.forum_unsubscribe_token(sub).await.unwrap();
    assert!(s.end_forum_subscription("1-00").await.is_err(), "a forged link");
    assert_eq!(s.end_forum_subscription(&token).await.unwrap(), topic);
    assert_eq!(
        s.end_forum_subscription(&token).await.unwrap(),
        topic,
        "the link answers again: unsubscribed"
    );
    assert!(!s.follows_forum_topic(&piet, topic).await.unwrap());
    s.follow_forum_topic(&jan, topic, false).await.unwrap();
    let before = forum_mails(env, MailKind::ForumReply).await.len();
    s.reply_forum(&agent, topic, "Nog een aanvulling.", &[]).await.unwrap();
    assert_eq!(
        forum_mails(env, MailKind::ForumReply).await.len(),
        before,
        "nobody follows"
    );

    // A contact's chosen forum name shows on new posts; the name on record stays.
    s.set_forum_name(&jan, "Jan de Vries").await.unwrap();
    assert!(s.set_forum_name(&jan, "jan@aa.nl").await.is_err());
    let named = s.reply_forum(&jan, topic, "Met mijn naam.", &[]).await.unwrap();
    let posts = s.forum_topic(None, topic).await.unwrap().posts;
    assert_eq!(
        posts.iter().find(|p| p.id == named).map(|p| p.author.name.as_str()),
        Some("Jan de Vries")
    );
    assert_eq!(
        env.store.contact_by_email("jan@aa.nl").await.unwrap().unwrap().name,
        "Jan"
    );

    // A topic becomes a ticket of its starter, once.
    assert!(s.forum_topic_to_ticket(&jan, topic, "http://x/forum").await.is_err());
    let number = s
        .forum_topic_to_ticket(&agent, topic, "http://x/forum/1")
        .await
        .unwrap();
    assert_eq!(
        s.forum_topic_to_ticket(&agent, topic, "http://x").await.unwrap(),
        number
    );
    let ticket = env.store.ticket_by_number(number).await.unwrap().unwrap();
    assert_eq!(ticket.subject, "Rapportage wachttijden");
    let files = env.store.attachments(ticket.id).await.unwrap();
    assert_eq!(
        files
            .iter()
            .map(|f| (f.filename.as_str(), f.sha256.as_str()))
            .collect::<Vec<_>>(),
        vec![("overzicht.csv", file.sha256.as_str())],
        "the first post's file goes along, not copied"
    );
    let Actor::Contact(j) = &jan else { unreachable!() };
    assert_eq!(ticket.requester_id, j.id);
    assert_eq!(s.forum_topic(None, topic).await.unwrap().topic.ticket, Some(number));
}

both!(topics_replies_and_moderation_on, topics_replies_and_moderation);
