//! Signing in to the workspace: address and password, then a TOTP code (or a
//! recovery code) for whoever enrolled, or enrolment first for a role that
//! requires TOTP; and signing out. Attempts are limited per address and per
//! visitor, as on the portal.

use super::{Texts, check_csrf, session, session_of, texts};
use crate::AppState;
use crate::portal::page::{PageError, PageForm, render, with_status};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::service::NextStep;
use loket_core::{DomainError, Lang};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "agent/signin.html")]
struct SigninPage<'a> {
    t: &'a Texts,
    csrf: String,
    /// `password`, `code`, `enrol` or `recovery`.
    step: &'static str,
    email: String,
    error: Option<&'static str>,
    notice: Option<&'static str>,
    secret: String,
    qr: String,
    codes: Vec<String>,
}

impl SigninPage<'_> {
    fn new(t: &'static Texts, csrf: String, step: &'static str) -> SigninPage<'static> {
        SigninPage {
            t,
            csrf,
            step,
            email: String::new(),
            error: None,
            notice: None,
            secret: String::new(),
            qr: String::new(),
            codes: Vec::new(),
        }
    }
}

fn page(s: &AppState, headers: &HeaderMap, lang: Lang, build: impl FnOnce(&mut SigninPage<'static>)) -> Response {
    let (csrf, set) = crate::portal::csrf::token(&s.csrf_key, headers, s.portal.secure_cookies);
    let mut p = SigninPage::new(texts(lang), csrf, "password");
    build(&mut p);
    render(&p, &set.into_iter().collect::<Vec<_>>(), lang)
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct SigninForm {
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// The code form (TOTP code, recovery code or enrolment confirmation).
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    csrf: String,
    #[serde(default)]
    code: String,
}

/// `?uitgelogd=1` after signing out, `?ingesteld=1` after setting a password.
#[derive(Debug, Default, Deserialize)]
pub struct SigninQuery {
    uitgelogd: Option<String>,
    ingesteld: Option<String>,
}

/// `GET /agent/inloggen`.
pub async fn view_signin_get(
    State(s): State<AppState>,
    crate::portal::page::PageQuery(q): crate::portal::page::PageQuery<SigninQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = crate::portal::language(&headers);
    if let Some((sess, _)) = session_of(&s, &headers, lang).await?
        && sess.signed_in
    {
        return Ok(Redirect::to("/agent").into_response());
    }
    let t = texts(lang);
    let notice = if q.ingesteld.is_some() {
        Some(t.password_set)
    } else {
        q.uitgelogd.map(|_| t.signed_out)
    };
    Ok(page(&s, &headers, lang, |p| p.notice = notice))
}

/// `POST /agent/inloggen`.
pub async fn view_signin_post(
    State(s): State<AppState>,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    let headers = request.headers().clone();
    let ip = crate::portal::client_ip(request.extensions(), &headers, &s.portal.trusted_proxies);
    let lang = crate::portal::language(&headers);
    let PageForm(form) = <PageForm<SigninForm> as axum::extract::FromRequest<()>>::from_request(request, &()).await?;
    check_csrf(&s, &headers, &form.csrf, lang)?;
    let t = texts(lang);
    let email = form.email.trim().to_lowercase();
    let again = |error: &'static str, status: StatusCode| {
        with_status(
            page(&s, &headers, lang, |p| {
                p.email.clone_from(&email);
                p.error = Some(error);
            }),
            status,
        )
    };
    if email.is_empty() || form.password.is_empty() {
        return Ok(again(t.signin_missing, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let keys = [
        (format!("staff-login-ip:{ip}"), 30, 1),
        (format!("staff-login-address:{email}"), 5, 1),
    ];
    if crate::portal::limited(&s, &keys, lang).await? {
        return Ok(again(t.too_many, StatusCode::TOO_MANY_REQUESTS));
    }
    match s.service.staff_login(&email, &form.password).await {
        Ok((token, next)) => {
            let (back, forget) = super::after_sign_in(&headers, s.portal.secure_cookies);
            let to = match next {
                NextStep::Done => back.as_str(),
                NextStep::Code => "/agent/code",
                NextStep::Enrol => "/agent/koppelen",
            };
            let mut resp = Redirect::to(to).into_response();
            set_cookie(&mut resp, &session::set(&token, s.portal.secure_cookies));
            if next == NextStep::Done {
                set_cookie(&mut resp, &forget);
            }
            Ok(resp)
        }
        Err(DomainError::Forbidden(_)) => Ok(again(t.signin_failed, StatusCode::UNAUTHORIZED)),
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}

/// Codes a staff member may try: five a minute, thirty a day (guessing a
/// six-digit code stays hopeless even with the password).
fn code_limits(staff: loket_core::StaffId) -> [(String, i64, i64); 2] {
    [
        (format!("staff-code:{staff}"), 5, 1),
        (format!("staff-code-day:{staff}"), 30, 24 * 60),
    ]
}

fn set_cookie(resp: &mut Response, value: &str) {
    if let Ok(v) = axum::http::HeaderValue::from_str(value) {
        resp.headers_mut().append(axum::http::header::SET_COOKIE, v);
    }
}

/// `GET /agent/code`: the second step for whoever enrolled.
pub async fn view_code_get(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    let lang = crate::portal::language(&headers);
    match session_of(&s, &headers, lang).await? {
        None => Ok(Redirect::to("/agent/inloggen").into_response()),
        Some((sess, _)) if sess.signed_in => Ok(Redirect::to("/agent").into_response()),
        Some((sess, _)) if !sess.has_totp => Ok(Redirect::to("/agent/koppelen").into_response()),
        Some(_) => Ok(page(&s, &headers, lang, |p| p.step = "code")),
    }
}

/// `POST /agent/code`.
pub async fn view_code_post(
    State(s): State<AppState>,
    headers: HeaderMap,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response, PageError> {
    let lang = crate::portal::language(&headers);
    check_csrf(&s, &headers, &form.csrf, lang)?;
    let Some((sess, token)) = session_of(&s, &headers, lang).await? else {
        return Ok(Redirect::to("/agent/inloggen").into_response());
    };
    if sess.signed_in {
        return Ok(Redirect::to("/agent").into_response());
    }
    let t = texts(lang);
    let again = |error: &'static str, status: StatusCode| {
        with_status(
            page(&s, &headers, lang, |p| {
                p.step = "code";
                p.error = Some(error);
            }),
            status,
        )
    };
    if crate::portal::limited(&s, &code_limits(sess.staff.id), lang).await? {
        return Ok(again(t.too_many, StatusCode::TOO_MANY_REQUESTS));
    }
    match s.service.staff_verify_code(&token, &form.code).await {
        Ok((_, fresh)) => {
            let (back, forget) = super::after_sign_in(&headers, s.portal.secure_cookies);
            let mut resp = Redirect::to(&back).into_response();
            // A new token now that sign-in is complete.
            set_cookie(&mut resp, &session::set(&fresh, s.portal.secure_cookies));
            set_cookie(&mut resp, &forget);
            Ok(resp)
        }
        Err(DomainError::Forbidden(_)) => Ok(again(t.code_wrong, StatusCode::UNAUTHORIZED)),
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}

/// The enrolment page: the QR code and the secret as text.
async fn enrol_page(
    s: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    token: &str,
    error: Option<&'static str>,
) -> Result<Response, PageError> {
    let enrolment = s
        .service
        .staff_begin_enrolment(token)
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?;
    let qr = qrcode::QrCode::new(enrolment.uri.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(220, 220)
                .build()
        })
        .unwrap_or_default();
    let qr = format!(
        "data:image/svg+xml;base64,{}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, qr)
    );
    Ok(page(s, headers, lang, |p| {
        p.step = "enrol";
        p.error = error;
        p.secret = grouped(&enrolment.secret);
        p.qr = qr;
    }))
}

/// A base32 secret in groups of four, easier to type over.
fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `GET /agent/koppelen`: TOTP enrolment (required roles are sent here
/// before anything else; anyone signed in may enrol).
pub async fn view_enrol_get(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    let lang = crate::portal::language(&headers);
    match session_of(&s, &headers, lang).await? {
        None => Ok(Redirect::to("/agent/inloggen").into_response()),
        // Enrolled once: never again from a session (an admin resets it).
        Some((sess, _)) if sess.has_totp && sess.signed_in => Ok(Redirect::to("/agent").into_response()),
        Some((sess, _)) if sess.has_totp => Ok(Redirect::to("/agent/code").into_response()),
        Some((_, token)) => enrol_page(&s, &headers, lang, &token, None).await,
    }
}

/// `POST /agent/koppelen`: confirms the new secret with a code; shows the
/// recovery codes once.
pub async fn view_enrol_post(
    State(s): State<AppState>,
    headers: HeaderMap,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response, PageError> {
    let lang = crate::portal::language(&headers);
    check_csrf(&s, &headers, &form.csrf, lang)?;
    let Some((sess, token)) = session_of(&s, &headers, lang).await? else {
        return Ok(Redirect::to("/agent/inloggen").into_response());
    };
    let t = texts(lang);
    if crate::portal::limited(&s, &code_limits(sess.staff.id), lang).await? {
        let resp = enrol_page(&s, &headers, lang, &token, Some(t.too_many)).await?;
        return Ok(with_status(resp, StatusCode::TOO_MANY_REQUESTS));
    }
    match s.service.staff_confirm_enrolment(&token, &form.code).await {
        Ok((codes, fresh)) => {
            let mut resp = page(&s, &headers, lang, |p| {
                p.step = "recovery";
                p.codes = codes;
            });
            set_cookie(&mut resp, &session::set(&fresh, s.portal.secure_cookies));
            Ok(resp)
        }
        Err(DomainError::Forbidden(_)) => {
            let resp = enrol_page(&s, &headers, lang, &token, Some(t.code_wrong)).await?;
            Ok(with_status(resp, StatusCode::UNAUTHORIZED))
        }
        Err(DomainError::Conflict(_)) => {
            let to = if sess.has_totp { "/agent" } else { "/agent/koppelen" };
            Ok(Redirect::to(to).into_response())
        }
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}

/// `POST /agent/uitloggen`: ends the session here and in the store.
pub async fn view_signout_post(
    State(s): State<AppState>,
    headers: HeaderMap,
    PageForm(form): PageForm<super::TokenForm>,
) -> Result<Response, PageError> {
    let lang = crate::portal::language(&headers);
    check_csrf(&s, &headers, &form.csrf, lang)?;
    if let Some(token) = session::token_of(&headers, s.portal.secure_cookies) {
        s.service
            .end_staff_session(token)
            .await
            .map_err(|e| PageError::from_domain(&e, lang))?;
    }
    let mut resp = Redirect::to("/agent/inloggen?uitgelogd=1").into_response();
    set_cookie(&mut resp, &session::clear(s.portal.secure_cookies));
    Ok(resp)
}
