//! The OpenAPI 3 document, generated from the handlers' annotations.

use super::*;
use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "Loket API", description = "Tickets, contacts and organisations of the Loket helpdesk."),
    modifiers(&BearerAuth),
    paths(
        tickets::list, tickets::create, tickets::get, tickets::messages, tickets::attachments, tickets::attachment_content, tickets::audit, staff::list, staff::canned_replies, ticket_actions::spam, ticket_actions::merge,
        ticket_actions::reply, ticket_actions::customer_reply, ticket_actions::note, ticket_actions::postpone,
        ticket_actions::resolve, ticket_actions::reopen, ticket_actions::transfer, ticket_actions::labels,
        ticket_actions::assignee, ticket_actions::version, ticket_actions::work_item, ticket_actions::remove_message, ticket_actions::revoke_links,
        contacts::list, contacts::create, contacts::get, contacts::update, contacts::move_tickets,
        organisations::list, organisations::create, organisations::get, organisations::update,
        search::search,
        mail::quarantine, mail::retry,
    ),
    components(schemas(crate::error::ErrorBody))
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
