//! The forum's rules: who may read, post, follow and moderate; the checks on
//! titles, texts and files; a topic turned into a ticket. Hidden topics and
//! posts exist for staff only: to anyone else they are "not found".

use super::subscribers::SubscriberLink;
use super::{Actor, CreateTicket, DESK_STAFF, Service, Upload};
use crate::forum::{Category, ForumFile, Moderation, NewPost, Post, Poster, Topic};
use crate::*;

/// Longest topic title, in characters.
pub const MAX_TOPIC_TITLE: usize = 150;
/// Longest category name, in characters.
const MAX_CATEGORY_NAME: usize = 80;
/// Longest ban reason, in characters.
const MAX_REASON: usize = 500;

/// A topic with the posts the reader may see.
#[derive(Debug, Clone)]
pub struct TopicPage {
    /// The topic.
    pub topic: Topic,
    /// Its posts in order (hidden ones for staff only).
    pub posts: Vec<Post>,
}

/// Whether a name may show on the forum: Latin letters (accents too),
/// spaces, `-`, `.` and `'`, at most 60 characters; nothing that reads as an
/// address or as another script's look-alike.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 60
        && name.chars().any(char::is_alphabetic)
        && name.chars().all(|ch| {
            ch.is_ascii_alphabetic()
                || (('\u{c0}'..='\u{17e}').contains(&ch) && ch.is_alphabetic())
                || " -.'".contains(ch)
        })
}

/// Whether a stored post is `new` sent again: the same writer, text and files.
fn same_post(stored: &Post, new: &NewPost) -> bool {
    let mut a: Vec<&str> = stored.files.iter().map(|f| f.sha256.as_str()).collect();
    let mut b: Vec<&str> = new.files.iter().map(|f| f.sha256.as_str()).collect();
    a.sort_unstable();
    b.sort_unstable();
    stored.author.id == new.author.id && stored.body == new.body && !stored.hidden && a == b
}

fn is_desk_staff(actor: Option<&Actor>) -> bool {
    actor
        .and_then(Actor::staff)
        .is_some_and(|s| DESK_STAFF.contains(&s.role))
}

impl Service {
    /// The name a post shows for `actor`: a contact's name (with their
    /// organisation), never their address; a staff member's name.
    async fn forum_author(&self, actor: &Actor) -> Result<Poster> {
        match actor {
            Actor::Staff(s) => Ok(Poster {
                id: actor.audit_id(),
                name: s.name.clone(),
                staff: true,
            }),
            Actor::Contact(c) => {
                let organisation = match c.organisation_id {
                    Some(o) => self.store.get_organisation(o).await?.map(|o| o.name),
                    None => None,
                };
                // The name the contact chose for the forum; else the one on
                // record, which anyone can give with a ticket form: only a
                // plain name (letters, spaces, - . ') is shown, never an
                // address; without one, a pseudonym that counts nothing.
                let chosen = self.store.forum_name(c.id).await?;
                let name = chosen.as_deref().unwrap_or(&c.name).trim();
                let plain = plain_name(name);
                let name = match (plain, organisation) {
                    (true, Some(o)) => format!("{name} ({o})"),
                    (true, None) => name.to_owned(),
                    (false, Some(o)) => format!("Gebruiker van {o}"),
                    (false, None) => format!(
                        "Forumlid {}",
                        &self
                            .link_mac(&actor.audit_id(), SubscriberLink::ForumUnsubscribe)
                            .await?[..6]
                    ),
                };
                Ok(Poster {
                    id: actor.audit_id(),
                    name,
                    staff: false,
                })
            }
            Actor::System => Err(DomainError::Forbidden("only people post on the forum".into())),
        }
    }

    /// Whether `actor` may post: desk staff, or a contact not banned.
    async fn may_post(&self, actor: &Actor) -> Result<()> {
        match actor {
            Actor::Contact(c) => match self.store.forum_ban(c.id).await? {
                Some(_) => Err(DomainError::Forbidden("you may not post on the forum".into())),
                None => Ok(()),
            },
            _ => actor.require_staff(DESK_STAFF, "post on the forum").map(|_| ()),
        }
    }

    /// Checks a post's text and stages its files.
    async fn forum_post(&self, actor: &Actor, body: &str, uploads: &[Upload]) -> Result<(NewPost, super::StagedFiles)> {
        self.check_text(body, Field::Message, false)?;
        let files = self.stage_uploads(uploads, false).await?;
        let post = NewPost {
            author: self.forum_author(actor).await?,
            body: body.trim().replace("\r\n", "\n"),
            files: files.attachments.clone(),
            subscribe: matches!(actor, Actor::Contact(_)),
        };
        Ok((post, files))
    }

