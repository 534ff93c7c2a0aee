//! Registration and forgotten password (one flow: a link to set a password),
//! login and logout. Answers never reveal whether an address has an account;
//! attempts are rate limited per address and per IP address. Every successful
//! POST answers with a redirect (Post/Redirect/Get), its result told on the
//! page it leads to.

use super::csrf;
use super::i18n::{Texts, texts};
use super::page::{Chrome, PageError, PageForm, PagePath, PageQuery, chrome, render, with_status};
use super::session;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::{DomainError, Lang};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "portal/access.html")]
struct AccessPage<'a> {
    t: &'a Texts,
    chrome: Chrome,
    sent: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/password.html")]
struct PasswordPage<'a> {
    t: &'a Texts,
    chrome: Chrome,
    token: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/login.html")]
struct LoginPage<'a> {
    t: &'a Texts,
    chrome: Chrome,
    email: String,
    error: Option<String>,
    notice: Option<&'a str>,
    /// Where to go after logging in (a checked `/mijn…` path), kept in the form.
    back: String,
}

/// The page to return to after logging in: `/mijn` or `/mijn/{number}`,
/// nothing else (no open redirect).
pub(crate) fn return_path(wanted: Option<&str>) -> String {
    let ok = |p: &str| {
        let forum = p == "/forum"
            || p.strip_prefix("/forum/c/")
                .or_else(|| p.strip_prefix("/forum/onderwerp/"))
                .is_some_and(|n| !n.is_empty() && n.len() <= 12 && n.bytes().all(|b| b.is_ascii_digit()));
        forum
            || p == "/mijn"
            || p.strip_prefix("/mijn/")
                .is_some_and(|n| !n.is_empty() && n.len() <= 12 && n.bytes().all(|b| b.is_ascii_digit()))
    };
    match wanted {
        Some(p) if ok(p) => p.to_owned(),
        _ => "/mijn".to_owned(),
    }
}

/// What a page after a redirect tells: `?verstuurd=1`, `?uitgelogd=1`, `?terug=mijn`.
#[derive(Debug, Default, Deserialize)]
pub struct Told {
    verstuurd: Option<String>,
    uitgelogd: Option<String>,
    terug: Option<String>,
}

/// A posted address.
#[derive(Debug, Deserialize)]
pub struct EmailForm {
    csrf: String,
    email: String,
}

/// A posted new password.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    csrf: String,
    password: String,
    repeat: String,
}

/// A posted login.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    csrf: String,
    email: String,
    password: String,
    #[serde(default)]
    terug: Option<String>,
}

/// A page with the frame of this request: renders it with the chrome built
/// from the request, and the CSRF cookie when new.
macro_rules! framed {
    ($s:expr, $headers:expr, $lang:expr, |$chrome:ident| $page:expr) => {{
        let ($chrome, set) = chrome($s, $headers)
            .await
            .map_err(|e| PageError::from_domain(&e, $lang))?;
        Ok::<Response, PageError>(render(&$page, &set.into_iter().collect::<Vec<_>>(), $lang))
    }};
}

async fn access_page(
    s: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    sent: bool,
    error: Option<String>,
) -> Result<Response, PageError> {
    framed!(s, headers, lang, |chrome| AccessPage {
        t: texts(lang),
        chrome,
        sent,
        error,
    })
}

/// `GET /toegang`: ask for a link to set a password (`?verstuurd=1`: it was sent).
pub async fn view_access_get(
    State(s): State<AppState>,
    PageQuery(told): PageQuery<Told>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    access_page(&s, &headers, super::language(&headers), told.verstuurd.is_some(), None).await
}

