//! Bulk actions on a queue page: the ticked tickets assigned to me,
//! transferred, labelled or resolved in one go, each through the same service
//! call as on its own page (so every rule still applies per ticket). What
//! could not be done is said, by ticket number.

use super::{SignedIn, check_csrf};
use crate::AppState;
use crate::portal::page::{PageError, PageForm};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::*;

/// Most tickets in one bulk action (a queue page).
const MOST: usize = 50;

/// `POST /agent/bulk`: fields `csrf`, `n` (a ticket number, repeated),
/// `action` (`assign_me`, `transfer`, `label`, `resolve`), `department`,
/// `label`, and `back` (the queue page to return to).
pub async fn view_bulk_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    headers: HeaderMap,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let field = |name: &str| super::field(&fields, name);
    check_csrf(&s, &headers, &field("csrf"), lang)?;
    let mut numbers: Vec<i64> = fields
        .iter()
        .filter(|(k, _)| k == "n")
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    if numbers.len() > MOST {
        return Err(PageError::bad_request(lang));
    }
    // Back to a queue page only (never elsewhere).
    let back = Some(field("back"))
        .filter(|b| b.starts_with("/agent/wachtrij/") && super::safe_return(b))
        .unwrap_or_else(|| "/agent".to_owned());
    let actor = me.actor();
    let svc = &s.service;
    let action = field("action");
    let department = field("department");
    let label = field("label");
    let version = Some(field("release_version")).filter(|v| !v.is_empty());
    let mut failed = Vec::new();
    for n in &numbers {
        let number = TicketNumber(*n);
        let done = match action.as_str() {
            "assign_me" => svc.assign(&actor, number, Some(&me.staff.email)).await.map(|_| ()),
            "resolve" => svc.resolve(&actor, number).await.map(|_| ()),
            "transfer" => match Department::parse(&department) {
                Ok(d) => svc.transfer(&actor, number, d, version.clone()).await.map(|_| ()),
                Err(e) => Err(e),
            },
            "label" if !label.is_empty() => match svc.ticket_for(&actor, number).await {
                Ok(t) => {
                    let mut labels = t.labels.clone();
                    if !labels.contains(&label) {
                        labels.push(label.clone());
                    }
                    svc.set_labels(&actor, number, &labels).await.map(|_| ())
                }
                Err(e) => Err(e),
            },
            _ => return Err(PageError::bad_request(lang)),
        };
        if done.is_err() {
            failed.push(n.to_string());
        }
    }
    let sep = if back.contains('?') { '&' } else { '?' };
    if numbers.is_empty() {
        return Ok(Redirect::to(&format!("{back}{sep}bulk=0&mislukt=&actie=geen")).into_response());
    }
    let to = format!(
        "{back}{sep}bulk={}&mislukt={}&actie={}",
        numbers.len() - failed.len(),
        failed.join(","),
        match action.as_str() {
            "assign_me" => "toewijzen",
            "resolve" => "oplossen",
            "transfer" => "doorsturen",
            _ => "label",
        }
    );
    Ok(Redirect::to(&to).into_response())
}
