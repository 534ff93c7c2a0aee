//! Tickets: list, create, read, and a ticket's messages, attachments and audit trail.

use super::{CreateTicketBody, TicketPage, uploads};
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
    let filter = TicketFilter {
        status: q.status,
        department: q.department,
        requester,
        shared: None,
        organisation: q.organisation.map(OrganisationId),
        assignee,
        label: q.label,
        before: q.before.map(TicketId),
        limit,
    };
    let tickets = store.list_tickets(&filter).await?;
    let full = i64::try_from(tickets.len()).unwrap_or(i64::MAX) == limit;
    let next_before = if full { tickets.last().map(|t| t.id.0) } else { None };
    Ok(Json(TicketPage { tickets, next_before }))
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
    security(("bearer" = [])), responses((status = 200, body = Ticket), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    auth: StaffAuth,
    ApiPath(number): ApiPath<i64>,
) -> Result<Json<Ticket>, ApiError> {
    Ok(Json(
        state.service.ticket_for(&auth.actor(), TicketNumber(number)).await?,
    ))
}

/// A ticket's messages, oldest first, internal notes included.
#[utoipa::path(get, path = "/api/v1/tickets/{number}/messages", params(("number" = i64, Path, description = "Ticket number")),
    security(("bearer" = [])), responses((status = 200, body = Vec<Message>), (status = 404, body = ErrorBody)))]
pub async fn messages(
    State(state): State<AppState>,
    auth: StaffAuth,
    ApiPath(number): ApiPath<i64>,
) -> Result<Json<Vec<Message>>, ApiError> {
    let t = state.service.ticket_for(&auth.actor(), TicketNumber(number)).await?;
    Ok(Json(state.service.store().messages(t.id, true).await?))
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
