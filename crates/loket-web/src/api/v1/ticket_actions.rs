//! The use cases on one ticket: replies, notes, postpone, resolve, reopen,
//! transfer, labels, assignee, version, work item and removal of a message.

use super::*;
use crate::api::{ApiJson, ApiPath, ApiQuery, StaffAuth};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use loket_core::service::Reply;
use loket_core::{MessageId, Ticket, TicketNumber};
use serde::Deserialize;

type Answer = Result<Json<Ticket>, ApiError>;

/// An agent's public reply: sets `answered` and mails the requester.
#[utoipa::path(post, path = "/api/v1/tickets/{number}/replies", request_body = ReplyBody, params(("number" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Ticket), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reply(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath(n): ApiPath<i64>,
    ApiJson(b): ApiJson<ReplyBody>,
) -> Answer {
    Ok(Json(
        s.service
            .agent_reply(&auth.actor(), TicketNumber(n), b.into_reply()?)
            .await?,
    ))
}

/// Records a reply from the customer (for example by phone): sets `open` unless `new`.
#[utoipa::path(post, path = "/api/v1/tickets/{number}/customer-replies", request_body = ReplyBody, params(("number" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Ticket), (status = 404, body = ErrorBody)))]
pub async fn customer_reply(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath(n): ApiPath<i64>,
    ApiJson(b): ApiJson<ReplyBody>,
) -> Answer {
    Ok(Json(
        s.service
            .customer_reply(&auth.actor(), TicketNumber(n), b.into_reply()?)
            .await?,
    ))
}

/// An internal note, never shown to the customer.
#[utoipa::path(post, path = "/api/v1/tickets/{number}/notes", request_body = ReplyBody, params(("number" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Ticket), (status = 404, body = ErrorBody)))]
pub async fn note(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath(n): ApiPath<i64>,
    ApiJson(b): ApiJson<ReplyBody>,
) -> Answer {
    Ok(Json(
        s.service
            .add_note(&auth.actor(), TicketNumber(n), b.into_reply()?)
            .await?,
    ))
}

/// Asks the customer for information: mails the question, sets `postponed` until a date.
#[utoipa::path(post, path = "/api/v1/tickets/{number}/postpone", request_body = PostponeBody, params(("number" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Ticket), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn postpone(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath(n): ApiPath<i64>,
    ApiJson(b): ApiJson<PostponeBody>,
) -> Answer {
    // A day means the end of that day where the helpdesk is.
    let until = match b.until.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(v) => Some(
            chrono::DateTime::parse_from_rfc3339(v)
                .map(|d| d.with_timezone(&chrono::Utc))
                .ok()
                .or_else(|| s.portal.time_zone.end_of_day(v))
                .ok_or_else(|| {
                    crate::ApiError::invalid(format!("until '{v}': expected a date (2026-12-13) or an RFC 3339 time"))
                })?,
        ),
    };
    Ok(Json(
        s.service
            .ask_info(&auth.actor(), TicketNumber(n), Reply::text(&b.message), until)
            .await?,
    ))
}

/// Resolves the ticket; with `{"message": "…"}` the customer gets that
/// message first (a public reply). No body: resolved without a message.
#[utoipa::path(post, path = "/api/v1/tickets/{number}/resolve", request_body(content = Option<ResolveBody>), params(("number" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Ticket), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn resolve(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath(n): ApiPath<i64>,
    body: axum::body::Bytes,
) -> Answer {
    let message = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let b: ResolveBody =
            serde_json::from_slice(&body).map_err(|e| crate::ApiError::invalid(format!("request body: {e}")))?;
        b.message.filter(|m| !m.trim().is_empty()).map(|m| Reply::text(&m))
    };
    Ok(Json(
        s.service.resolve_with(&auth.actor(), TicketNumber(n), message).await?,
    ))
}

/// Reopens a resolved ticket.
#[utoipa::path(post, path = "/api/v1/tickets/{number}/reopen", params(("number" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Ticket), (status = 409, body = ErrorBody)))]
pub async fn reopen(State(s): State<AppState>, auth: StaffAuth, ApiPath(n): ApiPath<i64>) -> Answer {
    Ok(Json(s.service.reopen(&auth.actor(), TicketNumber(n)).await?))
}

/// Moves the ticket to another department.
#[utoipa::path(post, path = "/api/v1/tickets/{number}/transfer", request_body = TransferBody, params(("number" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Ticket), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transfer(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath(n): ApiPath<i64>,
    ApiJson(b): ApiJson<TransferBody>,
) -> Answer {
    Ok(Json(
        s.service
            .transfer(&auth.actor(), TicketNumber(n), b.department, b.version)
            .await?,
    ))
}

