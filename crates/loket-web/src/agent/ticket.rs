//! The ticket page of the workspace: the whole thread with internal notes set
//! apart, authors by name, attachments that open in the browser, the
//! requester card with the authorisation warning the procedure asks for, the
//! audit trail; and every action as a form that posts back here.

use super::{Frame, Signed, SignedIn, Texts, check_csrf, signed_in, texts};
use crate::AppState;
use crate::portal::page::{PageError, PageForm, PagePath, PageQuery, render, with_status};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::service::Reply;
use loket_core::store::TicketFilter;
use loket_core::*;
use serde::Deserialize;

struct MessageView {
    id: i64,
    internal: bool,
    event: bool,
    who: String,
    role: &'static str,
    at: String,
    at_iso: String,
    html: String,
    files: Vec<FileView>,
}

/// An attachment on the page: a link, or the tombstone of a removed one.
struct FileView {
    id: i64,
    name: String,
    size: String,
    /// For a removed file: when, by whom, why, and its SHA-256.
    tombstone: Option<String>,
}

#[derive(Template)]
#[template(path = "agent/ticket.html")]
struct TicketPage<'a> {
    t: &'a Texts,
    frame: Frame,
    number: TicketNumber,
    subject: String,
    version: i64,
    status: &'static str,
    department: &'static str,
    urgent: bool,
    labels: String,
    assignee: String,
    release: Option<String>,
    work_item: Option<String>,
    /// Every work item the ticket had, newest first: reference, link (with
    /// `work_item_url`), and the department it was set in.
    work_items: Vec<(String, Option<String>)>,
    /// The outages the ticket is linked to: id, title.
    outages: Vec<(i64, String)>,
    promised: Option<String>,
    postponed: Option<String>,
    /// The service-level timer.
    due: Option<Timer>,
    resolved: bool,
    messages: Vec<MessageView>,
    requester_name: String,
    requester_email: String,
    organisation: Option<String>,
    authorised: bool,
    other_open: Vec<(TicketNumber, String)>,
    org_open: Vec<(TicketNumber, String)>,
    audit: Vec<super::audit::AuditLine>,
    departments: Vec<(&'static str, &'static str, bool)>,
    staff: Vec<(String, String, bool)>,
    me_email: String,
    label_suggestions: Vec<String>,
    /// Canned replies: id, title.
    canned: Vec<(i64, String)>,
    /// What a transfer to Intern bespreken or Functioneel overleg promises.
    transfer_promises: String,
    /// Other staff with the ticket open: name, typing.
    viewers: Vec<(String, bool)>,
    /// The ticket this one was merged into.
    merged_into: Option<TicketNumber>,
    ask_until: String,
    notice: Option<&'static str>,
    error: Option<String>,
    draft: String,
    draft_for: &'static str,
    until: String,
    p: &'a super::privacy::PrivacyTexts,
    incidents: Vec<super::privacy::IncidentView>,
    /// Attachments removed with their message.
    orphan_files: Vec<FileView>,
}

/// What a page shows beyond the ticket: a notice, an error with the text
/// that was typed.
#[derive(Default)]
struct Extra {
    notice: Option<&'static str>,
    error: Option<String>,
    draft: String,
    /// The error is the rules refusing (409), not bad input (422).
    conflict: bool,
    /// Which form the draft belongs to: `reply`, `note`, `ask`, `resolve`.
    draft_for: &'static str,
    /// The date typed in the ask-for-information form.
    until: String,
}

/// `?gedaan=1` after an action; `?antwoord=ID` puts a canned reply in the
/// reply box.
#[derive(Debug, Default, Deserialize)]
pub struct TicketQuery {
    gedaan: Option<String>,
    antwoord: Option<i64>,
}

