//! The forum on the portal: categories, a category's topics with the form
//! to start one, and search. Readable by anyone, or by logged-in contacts
//! only (`forum_public = false`); writing needs a login.

mod texts;
mod topic;

pub use texts::{ForumTexts, forum_texts};
pub(crate) use topic::forum_download;
pub use topic::{
    view_forum_file_get, view_forum_follow_post, view_forum_reply_post, view_forum_solution_post, view_forum_topic_get,
    view_forum_unsubscribe_get, view_forum_unsubscribe_post,
};

use super::i18n::{Texts, texts};
use super::page::{Chrome, PageError, PagePath, PageQuery, chrome_as, render};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::forum::Topic;
use loket_core::service::Actor;
use loket_core::*;
use serde::Deserialize;

/// Topics one visitor address may start per hour (a council's users may
/// share one address).
const TOPICS_PER_IP_PER_HOUR: i64 = 60;
/// Posts one contact may write per hour.
const POSTS_PER_CONTACT_PER_HOUR: i64 = 30;

/// The reader: the logged-in contact, if any; when the forum is for
/// logged-in contacts only, a visitor without a login goes to the login page
/// first (which comes back to `path`).
async fn reader(s: &AppState, headers: &HeaderMap, path: &str) -> Result<Option<Contact>, PageError> {
    let lang = super::language(headers);
    let me = super::session::current(s, headers)
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?
        .map(|(c, _)| c);
    if me.is_none() && !s.portal.forum_public {
        return Err(PageError::login_first(path, lang));
    }
    Ok(me)
}

/// Checks a post for other people's personal data: `Some(why)` when it is
/// stopped (and counted as prevented). The forum is public: no "send anyway".
pub(super) async fn privacy_stop(
    s: &AppState,
    sender: &str,
    text: &str,
    files: &[loket_core::service::Upload],
    lang: Lang,
) -> Result<Option<String>, PageError> {
    let seen = format!("{text}\n{}", loket_core::html::markdown_text(text));
    let found = super::privacy::stopped(s, sender, &seen, files, lang).await?;
    Ok(found.map(|f| {
        format!(
            "{} {}",
            super::privacy::found_lines(&f, lang),
            forum_texts(lang).stopped_public
        )
    }))
}

/// A topic as lists show it.
struct TopicRow {
    id: i64,
    title: String,
    author: String,
    replies: i64,
    last: String,
    last_iso: String,
    solved: bool,
    locked: bool,
}

fn rows(s: &AppState, topics: Vec<Topic>) -> Vec<TopicRow> {
    let zone = s.portal.time_zone;
    topics
        .into_iter()
        .map(|t| TopicRow {
            id: t.id,
            title: t.title,
            author: t.author.name,
            replies: t.replies,
            last: zone.date_time(t.last_post_at),
            last_iso: zone.iso(t.last_post_at),
            solved: t.solution.is_some(),
            locked: t.locked,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "portal/forum.html")]
struct ForumPage<'a> {
    t: &'a Texts,
    f: &'a ForumTexts,
    chrome: Chrome,
    /// Id, name, description, topics, last post.
    categories: Vec<(i64, String, String, i64, String)>,
    /// The newest topics.
    topics: Vec<TopicRow>,
    /// The logged-in contact's name (empty: none).
    my_name: Option<String>,
    notice: Option<&'static str>,
    name_error: Option<String>,
}

/// The forum's first page, with what the name form said.
async fn forum_page(
    s: &AppState,
    headers: &HeaderMap,
    notice: Option<&'static str>,
    name_error: Option<String>,
) -> Result<Response, PageError> {
    let lang = super::language(headers);
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let me = reader(s, headers, "/forum").await?;
    let (chrome, set) = chrome_as(s, headers, me.as_ref()).await.map_err(fail)?;
    let zone = s.portal.time_zone;
    let categories = s
        .service
        .forum_categories()
        .await
        .map_err(fail)?
        .into_iter()
        .map(|c| {
            (
                c.id,
                c.name,
                c.description,
                c.topics,
                c.last_post_at.map(|at| zone.date_time(at)).unwrap_or_default(),
            )
        })
        .collect();
    let topics = rows(s, s.service.forum_topics(None, None, 10).await.map_err(fail)?);
    let page = ForumPage {
        t: texts(lang),
        f: forum_texts(lang),
        chrome,
        categories,
        topics,
        my_name: match &me {
            Some(c) => Some(s.service.forum_name_of(c).await.map_err(fail)?),
            None => None,
        },
        notice,
        name_error,
    };
    Ok(render(&page, &set.into_iter().collect::<Vec<_>>(), lang))
}

