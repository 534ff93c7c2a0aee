//! Admin pages of the workspace: canned replies (add, change, delete).
//! Other staff get 403; the rules are in the service layer.

use super::{Frame, Texts, check_csrf, signed_in, texts};
use crate::AppState;
use crate::portal::page::{PageError, PageForm, PagePath, render};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::service::Actor;
use loket_core::store::CannedReply;
use loket_core::{DomainError, Lang, Problem, Role};
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

fn admin_only(actor: &Actor, lang: Lang) -> Result<(), PageError> {
    actor
        .require_staff(&[Role::Admin], "manage canned replies")
        .map(|_| ())
        .map_err(|_| PageError::forbidden(lang))
}

/// `GET /agent/beheer/standaardantwoorden`.
pub async fn view_canned_get(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    let me = match signed_in(&s, &headers).await? {
        Ok(me) => me,
        Err(to) => return Ok(to),
    };
    admin_only(&me.actor(), me.lang)?;
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
    headers: HeaderMap,
    PageForm(form): PageForm<CannedForm>,
) -> Result<Response, PageError> {
    let me = match signed_in(&s, &headers).await? {
        Ok(me) => me,
        Err(to) => return Ok(to),
    };
    let lang = me.lang;
    check_csrf(&s, &headers, &form.csrf, lang)?;
    admin_only(&me.actor(), lang)?;
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
            Problem::Other(why) => why,
            p => crate::portal::problem_text(&p, lang),
        },
        Err(DomainError::Conflict(why)) => why,
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
    let mut resp = render(&page, &me.cookies, lang);
    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}

/// A form with only its token.
#[derive(Debug, Deserialize)]
pub struct TokenOnly {
    csrf: String,
}

/// `POST /agent/beheer/standaardantwoorden/{id}/verwijderen`.
pub async fn view_canned_delete_post(
    State(s): State<AppState>,
    PagePath(id): PagePath<i64>,
    headers: HeaderMap,
    PageForm(form): PageForm<TokenOnly>,
) -> Result<Response, PageError> {
    let me = match signed_in(&s, &headers).await? {
        Ok(me) => me,
        Err(to) => return Ok(to),
    };
    check_csrf(&s, &headers, &form.csrf, me.lang)?;
    admin_only(&me.actor(), me.lang)?;
    s.service
        .delete_canned_reply(&me.actor(), id)
        .await
        .map_err(|e| PageError::from_domain(&e, me.lang))?;
    Ok(Redirect::to("/agent/beheer/standaardantwoorden").into_response())
}