/// `GET /agent/tickets/{number}`.
pub async fn view_ticket_get(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PagePath(number): PagePath<i64>,
    PageQuery(q): PageQuery<TicketQuery>,
) -> Result<Response, PageError> {
    let mut extra = Extra {
        notice: q.gedaan.as_deref().map(|what| done_text(me.lang, what)),
        ..Extra::default()
    };
    if let Some(id) = q.antwoord {
        let fail = |e: DomainError| PageError::from_domain(&e, me.lang);
        let canned = s.service.canned_replies(&me.actor()).await.map_err(fail)?;
        let chosen = canned
            .into_iter()
            .find(|c| c.id == id)
            .ok_or(PageError::not_found(me.lang))?;
        let ticket = s
            .service
            .ticket_for(&me.actor(), TicketNumber(number))
            .await
            .map_err(fail)?;
        extra.draft = fill_placeholders(&s, &ticket, &chosen.body).await.map_err(fail)?;
    }
    page(&s, me, TicketNumber(number), extra).await
}

/// What the page says after an action (`?gedaan=`).
fn done_text(lang: Lang, what: &str) -> &'static str {
    let t = texts(lang);
    match what {
        "antwoord" => t.done_reply,
        "antwoord-opgelost" => t.done_reply_resolve,
        "notitie" => t.done_note,
        "informatie" => t.done_ask,
        "doorsturen" => t.done_transfer,
        "oplossen" => t.done_resolve,
        "heropenen" => t.done_reopen,
        "toewijzen" => t.done_assign,
        "labels" => t.done_labels,
        "verplaatsen" => t.done_move,
        "samenvoegen" => t.done_merge,
        "spam" => t.done_spam,
        "telefoon" => t.done_phone,
        "wens" => t.done_wish,
        "privacy" | "bijlage-verwijderd" | "bericht-verwijderd" => super::privacy::done_text(lang, what),
        _ => t.done,
    }
}

/// A canned reply's text for a ticket: its placeholders filled in.
async fn fill_placeholders(s: &AppState, ticket: &Ticket, body: &str) -> loket_core::Result<String> {
    let store = s.service.store();
    let name = store
        .get_contact(ticket.requester_id)
        .await?
        .map(|c| c.name)
        .filter(|n| !n.trim().is_empty())
        // "Beste heer/mevrouw," rather than "Beste jan@…,".
        .unwrap_or_else(|| "heer/mevrouw".into());
    let secret = store.secret("follow_link").await?;
    let token = loket_mail::links::follow_token(&secret, ticket.id, ticket.requester_id, s.service.now());
    let link = loket_mail::links::follow_link(&s.portal.public_url, ticket.number, &token);
    let zone = s.portal.time_zone;
    let promised = ticket
        .postponed_until
        .or(ticket.promised_at)
        .unwrap_or_else(|| s.service.now() + chrono::Duration::days(rules::DEFAULT_POSTPONE_DAYS));
    let meeting = s
        .service
        .next_meeting(Department::FunctionalMeeting)
        .map_or_else(|| "…".into(), |d| zone.date(d));
    Ok(body
        .replace("{naam}", &name)
        .replace("{ticketnummer}", &ticket.number.to_string())
        .replace("{volglink}", &link)
        .replace("{beloofde_datum}", &zone.date(promised))
        .replace("{volgende_overleg}", &meeting)
        .replace("{versie}", ticket.release_version.as_deref().unwrap_or("…")))
}

/// The work items a ticket had (the current one first, then those it had
/// before, as the audit trail keeps them: a design item stays linked when the
/// work moves on to development), each with its link when a URL template is set.
fn work_items(ticket: &Ticket, events: &[AuditEvent], template: Option<&str>) -> Vec<(String, Option<String>)> {
    let mut refs: Vec<String> = ticket.work_item.iter().cloned().collect();
    for e in events.iter().rev().filter(|e| e.field.as_deref() == Some("work_item")) {
        for v in [&e.new_value, &e.old_value].into_iter().flatten() {
            if !v.is_empty() && !refs.contains(v) {
                refs.push(v.clone());
            }
        }
    }
    refs.into_iter()
        .map(|r| {
            let link = template.map(|t| t.replace("{id}", &super::url_escape(&r)));
            (r, link)
        })
        .collect()
}

/// The service-level deadline running on a ticket, as its page shows it.
struct Timer {
    kind: &'static str,
    when: String,
    iso: String,
    overdue: bool,
    left: String,
}

