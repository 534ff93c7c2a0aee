//! Admin pages for organisations (mail domains, sharing tickets with their
//! authorised contacts) and contacts (authorised or not, organisation). For
//! agents and admins, as in the API; other staff get 403.

use super::{Frame, SignedIn, Texts, check_csrf, texts};
use crate::AppState;
use crate::portal::page::{PageError, PageForm, PageQuery, render, with_status};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::store::ContactPatch;
use loket_core::*;
use serde::Deserialize;

const ORGS: &str = "/agent/beheer/organisaties";
const CONTACTS: &str = "/agent/beheer/contacten";

#[derive(Template)]
#[template(path = "agent/organisations.html")]
struct OrganisationsPage<'a> {
    t: &'a Texts,
    frame: Frame,
    /// Id, name, domains, sharing.
    orgs: Vec<(i64, String, String, bool)>,
    error: Option<String>,
    notice: Option<String>,
}

/// `?gedaan=` after a change (how many contacts joined, for a domain).
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    gedaan: Option<String>,
    #[serde(default)]
    zoek: String,
}

fn refused(e: DomainError, lang: Lang) -> PageError {
    match e {
        DomainError::Forbidden(_) => PageError::not_allowed(lang),
        e => PageError::from_domain(&e, lang),
    }
}

/// What to tell about a refused change, and its status: 422 for bad input,
/// 409 for what the rules refuse.
fn problem(e: &DomainError, lang: Lang) -> Option<(String, StatusCode)> {
    match e {
        DomainError::Conflict(why) | DomainError::Duplicate(why) => {
            Some((super::messages::rule_message(why, lang), StatusCode::CONFLICT))
        }
        DomainError::Invalid(Problem::Other(why)) => Some((
            super::messages::rule_message(why, lang),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        DomainError::Invalid(p) => Some((crate::portal::problem_text(p, lang), StatusCode::UNPROCESSABLE_ENTITY)),
        _ => None,
    }
}

async fn orgs_page(
    s: &AppState,
    me: super::Signed,
    error: Option<(String, StatusCode)>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    // The same rule as changing them: agents and admins.
    me.require(loket_core::service::DESK_STAFF)?;
    let orgs = s
        .service
        .store()
        .list_organisations()
        .await
        .map_err(|e| refused(e, lang))?
        .into_iter()
        .map(|o| (o.id.0, o.name, o.domains.join(", "), o.share_tickets))
        .collect();
    let status = error.as_ref().map(|(_, st)| *st);
    let page = OrganisationsPage {
        t: texts(lang),
        frame: me.frame,
        orgs,
        notice,
        error: error.map(|(why, _)| why),
    };
    let resp = render(&page, &me.cookies, lang);
    Ok(match status {
        Some(st) => with_status(resp, st),
        None => resp,
    })
}

/// `GET /agent/beheer/organisaties`.
pub async fn view_orgs_get(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PageQuery(q): PageQuery<Done>,
) -> Result<Response, PageError> {
    let t = texts(me.lang);
    let notice = q.gedaan.map(|n| match n.parse::<u64>() {
        Ok(joined) => format!("{} {joined}", t.domain_joined),
        Err(_) => t.done.to_owned(),
    });
    orgs_page(&s, me, None, notice).await
}

/// `POST /agent/beheer/organisaties`: `do` = `add` (name, domains),
/// `domain` (id, domain) or `share` (id, share = 1 or absent).
pub async fn view_orgs_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    headers: HeaderMap,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let field = |name: &str| super::field(&fields, name);
    check_csrf(&s, &headers, &field("csrf"), lang)?;
    let actor = me.actor();
    let id = || field("id").parse::<i64>().map(OrganisationId);
    let svc = &s.service;
    let done: loket_core::Result<Option<u64>> = match (field("do").as_str(), id()) {
        ("add", _) => {
            let domains: Vec<String> = field("domains")
                .split([',', ' ', ';'])
                .filter(|d| !d.is_empty())
                .map(str::to_owned)
                .collect();
            svc.create_organisation(&actor, &field("name"), &domains)
                .await
                .map(|_| None)
        }
        ("domain", Ok(id)) => svc
            .add_organisation_domain(&actor, id, &field("domain"))
            .await
            .map(Some),
        ("share", Ok(id)) => svc
            .set_ticket_sharing(&actor, id, field("share") == "1")
            .await
            .map(|_| None),
        _ => return Err(PageError::bad_request(lang)),
    };
    match done {
        Ok(joined) => {
            let n = joined.map_or_else(|| "1".to_owned(), |j| j.to_string());
            let kind = if joined.is_some() { n } else { "ok".into() };
            Ok(Redirect::to(&format!("{ORGS}?gedaan={kind}")).into_response())
        }
        Err(e) => match problem(&e, lang) {
            Some(why) => orgs_page(&s, me, Some(why), None).await,
            None => Err(refused(e, lang)),
        },
    }
}

#[derive(Template)]
#[template(path = "agent/contacts.html")]
struct ContactsPage<'a> {
    t: &'a Texts,
    frame: Frame,
    zoek: String,
    /// Id, address, name, organisation id (0: none), authorised.
    contacts: Vec<(i64, String, String, i64, bool)>,
    /// Id, name.
    orgs: Vec<(i64, String)>,
    searched: bool,
    notice: Option<&'static str>,
}

/// `GET /agent/beheer/contacten?zoek=`: contacts found by part of address,
/// name or organisation.
pub async fn view_contacts_get(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PageQuery(q): PageQuery<Done>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    me.require(loket_core::service::DESK_STAFF)?;
    let found = s
        .service
        .find_contacts(&me.actor(), &q.zoek)
        .await
        .map_err(|e| refused(e, lang))?;
    let orgs = s
        .service
        .store()
        .list_organisations()
        .await
        .map_err(|e| refused(e, lang))?
        .into_iter()
        .map(|o| (o.id.0, o.name))
        .collect();
    let page = ContactsPage {
        t: texts(lang),
        frame: me.frame,
        searched: !q.zoek.trim().is_empty(),
        zoek: q.zoek,
        contacts: found
            .into_iter()
            .map(|c| {
                (
                    c.id.0,
                    c.email,
                    c.name,
                    c.organisation_id.map_or(0, |o| o.0),
                    c.authorised,
                )
            })
            .collect(),
        orgs,
        notice: q.gedaan.map(|_| texts(lang).done),
    };
    Ok(render(&page, &me.cookies, lang))
}

/// A contact's changes.
#[derive(Debug, Deserialize)]
pub struct ContactForm {
    csrf: String,
    id: i64,
    #[serde(default)]
    authorised: Option<String>,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    zoek: String,
}

/// `POST /agent/beheer/contacten`: authorised flag and organisation.
pub async fn view_contacts_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    headers: HeaderMap,
    PageForm(form): PageForm<ContactForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    check_csrf(&s, &headers, &form.csrf, lang)?;
    let organisation = match form.organisation.trim() {
        "" => None,
        o => Some(OrganisationId(o.parse().map_err(|_| PageError::bad_request(lang))?)),
    };
    let patch = ContactPatch {
        authorised: Some(form.authorised.as_deref() == Some("1")),
        organisation_id: Some(organisation),
        ..ContactPatch::default()
    };
    s.service
        .update_contact(&me.actor(), ContactId(form.id), patch)
        .await
        .map_err(|e| refused(e, lang))?;
    let zoek = super::url_escape(&form.zoek);
    Ok(Redirect::to(&format!("{CONTACTS}?zoek={zoek}&gedaan=1")).into_response())
}
