//! The labels page: every label with how many tickets carry it (a link to
//! them), renaming one (two spellings become one) and removing one. For
//! agents and admins; each ticket changes through the usual service call.

use super::{Frame, SignedIn, Texts, check_csrf, texts};
use crate::AppState;
use crate::portal::page::{PageError, PageForm, PageQuery, render};
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::DomainError;
use loket_core::service::DESK_STAFF;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "agent/labels.html")]
struct LabelsPage<'a> {
    t: &'a Texts,
    frame: Frame,
    /// Label, its queue link's query value, count.
    labels: Vec<(String, String, i64)>,
    notice: Option<String>,
}

/// `?gewijzigd=N` after a change.
#[derive(Debug, Default, Deserialize)]
pub struct Changed {
    gewijzigd: Option<usize>,
}

/// `GET /agent/beheer/labels`.
pub async fn view_labels_get(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PageQuery(q): PageQuery<Changed>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    me.require(DESK_STAFF)?;
    let t = texts(lang);
    let labels = s
        .service
        .store()
        .label_counts()
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?
        .into_iter()
        .map(|(l, n)| {
            let q = super::url_escape(&l);
            (l, q, n)
        })
        .collect();
    let page = LabelsPage {
        t,
        frame: me.frame,
        labels,
        notice: q.gewijzigd.map(|n| format!("{} {n}", t.labels_changed)),
    };
    Ok(render(&page, &me.cookies, lang))
}

/// Rename (`to` given) or remove (`to` empty) a label.
#[derive(Debug, Deserialize)]
pub struct LabelForm {
    csrf: String,
    from: String,
    #[serde(default)]
    to: String,
    /// Removal is its own button, never an empty rename.
    #[serde(default)]
    remove: Option<String>,
}

/// `POST /agent/beheer/labels`.
pub async fn view_labels_admin_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    headers: HeaderMap,
    PageForm(form): PageForm<LabelForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    check_csrf(&s, &headers, &form.csrf, lang)?;
    let to = if form.remove.is_some() {
        None
    } else {
        match form.to.trim() {
            "" => return Err(PageError::bad_request(lang)),
            to => Some(to),
        }
    };
    match s.service.rename_label(&me.actor(), form.from.trim(), to).await {
        Ok(n) => Ok(Redirect::to(&format!("/agent/beheer/labels?gewijzigd={n}")).into_response()),
        Err(DomainError::Forbidden(_)) => Err(PageError::not_allowed(lang)),
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}
