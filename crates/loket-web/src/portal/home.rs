//! The portal's start page with the "Verstuur ticket" form, for visitors
//! (identified by the address they give); logged-in contacts follow later.

use super::csrf;
use super::i18n::{Texts, texts};
use super::page::{PageError, render};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use loket_core::service::{Actor, CreateTicket};
use loket_core::*;

/// Tickets one address may submit per hour.
const PER_ADDRESS_PER_HOUR: i64 = 10;
/// Tickets one IP address may submit per hour.
const PER_IP_PER_HOUR: i64 = 30;

/// What the visitor typed, kept when the form comes back with an error.
#[derive(Debug, Default, Clone)]
pub struct FormValues {
    name: String,
    email: String,
    subject: String,
    message: String,
    urgent: bool,
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage<'a> {
    t: &'a Texts,
    csrf: String,
    next_meeting: Option<(String, String)>,
    error: Option<String>,
    form: FormValues,
}

#[derive(Template)]
#[template(path = "portal/submitted.html")]
struct SubmittedPage<'a> {
    t: &'a Texts,
    number: TicketNumber,
}

fn home(s: &AppState, headers: &HeaderMap, lang: Lang, error: Option<String>, form: FormValues) -> Response {
    let (csrf, set) = csrf::token(&s.csrf_key, headers, s.portal.secure_cookies);
    let next_meeting = s
        .portal
        .next_meeting
        .map(|d| (d.format("%Y-%m-%d").to_string(), d.format("%d-%m-%Y").to_string()));
    let page = HomePage {
        t: texts(lang),
        csrf,
        next_meeting,
        error,
        form,
    };
    render(&page, &set.into_iter().collect::<Vec<_>>(), lang)
}

/// `GET /`: the start page.
pub async fn view_home_get(
    State(s): State<AppState>,
    Query(q): Query<super::follow::LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = super::language(q.lang(), &headers);
    let mut form = FormValues::default();
    if let Ok(Some((me, _))) = super::session::current(&s, &headers).await {
        form.email = me.email;
        form.name = me.name;
    }
    let mut resp = home(&s, &headers, lang, None, form);
    if let Some(c) = super::follow::lang_cookie(q.lang())
        && let Ok(v) = axum::http::HeaderValue::from_str(&c)
    {
        resp.headers_mut().append(axum::http::header::SET_COOKIE, v);
    }
    resp
}

/// `POST /tickets/new`: creates the ticket; the form comes back with a clear
/// message and everything typed when something is wrong.
pub async fn view_submit_post(
    State(s): State<AppState>,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    let headers = request.headers().clone();
    let lang = super::language(None, &headers);
    let ip = super::client_ip(request.extensions(), &headers, &s.portal.trusted_proxies);
    let posted = super::upload::read(&s, request, &ip, lang).await?;
    let mut form = FormValues {
        name: posted.get("name").to_owned(),
        email: posted.get("email").to_owned(),
        subject: posted.get("subject").to_owned(),
        message: posted.get("message").to_owned(),
        urgent: !posted.get("urgent").is_empty(),
    };
    // A logged-in contact submits for their own address.
    if let Some((me, _)) = super::session::current(&s, &headers)
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?
    {
        form.email = me.email;
    }
    // A refused form keeps what was typed; files must be chosen again.
    let with_files = !posted.files.is_empty() || !posted.problems.is_empty();
    let again = |status: StatusCode, msg: String, form: FormValues| {
        let msg = if with_files {
            format!("{msg} {}", texts(lang).files_again)
        } else {
            msg
        };
        let mut r = home(&s, &headers, lang, Some(msg), form);
        *r.status_mut() = status;
        Ok(r)
    };
    if let Some(p) = posted.problems.first() {
        return again(StatusCode::UNPROCESSABLE_ENTITY, super::problem_text(p, lang), form);
    }
    let email = match normalise_email(&form.email) {
        Ok(e) => e,
        Err(DomainError::Invalid(p)) => {
            return again(StatusCode::UNPROCESSABLE_ENTITY, super::problem_text(&p, lang), form);
        }
        Err(e) => return Err(PageError::from_domain(&e, lang)),
    };
    let keys = [
        (format!("ticket-ip:{ip}"), PER_IP_PER_HOUR, 60),
        (format!("ticket-address:{email}"), PER_ADDRESS_PER_HOUR, 60),
    ];
    if super::limited(&s, &keys, lang).await? {
        return again(StatusCode::TOO_MANY_REQUESTS, texts(lang).too_many.into(), form);
    }
    let input = CreateTicket {
        requester_name: Some(form.name.clone()),
        urgent: form.urgent,
        attachments: posted.files,
        ..CreateTicket::new(&form.subject, &form.message, &email, Channel::Portal)
    };
    match s.service.create_ticket(&Actor::System, input).await {
        Ok(t) => Ok(render(
            &SubmittedPage {
                t: texts(lang),
                number: t.number,
            },
            &[],
            lang,
        )),
        Err(DomainError::Invalid(p)) => again(StatusCode::UNPROCESSABLE_ENTITY, super::problem_text(&p, lang), form),
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}
