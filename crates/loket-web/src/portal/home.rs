//! The portal's start page with the "Verstuur ticket" form, for visitors
//! (identified by the address they give) and logged-in contacts (their own
//! address). A sent form answers with a redirect to the confirmation page
//! (Post/Redirect/Get); the same form sent twice makes one ticket.

use super::i18n::{Texts, texts};
use super::page::{Chrome, PageError, chrome, render};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::service::{Actor, CreateTicket};
use loket_core::*;

/// Tickets one address may submit per hour.
const PER_ADDRESS_PER_HOUR: i64 = 10;
/// Tickets one IP address may submit per hour.
const PER_IP_PER_HOUR: i64 = 30;
/// The cookie that carries a sent ticket's number to its confirmation page.
const SENT_COOKIE: &str = "loket_verstuurd";

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
    chrome: Chrome,
    next_meeting: Option<(String, String)>,
    error: Option<String>,
    /// The field the error concerns (`email`, `subject`, ...).
    error_field: Option<&'static str>,
    form: FormValues,
    /// The upload limits, as the form states them.
    limits: String,
    /// The form was stopped for personal data: offer "send anyway".
    privacy_stop: bool,
    anyway_label: &'static str,
}

impl HomePage<'_> {
    /// Whether the error concerns this field.
    fn invalid(&self, field: &str) -> bool {
        self.error_field == Some(field)
    }
}

#[derive(Template)]
#[template(path = "portal/submitted.html")]
struct SubmittedPage<'a> {
    t: &'a Texts,
    chrome: Chrome,
    number: TicketNumber,
    logged_in: bool,
}

/// A refused form: the message, and the field it concerns (`files` and
/// `message` for personal data, which also offers "send anyway").
type Refusal = (String, Option<&'static str>);

/// The field a privacy stop points at.
const PRIVACY_FIELD: &str = "privacy";

async fn home(
    s: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    error: Option<Refusal>,
    form: FormValues,
) -> Result<Response, PageError> {
    let (chrome, set) = chrome(s, headers).await.map_err(|e| PageError::from_domain(&e, lang))?;
    let next_meeting = s
        .service
        .next_meeting(Department::FunctionalMeeting)
        .map(|d| (s.portal.time_zone.iso(d), s.portal.time_zone.long_date(d, lang)));
    let (error, error_field) = error.map_or((None, None), |(m, f)| (Some(m), f));
    let privacy_stop = error_field == Some(PRIVACY_FIELD);
    let page = HomePage {
        t: texts(lang),
        chrome,
        next_meeting,
        error,
        error_field,
        form,
        limits: super::i18n::attachment_limits(lang, s.service.limits().max_attachment_bytes),
        privacy_stop,
        anyway_label: super::privacy::anyway_label(lang),
    };
    Ok(render(&page, &set.into_iter().collect::<Vec<_>>(), lang))
}

/// The key of a submission: the same address, subject and message from the
/// same browser on the same day (a double click, a refresh, the back button
/// and "Versturen" again) answer the ticket the first one made instead of
/// making another. The browser's nonce is part of it, so nobody else learns
/// through it what someone sent.
fn request_key(s: &AppState, headers: &HeaderMap, form: &FormValues) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let nonce = super::csrf::nonce(headers, s.portal.secure_cookies).unwrap_or_default();
    let email = form.email.trim().to_lowercase();
    for part in [nonce, email.as_str(), form.subject.trim(), form.message.trim()] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let day = s.portal.time_zone.date(s.service.now());
    format!("portal:{}:{day}", hex::encode(h.finalize()))
}

/// `GET /`: the start page.
pub async fn view_home_get(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    let mut form = FormValues::default();
    if let Ok(Some((me, _))) = super::session::current(&s, &headers).await {
        form.email = me.email;
        form.name = me.name;
    }
    home(&s, &headers, lang, None, form).await
}