fn timer(s: &AppState, ticket: &Ticket, t: &Texts, lang: Lang) -> Option<Timer> {
    let (due, kind) = (ticket.due_at?, ticket.due_kind?);
    let now = s.service.now();
    let cal = s.service.calendar();
    let minutes = cal.working_minutes_between(now, due);
    let day = cal.day_minutes().max(1);
    let zone = s.portal.time_zone;
    Some(Timer {
        kind: kind.label(lang),
        // A meeting's promise is a day; the others run to the minute.
        when: if kind == loket_core::service_level::DueKind::Meeting {
            zone.date(due)
        } else {
            zone.date_time(due)
        },
        iso: zone.iso(due),
        overdue: due <= now,
        left: t.due_left.replace(
            "{}",
            &if minutes >= day {
                let (d, h) = (minutes / day, minutes % day / 60);
                let days = if d == 1 {
                    t.one_day.to_owned()
                } else {
                    t.days.replace("{d}", &d.to_string())
                };
                if h > 0 {
                    days + &t.and_hours.replace("{h}", &h.to_string())
                } else {
                    days
                }
            } else {
                t.hours_minutes
                    .replace("{h}", &(minutes / 60).to_string())
                    .replace("{m}", &(minutes % 60).to_string())
            },
        ),
    })
}

/// The ticket page with an error from an action handled elsewhere (409: the
/// rules refused).
pub(crate) async fn with_error(
    s: &AppState,
    me: Signed,
    number: TicketNumber,
    error: String,
) -> Result<Response, PageError> {
    let extra = Extra {
        error: Some(error),
        conflict: true,
        ..Extra::default()
    };
    page(s, me, number, extra).await
}

