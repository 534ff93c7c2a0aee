//! Contacts: list, create, read, change, and moving tickets between addresses.

use super::double_option;
use crate::api::{ApiJson, ApiPath, ApiQuery, StaffAuth};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use loket_core::store::ContactPatch;
use loket_core::{Contact, ContactId, DomainError, OrganisationId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Filters of `GET /contacts`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    /// Only contacts of this organisation.
    organisation: Option<i64>,
    /// Most results, 1 to 1000 (default 200).
    limit: Option<i64>,
}

/// `POST /contacts`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContactBody {
    /// E-mail address.
    email: String,
    /// Name.
    #[serde(default)]
    name: String,
}

/// `PATCH /contacts/{id}`: absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatchBody {
    /// New name.
    #[serde(default)]
    name: Option<String>,
    /// New organisation id; null detaches.
    #[serde(default, deserialize_with = "double_option")]
    #[allow(clippy::option_option)]
    #[schema(value_type = Option<i64>)]
    organisation_id: Option<Option<i64>>,
    /// Authorised contact (application/system administrator).
    #[serde(default)]
    authorised: Option<bool>,
    /// Language of mail and pages: `nl` or `en`.
    #[serde(default)]
    language: Option<loket_core::Lang>,
    /// `false` clears the mark that mail to this address bounces (staff know
    /// it works again); it cannot be set by hand.
    #[serde(default)]
    undeliverable: Option<bool>,
}

/// `POST /contacts/move-tickets`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    /// Address whose tickets move.
    from: String,
    /// Address they move to (created when new).
    to: String,
}

/// How many tickets moved.
#[derive(Debug, Serialize, ToSchema)]
pub struct Moved {
    /// Count.
    moved: usize,
}

/// Lists contacts by address.
#[utoipa::path(get, path = "/api/v1/contacts", params(ContactQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<Contact>)))]
pub async fn list(
    State(s): State<AppState>,
    _auth: StaffAuth,
    ApiQuery(q): ApiQuery<ContactQuery>,
) -> Result<Json<Vec<Contact>>, ApiError> {
    let limit = q.limit.unwrap_or(200).clamp(1, 1000);
    Ok(Json(
        s.service
            .store()
            .list_contacts(q.organisation.map(OrganisationId), limit)
            .await?,
    ))
}

/// Creates a contact (or answers the existing one with that address).
#[utoipa::path(post, path = "/api/v1/contacts", request_body = NewContactBody, security(("bearer" = [])),
    responses((status = 201, body = Contact), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiJson(b): ApiJson<NewContactBody>,
) -> Result<(StatusCode, Json<Contact>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(s.service.create_contact(&auth.actor(), &b.email, &b.name).await?),
    ))
}

/// Reads one contact.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Contact), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    _auth: StaffAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Contact>, ApiError> {
    let c = s.service.store().get_contact(ContactId(id)).await?;
    Ok(Json(c.ok_or_else(|| DomainError::not_found(format!("contact {id}")))?))
}

/// Changes a contact's name, organisation, authorised flag or language, or
/// clears the mark that mail to it bounces.
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", params(("id" = i64, Path)), request_body = ContactPatchBody,
    security(("bearer" = [])), responses((status = 200, body = Contact), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ContactPatchBody>,
) -> Result<Json<Contact>, ApiError> {
    if b.undeliverable == Some(true) {
        return Err(ApiError::invalid(
            "undeliverable can only be cleared (false); bounces of Loket's own mail set it",
        ));
    }
    let patch = ContactPatch {
        name: b.name,
        organisation_id: b.organisation_id.map(|o| o.map(OrganisationId)),
        authorised: b.authorised,
        language: b.language,
        clear_undeliverable: b.undeliverable == Some(false),
    };
    Ok(Json(
        s.service.update_contact(&auth.actor(), ContactId(id), patch).await?,
    ))
}

/// Moves every ticket of one address to another.
#[utoipa::path(post, path = "/api/v1/contacts/move-tickets", request_body = MoveBody, security(("bearer" = [])),
    responses((status = 200, body = Moved), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_tickets(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiJson(b): ApiJson<MoveBody>,
) -> Result<Json<Moved>, ApiError> {
    Ok(Json(Moved {
        moved: s.service.move_tickets(&auth.actor(), &b.from, &b.to).await?,
    }))
}