/// Replaces the labels.
#[utoipa::path(put, path = "/api/v1/tickets/{number}/labels", request_body = LabelsBody, params(("number" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Ticket), (status = 422, body = ErrorBody)))]
pub async fn labels(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath(n): ApiPath<i64>,
    ApiJson(b): ApiJson<LabelsBody>,
) -> Answer {
    Ok(Json(
        s.service.set_labels(&auth.actor(), TicketNumber(n), &b.labels).await?,
    ))
}

/// Assigns or unassigns.
#[utoipa::path(put, path = "/api/v1/tickets/{number}/assignee", request_body = AssigneeBody, params(("number" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Ticket), (status = 422, body = ErrorBody)))]
pub async fn assignee(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath(n): ApiPath<i64>,
    ApiJson(b): ApiJson<AssigneeBody>,
) -> Answer {
    Ok(Json(
        s.service
            .assign(&auth.actor(), TicketNumber(n), b.assignee.as_deref())
            .await?,
    ))
}

/// Sets or clears the release version.
#[utoipa::path(put, path = "/api/v1/tickets/{number}/version", request_body = VersionBody, params(("number" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Ticket), (status = 409, body = ErrorBody)))]
pub async fn version(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath(n): ApiPath<i64>,
    ApiJson(b): ApiJson<VersionBody>,
) -> Answer {
    Ok(Json(
        s.service
            .set_version(&auth.actor(), TicketNumber(n), b.version.as_deref())
            .await?,
    ))
}

/// Sets or clears the external work item reference.
#[utoipa::path(put, path = "/api/v1/tickets/{number}/work-item", request_body = WorkItemBody, params(("number" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Ticket), (status = 422, body = ErrorBody)))]
pub async fn work_item(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath(n): ApiPath<i64>,
    ApiJson(b): ApiJson<WorkItemBody>,
) -> Answer {
    Ok(Json(
        s.service
            .set_work_item(&auth.actor(), TicketNumber(n), b.work_item.as_deref())
            .await?,
    ))
}

/// Revokes every follow link of the ticket mailed so far.
#[utoipa::path(post, path = "/api/v1/tickets/{number}/revoke-links", params(("number" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Ticket), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_links(State(s): State<AppState>, auth: StaffAuth, ApiPath(n): ApiPath<i64>) -> Answer {
    Ok(Json(
        s.service.revoke_follow_links(&auth.actor(), TicketNumber(n)).await?,
    ))
}

/// Why a message is removed.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RemoveQuery {
    /// The reason, kept in the audit trail.
    reason: String,
}

/// Removes a message and its attachments' content for good.
#[utoipa::path(delete, path = "/api/v1/tickets/{number}/messages/{id}", params(("number" = i64, Path), ("id" = i64, Path), RemoveQuery),
    security(("bearer" = [])), responses((status = 200, body = Ticket), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_message(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath((n, id)): ApiPath<(i64, i64)>,
    ApiQuery(q): ApiQuery<RemoveQuery>,
) -> Answer {
    Ok(Json(
        s.service
            .remove_message(&auth.actor(), TicketNumber(n), MessageId(id), &q.reason)
            .await?,
    ))
}

/// Marks the ticket as spam (label `spam`, resolved without a mail);
/// `{"ban": "address"}` or `{"ban": "domain"}` sends later mail from the
/// sender to the quarantine.
#[utoipa::path(post, path = "/api/v1/tickets/{number}/spam", request_body = SpamBody, params(("number" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Ticket), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn spam(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath(n): ApiPath<i64>,
    ApiJson(b): ApiJson<SpamBody>,
) -> Answer {
    Ok(Json(
        s.service
            .mark_spam(
                &auth.actor(),
                TicketNumber(n),
                b.ban.unwrap_or(loket_core::service::SpamBan::None),
            )
            .await?,
    ))
}

/// Merges this ticket into `into` (same requester), which keeps its number;
/// answers that ticket.
#[utoipa::path(post, path = "/api/v1/tickets/{number}/merge", request_body = MergeBody, params(("number" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Ticket), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn merge(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath(n): ApiPath<i64>,
    ApiJson(b): ApiJson<MergeBody>,
) -> Answer {
    Ok(Json(
        s.service
            .merge(&auth.actor(), TicketNumber(n), TicketNumber(b.into))
            .await?,
    ))
}