async fn page(s: &AppState, me: Signed, number: TicketNumber, extra: Extra) -> Result<Response, PageError> {
    let lang = me.lang;
    let t = texts(lang);
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let actor = me.actor();
    let ticket = s.service.ticket_for(&actor, number).await.map_err(fail)?;
    let store = s.service.store();
    let zone = s.portal.time_zone;
    let staff = store.list_staff().await.map_err(fail)?;
    let staff_names: std::collections::HashMap<StaffId, String> =
        staff.iter().map(|m| (m.id, m.name.clone())).collect();
    let requester = store
        .get_contact(ticket.requester_id)
        .await
        .map_err(fail)?
        .ok_or_else(|| PageError::not_found(lang))?;
    let mut contacts = std::collections::HashMap::new();
    contacts.insert(requester.id, requester.clone());
    let messages = store.messages(ticket.id, true).await.map_err(fail)?;
    let files = store.attachments(ticket.id).await.map_err(fail)?;
    let mut views = Vec::with_capacity(messages.len());
    for m in messages {
        let (who, role) = match m.author {
            Author::Staff(id) => (staff_names.get(&id).cloned().unwrap_or_default(), t.staff),
            Author::Contact(id) => {
                if let std::collections::hash_map::Entry::Vacant(e) = contacts.entry(id)
                    && let Some(c) = store.get_contact(id).await.map_err(fail)?
                {
                    e.insert(c);
                }
                let name = contacts
                    .get(&id)
                    .map(|c| {
                        if c.name.is_empty() {
                            c.email.clone()
                        } else {
                            format!("{} <{}>", c.name, c.email)
                        }
                    })
                    .unwrap_or_default();
                (name, t.customer)
            }
            Author::System => (t.system.to_owned(), ""),
        };
        views.push(MessageView {
            id: m.id.0,
            internal: m.kind == MessageKind::Internal,
            event: m.kind == MessageKind::Event,
            who,
            role,
            at: zone.date_time(m.created_at),
            at_iso: zone.iso(m.created_at),
            html: m.body_html,
            files: files
                .iter()
                .filter(|a| a.message_id == Some(m.id))
                .map(|a| file_view(a, &staff_names, zone, lang))
                .collect(),
        });
    }
    let orphan_files = files
        .iter()
        .filter(|a| a.message_id.is_none())
        .map(|a| file_view(a, &staff_names, zone, lang))
        .collect();
    let incidents = super::privacy::incident_views(
        store.ticket_incidents(ticket.id).await.map_err(fail)?,
        &staff_names,
        zone,
        lang,
    );
    let organisation = match requester.organisation_id {
        Some(o) => store.get_organisation(o).await.map_err(fail)?.map(|o| o.name),
        None => None,
    };
    let open_of = |f: TicketFilter| async move { store.list_tickets(&f).await };
    let other_open = open_of(TicketFilter {
        requester: Some(requester.id),
        open_only: true,
        limit: 11,
        ..TicketFilter::default()
    })
    .await
    .map_err(fail)?
    .into_iter()
    .filter(|o| o.id != ticket.id)
    .take(10)
    .map(|o| (o.number, o.subject))
    .collect();
    let org_open = match requester.organisation_id {
        Some(org) => open_of(TicketFilter {
            organisation: Some(org),
            open_only: true,
            limit: 11,
            ..TicketFilter::default()
        })
        .await
        .map_err(fail)?
        .into_iter()
        .filter(|o| o.id != ticket.id && o.requester_id != requester.id)
        .take(10)
        .map(|o| (o.number, o.subject))
        .collect(),
        None => Vec::new(),
    };
    let events = store.audit(ticket.id).await.map_err(fail)?;
    let work_items = work_items(&ticket, &events, s.portal.work_item_url.as_deref());
    let outages = store.ticket_outages(ticket.id).await.map_err(fail)?;
    let mut names = super::audit::Names {
        staff: staff
            .iter()
            .map(|m| (format!("staff:{}", m.id), m.name.clone()))
            .collect(),
        contacts: std::collections::HashMap::new(),
        organisations: std::collections::HashMap::new(),
    };
    for e in &events {
        let contact = e.actor.strip_prefix("contact:").map(str::to_owned).into_iter().chain(
            (e.field.as_deref() == Some("requester"))
                .then(|| [e.old_value.clone(), e.new_value.clone()])
                .into_iter()
                .flatten()
                .flatten(),
        );
        for id in contact {
            if names.contacts.contains_key(&id) {
                continue;
            }
            if let Ok(n) = id.parse::<i64>()
                && let Some(c) = store.get_contact(ContactId(n)).await.map_err(fail)?
            {
                names
                    .contacts
                    .insert(id, if c.name.is_empty() { c.email } else { c.name });
            }
        }
        if e.field.as_deref() == Some("organisation") {
            for id in [&e.old_value, &e.new_value].into_iter().flatten() {
                if let Ok(n) = id.parse::<i64>()
                    && !names.organisations.contains_key(id)
                    && let Some(o) = store.get_organisation(OrganisationId(n)).await.map_err(fail)?
                {
                    names.organisations.insert(id.clone(), o.name);
                }
            }
        }
    }
    let audit = super::audit::lines(&events, &names, zone, lang);
    let viewers = s
        .service
        .viewing_ticket(&actor, &ticket, &staff, false)
        .await
        .map_err(fail)?;
    let merged_into = s.service.merged_into(&ticket).await.map_err(fail)?.map(|t| t.number);
    let labels_in_use = store.labels_in_use(200).await.map_err(fail)?;
    let canned = store
        .canned_replies()
        .await
        .map_err(fail)?
        .into_iter()
        .map(|c| (c.id, c.title))
        .collect();
    let page = TicketPage {
        t,
        number: ticket.number,
        subject: ticket.subject.clone(),
        version: ticket.version,
        status: ticket.status.label(lang),
        department: ticket.department.label(lang),
        urgent: ticket.urgent,
        labels: ticket.labels.join(", "),
        assignee: ticket
            .assignee_id
            .and_then(|a| staff_names.get(&a).cloned())
            .unwrap_or_default(),
        release: ticket.release_version.clone(),
        work_item: ticket.work_item.clone(),
        work_items,
        outages,
        // The meeting's deadline shows as the timer below; no second line.
        promised: ticket
            .promised_at
            .filter(|_| ticket.due_kind != Some(loket_core::service_level::DueKind::Meeting))
            .map(|d| zone.date(d)),
        due: timer(s, &ticket, t, lang),
        postponed: ticket
            .postponed_until
            .filter(|_| ticket.status == Status::Postponed)
            .map(|d| zone.date(d)),
        resolved: ticket.status == Status::Resolved,
        messages: views,
        requester_name: requester.name.clone(),
        requester_email: requester.email.clone(),
        authorised: requester.authorised,
        organisation,
        other_open,
        org_open,
        audit,
        departments: Department::ALL
            .iter()
            .map(|d| (d.label(lang), d.id(), *d == ticket.department))
            .collect(),
        staff: staff
            .iter()
            .map(|m| (m.email.clone(), m.name.clone(), ticket.assignee_id == Some(m.id)))
            .collect(),
        me_email: me.staff.email.clone(),
        label_suggestions: labels_in_use,
        canned,
        viewers,
        merged_into,
        ask_until: zone.day(s.service.now() + chrono::Duration::days(rules::DEFAULT_POSTPONE_DAYS)),
        transfer_promises: {
            let by = |d: Department| {
                d.promised_days()
                    .map(|days| zone.date(s.service.now() + chrono::Duration::days(days)))
                    .unwrap_or_default()
            };
            t.transfer_promises
                .replace("{ib}", &by(Department::InternalReview))
                .replace("{fo}", &by(Department::FunctionalMeeting))
        },
        notice: extra.notice,
        error: extra.error.clone(),
        draft: extra.draft.clone(),
        draft_for: if extra.draft_for.is_empty() {
            "reply"
        } else {
            extra.draft_for
        },
        until: extra.until.clone(),
        p: super::privacy::privacy_texts(lang),
        incidents,
        orphan_files,
        frame: me.frame,
    };
    let status = match (&page.error, extra.conflict) {
        (Some(_), true) => StatusCode::CONFLICT,
        (Some(_), false) => StatusCode::UNPROCESSABLE_ENTITY,
        (None, _) => StatusCode::OK,
    };
    Ok(with_status(render(&page, &me.cookies, lang), status))
}