    /// The categories with their counts of visible topics.
    pub async fn forum_categories(&self) -> Result<Vec<Category>> {
        self.store.forum_categories().await
    }

    /// Adds a category (admins).
    pub async fn create_forum_category(&self, actor: &Actor, name: &str, description: &str) -> Result<Category> {
        actor.require_staff(&[Role::Admin], "manage forum categories")?;
        let name = crate::problem::clean_line(name, Field::Subject, MAX_CATEGORY_NAME)?;
        let description = description.trim();
        if description.chars().count() > 200 || description.chars().any(char::is_control) {
            return Err(DomainError::invalid(
                "the description is at most 200 characters, without control characters",
            ));
        }
        self.store
            .create_forum_category(&name, description, &self.stamp(actor))
            .await
    }

    /// A category's topics (hidden ones for desk staff), newest activity first.
    pub async fn forum_topics(&self, actor: Option<&Actor>, category: Option<i64>, limit: i64) -> Result<Vec<Topic>> {
        self.store
            .forum_topics(category, is_desk_staff(actor), limit.clamp(1, 500))
            .await
    }

    /// A topic as `actor` (none: an anonymous visitor) may see it.
    pub async fn forum_topic(&self, actor: Option<&Actor>, id: i64) -> Result<TopicPage> {
        let staff = is_desk_staff(actor);
        let gone = || DomainError::not_found(format!("topic {id}"));
        let topic = self.store.forum_topic(id).await?.ok_or_else(gone)?;
        if topic.hidden && !staff {
            return Err(gone());
        }
        let mut posts = self.store.forum_posts(id).await?;
        if !staff {
            posts.retain(|p| !p.hidden);
        }
        Ok(TopicPage { topic, posts })
    }

    /// A file of a post `actor` may see.
    pub async fn forum_file(&self, actor: Option<&Actor>, id: i64) -> Result<ForumFile> {
        let gone = || DomainError::not_found("file");
        let file = self.store.forum_file(id).await?.ok_or_else(gone)?;
        // The file's post and topic must be visible to the reader.
        let page = self.forum_topic(actor, file.topic_id).await.map_err(|_| gone())?;
        if page.posts.iter().any(|p| p.id == file.post_id) {
            Ok(file)
        } else {
            Err(gone())
        }
    }

    /// Starts a topic in a category; its writer (a contact) follows it.
    pub async fn start_forum_topic(
        &self,
        actor: &Actor,
        category: i64,
        title: &str,
        body: &str,
        uploads: &[Upload],
    ) -> Result<i64> {
        self.may_post(actor).await?;
        if !self.store.forum_categories().await?.iter().any(|c| c.id == category) {
            return Err(DomainError::not_found(format!("category {category}")));
        }
        let title = super::create::clean_subject(title)?;
        if title.chars().count() > MAX_TOPIC_TITLE {
            return Err(Problem::TooLong(Field::Subject, MAX_TOPIC_TITLE).into());
        }
        let (post, files) = self.forum_post(actor, body, uploads).await?;
        let now = self.now();
        for t in self.store.forum_topics(Some(category), false, 20).await? {
            let recent =
                t.author.id == post.author.id && t.title == title && now - t.created_at < chrono::Duration::minutes(10);
            if recent
                && self
                    .store
                    .forum_posts(t.id)
                    .await?
                    .first()
                    .is_some_and(|p| same_post(p, &post))
            {
                return Ok(t.id); // sent twice: the topic made the first time
            }
        }
        let id = self.store.create_forum_topic(category, &title, &post, now).await?;
        self.keep(&files).await;
        Ok(id)
    }

    /// Replies to a topic; its followers but the writer get a mail.
    pub async fn reply_forum(&self, actor: &Actor, topic: i64, body: &str, uploads: &[Upload]) -> Result<i64> {
        self.may_post(actor).await?;
        let page = self.forum_topic(Some(actor), topic).await?;
        if page.topic.locked && !is_desk_staff(Some(actor)) {
            return Err(DomainError::Conflict("this topic is locked".into()));
        }
        let (post, files) = self.forum_post(actor, body, uploads).await?;
        // Sent twice (back and send again, a double click): the first one.
        let now = self.now();
        if let Some(p) = page
            .posts
            .iter()
            .rev()
            .find(|p| same_post(p, &post) && now - p.created_at < chrono::Duration::minutes(10))
        {
            return Ok(p.id);
        }
        let id = self.store.add_forum_post(topic, &post, now).await?;
        self.keep(&files).await;
        Ok(id)
    }

