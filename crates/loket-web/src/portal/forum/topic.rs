//! A forum topic on the portal: its posts (Markdown, made safe), files,
//! the reply form, following it, marking the solution (its starter), and
//! the unsubscribe link of the follower mails.

use super::{ForumTexts, POSTS_PER_CONTACT_PER_HOUR, forum_texts, reader, refusal};
use crate::AppState;
use crate::portal::csrf;
use crate::portal::i18n::{Texts, texts};
use crate::portal::page::{Chrome, PageError, PageForm, PagePath, PageQuery, chrome_as, render};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::service::Actor;
use loket_core::*;
use serde::Deserialize;

/// A post as the page shows it.
struct PostView {
    id: i64,
    author: String,
    staff: bool,
    at: String,
    at_iso: String,
    html: String,
    /// Id, name, size.
    files: Vec<(i64, String, String)>,
    solution: bool,
    /// Written by the reader.
    mine: bool,
}

/// What a logged-in reader may do here.
struct Member {
    banned: bool,
    following: bool,
    /// They started the topic: they may mark the solution.
    starter: bool,
}

/// A reply that was not posted.
struct ReplyDraft {
    error: String,
    text: String,
}

#[derive(Template)]
#[template(path = "portal/forum_topic.html")]
struct TopicPageView<'a> {
    t: &'a Texts,
    f: &'a ForumTexts,
    chrome: Chrome,
    id: i64,
    title: String,
    category: (i64, String),
    locked: bool,
    solved: bool,
    posts: Vec<PostView>,
    /// The logged-in reader, if any.
    member: Option<Member>,
    draft: Option<ReplyDraft>,
    notice: Option<&'static str>,
    limits: String,
}

/// `?geplaatst=1` after a post.
#[derive(Debug, Default, Deserialize)]
pub struct Told {
    geplaatst: Option<String>,
}

fn size(bytes: i64, lang: Lang) -> String {
    match u64::try_from(bytes) {
        Ok(b) if b >= 1024 => crate::portal::i18n::size_in(lang, b),
        _ => format!("{bytes} bytes"),
    }
}

async fn topic_page(
    s: &AppState,
    headers: &HeaderMap,
    id: i64,
    me: Option<&Contact>,
    draft: Option<ReplyDraft>,
    notice: Option<&'static str>,
) -> Result<Response, PageError> {
    let lang = crate::portal::language(headers);
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let actor = me.cloned().map(Actor::Contact);
    let page = s.service.forum_topic(actor.as_ref(), id).await.map_err(fail)?;
    let (chrome, set) = chrome_as(s, headers, me).await.map_err(fail)?;
    let category = s
        .service
        .forum_categories()
        .await
        .map_err(fail)?
        .into_iter()
        .find(|c| c.id == page.topic.category_id)
        .map(|c| (c.id, c.name))
        .unwrap_or_default();
    let member = match (me, &actor) {
        (Some(c), Some(a)) => Some(Member {
            banned: s.service.store().forum_ban(c.id).await.map_err(fail)?.is_some(),
            following: s.service.follows_forum_topic(a, id).await.map_err(fail)?,
            starter: page.topic.author.contact() == Some(c.id),
        }),
        _ => None,
    };
    let zone = s.portal.time_zone;
    let solution = page.topic.solution;
    let view = TopicPageView {
        t: texts(lang),
        f: forum_texts(lang),
        chrome,
        id,
        title: page.topic.title.clone(),
        category,
        locked: page.topic.locked,
        solved: solution.is_some(),
        posts: page
            .posts
            .iter()
            .map(|p| PostView {
                id: p.id,
                author: p.author.name.clone(),
                staff: p.author.staff,
                at: zone.date_time(p.created_at),
                at_iso: zone.iso(p.created_at),
                html: loket_core::html::markdown(&p.body),
                files: p
                    .files
                    .iter()
                    .map(|f| (f.id, f.filename.clone(), size(f.size, lang)))
                    .collect(),
                solution: solution == Some(p.id),
                mine: me.is_some_and(|c| p.author.contact() == Some(c.id)),
            })
            .collect(),
        member,
        draft,
        notice,
        limits: crate::portal::i18n::attachment_limits(lang, s.service.limits().max_attachment_bytes),
    };
    Ok(render(&view, &set.into_iter().collect::<Vec<_>>(), lang))
}