/// An attachment as the page shows it.
fn file_view(
    a: &Attachment,
    staff: &std::collections::HashMap<StaffId, String>,
    zone: loket_core::time::Zone,
    lang: Lang,
) -> FileView {
    let p = super::privacy::privacy_texts(lang);
    FileView {
        id: a.id.0,
        name: a.filename.clone(),
        size: crate::portal::i18n::size_in(lang, u64::try_from(a.size).unwrap_or_default()),
        tombstone: a.removed_at.map(|at| {
            let who = a
                .removed_by
                .as_deref()
                .and_then(|b| b.strip_prefix("staff:"))
                .and_then(|id| id.parse().ok())
                .and_then(|id| staff.get(&StaffId(id)).cloned())
                .unwrap_or_else(|| "Loket".to_owned());
            format!(
                "{} {}, {who}: {} · SHA-256 {}",
                p.tombstone,
                zone.date_time(at),
                a.removal_reason.as_deref().unwrap_or_default(),
                a.sha256
            )
        }),
    }
}

/// `GET /agent/tickets/{number}/bijlage/{id}`: images and PDF open in the
/// browser, anything else downloads.
pub async fn view_attachment_get(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PagePath((number, id)): PagePath<(i64, i64)>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let ticket = s
        .service
        .ticket_for(&me.actor(), TicketNumber(number))
        .await
        .map_err(fail)?;
    let att = s
        .service
        .store()
        .attachments(ticket.id)
        .await
        .map_err(fail)?
        .into_iter()
        .find(|a| a.id.0 == id && a.removed_at.is_none())
        .ok_or(PageError::not_found(lang))?;
    crate::files::send(&s, &att, crate::files::Disposition::InlineWhenSafe)
        .await
        .map_err(fail)?
        .ok_or(PageError::not_found(lang))
}

#[derive(Template)]
#[template(path = "agent/viewers.html")]
struct ViewersFragment<'a> {
    t: &'a Texts,
    viewers: Vec<(String, bool)>,
}

/// What the ticket page's script posts every few seconds.
#[derive(Debug, Deserialize)]
pub struct PresenceForm {
    csrf: String,
    #[serde(default)]
    typing: Option<String>,
}

