//! Subscribing to the outage page by mail: the form on `/storingen`, the
//! confirmation link (double opt-in: a page with a button, so a mail scanner
//! opening the link confirms nothing) and the unsubscribe link in every update.

use super::csrf;
use super::i18n::{Texts, texts};
use super::page::{Chrome, PageError, PageForm, PagePath, chrome, render};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use loket_core::DomainError;
use loket_core::service::SubscriberLink;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "portal/subscribe.html")]
struct SubscribePage<'a> {
    t: &'a Texts,
    chrome: Chrome,
    title: &'a str,
    message: String,
    /// The form to post (confirm or unsubscribe), when one is asked.
    action: Option<String>,
    button: &'a str,
    /// Where the page leads back to: address and words.
    back: (&'a str, &'a str),
    /// A refused address: the subscribe form again, with it.
    retry: Option<String>,
}

pub(crate) async fn show(
    s: &AppState,
    headers: &HeaderMap,
    title: &str,
    message: String,
    action: Option<String>,
    button: &str,
    back: Option<(&str, &str)>,
) -> Result<Response, PageError> {
    let lang = super::language(headers);
    let (chrome, set) = chrome(s, headers).await.map_err(|e| PageError::from_domain(&e, lang))?;
    let page = SubscribePage {
        t: texts(lang),
        chrome,
        title,
        message,
        action,
        button,
        back: back.unwrap_or(("/storingen", texts(lang).outages_title)),
        retry: None,
    };
    Ok(render(&page, &set.into_iter().collect::<Vec<_>>(), lang))
}

/// The subscribe form.
#[derive(Debug, Deserialize)]
pub struct SubscribeForm {
    csrf: String,
    #[serde(default)]
    email: String,
}

impl super::account::WithCsrf for SubscribeForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /storingen/abonneren`: the same answer whatever the address's state.
pub async fn view_subscribe_post(
    State(s): State<AppState>,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    let (form, headers, ip, lang) = super::account::checked_form::<SubscribeForm>(&s, request).await?;
    // Each request may mail an address: as many as the access form allows.
    let keys = [(format!("subscribe-ip:{ip}"), 20, 60)];
    if super::limited(&s, &keys, lang).await? {
        let t = texts(lang);
        let mut r = show(
            &s,
            &headers,
            t.subscribe_title,
            t.too_many_later.to_owned(),
            None,
            "",
            None,
        )
        .await?;
        *r.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
        return Ok(r);
    }
    let t = texts(lang);
    match s.service.subscribe_outages(&form.email).await {
        Ok(()) => {
            show(
                &s,
                &headers,
                t.subscribe_title,
                t.subscribe_sent.to_owned(),
                None,
                "",
                None,
            )
            .await
        }
        Err(DomainError::Invalid(p)) => {
            let (chrome, set) = chrome(&s, &headers)
                .await
                .map_err(|e| PageError::from_domain(&e, lang))?;
            let page = SubscribePage {
                t,
                chrome,
                title: t.subscribe_title,
                message: super::problem_text(&p, lang),
                action: None,
                button: t.subscribe_button,
                back: ("/storingen", t.outages_title),
                retry: Some(form.email.clone()),
            };
            let mut r = render(&page, &set.into_iter().collect::<Vec<_>>(), lang);
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}

/// A link's button form.
#[derive(Debug, Deserialize)]
pub struct LinkForm {
    csrf: String,
}

fn purpose_of(path: &str) -> SubscriberLink {
    if path == "afmelden" {
        SubscriberLink::Unsubscribe
    } else {
        SubscriberLink::Confirm
    }
}

/// `GET /storingen/{bevestigen|afmelden}/{token}`: a page with the button.
pub async fn view_subscriber_link_get(
    State(s): State<AppState>,
    PagePath((what, token)): PagePath<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    let t = texts(lang);
    if !matches!(what.as_str(), "bevestigen" | "afmelden") || token.len() > 200 {
        return Err(PageError::not_found(lang));
    }
    let (title, message, button) = match purpose_of(&what) {
        SubscriberLink::Confirm => (t.subscribe_title, t.subscribe_confirm_ask, t.subscribe_confirm),
        _ => (t.unsubscribe_title, t.unsubscribe_ask, t.unsubscribe),
    };
    let action = format!("/storingen/{what}/{}", loket_mail::links::path_segment(&token));
    show(&s, &headers, title, message.to_owned(), Some(action), button, None).await
}

/// `POST /storingen/{bevestigen|afmelden}/{token}`: confirms or unsubscribes.
pub async fn view_subscriber_link_post(
    State(s): State<AppState>,
    PagePath((what, token)): PagePath<(String, String)>,
    headers: HeaderMap,
    PageForm(form): PageForm<LinkForm>,
) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    if !csrf::valid(&s.csrf_key, &headers, s.portal.secure_cookies, &form.csrf) {
        return Err(PageError::forbidden(lang));
    }
    if !matches!(what.as_str(), "bevestigen" | "afmelden") {
        return Err(PageError::not_found(lang));
    }
    let t = texts(lang);
    let purpose = purpose_of(&what);
    let done = match purpose {
        SubscriberLink::Confirm => s.service.confirm_outage_subscription(&token).await,
        _ => s.service.end_outage_subscription(&token).await,
    };
    match (done, purpose) {
        (Ok(()), SubscriberLink::Confirm) => {
            show(
                &s,
                &headers,
                t.subscribe_title,
                t.subscribe_done.to_owned(),
                None,
                "",
                None,
            )
            .await
        }
        (Ok(()), _) => {
            show(
                &s,
                &headers,
                t.unsubscribe_title,
                t.unsubscribe_done.to_owned(),
                None,
                "",
                None,
            )
            .await
        }
        (Err(e), _) => Err(PageError::from_domain(&e, lang)),
    }
}
