//! Every route Loket serves, in one place, with the security headers every
//! response carries.

use crate::api::v1::{contacts, mail, openapi, organisations, search, ticket_actions, tickets};
use crate::{AppState, portal};
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post, put};

/// Largest portal form (attachments included).
pub const PORTAL_UPLOAD_LIMIT: usize = 50 * 1024 * 1024;

/// Largest API request body: room for base64-encoded attachments.
const API_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// The policy of every page: scripts, styles and images from Loket only (no
/// inline script), no framing, forms post to Loket only.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A router that remembers the path of every route it is given, so tests can
/// check every route without a list that could fall behind.
struct Routes {
    router: Router<AppState>,
    paths: Vec<String>,
}

impl Routes {
    fn new() -> Self {
        Self {
            router: Router::new(),
            paths: Vec::new(),
        }
    }

    fn route(mut self, path: &'static str, method: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, method);
        self.paths.push(path.to_owned());
        self
    }

    fn nest(mut self, prefix: &'static str, inner: Routes) -> Self {
        self.router = self.router.nest(prefix, inner.router);
        self.paths.extend(inner.paths.iter().map(|p| format!("{prefix}{p}")));
        self
    }

    fn layer_body_limit(mut self, bytes: usize) -> Self {
        self.router = self.router.layer(DefaultBodyLimit::max(bytes));
        self
    }
}

fn api() -> Routes {
    Routes::new()
        .route("/tickets", get(tickets::list).post(tickets::create))
        .route("/tickets/{number}", get(tickets::get))
        .route("/tickets/{number}/messages", get(tickets::messages))
        .route("/tickets/{number}/attachments", get(tickets::attachments))
        .route(
            "/tickets/{number}/attachments/{id}/content",
            get(tickets::attachment_content),
        )
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
        .route("/tickets/{number}/spam", post(ticket_actions::spam))
        .route("/tickets/{number}/merge", post(ticket_actions::merge))
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
        .route(
            "/tickets/{number}/attachments/{id}",
            delete(crate::api::v1::privacy::remove_attachment),
        )
        .route(
            "/tickets/{number}/privacy-incidents",
            get(crate::api::v1::privacy::incidents),
        )
        .route(
            "/tickets/{number}/privacy-incidents/{id}",
            post(crate::api::v1::privacy::decide),
        )
        .route("/privacy/incidents", get(crate::api::v1::privacy::report))
        .route("/reports/service-levels", get(crate::api::v1::reports::service_levels))
        .route(
            "/releases",
            get(crate::api::v1::releases::list).post(crate::api::v1::releases::create),
        )
        .route(
            "/releases/{version}",
            get(crate::api::v1::releases::get).put(crate::api::v1::releases::update),
        )
        .route("/releases/{version}/release", post(crate::api::v1::releases::release))
        .route("/contacts", get(contacts::list).post(contacts::create))
        .route("/contacts/move-tickets", post(contacts::move_tickets))
        .route("/contacts/{id}", get(contacts::get).patch(contacts::update))
        .route("/organisations", get(organisations::list).post(organisations::create))
        .route(
            "/organisations/{id}",
            get(organisations::get).patch(organisations::update),
        )
        .route("/organisations/{id}/domains", post(organisations::add_domain))
        .route("/search", get(search::search))
        .route("/canned-replies", get(crate::api::v1::staff::canned_replies))
        .route("/staff", get(crate::api::v1::staff::list))
        .route("/mail/quarantine", get(mail::quarantine))
        .route("/mail/quarantine/{id}/retry", post(mail::retry))
        .route("/openapi.json", get(openapi::document))
        .layer_body_limit(API_BODY_LIMIT)
}

fn bounded(routes: Routes, state: &AppState) -> Routes {
    Routes {
        router: routes.router.layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::api::bounded_bodies,
        )),
        paths: routes.paths,
    }
}

/// Largest form without files (log in, ask for a link, set a password,
/// solve, log out): a few fields.
const SMALL_FORM_LIMIT: usize = 16 * 1024;