/// `POST /agent/tickets/{number}/aanwezig`: "I have this ticket open (and
/// am typing)"; answers who else has it open, as a piece of HTML.
pub async fn view_presence_post(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PagePath(number): PagePath<i64>,
    headers: HeaderMap,
    PageForm(form): PageForm<PresenceForm>,
) -> Result<Response, PageError> {
    check_csrf(&s, &headers, &form.csrf, me.lang)?;
    let typing = form.typing.as_deref() == Some("1");
    let viewers = s
        .service
        .viewing(&me.actor(), TicketNumber(number), typing)
        .await
        .map_err(|e| PageError::from_domain(&e, me.lang))?;
    let fragment = ViewersFragment {
        t: texts(me.lang),
        viewers,
    };
    Ok(render(&fragment, &[], me.lang))
}

/// Every action form: its token, the ticket version the page showed, and
/// the fields of that action.
#[derive(Debug, Deserialize)]
pub struct ActionForm {
    csrf: String,
    #[serde(default)]
    decision: String,
    /// The "I understand this cannot be undone" box of forms that remove,
    /// merge or move.
    #[serde(default)]
    zeker: String,
    #[serde(default)]
    seen: Option<i64>,
    #[serde(default)]
    text: String,
    #[serde(default)]
    and_resolve: Option<String>,
    #[serde(default)]
    until: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    release_version: String,
    #[serde(default)]
    work_item: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    labels: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    into: String,
    #[serde(default)]
    ban: String,
}

/// What an action form asks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    Reply,
    Note,
    Ask,
    Transfer,
    Resolve,
    Reopen,
    Assign,
    Labels,
    Move,
    Merge,
    Spam,
    /// Confirm or overrule a privacy incident (`decision`).
    Decide(i64),
    /// Remove one attachment for good (reason in `text`).
    RemoveFile(i64),
    /// Remove one message for good (reason in `text`).
    RemoveMessage(i64),
}