/// `POST /toegang`: mails the link; the same answer for every address.
pub async fn view_access_post(
    State(s): State<AppState>,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    let (form, headers, ip, lang) = checked_form::<EmailForm>(&s, request).await?;
    let address = form.email.trim().to_lowercase();
    let keys = [
        (format!("access-ip:{ip}"), 20, 60),
        (format!("access-address:{address}"), 5, 60),
    ];
    if super::limited(&s, &keys, lang).await? {
        let page = access_page(&s, &headers, lang, false, Some(texts(lang).too_many_hour.into())).await?;
        return Ok(with_status(page, StatusCode::TOO_MANY_REQUESTS));
    }
    match s.service.request_access_in(&form.email, Some(lang)).await {
        Ok(()) => Ok(Redirect::to("/toegang?verstuurd=1").into_response()),
        Err(DomainError::Invalid(p)) => {
            let page = access_page(&s, &headers, lang, false, Some(super::problem_text(&p, lang))).await?;
            Ok(with_status(page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}

async fn password_page(
    s: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    token: String,
    error: Option<String>,
) -> Result<Response, PageError> {
    framed!(s, headers, lang, |chrome| PasswordPage {
        t: texts(lang),
        chrome,
        token,
        error,
    })
}

/// The page for a link that was used or has expired: ask for a new one.
async fn link_gone(s: &AppState, headers: &HeaderMap, lang: Lang) -> Result<Response, PageError> {
    let page = access_page(s, headers, lang, false, Some(texts(lang).link_invalid.into())).await?;
    Ok(with_status(page, StatusCode::NOT_FOUND))
}

/// `GET /toegang/{token}`: choose a password, or, for a link that was used or
/// has expired, ask for a new one at once.
pub async fn view_password_get(
    State(s): State<AppState>,
    PagePath(token): PagePath<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    match s.service.access_contact(&token).await {
        Ok(_) => password_page(&s, &headers, lang, token, None).await,
        Err(DomainError::NotFound(_)) => link_gone(&s, &headers, lang).await,
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}

/// `POST /toegang/{token}`: sets the password, logs in, goes to "my tickets".
pub async fn view_password_post(
    State(s): State<AppState>,
    PagePath(token): PagePath<String>,
    headers: HeaderMap,
    PageForm(form): PageForm<PasswordForm>,
) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    if !csrf::valid(&s.csrf_key, &headers, s.portal.secure_cookies, &form.csrf) {
        return Err(PageError::forbidden(lang));
    }
    let t = texts(lang);
    if form.password != form.repeat {
        let page = password_page(&s, &headers, lang, token, Some(t.passwords_differ.into())).await?;
        return Ok(with_status(page, StatusCode::UNPROCESSABLE_ENTITY));
    }
    match s.service.set_password(&token, &form.password).await {
        Ok(contact) => logged_in(&s, &contact, lang, "/mijn?welkom=1").await,
        Err(DomainError::Invalid(p)) => {
            let page = password_page(&s, &headers, lang, token, Some(super::problem_text(&p, lang))).await?;
            Ok(with_status(page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(DomainError::NotFound(_)) => link_gone(&s, &headers, lang).await,
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}

async fn logged_in(s: &AppState, contact: &loket_core::Contact, lang: Lang, to: &str) -> Result<Response, PageError> {
    let token = s
        .service
        .start_session(contact.id)
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?;
    let mut r = Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(&session::set(&token, s.portal.secure_cookies)) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    // A new form nonce with the new session: one planted before the login
    // (over plain http) is worth nothing after it.
    let (_, fresh) = csrf::token(&s.csrf_key, &HeaderMap::new(), s.portal.secure_cookies);
    if let Some(v) = fresh.and_then(|c| HeaderValue::from_str(&c).ok()) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

async fn login_page(
    s: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    (email, back): (String, String),
    error: Option<String>,
    notice: Option<&str>,
) -> Result<Response, PageError> {
    framed!(s, headers, lang, |chrome| LoginPage {
        t: texts(lang),
        chrome,
        email,
        error,
        notice,
        back,
    })
}

/// `GET /inloggen` (`?uitgelogd=1` after logging out, `?terug=mijn` when a
/// page needs a login).
pub async fn view_login_get(
    State(s): State<AppState>,
    PageQuery(told): PageQuery<Told>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    let t = texts(lang);
    let notice = if told.uitgelogd.is_some() {
        Some(t.logged_out)
    } else if told.terug.is_some() {
        Some(t.login_needed)
    } else {
        None
    };
    let back = return_path(told.terug.as_deref());
    login_page(&s, &headers, lang, (String::new(), back), None, notice).await
}

/// `POST /inloggen`: at most five attempts a minute per address, thirty per IP.
pub async fn view_login_post(
    State(s): State<AppState>,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    let (form, headers, ip, lang) = checked_form::<LoginForm>(&s, request).await?;
    let t = texts(lang);
    let back = return_path(form.terug.as_deref());
    let address = form.email.trim().to_lowercase();
    if address.is_empty() {
        let missing = super::problem_text(
            &loket_core::problem::Problem::Empty(loket_core::problem::Field::Email),
            lang,
        );
        let page = login_page(&s, &headers, lang, (form.email, back), Some(missing), None).await?;
        return Ok(with_status(page, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let keys = [
        (format!("login-ip:{ip}"), 30, 1),
        (format!("login-address:{address}"), 5, 1),
    ];
    if super::limited(&s, &keys, lang).await? {
        let page = login_page(&s, &headers, lang, (form.email, back), Some(t.too_many.into()), None).await?;
        return Ok(with_status(page, StatusCode::TOO_MANY_REQUESTS));
    }
    match s.service.login(&form.email, &form.password).await {
        Ok(contact) => logged_in(&s, &contact, lang, &back).await,
        Err(DomainError::Forbidden(_)) => {
            let page = login_page(
                &s,
                &headers,
                lang,
                (form.email, back),
                Some(t.login_failed.into()),
                None,
            )
            .await?;
            Ok(with_status(page, StatusCode::UNAUTHORIZED))
        }
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}

/// `POST /uitloggen`: ends the session.
pub async fn view_logout_post(
    State(s): State<AppState>,
    headers: HeaderMap,
    PageForm(form): PageForm<super::follow::CsrfForm>,
) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    if !csrf::valid(&s.csrf_key, &headers, s.portal.secure_cookies, &form.csrf) {
        return Err(PageError::forbidden(lang));
    }
    if let Some((_, token)) = session::current(&s, &headers)
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?
    {
        s.service
            .end_session(&token)
            .await
            .map_err(|e| PageError::from_domain(&e, lang))?;
    }
    let mut r = Redirect::to("/inloggen?uitgelogd=1").into_response();
    if let Ok(v) = HeaderValue::from_str(&session::clear(s.portal.secure_cookies)) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

/// A form that carries the CSRF token.
pub(super) trait WithCsrf {
    fn csrf(&self) -> &str;
}

impl WithCsrf for EmailForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl WithCsrf for LoginForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Reads a posted form from the whole request and checks its CSRF token;
/// answers the form, the headers, the visitor's IP and language.
pub(super) async fn checked_form<T: serde::de::DeserializeOwned + WithCsrf>(
    s: &AppState,
    request: axum::extract::Request,
) -> Result<(T, HeaderMap, String, Lang), PageError> {
    let headers = request.headers().clone();
    let ip = super::client_ip(request.extensions(), &headers, &s.portal.trusted_proxies);
    let lang = super::language(&headers);
    let PageForm(form) = <PageForm<T> as axum::extract::FromRequest<()>>::from_request(request, &()).await?;
    if !csrf::valid(&s.csrf_key, &headers, s.portal.secure_cookies, form.csrf()) {
        return Err(PageError::forbidden(lang));
    }
    Ok((form, headers, ip, lang))
}