    /// Marks a reply as the solution: desk staff, or the contact who started
    /// the topic. Its followers get a mail.
    pub async fn mark_forum_solution(&self, actor: &Actor, topic: i64, post: i64) -> Result<()> {
        let page = self.forum_topic(Some(actor), topic).await?;
        let starter = matches!(actor, Actor::Contact(c) if page.topic.author.contact() == Some(c.id));
        if starter {
            // The starter as a writer: not when banned, nor in a locked topic.
            self.may_post(actor).await?;
            if page.topic.locked {
                return Err(DomainError::Conflict("this topic is locked".into()));
            }
        } else {
            actor.require_staff(DESK_STAFF, "mark a solution")?;
        }
        if !page.posts.iter().skip(1).any(|p| p.id == post && !p.hidden) {
            return Err(DomainError::not_found(format!("reply {post}")));
        }
        if page.topic.solution == Some(post) {
            return Ok(()); // marked already: nobody is mailed again
        }
        self.store
            .moderate_forum(topic, &Moderation::Solution(post), &self.stamp(actor))
            .await
    }

    /// A moderation step by desk staff, recorded in the topic's audit trail.
    pub async fn moderate_forum(&self, actor: &Actor, topic: i64, step: Moderation) -> Result<()> {
        actor.require_staff(DESK_STAFF, "moderate the forum")?;
        let page = self.forum_topic(Some(actor), topic).await?;
        match &step {
            Moderation::Move(c) if !self.store.forum_categories().await?.iter().any(|x| x.id == *c) => {
                return Err(DomainError::not_found(format!("category {c}")));
            }
            Moderation::HidePost(p, _) | Moderation::Solution(p) if !page.posts.iter().any(|x| x.id == *p) => {
                return Err(DomainError::not_found(format!("post {p}")));
            }
            Moderation::HidePost(p, true) if page.posts.first().is_some_and(|x| x.id == *p) => {
                return Err(DomainError::invalid("hide the topic to hide its opening post"));
            }
            _ => {}
        }
        self.store.moderate_forum(topic, &step, &self.stamp(actor)).await
    }

    /// Bans a contact from posting (`reason`), or lifts the ban (`None`);
    /// done from a topic's page, it is in that topic's history too.
    pub async fn ban_forum_contact(
        &self,
        actor: &Actor,
        contact: ContactId,
        reason: Option<&str>,
        topic: Option<i64>,
    ) -> Result<()> {
        actor.require_staff(DESK_STAFF, "ban contacts from the forum")?;
        self.store
            .get_contact(contact)
            .await?
            .ok_or_else(|| DomainError::not_found("contact"))?;
        let reason = match reason.map(str::trim) {
            Some("") => return Err(DomainError::invalid("give a reason for the ban")),
            Some(r) if r.chars().count() > MAX_REASON => {
                return Err(DomainError::invalid("the reason is longer than 500 characters"));
            }
            Some(r) if r.chars().any(char::is_control) => {
                return Err(DomainError::invalid("the reason holds control characters"));
            }
            r => r,
        };
        self.store
            .set_forum_ban(contact, reason, topic, &self.stamp(actor))
            .await
    }

    /// Follows a topic (a contact who may read it), or stops.
    pub async fn follow_forum_topic(&self, actor: &Actor, topic: i64, on: bool) -> Result<()> {
        let Actor::Contact(c) = actor else {
            return Err(DomainError::Forbidden("only contacts follow topics".into()));
        };
        self.forum_topic(Some(actor), topic).await?;
        self.store.set_forum_subscription(topic, c.id, on, self.now()).await?;
        Ok(())
    }

    /// Whether `actor` follows a topic.
    pub async fn follows_forum_topic(&self, actor: &Actor, topic: i64) -> Result<bool> {
        match actor {
            Actor::Contact(c) => self.store.forum_subscribed(topic, c.id).await,
            _ => Ok(false),
        }
    }

    /// The token of the unsubscribe link in a forum mail: `ID-MAC`, the MAC
    /// over the subscription, its topic and its contact (so a link outlives
    /// neither its subscription nor a reuse of its id).
    pub async fn forum_unsubscribe_token(&self, subscription: i64) -> Result<String> {
        let (topic, contact) = self
            .store
            .forum_subscription(subscription)
            .await?
            .ok_or_else(|| DomainError::not_found("subscription"))?;
        let subject = format!("{subscription}.{topic}.{}", contact.0);
        let mac = self.link_mac(&subject, SubscriberLink::ForumUnsubscribe).await?;
        Ok(format!("{subscription}-{mac}"))
    }

