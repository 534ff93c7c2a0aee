//! Tickets: list, create, read, and a ticket's messages, attachments and audit trail.

use super::{CreateTicketBody, MessageView, TicketPage, TicketView, uploads};
use crate::api::{ApiJson, ApiPath, ApiQuery, StaffAuth};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use loket_core::service::CreateTicket;
use loket_core::store::TicketFilter;
use loket_core::*;
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters of `GET /tickets`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this status.
    status: Option<Status>,
    /// Only this department.
    department: Option<Department>,
    /// Only tickets of this requester (e-mail address).
    requester: Option<String>,
    /// Only tickets of this organisation (id).
    organisation: Option<i64>,
    /// Only tickets assigned to this staff member (e-mail address).
    assignee: Option<String>,
    /// Only tickets with this label.
    label: Option<String>,
    /// Cursor: `next_before` of the previous page.
    before: Option<i64>,
    /// Cursor with `sort=oldest`: `next_after` of the previous page.
    after: Option<i64>,
    /// `true`: only urgent tickets.
    urgent: Option<bool>,
    /// `true`: only tickets that are not resolved.
    open: Option<bool>,
    /// Only tickets that came in by this channel.
    channel: Option<Channel>,
    /// `newest` (default) or `oldest` first.
    sort: Option<String>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<i64>,
}

/// Lists tickets, newest first.
#[utoipa::path(get, path = "/api/v1/tickets", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = TicketPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _auth: StaffAuth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<TicketPage>, ApiError> {
    let store = state.service.store();
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid("limit must be between 1 and 200"));
    }
    let requester = match q.requester {
        Some(e) => match store.contact_by_email(&normalise_email(&e)?).await? {
            Some(c) => Some(c.id),
            None => {
                return Ok(Json(TicketPage {
                    tickets: Vec::new(),
                    next_before: None,
                    next_after: None,
                }));
            }
        },
        None => None,
    };
    let assignee = match q.assignee {
        Some(e) => Some(
            store
                .staff_by_email(&normalise_email(&e)?)
                .await?
                .ok_or_else(|| ApiError::invalid(format!("no staff member {e}")))?
                .id,
        ),
        None => None,
    };
    let oldest = match q.sort.as_deref() {
        None | Some("newest") => false,
        Some("oldest") => true,
        Some(other) => return Err(ApiError::invalid(format!("sort '{other}': expected newest or oldest"))),
    };
    let filter = TicketFilter {
        status: q.status,
        department: q.department,
        requester,
        shared: None,
        organisation: q.organisation.map(OrganisationId),
        assignee,
        label: q.label,
        before: q.before.map(TicketId),
        after: q.after.map(TicketId),
        oldest_first: oldest,
        open_only: q.open.unwrap_or(false),
        unassigned: false,
        urgent_only: q.urgent.unwrap_or(false),
        channel: q.channel,
        limit,
        ..TicketFilter::default()
    };
    let tickets = store.list_tickets(&filter).await?;
    let full = i64::try_from(tickets.len()).unwrap_or(i64::MAX) == limit;
    let last = if full { tickets.last().map(|t| t.id.0) } else { None };
    let tickets = views(&state, tickets).await?;
    let (next_before, next_after) = if oldest { (None, last) } else { (last, None) };
    Ok(Json(TicketPage {
        tickets,
        next_before,
        next_after,
    }))
}

/// Creates a ticket (any channel) and queues the confirmation mail.
#[utoipa::path(post, path = "/api/v1/tickets", request_body = CreateTicketBody, security(("bearer" = [])),
    responses((status = 201, body = Ticket), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: StaffAuth,
    ApiJson(body): ApiJson<CreateTicketBody>,
) -> Result<(StatusCode, Json<Ticket>), ApiError> {
    let input = CreateTicket {
        attachments: uploads(body.attachments)?,
        requester_name: body.requester_name,
        department: body.department,
        urgent: body.urgent,
        ..CreateTicket::new(
            &body.subject,
            &body.message,
            &body.requester,
            body.channel.unwrap_or(Channel::Api),
        )
    };
    let ticket = state.service.create_ticket(&auth.actor(), input).await?;
    Ok((StatusCode::CREATED, Json(ticket)))
}

