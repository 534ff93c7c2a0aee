//! The staff admin page: every staff member with role and TOTP, new staff,
//! role changes, the roles that must use TOTP, ending sessions and resetting
//! TOTP. Admins only; the rules (the last admin stays admin) are in the
//! service layer.

use super::{Frame, SignedIn, Texts, check_csrf, texts};
use crate::AppState;
use crate::portal::page::{PageError, PageForm, PageQuery, render, with_status};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::{DomainError, Problem, Role};

const PAGE: &str = "/agent/beheer/medewerkers";

#[derive(Template)]
#[template(path = "agent/staff.html")]
struct StaffPage<'a> {
    t: &'a Texts,
    frame: Frame,
    /// Name, address, role id, password set, TOTP enrolled.
    staff: Vec<(String, String, &'static str, bool, bool)>,
    /// Role id, label, TOTP required.
    roles: Vec<(&'static str, &'static str, bool)>,
    error: Option<String>,
    notice: Option<String>,
    /// What the add form had, when it comes back with an error.
    new_email: String,
    new_name: String,
}

async fn page(
    s: &AppState,
    me: super::Signed,
    error: Option<String>,
    notice: Option<String>,
    typed: (String, String),
) -> Result<Response, PageError> {
    let lang = me.lang;
    let fail = |e: DomainError| match e {
        DomainError::Forbidden(_) => PageError::not_allowed(lang),
        e => PageError::from_domain(&e, lang),
    };
    let staff = s.service.staff_overview(&me.actor()).await.map_err(fail)?;
    let required = s.service.totp_roles().await.map_err(fail)?;
    let page = StaffPage {
        t: texts(lang),
        frame: me.frame,
        staff: staff
            .into_iter()
            .map(|(m, password, totp)| (m.name, m.email, m.role.id(), password, totp))
            .collect(),
        roles: Role::ALL
            .iter()
            .map(|r| (r.id(), r.label(lang), required.contains(r)))
            .collect(),
        notice,
        error,
        new_email: typed.0,
        new_name: typed.1,
    };
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(with_status(render(&page, &me.cookies, lang), status))
}

/// `GET /agent/beheer/medewerkers`.
pub async fn view_staff_get(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PageQuery(q): PageQuery<Done>,
) -> Result<Response, PageError> {
    let t = texts(me.lang);
    let who = q.wie.unwrap_or_default();
    let notice = q.gedaan.map(|what| match what.as_str() {
        "add" => format!("{} {who}.", t.staff_added),
        "role" => format!("{} {who}.", t.role_saved),
        "totp" => t.totp_saved.to_owned(),
        "end_sessions" => format!("{} {who}.", t.sessions_ended),
        "reset_totp" => format!("{} {who}.", t.totp_reset_done),
        "invite" => format!("{} {who}.", t.invite_sent),
        _ => t.done.to_owned(),
    });
    page(&s, me, None, notice, (String::new(), String::new())).await
}

/// `?gedaan=…&wie=…` after a change: what was done, for whom.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Done {
    gedaan: Option<String>,
    wie: Option<String>,
}

/// `POST /agent/beheer/medewerkers`: `do` = `add` (email, name, role),
/// `role` (email, role), `totp` (the roles ticked in `totp_role`),
/// `end_sessions`, `reset_totp` or `invite` (a new set-password link), each
/// with `email`.
pub async fn view_staff_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    headers: HeaderMap,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let field = |name: &str| super::field(&fields, name);
    check_csrf(&s, &headers, &field("csrf"), lang)?;
    let actor = me.actor();
    if actor.require_staff(&[Role::Admin], "manage staff").is_err() {
        return Err(PageError::not_allowed(lang));
    }
    let svc = &s.service;
    let email = field("email");
    let role = || Role::parse(&field("role"));
    let what = field("do");
    let done: loket_core::Result<()> = match what.as_str() {
        "add" => match role() {
            Ok(r) => match svc.create_staff(&actor, &email, &field("name"), r).await {
                // The new staff member sets a password from a mailed link.
                Ok(new) => svc.invite_staff(&actor, &new.email).await.map(|_| ()),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        },
        "role" => match role() {
            Ok(r) => svc.set_staff_role(&actor, &email, r).await.map(|_| ()),
            Err(e) => Err(e),
        },
        "totp" => {
            let ticked: Vec<&str> = fields
                .iter()
                .filter(|(k, _)| k == "totp_role")
                .map(|(_, v)| v.as_str())
                .collect();
            let mut result = Ok(());
            for r in Role::ALL {
                if let Err(e) = svc.require_totp(&actor, *r, ticked.contains(&r.id())).await {
                    result = Err(e);
                    break;
                }
            }
            result
        }
        "end_sessions" => svc.end_staff_sessions(&actor, &email).await.map(|_| ()),
        "reset_totp" => svc.reset_totp(&actor, &email).await.map(|_| ()),
        "invite" => svc.invite_staff(&actor, &email).await.map(|_| ()),
        _ => return Err(PageError::bad_request(lang)),
    };
    match done {
        Ok(()) => {
            let who = super::url_escape(&email);
            Ok(Redirect::to(&format!("{PAGE}?gedaan={what}&wie={who}")).into_response())
        }
        Err(DomainError::Invalid(p)) => {
            let text = match &p {
                Problem::Other(why) => super::messages::rule_message(why, lang),
                p => crate::portal::problem_text(p, lang),
            };
            page(&s, me, Some(text), None, (email.clone(), field("name"))).await
        }
        Err(DomainError::Conflict(why) | DomainError::Duplicate(why)) => {
            let typed = (email.clone(), field("name"));
            page(&s, me, Some(super::messages::rule_message(&why, lang)), None, typed).await
        }
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}
