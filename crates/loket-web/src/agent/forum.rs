//! Forum moderation in the workspace: every topic (hidden ones too), the
//! categories (admins add them), banned contacts, and per topic its posts
//! with hide, lock, move, solution, ban, reply as staff and "turn into a
//! ticket", with the topic's audit trail. Agents and admins.

use super::{Frame, SignedIn, Texts, check_csrf, texts};
use crate::AppState;
use crate::portal::page::{PageError, PageForm, PagePath, render};
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::forum::Moderation;
use loket_core::service::DESK_STAFF;
use loket_core::*;

/// The moderation pages' own words.
pub(crate) struct Words {
    title: &'static str,
    intro: &'static str,
    public: &'static str,
    topics: &'static str,
    none: &'static str,
    categories: &'static str,
    add_category: &'static str,
    name: &'static str,
    description: &'static str,
    bans: &'static str,
    no_bans: &'static str,
    unban: &'static str,
    hidden: &'static str,
    locked: &'static str,
    solved: &'static str,
    hide: &'static str,
    show: &'static str,
    lock: &'static str,
    unlock: &'static str,
    move_to: &'static str,
    move_button: &'static str,
    solution: &'static str,
    mark_solution: &'static str,
    ban: &'static str,
    reason: &'static str,
    banned: &'static str,
    to_ticket: &'static str,
    ticket: &'static str,
    reply: &'static str,
    post_reply: &'static str,
    history: &'static str,
    staff_badge: &'static str,
    topic: &'static str,
    category: &'static str,
    writer: &'static str,
    last_post: &'static str,
    privacy: &'static str,
}

const NL: Words = Words {
    title: "Forum",
    intro: "Modereer het forum: verberg of sluit onderwerpen, verplaats ze, verberg berichten en blokkeer contacten. Elke stap komt in de geschiedenis van het onderwerp.",
    public: "Het forum op het portaal",
    topics: "Onderwerpen",
    none: "Er zijn nog geen onderwerpen.",
    categories: "Categorieën",
    add_category: "Categorie toevoegen",
    name: "Naam",
    description: "Omschrijving",
    bans: "Geblokkeerd op het forum",
    no_bans: "Niemand is geblokkeerd.",
    unban: "Blokkade opheffen",
    hidden: "verborgen",
    locked: "gesloten",
    solved: "opgelost",
    hide: "Verbergen",
    show: "Weer tonen",
    lock: "Sluiten",
    unlock: "Heropenen",
    move_to: "Verplaatsen naar",
    move_button: "Verplaatsen",
    solution: "Oplossing",
    mark_solution: "Markeer als oplossing",
    ban: "Blokkeer schrijver",
    reason: "Reden",
    banned: "geblokkeerd",
    to_ticket: "Maak hier een ticket van",
    ticket: "Ticket",
    reply: "Reageren als helpdesk",
    post_reply: "Reactie plaatsen",
    history: "Geschiedenis",
    staff_badge: "Helpdesk",
    topic: "Onderwerp",
    category: "Categorie",
    writer: "Schrijver",
    last_post: "Laatste bericht",
    privacy: "Uw reactie lijkt persoonsgegevens te bevatten en het forum is voor iedereen te lezen; haal ze weg.",
};

const EN: Words = Words {
    title: "Forum",
    intro: "Moderate the forum: hide or lock topics, move them, hide posts and ban contacts. Every step goes into the topic's history.",
    public: "The forum on the portal",
    topics: "Topics",
    none: "There are no topics yet.",
    categories: "Categories",
    add_category: "Add category",
    name: "Name",
    description: "Description",
    bans: "Banned from the forum",
    no_bans: "Nobody is banned.",
    unban: "Lift ban",
    hidden: "hidden",
    locked: "locked",
    solved: "solved",
    hide: "Hide",
    show: "Show again",
    lock: "Lock",
    unlock: "Reopen",
    move_to: "Move to",
    move_button: "Move",
    solution: "Solution",
    mark_solution: "Mark as solution",
    ban: "Ban writer",
    reason: "Reason",
    banned: "banned",
    to_ticket: "Turn into a ticket",
    ticket: "Ticket",
    reply: "Reply as the helpdesk",
    post_reply: "Post reply",
    history: "History",
    staff_badge: "Helpdesk",
    topic: "Topic",
    category: "Category",
    writer: "Writer",
    last_post: "Last post",
    privacy: "Your reply seems to hold personal data and anyone can read the forum; remove it.",
};