    /// The subscription a forum link names, when its MAC is right: the topic and contact.
    async fn forum_subscription_of(&self, token: &str) -> Result<(i64, ContactId)> {
        let gone = || DomainError::not_found("this link");
        let (id, mac) = token.split_once('-').ok_or_else(gone)?;
        let id: i64 = id.parse().map_err(|_| gone())?;
        let (topic, contact) = self.store.forum_subscription(id).await?.ok_or_else(gone)?;
        let subject = format!("{id}.{topic}.{}", contact.0);
        let want = self.link_mac(&subject, SubscriberLink::ForumUnsubscribe).await?;
        if super::subscribers::same_mac(&want, mac) {
            Ok((topic, contact))
        } else {
            Err(gone())
        }
    }

    /// The title of the topic a forum unsubscribe link names.
    pub async fn forum_unsubscribe_topic(&self, token: &str) -> Result<String> {
        let (topic, _) = self.forum_subscription_of(token).await?;
        Ok(self
            .store
            .forum_topic(topic)
            .await?
            .map(|t| t.title)
            .unwrap_or_default())
    }

    /// Ends a forum subscription by its mailed link; answers the topic.
    pub async fn end_forum_subscription(&self, token: &str) -> Result<i64> {
        let (topic, contact) = self.forum_subscription_of(token).await?;
        self.store
            .set_forum_subscription(topic, contact, false, self.now())
            .await?;
        Ok(topic)
    }

    /// The name a contact chose for the forum, or the one on record.
    pub async fn forum_name_of(&self, contact: &Contact) -> Result<String> {
        Ok(self
            .store
            .forum_name(contact.id)
            .await?
            .unwrap_or_else(|| contact.name.clone()))
    }

    /// A contact sets the name their forum posts show (empty: none, so a
    /// pseudonym); only a plain name is accepted. It is the forum's alone:
    /// the name staff keep for the contact stays as it is.
    pub async fn set_forum_name(&self, actor: &Actor, name: &str) -> Result<()> {
        let Actor::Contact(c) = actor else {
            return Err(DomainError::Forbidden("only contacts have a forum name".into()));
        };
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if !name.is_empty() && !plain_name(&name) {
            return Err(DomainError::invalid(
                "a name holds letters, spaces, hyphens, dots and apostrophes only, at most 60",
            ));
        }
        self.store.set_forum_name(c.id, &name, self.now()).await
    }

    /// Visible topics matching a search.
    pub async fn search_forum(&self, query: &str, limit: i64) -> Result<Vec<Topic>> {
        if query.chars().count() > 200 {
            return Err(DomainError::invalid("the search is longer than 200 characters"));
        }
        self.store.search_forum(query, limit.clamp(1, 100)).await
    }

    /// Turns a topic into a ticket of the contact who started it (agents):
    /// its title and opening post, with a link back. Asked again, it answers
    /// the same ticket.
    pub async fn forum_topic_to_ticket(&self, actor: &Actor, topic: i64, link: &str) -> Result<TicketNumber> {
        actor.require_staff(DESK_STAFF, "turn topics into tickets")?;
        let page = self.forum_topic(Some(actor), topic).await?;
        if let Some(n) = page.topic.ticket {
            return Ok(n);
        }
        let contact = match page.topic.author.contact() {
            Some(c) => self.store.get_contact(c).await?,
            None => None,
        }
        .ok_or_else(|| DomainError::invalid("a topic started by staff cannot become a ticket"))?;
        let first = page.posts.first().map(|p| p.body.clone()).unwrap_or_default();
        let mut input = CreateTicket::new(
            &page.topic.title,
            &format!("{first}\n\n(Forum: {link})"),
            &contact.email,
            Channel::Portal,
        );
        input.request_key = Some(format!("forum-topic:{topic}"));
        // The first post's files go along, referred to where they are kept.
        input.attachments = page
            .posts
            .first()
            .map(|p| {
                p.files
                    .iter()
                    .map(|f| Upload {
                        filename: f.filename.clone(),
                        media_type: f.media_type.clone(),
                        content: super::UploadContent::Stored {
                            sha256: f.sha256.clone(),
                            size: u64::try_from(f.size).unwrap_or(0),
                        },
                    })
                    .collect()
            })
            .unwrap_or_default();
        let ticket = self.create_ticket(actor, input).await?;
        self.store
            .moderate_forum(topic, &Moderation::Ticket(ticket.number), &self.stamp(actor))
            .await?;
        Ok(ticket.number)
    }
}
