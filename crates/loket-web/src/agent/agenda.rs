//! The agenda of the next meetings: for Intern bespreken and Functioneel
//! overleg the next date (from its series) and the open tickets on it, each
//! with a form to record the outcome: a reply to the customer, a move to
//! another department (with a version for Gepland), or both.

use super::{Frame, SignedIn, Texts, check_csrf, texts};
use crate::AppState;
use crate::portal::page::{PageError, PageForm, PagePath, PageQuery, render};
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::service::{ALL_STAFF, Reply};
use loket_core::store::TicketFilter;
use loket_core::*;
use serde::Deserialize;

/// One meeting on the agenda.
struct Meeting {
    id: &'static str,
    title: &'static str,
    when: Option<(String, String)>,
    tickets: Vec<(TicketNumber, String, String)>,
}

#[derive(Template)]
#[template(path = "agent/agenda.html")]
struct AgendaPage<'a> {
    t: &'a Texts,
    frame: Frame,
    meetings: Vec<Meeting>,
    /// Departments a ticket can move to: id, label.
    departments: Vec<(&'static str, &'static str)>,
    notice: Option<String>,
    error: Option<String>,
    /// After a refused outcome: the ticket and what was typed for it.
    typed: Typed,
}

/// What was typed in a refused outcome form, so nothing is lost.
#[derive(Default)]
struct Typed {
    number: i64,
    reply: String,
    department: String,
    version: String,
}

/// `?vastgelegd=N` after an outcome.
#[derive(Debug, Default, Deserialize)]
pub struct Recorded {
    vastgelegd: Option<i64>,
}

async fn agenda(
    s: &AppState,
    me: super::Signed,
    notice: Option<String>,
    error: Option<String>,
    typed: Typed,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let zone = s.portal.time_zone;
    let mut meetings = Vec::new();
    for d in [Department::InternalReview, Department::FunctionalMeeting] {
        let tickets = s
            .service
            .store()
            .list_tickets(&TicketFilter {
                department: Some(d),
                open_only: true,
                oldest_first: true,
                limit: 200,
                ..TicketFilter::default()
            })
            .await
            .map_err(fail)?
            .into_iter()
            .map(|t| (t.number, t.subject, zone.date(t.created_at)))
            .collect();
        meetings.push(Meeting {
            id: d.id(),
            title: d.label(lang),
            when: s
                .service
                .next_meeting(d)
                .map(|at| (zone.iso(at), zone.long_date_time(at, lang))),
            tickets,
        });
    }
    let page = AgendaPage {
        t: texts(lang),
        frame: me.frame,
        meetings,
        departments: Department::ALL.iter().map(|d| (d.id(), d.label(lang))).collect(),
        notice,
        error,
        typed,
    };
    Ok(render(&page, &me.cookies, lang))
}

/// `GET /agent/overleg`.
pub async fn view_agenda_get(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PageQuery(q): PageQuery<Recorded>,
) -> Result<Response, PageError> {
    me.require(ALL_STAFF)?;
    let notice = q
        .vastgelegd
        .map(|n| texts(me.lang).agenda_recorded.replace("{}", &n.to_string()));
    agenda(&s, me, notice, None, Typed::default()).await
}

/// An outcome.
#[derive(Debug, Deserialize)]
pub struct OutcomeForm {
    csrf: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    reply: String,
}

/// `POST /agent/overleg/{number}`: records the outcome for one ticket.
pub async fn view_agenda_outcome_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PagePath(number): PagePath<i64>,
    headers: HeaderMap,
    PageForm(form): PageForm<OutcomeForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    check_csrf(&s, &headers, &form.csrf, lang)?;
    me.require(ALL_STAFF)?;
    let t = texts(lang);
    let number = TicketNumber(number);
    let actor = me.actor();
    let move_to = match form.department.trim() {
        "" => None,
        d => Some(Department::parse(d).map_err(|_| PageError::bad_request(lang))?),
    };
    let typed = Typed {
        number: number.0,
        reply: form.reply.clone(),
        department: form.department.trim().to_owned(),
        version: form.version.trim().to_owned(),
    };
    if move_to.is_none() && form.reply.trim().is_empty() {
        return agenda(&s, me, None, Some(t.agenda_nothing.to_owned()), typed).await;
    }
    // The move first: a move the rules refuse sends no reply either.
    let result = async {
        if let Some(d) = move_to {
            let version = Some(form.version.trim().to_owned()).filter(|v| !v.is_empty());
            s.service.transfer(&actor, number, d, version).await?;
        }
        if !form.reply.trim().is_empty() {
            s.service
                .agent_reply(&actor, number, Reply::text(form.reply.trim()))
                .await?;
        }
        Ok::<_, DomainError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/agent/overleg?vastgelegd={number}")).into_response()),
        Err(DomainError::Conflict(why) | DomainError::Invalid(Problem::Other(why))) => {
            let text = format!("#{number}: {}", super::messages::rule_message(&why, lang));
            agenda(&s, me, None, Some(text), typed).await
        }
        Err(DomainError::Invalid(p)) => {
            let text = format!("#{number}: {}", crate::portal::problem_text(&p, lang));
            agenda(&s, me, None, Some(text), typed).await
        }
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}
