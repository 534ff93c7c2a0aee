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

/// What every operation can answer besides its own responses: 401 (no or a
/// dead token), 404 for a path with an id (unknown, or not yours), 400 for a
/// request that cannot be read; and the server the document came from.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{RefOr, ResponseBuilder, content::ContentBuilder, server::Server};
        doc.servers = Some(vec![Server::new("/")]);
        let error = || {
            ContentBuilder::new()
                .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name("ErrorBody"))))
                .build()
        };
        for (path, item) in &mut doc.paths.paths {
            let ops = [
                item.get.as_mut(),
                item.post.as_mut(),
                item.put.as_mut(),
                item.patch.as_mut(),
                item.delete.as_mut(),
            ];
            for op in ops.into_iter().flatten() {
                let mut add = |code: &str, what: &str| {
                    op.responses.responses.entry(code.to_owned()).or_insert_with(|| {
                        RefOr::T(
                            ResponseBuilder::new()
                                .description(what)
                                .content("application/json", error())
                                .build(),
                        )
                    });
                };
                if !path.ends_with("openapi.json") {
                    add("401", "No bearer token, or one that expired or was revoked");
                    add("400", "The request cannot be read");
                }
                if path.contains('{') {
                    add("404", "Not found (or not yours to see)");
                }
            }
        }
    }
}

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "Loket API", description = "Tickets, contacts and organisations of the Loket helpdesk."),
    modifiers(&BearerAuth, &CommonResponses),
    paths(
        tickets::list, tickets::create, tickets::get, tickets::messages, tickets::attachments, tickets::attachment_content, tickets::audit, staff::list, staff::canned_replies, ticket_actions::spam, ticket_actions::merge,
        ticket_actions::reply, ticket_actions::customer_reply, ticket_actions::note, ticket_actions::postpone,
        ticket_actions::resolve, ticket_actions::reopen, ticket_actions::transfer, ticket_actions::labels,
        ticket_actions::assignee, ticket_actions::version, ticket_actions::work_item, ticket_actions::remove_message, ticket_actions::revoke_links,
        contacts::list, contacts::create, contacts::get, contacts::update, contacts::move_tickets,
        organisations::list, organisations::create, organisations::get, organisations::update, organisations::add_domain,
        search::search,
        privacy::incidents, privacy::decide, privacy::remove_attachment, privacy::report, reports::service_levels,
        releases::list, releases::create, releases::get, releases::update, releases::release,
        mail::quarantine, mail::retry,
    ),
    components(schemas(crate::error::ErrorBody))
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