/// `POST /tickets/new`: creates the ticket and sends the visitor to its
/// confirmation; the form comes back with a clear message and everything typed
/// when something is wrong.
pub async fn view_submit_post(
    State(s): State<AppState>,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    let headers = request.headers().clone();
    let lang = super::language(&headers);
    let ip = super::client_ip(request.extensions(), &headers, &s.portal.trusted_proxies);
    let (posted, stale) = match super::upload::read(&s, request, &ip, lang).await? {
        super::upload::Read::Fresh(p) => (p, false),
        super::upload::Read::Stale(p) => (p, true),
    };
    let mut form = FormValues {
        name: posted.get("name").to_owned(),
        email: posted.get("email").to_owned(),
        subject: posted.get("subject").to_owned(),
        message: posted.get("message").to_owned(),
        urgent: !posted.get("urgent").is_empty(),
    };
    // A logged-in contact submits for their own address.
    let me = super::session::current(&s, &headers)
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?;
    if let Some((me, _)) = &me {
        form.email.clone_from(&me.email);
    }
    let request_key = Some(request_key(&s, &headers, &form));
    // A refused form keeps what was typed; files must be chosen again.
    let with_files = !posted.files.is_empty() || !posted.problems.is_empty();
    let again = async |status: StatusCode, p: Refusal, form: FormValues| {
        let msg = if with_files && p.1 != Some(PRIVACY_FIELD) {
            format!("{} {}", p.0, texts(lang).files_again)
        } else {
            p.0
        };
        let mut r = home(&s, &headers, lang, Some((msg, p.1)), form).await?;
        *r.status_mut() = status;
        Ok(r)
    };
    if stale {
        // Shown again with a fresh token; nothing of it is used.
        let mut r = home(&s, &headers, lang, Some((texts(lang).form_stale.into(), None)), form).await?;
        *r.status_mut() = StatusCode::FORBIDDEN;
        return Ok(r);
    }
    let refusal = |p: &Problem| (super::problem_text(p, lang), p.field().map(Field::id));
    if let Some(p) = posted.problems.first() {
        return again(StatusCode::UNPROCESSABLE_ENTITY, refusal(p), form).await;
    }
    let email = match normalise_email(&form.email) {
        Ok(e) => e,
        Err(DomainError::Invalid(p)) => return again(StatusCode::UNPROCESSABLE_ENTITY, refusal(&p), form).await,
        Err(e) => return Err(PageError::from_domain(&e, lang)),
    };
    // A logged-in contact is counted as themselves, apart from what strangers
    // send with their address, so those cannot use up their hourly tickets.
    let by_address = match &me {
        Some((c, _)) => format!("ticket-contact:{}", c.id),
        None => format!("ticket-address:{email}"),
    };
    let keys = [
        (format!("ticket-ip:{ip}"), PER_IP_PER_HOUR, 60),
        (by_address, PER_ADDRESS_PER_HOUR, 60),
    ];
    if super::limited(&s, &keys, lang).await? {
        let msg = (texts(lang).too_many_hour.into(), None);
        return again(StatusCode::TOO_MANY_REQUESTS, msg, form).await;
    }
    let anyway = !posted.get("anyway").is_empty();
    if let Some(why) = super::privacy::check(&s, &email, &form.message, &posted.files, anyway, lang).await? {
        return again(StatusCode::UNPROCESSABLE_ENTITY, (why, Some(PRIVACY_FIELD)), form).await;
    }
    let input = CreateTicket {
        requester_name: Some(form.name.clone()),
        urgent: form.urgent,
        attachments: posted.files,
        request_key,
        language: Some(lang),
        ..CreateTicket::new(&form.subject, &form.message, &email, Channel::Portal)
    };
    match s.service.create_ticket(&Actor::System, input).await {
        Ok(t) => {
            let mut r = Redirect::to("/verstuurd").into_response();
            let value = format!("{}.{}", t.number, sent_mac(&s, &headers, t.number));
            let cookie = format!(
                "{SENT_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600{}",
                if s.portal.secure_cookies { "; Secure" } else { "" }
            );
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(r)
        }
        Err(DomainError::Invalid(p)) => again(StatusCode::UNPROCESSABLE_ENTITY, refusal(&p), form).await,
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}

/// The seal on a sent ticket's number, bound to the visitor's form nonce, so
/// the confirmation page shows a number only to whoever sent it.
fn sent_mac(s: &AppState, headers: &HeaderMap, number: TicketNumber) -> String {
    super::csrf::seal(&s.csrf_key, headers, s.portal.secure_cookies, &format!("sent:{number}"))
}

/// `GET /verstuurd`: the confirmation of the ticket just sent (a refresh shows
/// it again and sends nothing).
pub async fn view_sent_get(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    let sealed = super::cookie(&headers, SENT_COOKIE)
        .and_then(|v| v.split_once('.'))
        .and_then(|(n, mac)| Some((TicketNumber(n.parse().ok()?), mac)))
        .filter(|(n, mac)| !mac.is_empty() && sent_mac(&s, &headers, *n) == *mac);
    let Some((number, _)) = sealed else {
        return Ok(Redirect::to("/").into_response());
    };
    let (chrome, new_cookie) = chrome(&s, &headers)
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?;
    let page = SubmittedPage {
        t: texts(lang),
        logged_in: chrome.me.is_some(),
        chrome,
        number,
    };
    Ok(render(&page, &new_cookie.into_iter().collect::<Vec<_>>(), lang))
}