/// Reads one ticket by number.
#[utoipa::path(get, path = "/api/v1/tickets/{number}", params(("number" = i64, Path, description = "Ticket number")),
    security(("bearer" = [])), responses((status = 200, body = TicketView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    auth: StaffAuth,
    ApiPath(number): ApiPath<i64>,
) -> Result<Json<TicketView>, ApiError> {
    let t = state.service.ticket_for(&auth.actor(), TicketNumber(number)).await?;
    let mut v = views(&state, vec![t]).await?;
    v.pop().map(Json).ok_or_else(|| DomainError::not_found("ticket").into())
}

/// Tickets with their requesters' addresses and names (each looked up once).
async fn views(state: &AppState, tickets: Vec<Ticket>) -> Result<Vec<TicketView>, ApiError> {
    let store = state.service.store();
    let mut seen: std::collections::HashMap<ContactId, (String, String)> = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(tickets.len());
    for t in tickets {
        if let std::collections::hash_map::Entry::Vacant(e) = seen.entry(t.requester_id) {
            let c = store.get_contact(t.requester_id).await?;
            e.insert(c.map(|c| (c.email, c.name)).unwrap_or_default());
        }
        let (requester_email, requester_name) = seen.get(&t.requester_id).cloned().unwrap_or_default();
        out.push(TicketView {
            ticket: t,
            requester_email,
            requester_name,
        });
    }
    Ok(out)
}

/// A ticket's messages, oldest first, internal notes included.
#[utoipa::path(get, path = "/api/v1/tickets/{number}/messages", params(("number" = i64, Path, description = "Ticket number")),
    security(("bearer" = [])), responses((status = 200, body = Vec<MessageView>), (status = 404, body = ErrorBody)))]
pub async fn messages(
    State(state): State<AppState>,
    auth: StaffAuth,
    ApiPath(number): ApiPath<i64>,
) -> Result<Json<Vec<MessageView>>, ApiError> {
    let t = state.service.ticket_for(&auth.actor(), TicketNumber(number)).await?;
    let store = state.service.store();
    let staff: std::collections::HashMap<StaffId, String> =
        store.list_staff().await?.into_iter().map(|m| (m.id, m.name)).collect();
    let mut contacts: std::collections::HashMap<ContactId, String> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for m in store.messages(t.id, true).await? {
        let author_name = match m.author {
            Author::Staff(id) => staff.get(&id).cloned().unwrap_or_default(),
            Author::Contact(id) => {
                if let std::collections::hash_map::Entry::Vacant(e) = contacts.entry(id) {
                    let c = store.get_contact(id).await?;
                    e.insert(
                        c.map(|c| if c.name.is_empty() { c.email } else { c.name })
                            .unwrap_or_default(),
                    );
                }
                contacts.get(&id).cloned().unwrap_or_default()
            }
            Author::System => "Loket".into(),
        };
        out.push(MessageView {
            message: m,
            author_name,
        });
    }
    Ok(Json(out))
}

/// A ticket's attachments, removed ones with their removal record.
#[utoipa::path(get, path = "/api/v1/tickets/{number}/attachments", params(("number" = i64, Path, description = "Ticket number")),
    security(("bearer" = [])), responses((status = 200, body = Vec<Attachment>), (status = 404, body = ErrorBody)))]
pub async fn attachments(
    State(state): State<AppState>,
    auth: StaffAuth,
    ApiPath(number): ApiPath<i64>,
) -> Result<Json<Vec<Attachment>>, ApiError> {
    let t = state.service.ticket_for(&auth.actor(), TicketNumber(number)).await?;
    Ok(Json(state.service.store().attachments(t.id).await?))
}

/// The bytes of one attachment (staff only): images and PDF as themselves,
/// inline; anything else as a download, with the portal's safe headers.
#[utoipa::path(get, path = "/api/v1/tickets/{number}/attachments/{id}/content",
    params(("number" = i64, Path, description = "Ticket number"), ("id" = i64, Path, description = "Attachment id")),
    security(("bearer" = [])), responses((status = 200, description = "The file's bytes"), (status = 404, body = ErrorBody)))]
pub async fn attachment_content(
    State(state): State<AppState>,
    auth: StaffAuth,
    ApiPath((number, id)): ApiPath<(i64, i64)>,
) -> Result<axum::response::Response, ApiError> {
    let t = state.service.ticket_for(&auth.actor(), TicketNumber(number)).await?;
    let att = state
        .service
        .store()
        .attachments(t.id)
        .await?
        .into_iter()
        .find(|a| a.id.0 == id && a.removed_at.is_none())
        .ok_or_else(|| DomainError::not_found("attachment"))?;
    crate::files::send(&state, &att, crate::files::Disposition::InlineWhenSafe)
        .await?
        .ok_or_else(|| DomainError::not_found("attachment").into())
}

/// A ticket's audit trail, oldest first.
#[utoipa::path(get, path = "/api/v1/tickets/{number}/audit", params(("number" = i64, Path, description = "Ticket number")),
    security(("bearer" = [])), responses((status = 200, body = Vec<AuditEvent>), (status = 404, body = ErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    auth: StaffAuth,
    ApiPath(number): ApiPath<i64>,
) -> Result<Json<Vec<AuditEvent>>, ApiError> {
    let t = state.service.ticket_for(&auth.actor(), TicketNumber(number)).await?;
    Ok(Json(state.service.store().audit(t.id).await?))
}