/// A history entry's action in words; `{}` stands for its value.
fn action_words(action: &str, lang: Lang) -> &str {
    let nl = lang == Lang::Nl;
    match action {
        "forum.hide" => {
            if nl {
                "onderwerp verborgen"
            } else {
                "topic hidden"
            }
        }
        "forum.show" => {
            if nl {
                "onderwerp weer getoond"
            } else {
                "topic shown again"
            }
        }
        "forum.lock" => {
            if nl {
                "gesloten"
            } else {
                "locked"
            }
        }
        "forum.unlock" => {
            if nl {
                "heropend"
            } else {
                "reopened"
            }
        }
        "forum.move" => {
            if nl {
                "verplaatst naar {}"
            } else {
                "moved to {}"
            }
        }
        "forum.hide_post" => {
            if nl {
                "bericht #{} verborgen"
            } else {
                "post #{} hidden"
            }
        }
        "forum.show_post" => {
            if nl {
                "bericht #{} weer getoond"
            } else {
                "post #{} shown again"
            }
        }
        "forum.solution" => {
            if nl {
                "bericht #{} gemarkeerd als oplossing"
            } else {
                "post #{} marked as the solution"
            }
        }
        "forum.ticket" => {
            if nl {
                "ticket {} gemaakt"
            } else {
                "ticket {} made"
            }
        }
        "forum.ban" => {
            if nl {
                "schrijver {} geblokkeerd"
            } else {
                "writer {} banned"
            }
        }
        other => other,
    }
}

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}

#[derive(Template)]
#[template(path = "agent/forum.html")]
struct ForumAdmin<'a> {
    t: &'a Texts,
    w: &'a Words,
    frame: Frame,
    /// Id, title, category, author, flags, last post.
    topics: Vec<(i64, String, String, String, String, String)>,
    /// Id, name, topics.
    categories: Vec<(i64, String, i64)>,
    /// Contact id, address, reason.
    bans: Vec<(i64, String, String)>,
    error: Option<String>,
}

fn flags(w: &Words, hidden: bool, locked: bool, solved: bool) -> String {
    [(hidden, w.hidden), (locked, w.locked), (solved, w.solved)]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, l)| *l)
        .collect::<Vec<_>>()
        .join(", ")
}

async fn list_page(s: &AppState, me: super::Signed, error: Option<String>) -> Result<Response, PageError> {
    let lang = me.lang;
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let w = words(lang);
    let cats = s.service.forum_categories().await.map_err(fail)?;
    let zone = s.portal.time_zone;
    let topics = s
        .service
        .forum_topics(Some(&me.actor()), None, 200)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|t| {
            let cat = cats
                .iter()
                .find(|c| c.id == t.category_id)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            let f = flags(w, t.hidden, t.locked, t.solution.is_some());
            (t.id, t.title, cat, t.author.name, f, zone.date_time(t.last_post_at))
        })
        .collect();
    let bans = s
        .service
        .store()
        .forum_bans()
        .await
        .map_err(fail)?
        .into_iter()
        .map(|(id, email, reason)| (id.0, email, reason))
        .collect();
    let page = ForumAdmin {
        t: texts(lang),
        w,
        frame: me.frame,
        topics,
        categories: cats.into_iter().map(|c| (c.id, c.name, c.topics)).collect(),
        bans,
        error,
    };
    Ok(render(&page, &me.cookies, lang))
}

/// `GET /agent/forum`.
pub async fn view_forum_admin_get(State(s): State<AppState>, SignedIn(me): SignedIn) -> Result<Response, PageError> {
    me.require(DESK_STAFF)?;
    list_page(&s, me, None).await
}

/// What a refused step says on the page; `None` for errors shown as pages.
fn said(e: &DomainError, lang: Lang) -> Option<String> {
    match e {
        DomainError::Invalid(Problem::Other(why)) | DomainError::Conflict(why) => {
            Some(super::messages::rule_message(why, lang))
        }
        DomainError::Invalid(p) => Some(crate::portal::problem_text(p, lang)),
        _ => None,
    }
}

