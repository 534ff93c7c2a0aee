//! Phone and walk-in tickets: find the caller by part of their address, name
//! or organisation (or type a new address), note the question, mark it
//! urgent when business is seriously disrupted. The caller gets the
//! confirmation mail with the follow link, as from the portal.

use super::{Frame, SignedIn, Texts, check_csrf, texts};
use crate::AppState;
use crate::portal::page::{PageError, PageForm, PageQuery, render, with_status};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::service::CreateTicket;
use loket_core::*;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "agent/phone.html")]
struct PhonePage<'a> {
    t: &'a Texts,
    frame: Frame,
    find: String,
    /// Found contacts: address, name, organisation.
    found: Vec<(String, String, String)>,
    searched: bool,
    email: String,
    name: String,
    subject: String,
    message: String,
    urgent: bool,
    error: Option<String>,
}

/// `?zoek=` looks a caller up; `?email=&naam=` chooses one.
#[derive(Debug, Default, Deserialize)]
pub struct PhoneQuery {
    #[serde(default)]
    zoek: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    naam: String,
}

/// `GET /agent/telefoon`.
pub async fn view_phone_get(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PageQuery(q): PageQuery<PhoneQuery>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let contacts = s.service.find_contacts(&me.actor(), &q.zoek).await.map_err(fail)?;
    let mut found = Vec::with_capacity(contacts.len());
    for c in contacts {
        let org = match c.organisation_id {
            Some(o) => s
                .service
                .store()
                .get_organisation(o)
                .await
                .map_err(fail)?
                .map(|o| o.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        found.push((c.email, c.name, org));
    }
    let page = PhonePage {
        t: texts(lang),
        frame: me.frame,
        searched: !q.zoek.trim().is_empty(),
        find: q.zoek,
        found,
        email: q.email,
        name: q.naam,
        subject: String::new(),
        message: String::new(),
        urgent: false,
        error: None,
    };
    Ok(render(&page, &me.cookies, lang))
}

/// The phone ticket form.
#[derive(Debug, Deserialize)]
pub struct PhoneForm {
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    urgent: Option<String>,
}

/// `POST /agent/telefoon`: creates the ticket (channel Telefoon) and opens it.
pub async fn view_phone_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    headers: HeaderMap,
    PageForm(form): PageForm<PhoneForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    check_csrf(&s, &headers, &form.csrf, lang)?;
    let mut input = CreateTicket::new(&form.subject, &form.message, &form.email, Channel::Phone);
    input.requester_name = Some(form.name.trim().to_owned()).filter(|n| !n.is_empty());
    input.urgent = form.urgent.is_some();
    input.language = Some(lang);
    match s.service.create_ticket(&me.actor(), input).await {
        Ok(t) => Ok(Redirect::to(&format!("/agent/tickets/{}?gedaan=telefoon", t.number)).into_response()),
        Err(DomainError::Invalid(p)) => {
            let page = PhonePage {
                t: texts(lang),
                frame: me.frame,
                find: String::new(),
                found: Vec::new(),
                searched: false,
                error: Some(crate::portal::problem_text(&p, lang)),
                email: form.email,
                name: form.name,
                subject: form.subject,
                message: form.message,
                urgent: form.urgent.is_some(),
            };
            Ok(with_status(
                render(&page, &me.cookies, lang),
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}
