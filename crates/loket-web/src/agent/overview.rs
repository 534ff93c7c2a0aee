//! The overview (counts that link to their queues) and the queues: one per
//! department plus mine, unassigned, urgent, waiting and all open tickets,
//! with filters, sorting and cursor pages; and search results.

use super::{Frame, SignedIn, Texts, texts};
use crate::AppState;
use crate::portal::page::{PageError, PagePath, PageQuery, render};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use loket_core::store::{SearchQuery, TicketFilter};
use loket_core::*;
use serde::Deserialize;

/// Tickets on one queue page.
const PAGE: i64 = 50;

/// A department's row: label, queue id, (status id, count) per open status, total.
type DepartmentRow = (&'static str, &'static str, Vec<(&'static str, i64)>, i64);

#[derive(Template)]
#[template(path = "agent/overview.html")]
struct OverviewPage<'a> {
    t: &'a Texts,
    frame: Frame,
    /// Department label, its queue id, and per status (label, id, count).
    rows: Vec<DepartmentRow>,
    statuses: Vec<(&'static str, &'static str)>,
    mine: i64,
    unassigned: i64,
    urgent: i64,
    waiting: i64,
    total: i64,
    /// Privacy incidents waiting for a decision.
    privacy: i64,
    /// Tickets past their deadline, and warned ones.
    overdue: i64,
    due_soon: i64,
    /// Urgent tickets, always on top.
    urgent_tickets: Vec<Row>,
    /// No bulk form on the overview.
    bulk: bool,
}

/// `GET /agent`: the overview.
pub async fn view_overview_get(State(s): State<AppState>, SignedIn(me): SignedIn) -> Result<Response, PageError> {
    let lang = me.lang;
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let counts = s.service.store().ticket_counts(me.staff.id).await.map_err(fail)?;
    let privacy = s.service.store().proposed_incident_count().await.map_err(fail)?;
    let (overdue, due_soon) = s
        .service
        .store()
        .service_level_counts(s.service.now())
        .await
        .map_err(fail)?;
    let open = [Status::New, Status::Answered, Status::Open, Status::Postponed];
    let rows = Department::ALL
        .iter()
        .map(|d| {
            let cells: Vec<(&'static str, i64)> = open
                .iter()
                .map(|st| {
                    let n = counts
                        .by_place
                        .iter()
                        .filter(|(dd, ss, _)| dd == d && ss == st)
                        .map(|(_, _, n)| n)
                        .sum();
                    (st.id(), n)
                })
                .collect();
            let total = cells.iter().map(|(_, n)| n).sum();
            (d.label(lang), d.id(), cells, total)
        })
        .collect();
    let total = counts.by_place.iter().map(|(_, _, n)| n).sum();
    let urgent = s
        .service
        .store()
        .list_tickets(&TicketFilter {
            urgent_only: true,
            open_only: true,
            oldest_first: true,
            limit: 20,
            ..TicketFilter::default()
        })
        .await
        .map_err(fail)?;
    let page = OverviewPage {
        t: texts(lang),
        urgent_tickets: rows_of(&s, urgent, lang).await.map_err(fail)?,
        frame: me.frame,
        rows,
        statuses: open.iter().map(|st| (st.label(lang), st.id())).collect(),
        mine: counts.mine,
        unassigned: counts.unassigned,
        urgent: counts.urgent,
        waiting: counts.waiting,
        total,
        privacy,
        overdue,
        due_soon,
        bulk: false,
    };
    Ok(render(&page, &me.cookies, lang))
}

/// One ticket in a list.
pub(crate) struct Row {
    number: TicketNumber,
    id: i64,
    subject: String,
    requester: String,
    organisation: String,
    status: &'static str,
    department: &'static str,
    assignee: String,
    updated: String,
    updated_iso: String,
    urgent: bool,
    labels: String,
}

/// Tickets as list rows, with names looked up once each.
async fn rows_of(s: &AppState, tickets: Vec<Ticket>, lang: Lang) -> loket_core::Result<Vec<Row>> {
    let store = s.service.store();
    let mut contacts = std::collections::HashMap::new();
    let mut orgs = std::collections::HashMap::new();
    let staff: std::collections::HashMap<StaffId, String> =
        store.list_staff().await?.into_iter().map(|m| (m.id, m.name)).collect();
    let mut out = Vec::with_capacity(tickets.len());
    for t in tickets {
        if let std::collections::hash_map::Entry::Vacant(e) = contacts.entry(t.requester_id) {
            let c = store.get_contact(t.requester_id).await?;
            e.insert(c.map(|c| {
                if c.name.is_empty() {
                    c.email
                } else {
                    format!("{} <{}>", c.name, c.email)
                }
            }));
        }
        if let Some(o) = t.organisation_id
            && let std::collections::hash_map::Entry::Vacant(e) = orgs.entry(o)
        {
            e.insert(store.get_organisation(o).await?.map(|o| o.name).unwrap_or_default());
        }
        out.push(Row {
            number: t.number,
            id: t.id.0,
            requester: contacts.get(&t.requester_id).cloned().flatten().unwrap_or_default(),
            organisation: t
                .organisation_id
                .and_then(|o| orgs.get(&o).cloned())
                .unwrap_or_default(),
            status: t.status.label(lang),
            department: t.department.label(lang),
            assignee: t.assignee_id.and_then(|a| staff.get(&a).cloned()).unwrap_or_default(),
            updated: s.portal.time_zone.date_time(t.updated_at),
            updated_iso: s.portal.time_zone.iso(t.updated_at),
            urgent: t.urgent,
            labels: t.labels.join(", "),
            subject: t.subject,
        });
    }
    Ok(out)
}

/// Filters and sorting of a queue page.
#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    status: Option<String>,
    label: Option<String>,
    organisation: Option<String>,
    assignee: Option<String>,
    channel: Option<String>,
    urgent: Option<String>,
    /// `oldest` (default) or `newest`.
    sort: Option<String>,
    /// The cursor: the id of the last ticket on the previous page.
    after: Option<i64>,
    /// The page (from 1), with the sorts that are not by id.
    pagina: Option<i64>,
    /// After a bulk action: how many were done, and which numbers failed.
    bulk: Option<usize>,
    mislukt: Option<String>,
    actie: Option<String>,
}

#[derive(Template)]
#[template(path = "agent/queue.html")]
struct QueuePage<'a> {
    t: &'a Texts,
    frame: Frame,
    title: String,
    queue: String,
    tickets: Vec<Row>,
    next: Option<String>,
    statuses: Vec<(&'static str, &'static str, bool)>,
    channels: Vec<(&'static str, &'static str, bool)>,
    staff: Vec<(String, String, bool)>,
    label: String,
    urgent: bool,
    /// `oldest`, `newest`, `customer` or `urgent`.
    sort: &'static str,
    /// Organisations for the filter: id, name, chosen.
    orgs: Vec<(String, String, bool)>,
    /// The newest ticket id on the page's queue (for the refresh script).
    newest_id: i64,
    search: Option<String>,
    /// Rows carry a checkbox for the bulk form.
    bulk: bool,
    /// This page's address, for the bulk form to come back to.
    here: String,
    departments: Vec<(&'static str, &'static str)>,
    /// After a bulk action: what was done for how many, failed numbers.
    bulk_done: Option<(String, String)>,
}

