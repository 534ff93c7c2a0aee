//! Admin pages of the workspace: canned replies (add, change, delete; admins
//! only, other staff get 403) and banned senders (lifting a ban: agents and
//! admins). The rules are in the service layer.

use super::{Frame, SignedIn, Texts, check_csrf, texts};
use crate::AppState;
use crate::portal::page::{PageError, PageForm, PagePath, render, with_status};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::store::CannedReply;
use loket_core::{DomainError, Problem, Role};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "agent/canned.html")]
struct CannedPage<'a> {
    t: &'a Texts,
    frame: Frame,
    replies: Vec<CannedReply>,
    error: Option<String>,
    title: String,
    body: String,
}

/// `GET /agent/beheer/standaardantwoorden`.
pub async fn view_canned_get(State(s): State<AppState>, SignedIn(me): SignedIn) -> Result<Response, PageError> {
    me.require(&[Role::Admin])?;
    let replies = s
        .service
        .canned_replies(&me.actor())
        .await
        .map_err(|e| PageError::from_domain(&e, me.lang))?;
    let page = CannedPage {
        t: texts(me.lang),
        frame: me.frame,
        replies,
        error: None,
        title: String::new(),
        body: String::new(),
    };
    Ok(render(&page, &me.cookies, me.lang))
}

/// A canned reply as posted (no id: a new one).
#[derive(Debug, Deserialize)]
pub struct CannedForm {
    csrf: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

/// `POST /agent/beheer/standaardantwoorden`: adds or changes one.
pub async fn view_canned_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    headers: HeaderMap,
    PageForm(form): PageForm<CannedForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    check_csrf(&s, &headers, &form.csrf, lang)?;
    me.require(&[Role::Admin])?;
    let id = match form.id.as_deref().map(str::trim).filter(|i| !i.is_empty()) {
        Some(i) => Some(i.parse::<i64>().map_err(|_| PageError::bad_request(lang))?),
        None => None,
    };
    let error = match s
        .service
        .save_canned_reply(&me.actor(), id, &form.title, &form.body)
        .await
    {
        Ok(_) => return Ok(Redirect::to("/agent/beheer/standaardantwoorden").into_response()),
        Err(DomainError::Invalid(p)) => match p {
            Problem::Other(why) => super::messages::rule_message(&why, lang),
            p => crate::portal::problem_text(&p, lang),
        },
        Err(DomainError::Conflict(why)) => super::messages::rule_message(&why, lang),
        Err(e) => return Err(PageError::from_domain(&e, lang)),
    };
    let replies = s
        .service
        .canned_replies(&me.actor())
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?;
    let page = CannedPage {
        t: texts(lang),
        frame: me.frame,
        replies,
        error: Some(error),
        title: form.title,
        body: form.body,
    };
    Ok(with_status(
        render(&page, &me.cookies, lang),
        StatusCode::UNPROCESSABLE_ENTITY,
    ))
}

/// `POST /agent/beheer/standaardantwoorden/{id}/verwijderen`.
pub async fn view_canned_delete_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PagePath(id): PagePath<i64>,
    headers: HeaderMap,
    PageForm(form): PageForm<super::TokenForm>,
) -> Result<Response, PageError> {
    check_csrf(&s, &headers, &form.csrf, me.lang)?;
    me.require(&[Role::Admin])?;
    s.service
        .delete_canned_reply(&me.actor(), id)
        .await
        .map_err(|e| PageError::from_domain(&e, me.lang))?;
    Ok(Redirect::to("/agent/beheer/standaardantwoorden").into_response())
}

#[derive(Template)]
#[template(path = "agent/bans.html")]
struct BansPage<'a> {
    t: &'a Texts,
    frame: Frame,
    /// Pattern, since (formatted), by whom.
    bans: Vec<(String, String, String)>,
}

/// `GET /agent/beheer/geblokkeerd`: the banned senders.
pub async fn view_bans_get(State(s): State<AppState>, SignedIn(me): SignedIn) -> Result<Response, PageError> {
    let lang = me.lang;
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let staff = s.service.list_staff(&me.actor()).await.map_err(fail)?;
    let bans = s
        .service
        .banned_senders(&me.actor())
        .await
        .map_err(fail)?
        .into_iter()
        .map(|(pattern, at, actor)| {
            let who = staff
                .iter()
                .find(|m| format!("staff:{}", m.id) == actor)
                .map_or(actor, |m| m.name.clone());
            (pattern, s.portal.time_zone.date_time(at), who)
        })
        .collect();
    let page = BansPage {
        t: texts(lang),
        frame: me.frame,
        bans,
    };
    Ok(render(&page, &me.cookies, lang))
}

/// The ban to lift.
#[derive(Debug, Deserialize)]
pub struct UnbanForm {
    csrf: String,
    #[serde(default)]
    pattern: String,
}

/// `POST /agent/beheer/geblokkeerd/opheffen`.
pub async fn view_unban_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    headers: HeaderMap,
    PageForm(form): PageForm<UnbanForm>,
) -> Result<Response, PageError> {
    check_csrf(&s, &headers, &form.csrf, me.lang)?;
    match s.service.unban_sender(&me.actor(), &form.pattern).await {
        Ok(()) => Ok(Redirect::to("/agent/beheer/geblokkeerd").into_response()),
        Err(DomainError::Forbidden(_)) => Err(PageError::not_allowed(me.lang)),
        Err(e) => Err(PageError::from_domain(&e, me.lang)),
    }
}