/// Runs an action form (also for the privacy module's routes, whose paths
/// carry a second id).
pub(super) async fn act(
    s: AppState,
    number: i64,
    headers: HeaderMap,
    form: ActionForm,
    action: Action,
) -> Result<Response, PageError> {
    let me = match signed_in(&s, &headers).await? {
        Ok(me) => me,
        Err(to) => return Ok(to),
    };
    let lang = me.lang;
    check_csrf(&s, &headers, &form.csrf, lang)?;
    let t = texts(lang);
    let number = TicketNumber(number);
    let actor = me.actor();
    let svc = &s.service;
    let draft_for = match action {
        Action::Reply => "reply",
        Action::Note => "note",
        Action::Ask => "ask",
        Action::Resolve => "resolve",
        _ => "",
    };
    // A reply written on an older view of the ticket: show what changed first.
    if matches!(action, Action::Reply | Action::Ask | Action::Resolve)
        && let Some(seen) = form.seen
    {
        let now = svc
            .ticket_for(&actor, number)
            .await
            .map_err(|e| PageError::from_domain(&e, lang))?;
        if now.version != seen && !form.text.trim().is_empty() {
            let extra = Extra {
                error: Some(t.changed.to_owned()),
                draft: form.text,
                draft_for,
                until: form.until,
                ..Extra::default()
            };
            return page(&s, me, number, extra).await;
        }
    }
    let irreversible = match action {
        Action::RemoveFile(_) | Action::RemoveMessage(_) | Action::Merge | Action::Move => true,
        Action::Decide(id) => {
            form.decision == "confirm"
                && svc
                    .store()
                    .incident(id)
                    .await
                    .map_err(|e| PageError::from_domain(&e, lang))?
                    .is_some_and(|i| i.class == loket_core::privacy_store::IncidentClass::Full)
        }
        _ => false,
    };
    let result = if irreversible && form.zeker != "1" {
        Err(DomainError::invalid("tick that you understand this cannot be undone"))
    } else {
        perform(&s, svc, &actor, number, &form, action).await
    };
    let result = match result {
        Ok(Some(redirect)) => return Ok(redirect),
        Ok(None) => Ok(()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            let done = match action {
                Action::Reply if form.and_resolve.is_some() => "antwoord-opgelost",
                Action::Reply => "antwoord",
                Action::Note => "notitie",
                Action::Ask => "informatie",
                Action::Transfer => "doorsturen",
                Action::Resolve => "oplossen",
                Action::Reopen => "heropenen",
                Action::Assign => "toewijzen",
                Action::Labels => "labels",
                Action::Move => "verplaatsen",
                Action::Merge => "samenvoegen",
                Action::Spam => "spam",
                Action::Decide(_) => "privacy",
                Action::RemoveFile(_) => "bijlage-verwijderd",
                Action::RemoveMessage(_) => "bericht-verwijderd",
            };
            Ok(Redirect::to(&format!("/agent/tickets/{number}?gedaan={done}")).into_response())
        }
        Err(DomainError::Invalid(p)) => {
            // Staff read the rule's own words where there is no translation.
            let text = match &p {
                Problem::Other(why) => super::messages::rule_message(why, lang),
                p => crate::portal::problem_text(p, lang),
            };
            let extra = Extra {
                error: Some(text),
                draft: form.text,
                draft_for,
                until: form.until,
                ..Extra::default()
            };
            page(&s, me, number, extra).await
        }
        Err(DomainError::Conflict(why)) => {
            let extra = Extra {
                error: Some(super::messages::rule_message(&why, lang)),
                draft: form.text,
                conflict: true,
                draft_for,
                until: form.until,
                ..Extra::default()
            };
            page(&s, me, number, extra).await
        }
        // Staff see that they may not, not "not found".
        Err(DomainError::Forbidden(_)) => Err(PageError::not_allowed(lang)),
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}

/// Does what an action form asks; `Some` is a redirect of its own (a merge
/// goes to the kept ticket).
async fn perform(
    s: &AppState,
    svc: &loket_core::service::Service,
    actor: &loket_core::service::Actor,
    number: TicketNumber,
    form: &ActionForm,
    action: Action,
) -> loket_core::Result<Option<Response>> {
    let actor = actor.clone();
    let result = match action {
        Action::Reply => match svc.agent_reply(&actor, number, Reply::text(&form.text)).await {
            Ok(_) if form.and_resolve.is_some() => svc.resolve(&actor, number).await.map(|_| ()),
            other => other.map(|_| ()),
        },
        Action::Note => svc.add_note(&actor, number, Reply::text(&form.text)).await.map(|_| ()),
        Action::Ask => match s.portal.time_zone.end_of_day(&form.until) {
            Some(until) => svc
                .ask_info(&actor, number, Reply::text(&form.text), Some(until))
                .await
                .map(|_| ()),
            None if form.until.trim().is_empty() => svc
                .ask_info(&actor, number, Reply::text(&form.text), None)
                .await
                .map(|_| ()),
            None => Err(DomainError::Invalid(Problem::Other(format!(
                "'{}' is not a date (YYYY-MM-DD)",
                form.until
            )))),
        },
        Action::Transfer => transfer(svc, &actor, number, form).await,
        Action::Resolve => {
            let message = Some(Reply::text(&form.text)).filter(|_| !form.text.trim().is_empty());
            svc.resolve_with(&actor, number, message).await.map(|_| ())
        }
        Action::Reopen => svc.reopen(&actor, number).await.map(|_| ()),
        Action::Assign => {
            let who = form.assignee.trim();
            svc.assign(&actor, number, (!who.is_empty()).then_some(who))
                .await
                .map(|_| ())
        }
        Action::Labels => {
            let labels: Vec<String> = form
                .labels
                .split(',')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect();
            svc.set_labels(&actor, number, &labels).await.map(|_| ())
        }
        Action::Spam => {
            let ban = match form.ban.as_str() {
                "address" => loket_core::service::SpamBan::Address,
                "domain" => loket_core::service::SpamBan::Domain,
                _ => loket_core::service::SpamBan::None,
            };
            svc.mark_spam(&actor, number, ban).await.map(|_| ())
        }
        Action::Merge => match form.into.trim().trim_start_matches('#').parse::<i64>() {
            Ok(into) => match svc.merge(&actor, number, TicketNumber(into)).await {
                Ok(t) => {
                    return Ok(Some(
                        Redirect::to(&format!("/agent/tickets/{}?gedaan=samenvoegen", t.number)).into_response(),
                    ));
                }
                Err(e) => Err(e),
            },
            Err(_) => Err(DomainError::Invalid(Problem::Other(format!(
                "'{}' is not a ticket number",
                form.into.trim()
            )))),
        },
        Action::Decide(id) => match form.decision.as_str() {
            decision @ ("confirm" | "dismiss") => svc
                .decide_incident(&actor, number, id, decision == "confirm")
                .await
                .map(|_| ()),
            _ => Err(DomainError::invalid("choose confirm or no incident")),
        },
        Action::RemoveFile(id) => svc
            .remove_attachment(&actor, number, AttachmentId(id), &form.text)
            .await
            .map(|_| ()),
        Action::RemoveMessage(id) => svc
            .remove_message(&actor, number, MessageId(id), &form.text)
            .await
            .map(|_| ()),
        Action::Move => match svc.ticket_for(&actor, number).await {
            Ok(t) => match svc.store().get_contact(t.requester_id).await {
                Ok(Some(from)) => svc.move_tickets(&actor, &from.email, &form.to).await.map(|_| ()),
                Ok(None) => Err(DomainError::not_found("requester")),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        },
    };
    result.map(|()| None)
}

async fn transfer(
    svc: &loket_core::service::Service,
    actor: &loket_core::service::Actor,
    number: TicketNumber,
    form: &ActionForm,
) -> loket_core::Result<()> {
    let to = Department::parse(form.department.trim())?;
    let version = Some(form.release_version.trim().to_owned()).filter(|v| !v.is_empty());
    if to.needs_version() && version.is_none() {
        let current = svc.ticket_for(actor, number).await?;
        if current.release_version.is_none() {
            return Err(DomainError::Invalid(Problem::Empty(Field::ReleaseVersion)));
        }
    }
    svc.transfer(actor, number, to, version).await?;
    let item = form.work_item.trim();
    if !item.is_empty() {
        svc.set_work_item(actor, number, Some(item)).await?;
    }
    Ok(())
}

macro_rules! action_route {
    ($(#[$doc:meta])* $name:ident, $action:expr) => {
        $(#[$doc])*
        pub async fn $name(
            State(s): State<AppState>,
            PagePath(number): PagePath<i64>,
            headers: HeaderMap,
            PageForm(form): PageForm<ActionForm>,
        ) -> Result<Response, PageError> {
            act(s, number, headers, form, $action).await
        }
    };
}

action_route!(
    /// `POST /agent/tickets/{number}/antwoord`: a public reply (Beantwoord), optionally resolving.
    view_reply_post,
    Action::Reply
);
action_route!(
    /// `POST /agent/tickets/{number}/notitie`: an internal note.
    view_note_post,
    Action::Note
);
action_route!(
    /// `POST /agent/tickets/{number}/informatie`: ask for information (Uitgesteld until a date, Wacht op reactie).
    view_ask_post,
    Action::Ask
);
action_route!(
    /// `POST /agent/tickets/{number}/doorsturen`: transfer to a department.
    view_transfer_post,
    Action::Transfer
);
action_route!(
    /// `POST /agent/tickets/{number}/oplossen`: resolve, with an optional message.
    view_resolve_post,
    Action::Resolve
);
action_route!(
    /// `POST /agent/tickets/{number}/heropenen`: reopen.
    view_reopen_post,
    Action::Reopen
);
action_route!(
    /// `POST /agent/tickets/{number}/toewijzen`: assign (or unassign).
    view_assign_post,
    Action::Assign
);
action_route!(
    /// `POST /agent/tickets/{number}/labels`: set the labels.
    view_labels_post,
    Action::Labels
);
action_route!(
    /// `POST /agent/tickets/{number}/spam`: label spam and resolve; with
    /// `ban=address|domain` later mail from the sender goes to the quarantine.
    view_spam_post,
    Action::Spam
);
action_route!(
    /// `POST /agent/tickets/{number}/samenvoegen`: merge this ticket into
    /// another of the same requester (`into`), which keeps its number.
    view_merge_post,
    Action::Merge
);
action_route!(
    /// `POST /agent/tickets/{number}/verplaatsen`: every ticket of the
    /// requester's address to another address (a colleague, a shared mailbox).
    view_move_post,
    Action::Move
);
