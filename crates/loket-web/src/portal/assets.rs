//! The static files of the portal and the agent workspace (style sheets,
//! the workspace's script, the picture shown for a blocked image), compiled into the binary and served with a day's caching.

use super::page::PagePath;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

/// `GET /static/{file}`.
pub async fn view_static_get(PagePath(file): PagePath<String>, headers: HeaderMap) -> Response {
    let (body, media_type): (&'static str, &'static str) = match file.as_str() {
        "portal.css" => (include_str!("../../static/portal.css"), "text/css; charset=utf-8"),
        "blocked-image.svg" => (include_str!("../../static/blocked-image.svg"), "image/svg+xml"),
        "agent.css" => (include_str!("../../static/agent.css"), "text/css; charset=utf-8"),
        "agent.js" => (include_str!("../../static/agent.js"), "text/javascript; charset=utf-8"),
        _ => return super::page::PageError::not_found(super::language(&headers)).into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, media_type),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}