/// `?naam=1` after the name was saved.
#[derive(Debug, Default, Deserialize)]
pub struct NameSaved {
    naam: Option<String>,
}

/// `GET /forum`: the categories and the newest topics.
pub async fn view_forum_get(
    State(s): State<AppState>,
    headers: HeaderMap,
    PageQuery(told): PageQuery<NameSaved>,
) -> Result<Response, PageError> {
    let notice = told
        .naam
        .is_some()
        .then_some(forum_texts(super::language(&headers)).name_saved);
    forum_page(&s, &headers, notice, None).await
}

/// The name form.
#[derive(Debug, Deserialize)]
pub struct NameForm {
    csrf: String,
    #[serde(default)]
    name: String,
}

/// `POST /forum/naam`: the logged-in contact sets the name their posts show.
pub async fn view_forum_name_post(
    State(s): State<AppState>,
    headers: HeaderMap,
    super::page::PageForm(form): super::page::PageForm<NameForm>,
) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    if !super::csrf::valid(&s.csrf_key, &headers, s.portal.secure_cookies, &form.csrf) {
        return Err(PageError::forbidden(lang));
    }
    let Some(me) = reader(&s, &headers, "/forum").await? else {
        return Err(PageError::login_first("/forum", lang));
    };
    match s.service.set_forum_name(&Actor::Contact(me), &form.name).await {
        Ok(()) => Ok(Redirect::to("/forum?naam=1").into_response()),
        Err(DomainError::Invalid(_)) => {
            let mut r = forum_page(&s, &headers, None, Some(forum_texts(lang).name_rules.to_owned())).await?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}

/// A topic that was not posted: why, and what was typed.
struct TopicDraft {
    error: String,
    title: String,
    text: String,
}

#[derive(Template)]
#[template(path = "portal/forum_category.html")]
struct CategoryPage<'a> {
    t: &'a Texts,
    f: &'a ForumTexts,
    chrome: Chrome,
    id: i64,
    name: String,
    description: String,
    topics: Vec<TopicRow>,
    /// Logged in and not banned.
    can_post: bool,
    banned: bool,
    draft: Option<TopicDraft>,
    limits: String,
}

async fn category_page(
    s: &AppState,
    headers: &HeaderMap,
    id: i64,
    me: Option<&Contact>,
    draft: Option<TopicDraft>,
) -> Result<Response, PageError> {
    let lang = super::language(headers);
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let category = s
        .service
        .forum_categories()
        .await
        .map_err(fail)?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(PageError::not_found(lang))?;
    let (chrome, set) = chrome_as(s, headers, me).await.map_err(fail)?;
    let banned = match me {
        Some(c) => s.service.store().forum_ban(c.id).await.map_err(fail)?.is_some(),
        None => false,
    };
    let page = CategoryPage {
        t: texts(lang),
        f: forum_texts(lang),
        chrome,
        id,
        name: category.name,
        description: category.description,
        topics: rows(s, s.service.forum_topics(None, Some(id), 200).await.map_err(fail)?),
        can_post: me.is_some() && !banned,
        banned,
        draft,
        limits: super::i18n::attachment_limits(lang, s.service.limits().max_attachment_bytes),
    };
    Ok(render(&page, &set.into_iter().collect::<Vec<_>>(), lang))
}

/// `GET /forum/c/{id}`: a category's topics and the form to start one.
pub async fn view_forum_category_get(
    State(s): State<AppState>,
    PagePath(id): PagePath<i64>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let me = reader(&s, &headers, &format!("/forum/c/{id}")).await?;
    category_page(&s, &headers, id, me.as_ref(), None).await
}

