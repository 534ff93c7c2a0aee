//! "My tickets" for a logged-in contact: the tickets whose requester is their
//! address (also those an agent moved to it), filtered by status or searched by
//! keyword or number, and each ticket's page. Every request checks the session
//! and that the ticket is the contact's own; anything else is "not found".

use super::csrf;
use super::follow::{CsrfForm, reply_as, solve_as, ticket_page};
use super::i18n::{Texts, promise, texts};
use super::page::{PageError, PageForm, PagePath, render};
use super::session;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::service::Actor;
use loket_core::store::{SearchQuery, TicketFilter};
use loket_core::*;
use serde::Deserialize;

/// Filters of "my tickets".
#[derive(Debug, Deserialize)]
pub struct MineQuery {
    q: Option<String>,
    status: Option<String>,
    lang: Option<String>,
}

struct Row {
    number: TicketNumber,
    subject: String,
    status: &'static str,
    department: &'static str,
    promise: Option<String>,
    updated: String,
}

#[derive(Template)]
#[template(path = "portal/mine.html")]
struct MinePage<'a> {
    t: &'a Texts,
    email: String,
    csrf: String,
    q: String,
    statuses: Vec<(&'static str, &'static str, bool)>,
    tickets: Vec<Row>,
}

async fn contact(s: &AppState, headers: &HeaderMap, lang: Lang) -> Result<Option<Contact>, PageError> {
    Ok(session::current(s, headers)
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?
        .map(|(c, _)| c))
}

/// `GET /mijn`: the contact's tickets.
pub async fn view_mine_get(
    State(s): State<AppState>,
    Query(q): Query<MineQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = super::language(q.lang.as_deref(), &headers);
    let Some(me) = contact(&s, &headers, lang).await? else {
        return Ok(Redirect::to("/inloggen").into_response());
    };
    let status = q
        .status
        .as_deref()
        .filter(|v| !v.is_empty())
        .and_then(|v| Status::parse(v).ok());
    let text = q.q.clone().unwrap_or_default();
    let store = s.service.store();
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let found = if text.trim().is_empty() {
        let filter = TicketFilter {
            requester: Some(me.id),
            status,
            limit: 200,
            ..TicketFilter::default()
        };
        store.list_tickets(&filter).await.map_err(fail)?
    } else {
        let query = SearchQuery {
            text: text.clone(),
            requester: Some(me.id),
            limit: 100,
        };
        store
            .search(&query)
            .await
            .map_err(fail)?
            .into_iter()
            .filter(|t| status.is_none_or(|s| t.status == s))
            .collect()
    };
    let tickets = found
        .into_iter()
        .map(|t| Row {
            number: t.number,
            subject: t.subject,
            status: t.status.label(lang),
            department: t.department.label(lang),
            promise: match (t.department, s.portal.next_meeting) {
                (Department::FunctionalMeeting, Some(d)) => {
                    Some(format!("{}: {}", texts(lang).next_meeting, d.format("%d-%m-%Y")))
                }
                (d, _) => promise(d, lang).map(str::to_owned),
            },
            updated: t.updated_at.format("%d-%m-%Y").to_string(),
        })
        .collect();
    let (csrf, set) = csrf::token(&s.csrf_key, &headers, s.portal.secure_cookies);
    let statuses = Status::ALL
        .iter()
        .map(|st| (st.id(), st.label(lang), Some(*st) == status))
        .collect();
    let page = MinePage {
        t: texts(lang),
        email: me.email,
        csrf,
        q: text,
        statuses,
        tickets,
    };
    let cookies: Vec<String> = set
        .into_iter()
        .chain(super::follow::lang_cookie(q.lang.as_deref()))
        .collect();
    Ok(render(&page, &cookies, lang))
}

/// The logged-in contact's own ticket, or "not found".
async fn own(s: &AppState, headers: &HeaderMap, number: i64, lang: Lang) -> Result<(Contact, Ticket), PageError> {
    let me = contact(s, headers, lang).await?.ok_or(PageError::not_found(lang))?;
    let t = s
        .service
        .ticket_for(&Actor::Contact(me.clone()), TicketNumber(number))
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?;
    Ok((me, t))
}

/// `GET /mijn/{number}`: one of the contact's tickets.
pub async fn view_mine_ticket_get(
    State(s): State<AppState>,
    PagePath(number): PagePath<i64>,
    Query(q): Query<super::follow::LangQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = super::language(q.lang(), &headers);
    let (me, t) = own(&s, &headers, number, lang).await?;
    ticket_page(&s, &t, &me, format!("/mijn/{number}"), lang, &headers, q.lang(), None).await
}

/// `GET /mijn/{number}/bijlage/{id}`: an attachment of one of the contact's tickets.
pub async fn view_mine_attachment_get(
    State(s): State<AppState>,
    PagePath((number, id)): PagePath<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = super::language(None, &headers);
    let (_, t) = own(&s, &headers, number, lang).await?;
    super::follow::download(&s, &t, id, lang).await
}

/// `POST /mijn/{number}/reply`, with attachments.
pub async fn view_mine_reply_post(
    State(s): State<AppState>,
    PagePath(number): PagePath<i64>,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    let lang = super::language(None, request.headers());
    let (me, t) = own(&s, request.headers(), number, lang).await?;
    reply_as(&s, me, &t, request, &format!("/mijn/{number}"), lang).await
}

/// `POST /mijn/{number}/solve`.
pub async fn view_mine_solve_post(
    State(s): State<AppState>,
    PagePath(number): PagePath<i64>,
    headers: HeaderMap,
    PageForm(form): PageForm<CsrfForm>,
) -> Result<Response, PageError> {
    let lang = super::language(None, &headers);
    if !csrf::valid(&s.csrf_key, &headers, s.portal.secure_cookies, &form.csrf) {
        return Err(PageError::forbidden(lang));
    }
    let (me, t) = own(&s, &headers, number, lang).await?;
    solve_as(&s, me, t.number, &format!("/mijn/{number}"), lang).await
}
