//! The jobs page (admins): how many queued jobs are due, running, done and
//! failed; the failed ones with their error and a retry, and those due or
//! running now.

use super::{Frame, SignedIn, Texts, check_csrf, texts};
use crate::AppState;
use crate::portal::page::{PageError, PageForm, PagePath, render};
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::Role;
use loket_core::jobs::JobState;

/// One job's row.
struct JobRow {
    id: i64,
    kind: String,
    state: &'static str,
    attempts: i64,
    run_at: String,
    error: String,
}

#[derive(Template)]
#[template(path = "agent/jobs.html")]
struct JobsPage<'a> {
    t: &'a Texts,
    frame: Frame,
    counts: Vec<(&'static str, &'static str, i64)>,
    failed: Vec<JobRow>,
    active: Vec<JobRow>,
}

/// `GET /agent/beheer/taken`.
pub async fn view_jobs_get(State(s): State<AppState>, SignedIn(me): SignedIn) -> Result<Response, PageError> {
    let lang = me.lang;
    me.require(&[Role::Admin])?;
    let fail = |e: loket_core::DomainError| PageError::from_domain(&e, lang);
    let zone = s.portal.time_zone;
    let actor = me.actor();
    let row = |j: loket_core::jobs::Job| JobRow {
        id: j.id,
        kind: j.kind,
        state: j.state.label(lang),
        attempts: j.attempts,
        run_at: zone.date_time(j.run_at),
        error: j
            .last_error
            .map(|e| super::messages::rule_message(&e, lang))
            .unwrap_or_default(),
    };
    let failed = s
        .service
        .list_jobs(&actor, Some(JobState::Failed), 100)
        .await
        .map_err(fail)?
        .into_iter()
        .map(row)
        .collect();
    let mut active: Vec<JobRow> = Vec::new();
    for state in [JobState::Running, JobState::Due] {
        let jobs = s.service.list_jobs(&actor, Some(state), 50).await.map_err(fail)?;
        active.extend(jobs.into_iter().map(row));
    }
    let counts = s
        .service
        .store()
        .job_counts()
        .await
        .map_err(fail)?
        .into_iter()
        .map(|(st, n)| (st.id(), st.label(lang), n))
        .collect();
    let page = JobsPage {
        t: texts(lang),
        frame: me.frame,
        counts,
        failed,
        active,
    };
    Ok(render(&page, &me.cookies, lang))
}

/// `POST /agent/beheer/taken/{id}/opnieuw`: makes a failed job due again now.
pub async fn view_job_retry_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PagePath(id): PagePath<i64>,
    headers: HeaderMap,
    PageForm(form): PageForm<super::TokenForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    check_csrf(&s, &headers, &form.csrf, lang)?;
    me.require(&[Role::Admin])?;
    s.service
        .retry_job(&me.actor(), id)
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?;
    Ok(Redirect::to("/agent/beheer/taken").into_response())
}
