//! Managing the outage page: components, a form to publish an incident or
//! maintenance window, and an update form per unresolved one. Agents and admins.

use super::{Frame, SignedIn, Texts, check_csrf, texts};
use crate::AppState;
use crate::portal::page::{PageError, PageForm, PagePath, render};
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::outages::{NewOutage, OutageKind, OutageState};
use loket_core::service::DESK_STAFF;
use loket_core::*;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "agent/outages.html")]
struct OutagesAdmin<'a> {
    t: &'a Texts,
    frame: Frame,
    components: Vec<(i64, String)>,
    /// Id, title, state label, unresolved, state id, kind id.
    outages: Vec<(i64, String, &'static str, bool, &'static str, &'static str)>,
    /// The linked tickets' numbers, per outage id.
    linked: std::collections::HashMap<i64, Vec<i64>>,
    states: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    /// What was typed in a refused form, by field name.
    draft: Draft,
}

/// A refused form's fields, shown again.
#[derive(Default)]
struct Draft(Vec<(String, String)>);

impl Draft {
    fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    fn has(&self, name: &str, value: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && v == value)
    }
}

async fn page(s: &AppState, me: super::Signed, error: Option<String>) -> Result<Response, PageError> {
    form_page(s, me, error, Draft::default()).await
}

async fn form_page(
    s: &AppState,
    me: super::Signed,
    error: Option<String>,
    draft: Draft,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let components = s
        .service
        .store()
        .list_components()
        .await
        .map_err(fail)?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let all = s.service.outages(100).await.map_err(fail)?;
    let mut linked: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
    for (outage, n) in s.service.store().linked_tickets().await.map_err(fail)? {
        linked.entry(outage).or_default().push(n.0);
    }
    let outages = all
        .into_iter()
        .map(|o| {
            (
                o.id,
                o.title,
                o.state.label_for(o.kind, false, lang),
                o.resolved_at.is_none(),
                o.state.id(),
                o.kind.id(),
            )
        })
        .collect();
    let page = OutagesAdmin {
        t: texts(lang),
        frame: me.frame,
        components,
        outages,
        states: OutageState::ALL.iter().map(|st| (st.id(), st.label(lang))).collect(),
        error,
        draft,
        linked,
    };
    Ok(render(&page, &me.cookies, lang))
}

/// `GET /agent/storingen`.
pub async fn view_outages_admin_get(State(s): State<AppState>, SignedIn(me): SignedIn) -> Result<Response, PageError> {
    me.require(DESK_STAFF)?;
    page(&s, me, None).await
}

fn local(s: &AppState, value: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone;
    let naive = chrono::NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M").ok()?;
    s.portal
        .time_zone
        .tz()
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// `POST /agent/storingen`: adds a component or publishes an outage.
pub async fn view_outages_admin_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    headers: HeaderMap,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let field = |name: &str| super::field(&fields, name);
    check_csrf(&s, &headers, &field("csrf"), lang)?;
    me.require(DESK_STAFF)?;
    let actor = me.actor();
    // The checkboxes repeat `components`.
    let components: Vec<i64> = fields
        .iter()
        .filter(|(k, _)| k == "components")
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect();
    let form = (
        field("component"),
        field("title"),
        field("kind"),
        field("state"),
        field("starts"),
        field("ends"),
        field("body"),
    );
    let (component, title, kind, state, starts, ends, body) = form;
    let result = if title.trim().is_empty() {
        s.service.create_component(&actor, &component).await.map(|_| ())
    } else {
        let kind = OutageKind::parse(&kind).unwrap_or(OutageKind::Incident);
        let starts = if starts.trim().is_empty() {
            Some(s.service.now())
        } else {
            local(&s, &starts)
        };
        let ends = if ends.trim().is_empty() { None } else { local(&s, &ends) };
        match starts {
            None => Err(DomainError::invalid("the start is not a date and time")),
            Some(starts_at) => s
                .service
                .create_outage(
                    &actor,
                    NewOutage {
                        title: title.clone(),
                        kind,
                        state: OutageState::parse(&state).unwrap_or(match kind {
                            OutageKind::Incident => OutageState::Investigating,
                            OutageKind::Maintenance => OutageState::Scheduled,
                        }),
                        components: components.clone(),
                        starts_at,
                        ends_at: ends,
                        body: body.clone(),
                    },
                )
                .await
                .map(|_| ()),
        }
    };
    match result {
        Ok(()) => Ok(Redirect::to("/agent/storingen").into_response()),
        Err(DomainError::Invalid(Problem::Other(why)) | DomainError::Conflict(why)) => {
            let why = super::messages::rule_message(&why, lang);
            form_page(&s, me, Some(why), Draft(fields)).await
        }
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}

/// An update.
#[derive(Debug, Deserialize)]
pub struct UpdateForm {
    csrf: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    body: String,
}

/// `POST /agent/storingen/{id}`: adds an update.
pub async fn view_outage_update_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PagePath(id): PagePath<i64>,
    headers: HeaderMap,
    PageForm(form): PageForm<UpdateForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    check_csrf(&s, &headers, &form.csrf, lang)?;
    me.require(DESK_STAFF)?;
    let state = OutageState::parse(&form.state).ok_or_else(|| PageError::bad_request(lang))?;
    match s.service.update_outage(&me.actor(), id, state, &form.body).await {
        Ok(_) => Ok(Redirect::to("/agent/storingen").into_response()),
        Err(DomainError::Invalid(Problem::Other(why))) => {
            page(&s, me, Some(super::messages::rule_message(&why, lang))).await
        }
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}

/// A ticket to link.
#[derive(Debug, Deserialize)]
pub struct LinkTicketForm {
    csrf: String,
    #[serde(default)]
    number: String,
}

/// `POST /agent/storingen/{id}/ticket`: links a ticket; its requester is
/// mailed when the outage is resolved.
pub async fn view_outage_ticket_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PagePath(id): PagePath<i64>,
    headers: HeaderMap,
    PageForm(form): PageForm<LinkTicketForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    check_csrf(&s, &headers, &form.csrf, lang)?;
    me.require(DESK_STAFF)?;
    let Ok(n) = form.number.trim().trim_start_matches('#').parse::<i64>() else {
        let why = format!("{} is not a ticket number", form.number.trim());
        return page(&s, me, Some(super::messages::rule_message(&why, lang))).await;
    };
    match s.service.link_outage_ticket(&me.actor(), id, TicketNumber(n)).await {
        Ok(()) => Ok(Redirect::to("/agent/storingen").into_response()),
        Err(DomainError::NotFound(what)) => {
            let text = match (what.starts_with("outage"), lang) {
                (true, Lang::Nl) => "Deze storing bestaat niet.".to_owned(),
                (true, Lang::En) => "This outage does not exist.".to_owned(),
                (false, Lang::Nl) => format!("Ticket {n} bestaat niet."),
                (false, Lang::En) => format!("Ticket {n} does not exist."),
            };
            page(&s, me, Some(text)).await
        }
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}