/// `POST /agent/forum`: adds a category (admins) or lifts a ban.
pub async fn view_forum_admin_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    headers: HeaderMap,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let field = |name: &str| super::field(&fields, name);
    check_csrf(&s, &headers, &field("csrf"), lang)?;
    me.require(DESK_STAFF)?;
    let actor = me.actor();
    let result = match field("action").as_str() {
        "category" => {
            me.require(&[Role::Admin])?;
            s.service
                .create_forum_category(&actor, &field("name"), &field("description"))
                .await
                .map(|_| ())
        }
        "unban" => {
            let contact = field("contact").parse().map_err(|_| PageError::bad_request(lang))?;
            s.service
                .ban_forum_contact(&actor, ContactId(contact), None, None)
                .await
        }
        _ => return Err(PageError::bad_request(lang)),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/agent/forum").into_response()),
        Err(e) => match said(&e, lang) {
            Some(why) => list_page(&s, me, Some(why)).await,
            None => Err(PageError::from_domain(&e, lang)),
        },
    }
}

/// A post as the moderation page shows it.
struct PostView {
    id: i64,
    author: String,
    staff: bool,
    /// The contact who wrote it, and whether they are banned.
    contact: Option<(i64, bool)>,
    at: String,
    html: String,
    hidden: bool,
    solution: bool,
    /// Id, name.
    files: Vec<(i64, String)>,
}

#[derive(Template)]
#[template(path = "agent/forum_topic.html")]
struct TopicAdmin<'a> {
    t: &'a Texts,
    w: &'a Words,
    frame: Frame,
    id: i64,
    title: String,
    category: i64,
    flags: String,
    hidden: bool,
    locked: bool,
    ticket: Option<TicketNumber>,
    posts: Vec<PostView>,
    categories: Vec<(i64, String)>,
    /// Time, who, what.
    history: Vec<(String, String, String)>,
    error: Option<String>,
    /// A refused staff reply's text.
    draft: String,
}

async fn topic_page(
    s: &AppState,
    me: super::Signed,
    id: i64,
    error: Option<String>,
    draft: String,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let w = words(lang);
    let page = s.service.forum_topic(Some(&me.actor()), id).await.map_err(fail)?;
    let zone = s.portal.time_zone;
    let banned: Vec<i64> = s
        .service
        .store()
        .forum_bans()
        .await
        .map_err(fail)?
        .into_iter()
        .map(|(c, _, _)| c.0)
        .collect();
    let staff: std::collections::HashMap<String, String> = s
        .service
        .store()
        .list_staff()
        .await
        .map_err(fail)?
        .into_iter()
        .map(|m| (format!("staff:{}", m.id.0), m.name))
        .collect();
    let categories: Vec<(i64, String)> = s
        .service
        .forum_categories()
        .await
        .map_err(fail)?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    // The writers' addresses (staff may see them), by contact id.
    let mut emails = std::collections::HashMap::new();
    for c in page.posts.iter().filter_map(|p| p.author.contact()) {
        // Each writer once, however many posts they wrote.
        if !emails.contains_key(&c.0.to_string())
            && let Some(contact) = s.service.store().get_contact(c).await.map_err(fail)?
        {
            emails.insert(c.0.to_string(), contact.email);
        }
    }
    let history = s
        .service
        .store()
        .audit_of(&format!("forum_topic:{id}"))
        .await
        .map_err(fail)?
        .into_iter()
        .rev()
        .map(|e| {
            let who = staff.get(&e.actor).cloned().unwrap_or(e.actor);
            // The value that says what: a category's name, a post or ticket number.
            let value = match (e.action.as_str(), e.new_value) {
                ("forum.hide" | "forum.show" | "forum.lock" | "forum.unlock", _) | (_, None) => String::new(),
                ("forum.move", Some(v)) => categories
                    .iter()
                    .find(|(id, _)| id.to_string() == v)
                    .map_or(v.clone(), |(_, n)| n.clone()),
                ("forum.ban", Some(v)) => match v.strip_prefix("contact:").and_then(|c| emails.get(c)) {
                    Some(email) => email.clone(),
                    None => v,
                },
                (_, Some(v)) => v,
            };
            let what = action_words(&e.action, lang).replace("{}", &value);
            (zone.date_time(e.at), who, what)
        })
        .collect();
    let t = &page.topic;
    let view = TopicAdmin {
        t: texts(lang),
        w,
        frame: me.frame,
        id,
        title: t.title.clone(),
        category: t.category_id,
        flags: flags(w, t.hidden, t.locked, t.solution.is_some()),
        hidden: t.hidden,
        locked: t.locked,
        ticket: t.ticket,
        posts: page
            .posts
            .iter()
            .map(|p| PostView {
                id: p.id,
                author: match p.author.contact().and_then(|c| emails.get(&c.0.to_string())) {
                    Some(email) => format!("{} <{email}>", p.author.name),
                    None => p.author.name.clone(),
                },
                staff: p.author.staff,
                contact: p.author.contact().map(|c| (c.0, banned.contains(&c.0))),
                at: zone.date_time(p.created_at),
                html: loket_core::html::markdown(&p.body),
                hidden: p.hidden,
                solution: t.solution == Some(p.id),
                files: p.files.iter().map(|f| (f.id, f.filename.clone())).collect(),
            })
            .collect(),
        categories,
        history,
        error,
        draft,
    };
    Ok(render(&view, &me.cookies, lang))
}

