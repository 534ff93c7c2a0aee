//! The wish list: wishes with how many organisations asked for each, most
//! first; and linking a ticket to an existing wish from its page.

use super::{Frame, SignedIn, Texts, check_csrf, texts};
use crate::AppState;
use crate::portal::page::{PageError, PageForm, PagePath, render};
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::service::ALL_STAFF;
use loket_core::*;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "agent/wishes.html")]
struct WishesPage<'a> {
    t: &'a Texts,
    frame: Frame,
    /// Number, subject, organisations, linked tickets.
    wishes: Vec<(TicketNumber, String, i64, i64)>,
}

/// `GET /agent/wensen`.
pub async fn view_wishes_get(State(s): State<AppState>, SignedIn(me): SignedIn) -> Result<Response, PageError> {
    let lang = me.lang;
    let wishes = s
        .service
        .wish_list(&me.actor(), 500)
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?
        .into_iter()
        .map(|w| (w.number, w.subject, w.organisations, w.linked))
        .collect();
    let page = WishesPage {
        t: texts(lang),
        frame: me.frame,
        wishes,
    };
    Ok(render(&page, &me.cookies, lang))
}

/// Link to this wish.
#[derive(Debug, Deserialize)]
pub struct LinkForm {
    csrf: String,
    #[serde(default)]
    wish: String,
}

/// `POST /agent/tickets/{number}/wens`: links the ticket to an existing wish.
pub async fn view_wish_link_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PagePath(number): PagePath<i64>,
    headers: HeaderMap,
    PageForm(form): PageForm<LinkForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    check_csrf(&s, &headers, &form.csrf, lang)?;
    me.require(ALL_STAFF)?;
    let wish = form.wish.trim().trim_start_matches('#');
    let Ok(wish) = wish.parse::<i64>() else {
        let why = format!("{} is not a ticket number", form.wish.trim());
        return super::ticket::with_error(&s, me, TicketNumber(number), super::messages::rule_message(&why, lang))
            .await;
    };
    match s
        .service
        .link_wish(&me.actor(), TicketNumber(number), TicketNumber(wish))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/agent/tickets/{number}?gedaan=wens")).into_response()),
        Err(DomainError::Conflict(why) | DomainError::Invalid(Problem::Other(why))) => {
            super::ticket::with_error(&s, me, TicketNumber(number), super::messages::rule_message(&why, lang)).await
        }
        Err(DomainError::NotFound(_)) => {
            let text = match lang {
                Lang::Nl => format!("Ticket {wish} bestaat niet; vul het nummer van de bestaande wens in."),
                Lang::En => format!("Ticket {wish} does not exist; fill in the number of the existing wish."),
            };
            super::ticket::with_error(&s, me, TicketNumber(number), text).await
        }
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}
