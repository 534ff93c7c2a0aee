//! Every route Loket serves, in one place.

use crate::api::v1::{contacts, mail, openapi, organisations, search, ticket_actions, tickets};
use crate::{AppState, portal};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};

/// Largest portal form (attachments included).
const PORTAL_UPLOAD_LIMIT: usize = 50 * 1024 * 1024;

/// Largest API request body: room for base64-encoded attachments.
const API_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// The application's router.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/tickets", get(tickets::list).post(tickets::create))
        .route("/tickets/{number}", get(tickets::get))
        .route("/tickets/{number}/messages", get(tickets::messages))
        .route("/tickets/{number}/attachments", get(tickets::attachments))
        .route("/tickets/{number}/audit", get(tickets::audit))
        .route("/tickets/{number}/replies", post(ticket_actions::reply))
        .route(
            "/tickets/{number}/customer-replies",
            post(ticket_actions::customer_reply),
        )
        .route("/tickets/{number}/notes", post(ticket_actions::note))
        .route("/tickets/{number}/postpone", post(ticket_actions::postpone))
        .route("/tickets/{number}/resolve", post(ticket_actions::resolve))
        .route("/tickets/{number}/reopen", post(ticket_actions::reopen))
        .route("/tickets/{number}/transfer", post(ticket_actions::transfer))
        .route("/tickets/{number}/labels", put(ticket_actions::labels))
        .route("/tickets/{number}/assignee", put(ticket_actions::assignee))
        .route("/tickets/{number}/version", put(ticket_actions::version))
        .route("/tickets/{number}/work-item", put(ticket_actions::work_item))
        .route(
            "/tickets/{number}/messages/{id}",
            delete(ticket_actions::remove_message),
        )
        .route("/tickets/{number}/revoke-links", post(ticket_actions::revoke_links))
        .route("/contacts", get(contacts::list).post(contacts::create))
        .route("/contacts/move-tickets", post(contacts::move_tickets))
        .route("/contacts/{id}", get(contacts::get).patch(contacts::update))
        .route("/organisations", get(organisations::list).post(organisations::create))
        .route("/organisations/{id}", get(organisations::get))
        .route("/search", get(search::search))
        .route("/mail/quarantine", get(mail::quarantine))
        .route("/mail/quarantine/{id}/retry", post(mail::retry))
        .route("/openapi.json", get(openapi::document))
        .fallback(crate::api::not_found)
        .layer(DefaultBodyLimit::max(API_BODY_LIMIT));
    let portal = Router::new()
        .route("/", get(portal::view_home_get))
        .route(
            "/tickets/new",
            post(portal::view_submit_post).layer(DefaultBodyLimit::max(PORTAL_UPLOAD_LIMIT)),
        )
        .route("/toegang", get(portal::view_access_get).post(portal::view_access_post))
        .route(
            "/toegang/{token}",
            get(portal::view_password_get).post(portal::view_password_post),
        )
        .route("/inloggen", get(portal::view_login_get).post(portal::view_login_post))
        .route("/uitloggen", post(portal::view_logout_post))
        .route("/mijn", get(portal::view_mine_get))
        .route("/mijn/{number}", get(portal::view_mine_ticket_get))
        .route(
            "/mijn/{number}/reply",
            post(portal::view_mine_reply_post).layer(DefaultBodyLimit::max(PORTAL_UPLOAD_LIMIT)),
        )
        .route("/mijn/{number}/bijlage/{id}", get(portal::view_mine_attachment_get))
        .route(
            "/t/{number}/{token}/bijlage/{id}",
            get(portal::view_follow_attachment_get),
        )
        .route("/mijn/{number}/solve", post(portal::view_mine_solve_post))
        .route("/t/{number}/{token}", get(portal::view_follow_get))
        .route(
            "/t/{number}/{token}/reply",
            post(portal::view_follow_reply_post).layer(DefaultBodyLimit::max(PORTAL_UPLOAD_LIMIT)),
        )
        .route("/t/{number}/{token}/solve", post(portal::view_follow_solve_post));
    Router::new()
        .merge(portal)
        .route("/healthz", get(crate::api::healthz))
        .nest("/api/v1", api)
        .with_state(state)
}