fn upload(method: MethodRouter<AppState>) -> MethodRouter<AppState> {
    method.layer(DefaultBodyLimit::max(PORTAL_UPLOAD_LIMIT))
}

fn small(method: MethodRouter<AppState>) -> MethodRouter<AppState> {
    method.layer(DefaultBodyLimit::max(SMALL_FORM_LIMIT))
}

fn portal() -> Routes {
    Routes::new()
        .route("/", get(portal::view_home_get))
        .route("/verstuurd", get(portal::view_sent_get))
        .route("/static/{file}", get(portal::view_static_get))
        .route(
            "/tickets/new",
            upload(get(portal::view_post_only_get).post(portal::view_submit_post)),
        )
        .route(
            "/toegang",
            small(get(portal::view_access_get).post(portal::view_access_post)),
        )
        .route(
            "/toegang/{token}",
            small(get(portal::view_password_get).post(portal::view_password_post)),
        )
        .route(
            "/inloggen",
            small(get(portal::view_login_get).post(portal::view_login_post)),
        )
        .route(
            "/uitloggen",
            small(get(portal::view_post_only_get).post(portal::view_logout_post)),
        )
        .route("/mijn", get(portal::view_mine_get))
        .route("/wijzigingen", get(portal::view_changes_get))
        .route("/forum", get(portal::view_forum_get))
        .route("/forum/zoeken", get(portal::view_forum_search_get))
        .route(
            "/forum/naam",
            small(get(portal::view_post_only_get).post(portal::view_forum_name_post)),
        )
        .route(
            "/forum/c/{id}",
            upload(get(portal::view_forum_category_get).post(portal::view_forum_category_post)),
        )
        .route(
            "/forum/onderwerp/{id}",
            upload(get(portal::view_forum_topic_get).post(portal::view_forum_reply_post)),
        )
        .route(
            "/forum/onderwerp/{id}/volgen",
            small(post(portal::view_forum_follow_post)),
        )
        .route(
            "/forum/onderwerp/{id}/oplossing",
            small(post(portal::view_forum_solution_post)),
        )
        .route("/forum/bijlage/{id}", get(portal::view_forum_file_get))
        .route(
            "/forum/afmelden/{token}",
            small(get(portal::view_forum_unsubscribe_get).post(portal::view_forum_unsubscribe_post)),
        )
        .route("/storingen", get(portal::view_outages_get))
        .route("/storingen.json", get(portal::view_outages_json_get))
        .route("/storingen/feed.atom", get(portal::view_outages_feed_get))
        .route(
            "/storingen/abonneren",
            small(get(portal::view_post_only_get).post(portal::view_subscribe_post)),
        )
        .route(
            "/storingen/{what}/{token}",
            get(portal::view_subscriber_link_get).post(portal::view_subscriber_link_post),
        )
        .route("/wijzigingen/{version}", get(portal::view_change_get))
        .route("/mijn/{number}", get(portal::view_mine_ticket_get))
        .route(
            "/mijn/{number}/reply",
            upload(get(portal::view_post_only_get).post(portal::view_mine_reply_post)),
        )
        .route("/mijn/{number}/bijlage/{id}", get(portal::view_mine_attachment_get))
        .route(
            "/t/{number}/{token}/bijlage/{id}",
            get(portal::view_follow_attachment_get),
        )
        .route(
            "/mijn/{number}/solve",
            small(get(portal::view_mine_solve_get).post(portal::view_mine_solve_post)),
        )
        .route("/t/{number}/{token}", get(portal::view_follow_get))
        .route(
            "/t/{number}/{token}/reply",
            upload(get(portal::view_post_only_get).post(portal::view_follow_reply_post)),
        )
        .route(
            "/t/{number}/{token}/solve",
            small(get(portal::view_follow_solve_get).post(portal::view_follow_solve_post)),
        )
}

