//! A new staff member sets their workspace password from the link mailed to
//! them (`loket agent add`, or an admin adding them): once, within 48 hours.
//! An unknown, used or expired link is "not found", like the portal's.

use super::{Texts, texts};
use crate::AppState;
use crate::portal::page::{PageError, PageForm, PagePath, render, with_status};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::DomainError;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "agent/password.html")]
struct PasswordPage<'a> {
    t: &'a Texts,
    csrf: String,
    token: String,
    email: String,
    error: Option<String>,
}

fn page(s: &AppState, headers: &HeaderMap, token: &str, email: String, error: Option<String>) -> Response {
    let lang = crate::portal::language(headers);
    let (csrf, set) = crate::portal::csrf::token(&s.csrf_key, headers, s.portal.secure_cookies);
    let bad = error.is_some();
    let p = PasswordPage {
        t: texts(lang),
        csrf,
        token: token.to_owned(),
        email,
        error,
    };
    let resp = render(&p, &set.into_iter().collect::<Vec<_>>(), lang);
    if bad {
        with_status(resp, StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        resp
    }
}

fn token_ok(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `GET /agent/wachtwoord/{token}`.
pub async fn view_password_get(
    State(s): State<AppState>,
    PagePath(token): PagePath<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = crate::portal::language(&headers);
    if !token_ok(&token) {
        return Err(PageError::not_found(lang));
    }
    let staff = s
        .service
        .staff_link(&token)
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?;
    Ok(page(&s, &headers, &token, staff.email, None))
}

/// The new password, twice.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    csrf: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeat: String,
}

/// `POST /agent/wachtwoord/{token}`: sets it, then to the sign-in page.
pub async fn view_password_post(
    State(s): State<AppState>,
    PagePath(token): PagePath<String>,
    headers: HeaderMap,
    PageForm(form): PageForm<PasswordForm>,
) -> Result<Response, PageError> {
    let lang = crate::portal::language(&headers);
    super::check_csrf(&s, &headers, &form.csrf, lang)?;
    if !token_ok(&token) {
        return Err(PageError::not_found(lang));
    }
    let staff = s
        .service
        .staff_link(&token)
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?;
    let t = texts(lang);
    if form.password != form.repeat {
        return Ok(page(
            &s,
            &headers,
            &token,
            staff.email,
            Some(t.password_mismatch.into()),
        ));
    }
    match s.service.set_staff_password_by_link(&token, &form.password).await {
        Ok(_) => Ok(Redirect::to("/agent/inloggen?ingesteld=1").into_response()),
        Err(DomainError::Invalid(p)) => Ok(page(
            &s,
            &headers,
            &token,
            staff.email,
            Some(crate::portal::problem_text(&p, lang)),
        )),
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}
