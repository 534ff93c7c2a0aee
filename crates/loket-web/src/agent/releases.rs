//! Versions in the workspace: the list with a form to add one, and a page
//! per version to write its change document (Markdown, with a preview),
//! see its Gepland tickets and release it (they move to Opgeleverd and their
//! requesters are mailed). Everyone on staff reads; agents, product managers
//! and admins change.

use super::{Frame, SignedIn, Texts, check_csrf, texts};
use crate::AppState;
use crate::portal::page::{PageError, PageForm, PagePath, PageQuery, render};
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::releases::{ReleaseDraft, ReleaseKind};
use loket_core::service::{ALL_STAFF, PUBLISH_STAFF, RELEASE_STAFF};
use loket_core::store::TicketFilter;
use loket_core::*;
use serde::Deserialize;

/// A version in the list.
struct VersionRow {
    version: String,
    path: String,
    kind: &'static str,
    planned: String,
    released: String,
    tickets: i64,
}

#[derive(Template)]
#[template(path = "agent/releases.html")]
struct ReleasesPage<'a> {
    t: &'a Texts,
    frame: Frame,
    versions: Vec<VersionRow>,
    can_edit: bool,
    error: Option<String>,
    form: ReleaseForm,
}

#[derive(Template)]
#[template(path = "agent/release.html")]
struct ReleasePage<'a> {
    t: &'a Texts,
    frame: Frame,
    version: String,
    path: String,
    major: bool,
    planned_on: String,
    notes: String,
    preview: String,
    released: Option<String>,
    /// Gepland and Opgeleverd tickets of this version: number, subject, department.
    tickets: Vec<(TicketNumber, String, &'static str)>,
    planned_count: usize,
    can_edit: bool,
    can_publish: bool,
    error: Option<String>,
    notice: Option<&'static str>,
}

/// The version form.
#[derive(Debug, Default, Deserialize)]
pub struct ReleaseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    planned_on: String,
    #[serde(default)]
    notes: String,
}

/// `?opgeslagen=1` / `?uitgebracht=1` after an action.
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    opgeslagen: Option<String>,
    uitgebracht: Option<String>,
}

fn error_text(e: &DomainError, lang: Lang) -> Option<String> {
    match e {
        DomainError::Invalid(Problem::Other(why)) | DomainError::Conflict(why) => {
            Some(super::messages::rule_message(why, lang))
        }
        DomainError::Invalid(p) => Some(crate::portal::problem_text(p, lang)),
        _ => None,
    }
}

fn draft(form: &ReleaseForm, version: String, lang: Lang) -> Result<ReleaseDraft, String> {
    let planned_on = match form.planned_on.trim() {
        "" => None,
        d => Some(
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| match lang {
                Lang::Nl => format!("'{d}' is geen datum; kies een dag in de kalender."),
                Lang::En => format!("'{d}' is not a date; pick a day in the calendar."),
            })?,
        ),
    };
    Ok(ReleaseDraft {
        version,
        kind: ReleaseKind::parse(&form.kind).unwrap_or(ReleaseKind::Interim),
        planned_on,
        notes: form.notes.replace("\r\n", "\n"),
    })
}

async fn list(
    s: &AppState,
    me: super::Signed,
    error: Option<String>,
    form: ReleaseForm,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let zone = s.portal.time_zone;
    let counts = s.service.store().release_ticket_counts().await.map_err(fail)?;
    let mut versions = Vec::new();
    for r in s
        .service
        .store()
        .list_releases(false, None, false, 200)
        .await
        .map_err(fail)?
    {
        let tickets = counts.get(&r.version).copied().unwrap_or_default();
        versions.push(VersionRow {
            path: super::url_escape(&r.version),
            kind: r.kind.label(lang),
            planned: r
                .planned_on
                .map(|d| d.format("%d-%m-%Y").to_string())
                .unwrap_or_default(),
            released: r.released_at.map(|d| zone.date(d)).unwrap_or_default(),
            version: r.version,
            tickets,
        });
    }
    let page = ReleasesPage {
        t: texts(lang),
        can_edit: RELEASE_STAFF.contains(&me.staff.role),
        frame: me.frame,
        versions,
        error,
        form,
    };
    Ok(render(&page, &me.cookies, lang))
}

/// `GET /agent/versies`.
pub async fn view_releases_get(State(s): State<AppState>, SignedIn(me): SignedIn) -> Result<Response, PageError> {
    me.require(ALL_STAFF)?;
    list(&s, me, None, ReleaseForm::default()).await
}

