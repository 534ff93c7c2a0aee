//! "My tickets" for a logged-in contact: the tickets whose requester is their
//! address (also those an agent moved to it), filtered by status or searched by
//! keyword or number, and each ticket's page. Every request checks the session
//! and that the ticket is the contact's own; anything else is "not found".

use super::csrf;
use super::follow::{CsrfForm, reply_as, solve_as, ticket_page};
use super::i18n::{Texts, standing, texts};
use super::page::{Chrome, PageError, PageForm, PagePath, PageQuery, chrome_as, render};
use super::session;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::service::Actor;
use loket_core::store::{SearchQuery, TicketFilter};
use loket_core::*;
use serde::Deserialize;

/// Filters of "my tickets" (`?welkom=1` after setting a password).
#[derive(Debug, Deserialize)]
pub struct MineQuery {
    q: Option<String>,
    status: Option<String>,
    welkom: Option<String>,
}

struct Row {
    number: TicketNumber,
    subject: String,
    standing: String,
    promise: Option<String>,
    updated: String,
    /// Who submitted it, when it is a colleague's ticket.
    by: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/mine.html")]
struct MinePage<'a> {
    t: &'a Texts,
    chrome: Chrome,
    q: String,
    statuses: Vec<(&'static str, &'static str, bool)>,
    tickets: Vec<Row>,
    notice: Option<&'static str>,
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
    PageQuery(q): PageQuery<MineQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    let Some(me) = contact(&s, &headers, lang).await? else {
        return Ok(Redirect::to("/inloggen?terug=mijn").into_response());
    };
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    // An authorised contact of an organisation that shares its tickets sees all of them.
    let shared = s.service.shared_organisation(&me).await.map_err(fail)?;
    // Their own tickets always; their organisation's too when it shares them.
    let requester = Some(me.id);
    let status = q
        .status
        .as_deref()
        .filter(|v| !v.is_empty())
        .and_then(|v| Status::parse(v).ok());
    let text = q.q.clone().unwrap_or_default();
    let store = s.service.store();
    let found = if text.trim().is_empty() {
        let filter = TicketFilter {
            requester,
            shared,
            status,
            limit: 200,
            ..TicketFilter::default()
        };
        store.list_tickets(&filter).await.map_err(fail)?
    } else {
        // Searching costs more than listing: a few a minute per contact, and a
        // few at once for everyone.
        let keys = [(format!("search-contact:{}", me.id), 30, 1)];
        if super::limited(&s, &keys, lang).await? {
            return Err(PageError::from_domain(&DomainError::TooMany("searches".into()), lang));
        }
        let _turn = s
            .search_turn(crate::state::Searcher::Portal)
            .await
            .ok_or(PageError::busy(lang))?;
        let query = SearchQuery {
            text: text.clone(),
            requester,
            shared,
            limit: 100,
            ..SearchQuery::default()
        };
        store
            .search(&query)
            .await
            .map_err(fail)?
            .into_iter()
            .filter(|t| status.is_none_or(|s| t.status == s))
            .collect()
    };
    // The ticket with the latest news first (a search keeps its own order).
    let mut found = found;
    if text.trim().is_empty() {
        found.sort_by_key(|t| std::cmp::Reverse((t.updated_at, t.id)));
    }
    let mut names = std::collections::HashMap::new();
    let mut tickets = Vec::with_capacity(found.len());
    for t in found {
        let by = if t.requester_id == me.id {
            None
        } else if let Some(n) = names.get(&t.requester_id) {
            Some(String::clone(n))
        } else {
            let c = store.get_contact(t.requester_id).await.map_err(fail)?;
            let n = c
                .map(|c| if c.name.is_empty() { c.email } else { c.name })
                .unwrap_or_default();
            names.insert(t.requester_id, n.clone());
            Some(n)
        };
        let (standing, promise) = standing(&t, lang, s.portal.time_zone, s.service.next_meeting(t.department));
        tickets.push(Row {
            number: t.number,
            subject: t.subject,
            standing,
            promise,
            updated: s.portal.time_zone.date_time(t.updated_at),
            by,
        });
    }
    let (chrome, set) = chrome_as(&s, &headers, Some(&me)).await.map_err(fail)?;
    let statuses = Status::ALL
        .iter()
        .map(|st| {
            // The words the list and the ticket page use for a postponed ticket.
            let label = match (st, lang) {
                (Status::Postponed, Lang::Nl) => "Wacht op uw reactie",
                (Status::Postponed, Lang::En) => "Waiting for your reply",
                _ => st.label(lang),
            };
            (st.id(), label, Some(*st) == status)
        })
        .collect();
    let page = MinePage {
        t: texts(lang),
        chrome,
        q: text,
        statuses,
        tickets,
        notice: q.welkom.is_some().then_some(texts(lang).password_saved),
    };
    let cookies: Vec<String> = set.into_iter().collect();
    Ok(render(&page, &cookies, lang))
}

/// The logged-in contact's own ticket, or "not found".
async fn own(s: &AppState, headers: &HeaderMap, number: i64, lang: Lang) -> Result<(Contact, Ticket), PageError> {
    let me = contact(s, headers, lang)
        .await?
        .ok_or_else(|| PageError::login_first(&format!("/mijn/{number}"), lang))?;
    let t = s
        .service
        .ticket_for(&Actor::Contact(me.clone()), TicketNumber(number))
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?;
    // A ticket merged into another of the same requester lives on there.
    let t = match s
        .service
        .merged_into(&t)
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?
    {
        Some(into) if into.requester_id == t.requester_id => into,
        _ => t,
    };
    Ok((me, t))
}

/// `GET /mijn/{number}`: one of the contact's tickets.
pub async fn view_mine_ticket_get(
    State(s): State<AppState>,
    PagePath(number): PagePath<i64>,
    PageQuery(q): PageQuery<super::follow::LangQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    let (me, t) = own(&s, &headers, number, lang).await?;
    if t.number.0 != number {
        return Ok(Redirect::to(&format!("/mijn/{}?samengevoegd=1", t.number)).into_response());
    }
    let view = super::follow::View {
        base: format!("/mijn/{number}"),
        lang,
        draft: None,
        notice: q.notice(lang),
    };
    ticket_page(&s, &t, &me, &headers, view).await
}

/// `GET /mijn/{number}/solve`: asks whether the question is solved.
pub async fn view_mine_solve_get(
    State(s): State<AppState>,
    PagePath(number): PagePath<i64>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    let (_, t) = own(&s, &headers, number, lang).await?;
    super::follow::solve_page(&s, &t, format!("/mijn/{number}"), &headers, lang).await
}

/// `GET /mijn/{number}/bijlage/{id}`: an attachment of one of the contact's tickets.
pub async fn view_mine_attachment_get(
    State(s): State<AppState>,
    PagePath((number, id)): PagePath<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    let (_, t) = own(&s, &headers, number, lang).await?;
    super::follow::download(&s, &t, id, lang).await
}

/// `POST /mijn/{number}/reply`, with attachments.
pub async fn view_mine_reply_post(
    State(s): State<AppState>,
    PagePath(number): PagePath<i64>,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    let lang = super::language(request.headers());
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
    let lang = super::language(&headers);
    if !csrf::valid(&s.csrf_key, &headers, s.portal.secure_cookies, &form.csrf) {
        return Err(PageError::forbidden(lang));
    }
    let (me, t) = own(&s, &headers, number, lang).await?;
    solve_as(&s, me, t.number, &format!("/mijn/{number}"), lang).await
}