/// The agent workspace: sign-in, overview, queues and the ticket page.
fn agent() -> Routes {
    use crate::agent as a;
    Routes::new()
        .route("/inloggen", small(get(a::view_signin_get).post(a::view_signin_post)))
        .route("/code", small(get(a::view_code_get).post(a::view_code_post)))
        .route("/koppelen", small(get(a::view_enrol_get).post(a::view_enrol_post)))
        .route("/uitloggen", small(post(a::view_signout_post)))
        .route(
            "/wachtwoord/{token}",
            small(get(a::view_password_get).post(a::view_password_post)),
        )
        .route("/wachtrij/{queue}", get(a::view_queue_get))
        .route("/zoeken", get(a::view_search_get))
        .route("/bulk", small(post(a::view_bulk_post)))
        .route("/telefoon", agent_form(get(a::view_phone_get).post(a::view_phone_post)))
        .route(
            "/beheer/standaardantwoorden",
            agent_form(get(a::view_canned_get).post(a::view_canned_post)),
        )
        .route(
            "/beheer/standaardantwoorden/{id}/verwijderen",
            small(post(a::view_canned_delete_post)),
        )
        .route("/tickets/{number}/verplaatsen", small(post(a::view_move_post)))
        .route("/tickets/{number}/samenvoegen", small(post(a::view_merge_post)))
        .route("/tickets/{number}/spam", small(post(a::view_spam_post)))
        .route("/beheer/geblokkeerd", get(a::view_bans_get))
        .route("/beheer/postvakken", get(a::view_mailboxes_get))
        .route("/beheer/taken", get(a::view_jobs_get))
        .route(
            "/beheer/webhooks",
            get(a::view_webhooks_get).post(a::view_webhooks_post),
        )
        .route("/beheer/webhooks/{id}", post(a::view_webhook_toggle_post))
        .route("/versies", get(a::view_releases_get).post(a::view_releases_post))
        .route("/overleg", get(a::view_agenda_get))
        .route(
            "/storingen",
            get(a::view_outages_admin_get).post(a::view_outages_admin_post),
        )
        .route("/storingen/{id}", get(back_to_outages).post(a::view_outage_update_post))
        .route(
            "/storingen/{id}/ticket",
            get(back_to_outages).post(a::view_outage_ticket_post),
        )
        .route(
            "/forum",
            small(get(a::view_forum_admin_get).post(a::view_forum_admin_post)),
        )
        .route(
            "/forum/{id}",
            agent_form(get(a::view_forum_topic_admin_get).post(a::view_forum_topic_admin_post)),
        )
        .route("/forum/bijlage/{id}", get(a::view_forum_file_admin_get))
        .route("/wensen", get(a::view_wishes_get))
        .route("/tickets/{number}/wens", post(a::view_wish_link_post))
        .route("/overleg/{number}", post(a::view_agenda_outcome_post))
        .route(
            "/versies/{version}",
            get(a::view_release_get).post(a::view_release_post),
        )
        .route("/versies/{version}/uitbrengen", post(a::view_release_publish_post))
        .route("/beheer/taken/{id}/opnieuw", post(a::view_job_retry_post))
        .route(
            "/beheer/labels",
            small(get(a::view_labels_get).post(a::view_labels_admin_post)),
        )
        .route(
            "/beheer/postvakken/{id}/opnieuw",
            small(post(a::view_quarantine_retry_post)),
        )
        .route(
            "/beheer/organisaties",
            small(get(a::view_orgs_get).post(a::view_orgs_post)),
        )
        .route(
            "/beheer/contacten",
            small(get(a::view_contacts_get).post(a::view_contacts_post)),
        )
        .route(
            "/beheer/medewerkers",
            small(get(a::view_staff_get).post(a::view_staff_post)),
        )
        .route("/beheer/geblokkeerd/opheffen", small(post(a::view_unban_post)))
        .route("/tickets/{number}/aanwezig", small(post(a::view_presence_post)))
        .route("/tickets/{number}", get(a::view_ticket_get))
        .route("/tickets/{number}/bijlage/{id}", get(a::view_attachment_get))
        .route("/tickets/{number}/antwoord", agent_form(post(a::view_reply_post)))
        .route("/tickets/{number}/notitie", agent_form(post(a::view_note_post)))
        .route("/tickets/{number}/informatie", agent_form(post(a::view_ask_post)))
        .route("/tickets/{number}/doorsturen", small(post(a::view_transfer_post)))
        .route("/tickets/{number}/oplossen", agent_form(post(a::view_resolve_post)))
        .route("/tickets/{number}/heropenen", small(post(a::view_reopen_post)))
        .route("/tickets/{number}/toewijzen", small(post(a::view_assign_post)))
        .route("/tickets/{number}/labels", small(post(a::view_labels_post)))
        .route("/tickets/{number}/privacy/{id}", small(post(a::view_incident_post)))
        .route(
            "/tickets/{number}/bijlage/{id}/verwijderen",
            small(post(a::view_remove_file_post)),
        )
        .route(
            "/tickets/{number}/bericht/{id}/verwijderen",
            small(post(a::view_remove_message_post)),
        )
        .route("/privacy", get(a::view_privacy_get))
        .route("/privacy/organisatie/{id}", get(a::view_privacy_org_get))
}

