//! The mailboxes page: each configured mailbox with its department, address,
//! whether it is fetched over IMAP, its last good fetch and its last error;
//! and the quarantine with each mail's reason and a retry. For agents and
//! admins, as in the API.

use super::{Frame, SignedIn, Texts, check_csrf, texts};
use crate::AppState;
use crate::portal::page::{PageError, PageForm, PagePath, PageQuery, render};
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::service::DESK_STAFF;
use loket_mail::Outcome;
use serde::Deserialize;

/// One mailbox's row.
struct MailboxRow {
    name: String,
    department: &'static str,
    address: String,
    imap: bool,
    last_ok: String,
    last_error: String,
}

/// One quarantined mail's row.
struct QuarantineRow {
    id: i64,
    mailbox: String,
    reason: String,
    attempts: i64,
    next: String,
    size: String,
}

#[derive(Template)]
#[template(path = "agent/mailboxes.html")]
struct MailboxesPage<'a> {
    t: &'a Texts,
    frame: Frame,
    mailboxes: Vec<MailboxRow>,
    quarantine: Vec<QuarantineRow>,
    notice: Option<String>,
}

/// What a retry came to (`?opnieuw=`).
#[derive(Debug, Default, Deserialize)]
pub struct RetryQuery {
    opnieuw: Option<String>,
}

/// `GET /agent/beheer/postvakken`.
pub async fn view_mailboxes_get(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PageQuery(q): PageQuery<RetryQuery>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    me.require(DESK_STAFF)?;
    let t = texts(lang);
    let fail = |e: loket_core::DomainError| PageError::from_domain(&e, lang);
    let zone = s.portal.time_zone;
    let status = s.service.store().mailbox_status().await.map_err(fail)?;
    let mailboxes = s
        .intake
        .mailboxes()
        .iter()
        .map(|m| {
            let st = status.iter().find(|x| x.name == m.name);
            MailboxRow {
                name: m.name.clone(),
                department: m.department.label(lang),
                address: m.address.clone().unwrap_or_default(),
                imap: m.imap.is_some(),
                last_ok: st
                    .and_then(|x| x.last_ok_at)
                    .map(|d| zone.date_time(d))
                    .unwrap_or_default(),
                last_error: st
                    .and_then(|x| x.last_error.clone())
                    .map(|(e, at)| format!("{} · {e}", zone.date_time(at)))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let quarantine = s
        .service
        .store()
        .list_quarantine(200)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|q| QuarantineRow {
            id: q.id,
            mailbox: q.mailbox,
            reason: super::messages::rule_message(&q.reason, lang),
            attempts: q.attempts,
            next: q.next_attempt_at.map(|d| zone.date_time(d)).unwrap_or_default(),
            size: crate::portal::i18n::size_in(lang, u64::try_from(q.size).unwrap_or_default()),
        })
        .collect();
    let notice = q.opnieuw.map(|o| match o.as_str() {
        "ticket" => t.retry_ticket.to_owned(),
        "dubbel" => t.retry_duplicate.to_owned(),
        _ => t.retry_still.to_owned(),
    });
    let page = MailboxesPage {
        t,
        frame: me.frame,
        mailboxes,
        quarantine,
        notice,
    };
    Ok(render(&page, &me.cookies, lang))
}

/// `POST /agent/beheer/postvakken/{id}/opnieuw`: tries a quarantined mail again now.
pub async fn view_quarantine_retry_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PagePath(id): PagePath<i64>,
    headers: HeaderMap,
    PageForm(form): PageForm<super::TokenForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    check_csrf(&s, &headers, &form.csrf, lang)?;
    me.require(DESK_STAFF)?;
    let outcome = s
        .intake
        .retry_one(id)
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?;
    let what = match outcome {
        Outcome::Created(_) | Outcome::Appended(_) | Outcome::Automatic(_) => "ticket",
        Outcome::Duplicate => "dubbel",
        _ => "quarantaine",
    };
    Ok(Redirect::to(&format!("/agent/beheer/postvakken?opnieuw={what}")).into_response())
}