fn some(v: Option<&String>) -> Option<&str> {
    v.map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// `GET /agent/wachtrij/{queue}`: a department id, `mine`, `unassigned`,
/// `urgent`, `waiting`, `overdue` or `all`.
pub async fn view_queue_get(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PagePath(queue): PagePath<String>,
    PageQuery(q): PageQuery<QueueQuery>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let t = texts(lang);
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let bad = || PageError::bad_request(lang);
    let mut filter = TicketFilter {
        open_only: true,
        oldest_first: q.sort.as_deref() != Some("newest"),
        by_customer_reaction: q.sort.as_deref() == Some("customer"),
        urgent_first: q.sort.as_deref() == Some("urgent"),
        limit: PAGE + 1,
        ..TicketFilter::default()
    };
    let title = match queue.as_str() {
        "mine" => {
            filter.assignee = Some(me.staff.id);
            t.mine.to_owned()
        }
        "unassigned" => {
            filter.unassigned = true;
            t.unassigned.to_owned()
        }
        "urgent" => {
            filter.urgent_only = true;
            t.urgent.to_owned()
        }
        "waiting" => {
            filter.status = Some(Status::Postponed);
            t.waiting.to_owned()
        }
        "overdue" => {
            filter.overdue_at = Some(s.service.now());
            t.overdue.to_owned()
        }
        "all" => t.all_open.to_owned(),
        other => {
            let d = Department::parse(other).map_err(|_| PageError::not_found(lang))?;
            filter.department = Some(d);
            d.label(lang).to_owned()
        }
    };
    if let Some(st) = some(q.status.as_ref()) {
        filter.status = Some(Status::parse(st).map_err(|_| bad())?);
        filter.open_only = false;
    }
    if let Some(c) = some(q.channel.as_ref()) {
        filter.channel = Some(Channel::parse(c).map_err(|_| bad())?);
    }
    if let Some(a) = some(q.assignee.as_ref()) {
        filter.assignee = Some(StaffId(a.parse().map_err(|_| bad())?));
    }
    if let Some(o) = some(q.organisation.as_ref()) {
        filter.organisation = Some(OrganisationId(o.parse().map_err(|_| bad())?));
    }
    filter.label = some(q.label.as_ref()).map(str::to_owned);
    filter.urgent_only |= q.urgent.as_deref() == Some("1");
    let paged = filter.by_customer_reaction || filter.urgent_first;
    let page_no = q.pagina.unwrap_or(1).clamp(1, 1000);
    if paged {
        filter.offset = (page_no - 1) * PAGE;
    }
    if let Some(cursor) = q.after.filter(|_| !paged) {
        if filter.oldest_first {
            filter.after = Some(TicketId(cursor));
        } else {
            filter.before = Some(TicketId(cursor));
        }
    }
    let mut found = s.service.store().list_tickets(&filter).await.map_err(fail)?;
    let more = found.len() > usize::try_from(PAGE).unwrap_or(50);
    found.truncate(usize::try_from(PAGE).unwrap_or(50));
    let newest_id = found.iter().map(|x| x.id.0).max().unwrap_or_default();
    let next = if more {
        found.last().map(|last| {
            let mut qs: Vec<String> = Vec::new();
            let mut add = |k: &str, v: Option<&String>| {
                if let Some(v) = some(v) {
                    qs.push(format!("{k}={}", super::url_escape(v)));
                }
            };
            add("status", q.status.as_ref());
            add("label", q.label.as_ref());
            add("organisation", q.organisation.as_ref());
            add("assignee", q.assignee.as_ref());
            add("channel", q.channel.as_ref());
            add("urgent", q.urgent.as_ref());
            add("sort", q.sort.as_ref());
            if paged {
                qs.push(format!("pagina={}", page_no + 1));
            } else {
                qs.push(format!("after={}", last.id.0));
            }
            format!("/agent/wachtrij/{queue}?{}", qs.join("&"))
        })
    } else {
        None
    };
    let staff = s.service.list_staff(&me.actor()).await.map_err(fail)?;
    let page = QueuePage {
        t,
        tickets: rows_of(&s, found, lang).await.map_err(fail)?,
        frame: me.frame,
        title,
        next,
        statuses: Status::ALL
            .iter()
            .map(|st| {
                (
                    st.label(lang),
                    st.id(),
                    filter.status == Some(*st) && q.status.is_some(),
                )
            })
            .collect(),
        channels: Channel::ALL
            .iter()
            .map(|c| (c.label(lang), c.id(), filter.channel == Some(*c)))
            .collect(),
        staff: staff
            .into_iter()
            .map(|m| {
                (
                    m.id.to_string(),
                    m.name,
                    filter.assignee == Some(m.id) && q.assignee.is_some(),
                )
            })
            .collect(),
        label: filter.label.clone().unwrap_or_default(),
        urgent: q.urgent.as_deref() == Some("1"),
        sort: match q.sort.as_deref() {
            Some("newest") => "newest",
            Some("customer") => "customer",
            Some("urgent") => "urgent",
            _ => "oldest",
        },
        orgs: s
            .service
            .store()
            .list_organisations()
            .await
            .map_err(fail)?
            .into_iter()
            .map(|o| (o.id.to_string(), o.name, filter.organisation == Some(o.id)))
            .collect(),
        newest_id,
        search: None,
        bulk: true,
        here: format!("/agent/wachtrij/{queue}"),
        departments: Department::ALL.iter().map(|d| (d.label(lang), d.id())).collect(),
        bulk_done: q.bulk.map(|n| {
            let what = match q.actie.as_deref() {
                Some("geen") => return (t.bulk_none.to_owned(), String::new()),
                Some("toewijzen") => t.assign_me,
                Some("oplossen") => t.resolve,
                Some("doorsturen") => t.transfer,
                _ => t.bulk_add_label,
            };
            (
                format!("{what}: {} {n}", t.bulk_done.to_lowercase()),
                q.mislukt.clone().unwrap_or_default(),
            )
        }),
        queue,
    };
    Ok(render(&page, &me.cookies, lang))
}

/// The search box.
#[derive(Debug, Deserialize)]
pub struct SearchBox {
    #[serde(default)]
    q: String,
}

/// `GET /agent/zoeken?q=`: every ticket (internal notes included) matching
/// the words, or the ticket with that number.
pub async fn view_search_get(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PageQuery(q): PageQuery<SearchBox>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let t = texts(lang);
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let text = q.q.trim().to_owned();
    let found = if text.is_empty() {
        Vec::new()
    } else {
        let _turn = s
            .search_turn(crate::state::Searcher::Staff)
            .await
            .ok_or(PageError::busy(lang))?;
        s.service
            .store()
            .search(&SearchQuery {
                text: text.clone(),
                limit: 100,
                ..SearchQuery::default()
            })
            .await
            .map_err(fail)?
    };
    if let [only] = found.as_slice()
        && only.number.to_string() == text.trim_start_matches('#')
    {
        return Ok(axum::response::Redirect::to(&format!("/agent/tickets/{}", only.number)).into_response());
    }
    let page = QueuePage {
        t,
        tickets: rows_of(&s, found, lang).await.map_err(fail)?,
        frame: me.frame,
        title: t.search_results.to_owned(),
        queue: String::new(),
        next: None,
        statuses: Vec::new(),
        channels: Vec::new(),
        staff: Vec::new(),
        label: String::new(),
        urgent: false,
        sort: "oldest",
        orgs: Vec::new(),
        newest_id: 0,
        search: Some(text),
        bulk: false,
        here: String::new(),
        departments: Vec::new(),
        bulk_done: None,
    };
    Ok(render(&page, &me.cookies, lang))
}

use axum::response::IntoResponse;
