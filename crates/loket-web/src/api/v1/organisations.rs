//! Customer organisations and their mail domains.

use crate::api::{ApiJson, ApiPath, StaffAuth};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use loket_core::{DomainError, Organisation, OrganisationId};
use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /organisations`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisationBody {
    /// Name.
    name: String,
    /// Mail domains whose senders belong to it.
    #[serde(default)]
    domains: Vec<String>,
}

/// Lists organisations by name.
#[utoipa::path(get, path = "/api/v1/organisations", security(("bearer" = [])), responses((status = 200, body = Vec<Organisation>)))]
pub async fn list(State(s): State<AppState>, _auth: StaffAuth) -> Result<Json<Vec<Organisation>>, ApiError> {
    Ok(Json(s.service.store().list_organisations().await?))
}

/// Creates an organisation; a domain that already belongs to one is a conflict.
#[utoipa::path(post, path = "/api/v1/organisations", request_body = NewOrganisationBody, security(("bearer" = [])),
    responses((status = 201, body = Organisation), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiJson(b): ApiJson<NewOrganisationBody>,
) -> Result<(StatusCode, Json<Organisation>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(
            s.service
                .create_organisation(&auth.actor(), &b.name, &b.domains)
                .await?,
        ),
    ))
}

/// Reads one organisation.
#[utoipa::path(get, path = "/api/v1/organisations/{id}", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Organisation), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    _auth: StaffAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Organisation>, ApiError> {
    let o = s.service.store().get_organisation(OrganisationId(id)).await?;
    Ok(Json(
        o.ok_or_else(|| DomainError::not_found(format!("organisation {id}")))?,
    ))
}

/// `PATCH /organisations/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationPatchBody {
    /// Whether its authorised contacts see all of its tickets on the portal.
    share_tickets: bool,
}

/// Lets (or stops letting) an organisation's authorised contacts see all of its tickets.
#[utoipa::path(patch, path = "/api/v1/organisations/{id}", params(("id" = i64, Path)), request_body = OrganisationPatchBody,
    security(("bearer" = [])), responses((status = 200, body = Organisation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<OrganisationPatchBody>,
) -> Result<Json<Organisation>, ApiError> {
    Ok(Json(
        s.service
            .set_ticket_sharing(&auth.actor(), OrganisationId(id), b.share_tickets)
            .await?,
    ))
}

/// `POST /organisations/{id}/domains`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainBody {
    /// A mail domain (`gemeente.nl`); never a public mail provider's.
    domain: String,
}

/// Adds a mail domain: the existing contacts of that domain without an
/// organisation join it, with their tickets (an audit event says how many).
#[utoipa::path(post, path = "/api/v1/organisations/{id}/domains", params(("id" = i64, Path)), request_body = DomainBody,
    security(("bearer" = [])), responses((status = 200, body = Organisation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_domain(
    State(s): State<AppState>,
    auth: StaffAuth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DomainBody>,
) -> Result<Json<Organisation>, ApiError> {
    s.service
        .add_organisation_domain(&auth.actor(), OrganisationId(id), &b.domain)
        .await?;
    let org = s
        .service
        .store()
        .get_organisation(OrganisationId(id))
        .await?
        .ok_or_else(|| DomainError::not_found("organisation"))?;
    Ok(Json(org))
}