/// `GET /forum/onderwerp/{id}`.
pub async fn view_forum_topic_get(
    State(s): State<AppState>,
    PagePath(id): PagePath<i64>,
    headers: HeaderMap,
    PageQuery(told): PageQuery<Told>,
) -> Result<Response, PageError> {
    let lang = crate::portal::language(&headers);
    let me = reader(&s, &headers, &format!("/forum/onderwerp/{id}")).await?;
    let notice = told.geplaatst.is_some().then_some(forum_texts(lang).posted);
    topic_page(&s, &headers, id, me.as_ref(), None, notice).await
}

/// `POST /forum/onderwerp/{id}`: a reply (with files).
pub async fn view_forum_reply_post(
    State(s): State<AppState>,
    PagePath(id): PagePath<i64>,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    let headers = request.headers().clone();
    let lang = crate::portal::language(&headers);
    let path = format!("/forum/onderwerp/{id}");
    let Some(me) = reader(&s, &headers, &path).await? else {
        return Err(PageError::login_first(&path, lang));
    };
    let ip = crate::portal::client_ip(request.extensions(), &headers, &s.portal.trusted_proxies);
    let (posted, stale) = match crate::portal::upload::read(&s, request, &ip, lang).await? {
        crate::portal::upload::Read::Fresh(p) => (p, false),
        crate::portal::upload::Read::Stale(p) => (p, true),
    };
    let text = posted.get("message").to_owned();
    let with_files = !posted.files.is_empty() || !posted.problems.is_empty();
    let refused = async |error: String, status: StatusCode| -> Result<Response, PageError> {
        let error = if with_files {
            format!("{error} {}", texts(lang).files_again)
        } else {
            error
        };
        let draft = ReplyDraft {
            error,
            text: text.clone(),
        };
        let mut r = topic_page(&s, &headers, id, Some(&me), Some(draft), None).await?;
        *r.status_mut() = status;
        Ok(r)
    };
    if stale {
        return refused(texts(lang).form_stale.into(), StatusCode::FORBIDDEN).await;
    }
    if let Some(p) = posted.problems.first() {
        return refused(crate::portal::problem_text(p, lang), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    // Counted from here: the check for personal data reads every file, so
    // stopped posts count too.
    let keys = [(format!("forum-post:{}", me.id.0), POSTS_PER_CONTACT_PER_HOUR, 60)];
    if crate::portal::limited(&s, &keys, lang).await? {
        return refused(forum_texts(lang).too_many.into(), StatusCode::TOO_MANY_REQUESTS).await;
    }
    if let Some(why) = super::privacy_stop(&s, &me.email, &text, &posted.files, lang).await? {
        return refused(why, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let actor = Actor::Contact(me.clone());
    match s.service.reply_forum(&actor, id, &text, &posted.files).await {
        Ok(post) => Ok(Redirect::to(&format!("{path}?geplaatst=1#bericht-{post}")).into_response()),
        Err(e) => match refusal(&e, lang) {
            Some((why, status)) => refused(why, status).await,
            None => Err(PageError::from_domain(&e, lang)),
        },
    }
}

/// The logged-in contact who posted a small form of topic `id` (its
/// token checked), the topic's path and the page language.
async fn member(s: &AppState, headers: &HeaderMap, id: i64, token: &str) -> Result<(Contact, String, Lang), PageError> {
    let lang = crate::portal::language(headers);
    if !csrf::valid(&s.csrf_key, headers, s.portal.secure_cookies, token) {
        return Err(PageError::forbidden(lang));
    }
    let path = format!("/forum/onderwerp/{id}");
    match reader(s, headers, &path).await? {
        Some(me) => Ok((me, path, lang)),
        None => Err(PageError::login_first(&path, lang)),
    }
}

/// The follow form.
#[derive(Debug, Deserialize)]
pub struct FollowForm {
    csrf: String,
    #[serde(default)]
    on: String,
}

/// `POST /forum/onderwerp/{id}/volgen`: follows the topic (`on=1`) or stops.
pub async fn view_forum_follow_post(
    State(s): State<AppState>,
    PagePath(id): PagePath<i64>,
    headers: HeaderMap,
    PageForm(form): PageForm<FollowForm>,
) -> Result<Response, PageError> {
    let (me, path, lang) = member(&s, &headers, id, &form.csrf).await?;
    s.service
        .follow_forum_topic(&Actor::Contact(me), id, form.on == "1")
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?;
    Ok(Redirect::to(&path).into_response())
}

/// The solution form.
#[derive(Debug, Deserialize)]
pub struct SolutionForm {
    csrf: String,
    #[serde(default)]
    post: i64,
}

/// `POST /forum/onderwerp/{id}/oplossing`: the topic's starter marks a reply as its solution.
pub async fn view_forum_solution_post(
    State(s): State<AppState>,
    PagePath(id): PagePath<i64>,
    headers: HeaderMap,
    PageForm(form): PageForm<SolutionForm>,
) -> Result<Response, PageError> {
    let (me, path, lang) = member(&s, &headers, id, &form.csrf).await?;
    let keys = [(format!("forum-post:{}", me.id.0), POSTS_PER_CONTACT_PER_HOUR, 60)];
    if crate::portal::limited(&s, &keys, lang).await? {
        return Err(PageError::from_domain(
            &DomainError::TooMany("forum posts".into()),
            lang,
        ));
    }
    s.service
        .mark_forum_solution(&Actor::Contact(me), id, form.post)
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?;
    Ok(Redirect::to(&format!("{path}#bericht-{}", form.post)).into_response())
}

/// A forum file `actor` may see, as a download (hidden posts' for staff).
pub(crate) async fn forum_download(
    s: &AppState,
    actor: Option<&Actor>,
    id: i64,
    lang: Lang,
) -> Result<Response, PageError> {
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let file = s.service.forum_file(actor, id).await.map_err(fail)?;
    crate::files::send_blob(
        s,
        &file.sha256,
        &file.filename,
        &file.media_type,
        crate::files::Disposition::Download,
    )
    .await
    .map_err(fail)?
    .ok_or(PageError::not_found(lang))
}

/// `GET /forum/bijlage/{id}`: a file of a post the visitor may see, as a download.
pub async fn view_forum_file_get(
    State(s): State<AppState>,
    PagePath(id): PagePath<i64>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = crate::portal::language(&headers);
    let me = reader(&s, &headers, "/forum").await?;
    let actor = me.map(Actor::Contact);
    forum_download(&s, actor.as_ref(), id, lang).await
}

/// `GET /forum/afmelden/{token}`: asks to confirm (a mail scanner opening
/// the link unsubscribes nobody).
pub async fn view_forum_unsubscribe_get(
    State(s): State<AppState>,
    PagePath(token): PagePath<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = crate::portal::language(&headers);
    if token.len() > 200 {
        return Err(PageError::not_found(lang));
    }
    let f = forum_texts(lang);
    let title = s
        .service
        .forum_unsubscribe_topic(&token)
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?;
    let action = format!("/forum/afmelden/{}", loket_mail::links::path_segment(&token));
    let text = format!("{} \u{201c}{title}\u{201d}?", f.unsubscribe_text.trim_end_matches('?'));
    let back = Some(("/forum", f.back));
    crate::portal::subscribe::show(
        &s,
        &headers,
        f.unsubscribe_title,
        text,
        Some(action),
        f.unsubscribe_button,
        back,
    )
    .await
}

/// The unsubscribe form.
#[derive(Debug, Deserialize)]
pub struct UnsubscribeForm {
    csrf: String,
}

/// `POST /forum/afmelden/{token}`: ends the subscription the link names.
pub async fn view_forum_unsubscribe_post(
    State(s): State<AppState>,
    PagePath(token): PagePath<String>,
    headers: HeaderMap,
    PageForm(form): PageForm<UnsubscribeForm>,
) -> Result<Response, PageError> {
    let lang = crate::portal::language(&headers);
    if !csrf::valid(&s.csrf_key, &headers, s.portal.secure_cookies, &form.csrf) {
        return Err(PageError::forbidden(lang));
    }
    let topic = s
        .service
        .end_forum_subscription(&token)
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?;
    let f = forum_texts(lang);
    let back = format!("/forum/onderwerp/{topic}");
    let text = f.unsubscribed.to_owned();
    crate::portal::subscribe::show(
        &s,
        &headers,
        f.unsubscribe_title,
        text,
        None,
        "",
        Some((&back, f.to_topic)),
    )
    .await
}