/// `POST /forum/c/{id}`: starts a topic (with files); a refused one shows
/// the form again with the reason and what was typed.
pub async fn view_forum_category_post(
    State(s): State<AppState>,
    PagePath(id): PagePath<i64>,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    let headers = request.headers().clone();
    let lang = super::language(&headers);
    let Some(me) = reader(&s, &headers, &format!("/forum/c/{id}")).await? else {
        return Err(PageError::login_first(&format!("/forum/c/{id}"), lang));
    };
    let ip = super::client_ip(request.extensions(), &headers, &s.portal.trusted_proxies);
    let (posted, stale) = match super::upload::read(&s, request, &ip, lang).await? {
        super::upload::Read::Fresh(p) => (p, false),
        super::upload::Read::Stale(p) => (p, true),
    };
    let (title, text) = (posted.get("subject").to_owned(), posted.get("message").to_owned());
    let with_files = !posted.files.is_empty() || !posted.problems.is_empty();
    let refused = async |error: String, status: StatusCode| -> Result<Response, PageError> {
        let error = if with_files {
            format!("{error} {}", texts(lang).files_again)
        } else {
            error
        };
        let draft = TopicDraft {
            error,
            title: title.clone(),
            text: text.clone(),
        };
        let mut r = category_page(&s, &headers, id, Some(&me), Some(draft)).await?;
        *r.status_mut() = status;
        Ok(r)
    };
    if stale {
        return refused(texts(lang).form_stale.into(), StatusCode::FORBIDDEN).await;
    }
    if let Some(p) = posted.problems.first() {
        return refused(super::problem_text(p, lang), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    // Counted from here: the check for personal data reads every file, so
    // stopped posts count too (a form the browser could not send does not).
    let keys = [
        (format!("forum-topic-ip:{ip}"), TOPICS_PER_IP_PER_HOUR, 60),
        (format!("forum-post:{}", me.id.0), POSTS_PER_CONTACT_PER_HOUR, 60),
    ];
    if super::limited(&s, &keys, lang).await? {
        return refused(forum_texts(lang).too_many.into(), StatusCode::TOO_MANY_REQUESTS).await;
    }
    let checked = format!("{title}\n{text}");
    if let Some(why) = privacy_stop(&s, &me.email, &checked, &posted.files, lang).await? {
        return refused(why, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let actor = Actor::Contact(me.clone());
    match s
        .service
        .start_forum_topic(&actor, id, &title, &text, &posted.files)
        .await
    {
        Ok(topic) => Ok(Redirect::to(&format!("/forum/onderwerp/{topic}?geplaatst=1")).into_response()),
        Err(e) => match refusal(&e, lang) {
            Some((why, status)) => refused(why, status).await,
            None => Err(PageError::from_domain(&e, lang)),
        },
    }
}

/// What a refused post says, and its status; `None` for errors shown as pages.
fn refusal(e: &DomainError, lang: Lang) -> Option<(String, StatusCode)> {
    let f = forum_texts(lang);
    match e {
        DomainError::Invalid(p) => Some((super::problem_text(p, lang), StatusCode::UNPROCESSABLE_ENTITY)),
        DomainError::Forbidden(_) => Some((f.banned.to_owned(), StatusCode::FORBIDDEN)),
        DomainError::Conflict(_) => Some((f.locked.to_owned(), StatusCode::CONFLICT)),
        _ => None,
    }
}

/// `?q=` of the search page.
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "portal/forum_search.html")]
struct SearchPage<'a> {
    t: &'a Texts,
    f: &'a ForumTexts,
    chrome: Chrome,
    q: String,
    topics: Vec<TopicRow>,
    error: Option<String>,
}

/// `GET /forum/zoeken?q=`: topics whose visible posts hold every word.
pub async fn view_forum_search_get(
    State(s): State<AppState>,
    headers: HeaderMap,
    PageQuery(query): PageQuery<SearchQuery>,
) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let me = reader(&s, &headers, "/forum").await?;
    let (chrome, set) = chrome_as(&s, &headers, me.as_ref()).await.map_err(fail)?;
    let f = forum_texts(lang);
    let (topics, error) = if query.q.trim().is_empty() {
        (Vec::new(), Some(f.search_empty.to_owned()))
    } else {
        match s.service.search_forum(&query.q, 50).await {
            Ok(t) => (rows(&s, t), None),
            Err(DomainError::Invalid(_)) => (Vec::new(), Some(f.search_too_long.to_owned())),
            Err(e) => return Err(fail(e)),
        }
    };
    let page = SearchPage {
        t: texts(lang),
        f: forum_texts(lang),
        chrome,
        q: query.q,
        topics,
        error,
    };
    Ok(render(&page, &set.into_iter().collect::<Vec<_>>(), lang))
}