/// `POST /agent/versies`: adds a version.
pub async fn view_releases_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    headers: HeaderMap,
    PageForm(form): PageForm<ReleaseForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    check_csrf(&s, &headers, &form.csrf, lang)?;
    me.require(RELEASE_STAFF)?;
    let d = match draft(&form, form.version.clone(), lang) {
        Ok(d) => d,
        Err(e) => return list(&s, me, Some(e), form).await,
    };
    match s.service.create_release(&me.actor(), d).await {
        Ok(r) => Ok(Redirect::to(&format!(
            "/agent/versies/{}?opgeslagen=1",
            super::url_escape(&r.version)
        ))
        .into_response()),
        Err(e) => match error_text(&e, lang) {
            Some(text) => list(&s, me, Some(text), form).await,
            None => Err(PageError::from_domain(&e, lang)),
        },
    }
}

async fn one(
    s: &AppState,
    me: super::Signed,
    version: &str,
    error: Option<String>,
    typed: Option<ReleaseForm>,
    notice: Option<&'static str>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let t = texts(lang);
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let r = s
        .service
        .store()
        .release(version)
        .await
        .map_err(fail)?
        .ok_or_else(|| PageError::not_found(lang))?;
    let found = s
        .service
        .store()
        .list_tickets(&TicketFilter {
            release_version: Some(r.version.clone()),
            oldest_first: true,
            limit: 1000,
            ..TicketFilter::default()
        })
        .await
        .map_err(fail)?;
    let planned_count = found.iter().filter(|x| x.department == Department::Planned).count();
    let tickets = found
        .into_iter()
        .filter(|x| matches!(x.department, Department::Planned | Department::Delivered))
        .map(|x| (x.number, x.subject, x.department.label(lang)))
        .collect();
    let (kind, planned_on, notes) = match &typed {
        Some(f) => (
            ReleaseKind::parse(&f.kind).unwrap_or(r.kind),
            f.planned_on.clone(),
            f.notes.clone(),
        ),
        None => (
            r.kind,
            r.planned_on
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            r.notes.clone(),
        ),
    };
    let page = ReleasePage {
        t,
        can_edit: RELEASE_STAFF.contains(&me.staff.role),
        can_publish: PUBLISH_STAFF.contains(&me.staff.role),
        frame: me.frame,
        path: super::url_escape(&r.version),
        major: kind == ReleaseKind::Major,
        planned_on,
        preview: loket_core::html::markdown(&notes),
        notes,
        released: r.released_at.map(|d| s.portal.time_zone.date_time(d)),
        version: r.version,
        tickets,
        planned_count,
        error,
        notice,
    };
    Ok(render(&page, &me.cookies, lang))
}

/// `GET /agent/versies/{version}`.
pub async fn view_release_get(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PagePath(version): PagePath<String>,
    PageQuery(q): PageQuery<Done>,
) -> Result<Response, PageError> {
    me.require(ALL_STAFF)?;
    let t = texts(me.lang);
    let notice = if q.uitgebracht.is_some() {
        Some(t.release_done)
    } else if q.opgeslagen.is_some() {
        Some(t.release_saved)
    } else {
        None
    };
    one(&s, me, &version, None, None, notice).await
}

/// `POST /agent/versies/{version}`: saves the kind, planned day and notes.
pub async fn view_release_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PagePath(version): PagePath<String>,
    headers: HeaderMap,
    PageForm(form): PageForm<ReleaseForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    check_csrf(&s, &headers, &form.csrf, lang)?;
    me.require(RELEASE_STAFF)?;
    let d = match draft(&form, version.clone(), lang) {
        Ok(d) => d,
        Err(e) => return one(&s, me, &version, Some(e), Some(form), None).await,
    };
    match s.service.update_release(&me.actor(), d).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/agent/versies/{}?opgeslagen=1", super::url_escape(&version))).into_response())
        }
        Err(e) => match error_text(&e, lang) {
            Some(text) => one(&s, me, &version, Some(text), Some(form), None).await,
            None => Err(PageError::from_domain(&e, lang)),
        },
    }
}

/// The release form: its token and the "I understand" box.
#[derive(Debug, Deserialize)]
pub struct PublishForm {
    csrf: String,
    zeker: Option<String>,
}

/// `POST /agent/versies/{version}/uitbrengen`: releases the version.
pub async fn view_release_publish_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PagePath(version): PagePath<String>,
    headers: HeaderMap,
    PageForm(form): PageForm<PublishForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    check_csrf(&s, &headers, &form.csrf, lang)?;
    me.require(PUBLISH_STAFF)?;
    // It mails every requester and cannot be undone: the box must be ticked.
    if form.zeker.as_deref() != Some("1") {
        let text = texts(lang).release_confirm_missing.to_owned();
        return one(&s, me, &version, Some(text), None, None).await;
    }
    match s.service.release(&me.actor(), &version).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/agent/versies/{}?uitgebracht=1", super::url_escape(&version))).into_response())
        }
        Err(e) => match error_text(&e, lang) {
            Some(text) => one(&s, me, &version, Some(text), None, None).await,
            None => Err(PageError::from_domain(&e, lang)),
        },
    }
}