/// `GET /agent/forum/{id}`.
pub async fn view_forum_topic_admin_get(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PagePath(id): PagePath<i64>,
) -> Result<Response, PageError> {
    me.require(DESK_STAFF)?;
    topic_page(&s, me, id, None, String::new()).await
}

/// `POST /agent/forum/{id}`: one moderation step (`action`), a staff reply
/// or "turn into a ticket".
pub async fn view_forum_topic_admin_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PagePath(id): PagePath<i64>,
    headers: HeaderMap,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let field = |name: &str| super::field(&fields, name);
    check_csrf(&s, &headers, &field("csrf"), lang)?;
    me.require(DESK_STAFF)?;
    let actor = me.actor();
    let number = |name: &str| field(name).parse::<i64>().map_err(|_| PageError::bad_request(lang));
    let back = format!("/agent/forum/{id}");
    let step = match field("action").as_str() {
        "hide" => Moderation::HideTopic(true),
        "show" => Moderation::HideTopic(false),
        "lock" => Moderation::Lock(true),
        "unlock" => Moderation::Lock(false),
        "move" => Moderation::Move(number("category")?),
        "hide_post" => Moderation::HidePost(number("post")?, true),
        "show_post" => Moderation::HidePost(number("post")?, false),
        "solution" => Moderation::Solution(number("post")?),
        "ban" => {
            let contact = ContactId(number("contact")?);
            let reason = field("reason");
            return match s
                .service
                .ban_forum_contact(&actor, contact, Some(&reason), Some(id))
                .await
            {
                Ok(()) => Ok(Redirect::to(&back).into_response()),
                Err(e) => refused(&s, me, id, &e).await,
            };
        }
        "reply" => {
            let body = field("body");
            let seen = format!("{body}\n{}", loket_core::html::markdown_text(&body));
            let found = s.service.check_submission(&me.staff.email, &seen, &[]).await;
            if found.is_ok_and(|f| !f.is_empty()) {
                let why = words(lang).privacy.to_owned();
                return topic_page(&s, me, id, Some(why), body).await;
            }
            return match s.service.reply_forum(&actor, id, &body, &[]).await {
                Ok(post) => Ok(Redirect::to(&format!("{back}#bericht-{post}")).into_response()),
                Err(e) => match said(&e, lang) {
                    Some(why) => topic_page(&s, me, id, Some(why), body).await,
                    None => Err(PageError::from_domain(&e, lang)),
                },
            };
        }
        "ticket" => {
            let link = format!("{}/forum/onderwerp/{id}", s.portal.public_url.trim_end_matches('/'));
            return match s.service.forum_topic_to_ticket(&actor, id, &link).await {
                Ok(n) => Ok(Redirect::to(&format!("/agent/tickets/{n}")).into_response()),
                Err(e) => refused(&s, me, id, &e).await,
            };
        }
        _ => return Err(PageError::bad_request(lang)),
    };
    let done = match step {
        Moderation::Solution(post) => s.service.mark_forum_solution(&actor, id, post).await,
        step => s.service.moderate_forum(&actor, id, step).await,
    };
    match done {
        Ok(()) => Ok(Redirect::to(&back).into_response()),
        Err(e) => refused(&s, me, id, &e).await,
    }
}

async fn refused(s: &AppState, me: super::Signed, id: i64, e: &DomainError) -> Result<Response, PageError> {
    let lang = me.lang;
    match said(e, lang) {
        Some(why) => topic_page(s, me, id, Some(why), String::new()).await,
        None => Err(PageError::from_domain(e, lang)),
    }
}

/// `GET /agent/forum/bijlage/{id}`: a post's file (hidden posts too).
pub async fn view_forum_file_admin_get(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PagePath(id): PagePath<i64>,
) -> Result<Response, PageError> {
    me.require(DESK_STAFF)?;
    crate::portal::forum::forum_download(&s, Some(&me.actor()), id, me.lang).await
}