/// The workspace's routes, each noting its page for after sign-in.
fn remembered(routes: Routes) -> Routes {
    Routes {
        router: routes
            .router
            .layer(axum::middleware::from_fn(crate::agent::remember_page)),
        paths: routes.paths,
    }
}

/// Largest agent form with a message: the longest message text Loket takes.
const AGENT_FORM_LIMIT: usize = 2 * 1024 * 1024;

/// A form's address on the outage page opened with GET (a refused form's
/// address bar, reloaded) leads back to the page.
async fn back_to_outages() -> axum::response::Redirect {
    axum::response::Redirect::to("/agent/storingen")
}

fn agent_form(method: MethodRouter<AppState>) -> MethodRouter<AppState> {
    method.layer(DefaultBodyLimit::max(AGENT_FORM_LIMIT))
}

fn all(state: &AppState) -> Routes {
    portal()
        .nest("/agent", remembered(agent()))
        .route(
            "/agent",
            get(crate::agent::view_overview_get).layer(axum::middleware::from_fn(crate::agent::remember_page)),
        )
        .route("/healthz", get(crate::api::healthz))
        .nest("/api/v1", bounded(api(), state))
}

/// The application's router.
pub fn router(state: AppState) -> Router {
    router_with_paths(state).0
}

/// The application's router and the path of every route in it (for tests
/// that must cover every route).
pub fn router_with_paths(state: AppState) -> (Router, Vec<String>) {
    let Routes { router, paths } = all(&state);
    let router = router
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(portal::language_choice))
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            security_headers,
        ))
        .with_state(state);
    (router, paths)
}

/// Unknown API paths answer a JSON 404, unknown pages the portal's 404 page.
async fn fallback(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> Response {
    let lang = portal::language(&headers);
    if uri.path().starts_with("/api/") {
        crate::api::not_found().into_response()
    } else if uri.path().starts_with("/agent") {
        crate::agent::as_workspace(async { portal::PageError::not_found(lang).into_response() }).await
    } else {
        portal::PageError::not_found(lang).into_response()
    }
}

/// A known path with another method: JSON for the API, the portal's page elsewhere.
async fn method_not_allowed(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> Response {
    let lang = portal::language(&headers);
    if uri.path().starts_with("/api/") {
        crate::ApiError::method_not_allowed().into_response()
    } else if uri.path().starts_with("/agent") {
        crate::agent::as_workspace(async { portal::PageError::method_not_allowed(lang).into_response() }).await
    } else {
        portal::PageError::method_not_allowed(lang).into_response()
    }
}

/// Adds the headers every response carries: the Content-Security-Policy, no
/// framing, no referrer (follow tokens are in URLs), no sniffing, no caching
/// of pages (which may show a customer's data), and HSTS behind https.
async fn security_headers(State(s): State<AppState>, mut resp: Response) -> Response {
    let h = resp.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(h, header::CONTENT_SECURITY_POLICY, CSP);
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    h.insert(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    if s.portal.secure_cookies {
        set(
            h,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    resp
}
