//! The webhooks page (admins): the webhooks with a switch each, a form to add
//! one (its signing secret is shown once, right after), and the delivery log.

use super::{Frame, SignedIn, Texts, check_csrf, texts};
use crate::AppState;
use crate::portal::page::{PageError, PageForm, PagePath, render};
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::{DomainError, Role};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "agent/webhooks.html")]
struct WebhooksPage<'a> {
    t: &'a Texts,
    frame: Frame,
    /// Id, address, active.
    hooks: Vec<(i64, String, bool)>,
    /// Webhook, delivery (job), attempt, status, error, when.
    log: Vec<(i64, i64, i64, String, String, String)>,
    /// Right after adding one: its address and secret.
    created: Option<(String, String)>,
    error: Option<String>,
    typed: String,
}

async fn page(
    s: &AppState,
    me: super::Signed,
    created: Option<(String, String)>,
    error: Option<String>,
    typed: String,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let actor = me.actor();
    let zone = s.portal.time_zone;
    let hooks = s
        .service
        .list_webhooks(&actor)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|h| (h.id, h.url, h.active))
        .collect();
    let log = s
        .service
        .webhook_deliveries(&actor, 50)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|d| {
            (
                d.webhook,
                d.job,
                d.attempt,
                d.status.map(|s| s.to_string()).unwrap_or_default(),
                d.error
                    .map(|e| super::messages::rule_message(&e, lang))
                    .unwrap_or_default(),
                zone.date_time(d.at),
            )
        })
        .collect();
    let page = WebhooksPage {
        t: texts(lang),
        frame: me.frame,
        hooks,
        log,
        created,
        error,
        typed,
    };
    Ok(render(&page, &me.cookies, lang))
}

/// `GET /agent/beheer/webhooks`.
pub async fn view_webhooks_get(State(s): State<AppState>, SignedIn(me): SignedIn) -> Result<Response, PageError> {
    me.require(&[Role::Admin])?;
    page(&s, me, None, None, String::new()).await
}

/// Add a webhook.
#[derive(Debug, Deserialize)]
pub struct NewHookForm {
    csrf: String,
    #[serde(default)]
    url: String,
}

/// `POST /agent/beheer/webhooks`: adds one and shows its secret once.
pub async fn view_webhooks_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    headers: HeaderMap,
    PageForm(form): PageForm<NewHookForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    check_csrf(&s, &headers, &form.csrf, lang)?;
    me.require(&[Role::Admin])?;
    match s.service.create_webhook(&me.actor(), &form.url).await {
        Ok((hook, secret)) => page(&s, me, Some((hook.url, secret)), None, String::new()).await,
        Err(DomainError::Invalid(_)) => {
            let text = texts(lang).webhook_bad_url.to_owned();
            page(&s, me, None, Some(text), form.url).await
        }
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}

/// Switch a webhook on or off.
#[derive(Debug, Deserialize)]
pub struct ToggleForm {
    csrf: String,
    #[serde(default)]
    active: String,
}

/// `POST /agent/beheer/webhooks/{id}`: switches one on or off.
pub async fn view_webhook_toggle_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PagePath(id): PagePath<i64>,
    headers: HeaderMap,
    PageForm(form): PageForm<ToggleForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    check_csrf(&s, &headers, &form.csrf, lang)?;
    me.require(&[Role::Admin])?;
    s.service
        .set_webhook_active(&me.actor(), id, form.active == "1")
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?;
    Ok(Redirect::to("/agent/beheer/webhooks").into_response())
}
