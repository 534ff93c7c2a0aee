//! The change documents on the portal: released versions, newest first,
//! searchable, and a page per version with its notes (Markdown, rendered
//! safely) and the delivered tickets in it that the reader may see.

use super::i18n::{Texts, texts};
use super::page::{Chrome, PageError, PagePath, PageQuery, chrome, render};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use loket_core::*;
use serde::Deserialize;

/// A version in the list.
struct VersionRow {
    version: String,
    path: String,
    kind: &'static str,
    released: String,
    released_iso: String,
}

#[derive(Template)]
#[template(path = "portal/changes.html")]
struct ChangesPage<'a> {
    t: &'a Texts,
    chrome: Chrome,
    versions: Vec<VersionRow>,
    query: String,
}

#[derive(Template)]
#[template(path = "portal/change.html")]
struct ChangePage<'a> {
    t: &'a Texts,
    chrome: Chrome,
    version: String,
    kind: &'static str,
    released: String,
    released_iso: String,
    notes: String,
    /// The reader's delivered tickets in this version: number, subject.
    tickets: Vec<(TicketNumber, String)>,
    logged_in: bool,
}

/// The search box of the list.
#[derive(Debug, Default, Deserialize)]
pub struct ChangesQuery {
    q: Option<String>,
}

/// `GET /wijzigingen`: released versions, newest first; `?q=` searches.
pub async fn view_changes_get(
    State(s): State<AppState>,
    PageQuery(q): PageQuery<ChangesQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let (chrome, set) = chrome(&s, &headers).await.map_err(fail)?;
    let query: String = q.q.unwrap_or_default().trim().chars().take(100).collect();
    let zone = s.portal.time_zone;
    let versions = s
        .service
        .store()
        .list_releases(true, Some(&query), false, 200)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|r| {
            let at = r.released_at.unwrap_or(r.updated_at);
            VersionRow {
                path: loket_mail::links::path_segment(&r.version),
                kind: r.kind.label(lang),
                released: zone.long_date(at, lang),
                released_iso: zone.iso(at),
                version: r.version,
            }
        })
        .collect();
    let page = ChangesPage {
        t: texts(lang),
        chrome,
        versions,
        query,
    };
    Ok(render(&page, &set.into_iter().collect::<Vec<_>>(), lang))
}

/// `GET /wijzigingen/{version}`: one version's change document.
pub async fn view_change_get(
    State(s): State<AppState>,
    PagePath(version): PagePath<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let (chrome, set) = chrome(&s, &headers).await.map_err(fail)?;
    let reader = super::session::current(&s, &headers)
        .await
        .map_err(fail)?
        .map(|(c, _)| c);
    let (release, tickets) = s
        .service
        .change_document(reader.as_ref(), &version)
        .await
        .map_err(fail)?;
    let zone = s.portal.time_zone;
    let at = release.released_at.unwrap_or(release.updated_at);
    let page = ChangePage {
        t: texts(lang),
        chrome,
        kind: release.kind.label(lang),
        released: zone.long_date(at, lang),
        released_iso: zone.iso(at),
        notes: loket_core::html::markdown(&release.notes),
        version: release.version,
        tickets: tickets.into_iter().map(|t| (t.number, t.subject)).collect(),
        logged_in: reader.is_some(),
    };
    Ok(render(&page, &set.into_iter().collect::<Vec<_>>(), lang))
}
