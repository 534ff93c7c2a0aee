//! The customer portal: server-rendered pages (askama), Dutch by default with an
//! English switch, working without JavaScript. One module per page; handlers are
//! named `view_<page>_<method>`.

mod account;
mod assets;
mod changes;
pub(crate) mod csrf;
mod follow;
pub(crate) mod forum;
mod home;
pub(crate) mod i18n;
mod mine;
pub(crate) mod outages;
pub(crate) mod page;
pub(crate) mod privacy;
pub(crate) mod session;
pub(crate) mod subscribe;
pub(crate) mod upload;

pub use account::{
    view_access_get, view_access_post, view_login_get, view_login_post, view_logout_post, view_password_get,
    view_password_post,
};
pub use assets::view_static_get;
pub use changes::{view_change_get, view_changes_get};
pub use follow::{
    view_follow_attachment_get, view_follow_get, view_follow_reply_post, view_follow_solve_get, view_follow_solve_post,
};
pub use forum::{
    view_forum_category_get, view_forum_category_post, view_forum_file_get, view_forum_follow_post, view_forum_get,
    view_forum_name_post, view_forum_reply_post, view_forum_search_get, view_forum_solution_post, view_forum_topic_get,
    view_forum_unsubscribe_get, view_forum_unsubscribe_post,
};
pub use home::{view_home_get, view_sent_get, view_submit_post};
pub(crate) use i18n::problem_text;
pub use mine::{
    view_mine_attachment_get, view_mine_get, view_mine_reply_post, view_mine_solve_get, view_mine_solve_post,
    view_mine_ticket_get,
};
pub use outages::{view_outages_feed_get, view_outages_get, view_outages_json_get};
pub(crate) use page::PageError;
pub use page::view_post_only_get;
pub use subscribe::{view_subscribe_post, view_subscriber_link_get, view_subscriber_link_post};

use axum::http::HeaderMap;
use axum::response::IntoResponse;
use loket_core::Lang;

/// The value of one cookie in the request.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Applies a `?lang=nl` or `?lang=en` on any page: the request is answered in
/// that language (as if the `loket_lang` cookie said so) and the choice is
/// kept for a year. This is the one place the parameter is read; the header's
/// language link is `?lang=…` on every page. Given twice, it gets the 400 page.
pub(crate) async fn language_choice(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    // Not for the API, nor for files that caches may keep.
    let path = req.uri().path();
    if path.starts_with("/api/") || path.starts_with("/static/") {
        return next.run(req).await;
    }
    let asked: Vec<String> = req
        .uri()
        .query()
        .map(|q| {
            q.split('&')
                .filter_map(|kv| kv.strip_prefix("lang="))
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    if asked.len() > 1 {
        return page::PageError::bad_request(language(req.headers())).into_response();
    }
    let Some(lang) = asked.first().and_then(|l| match l.as_str() {
        "nl" => Some(Lang::Nl),
        "en" => Some(Lang::En),
        _ => None,
    }) else {
        return next.run(req).await;
    };
    let others: Vec<String> = req
        .headers()
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|kv| !kv.is_empty() && !kv.starts_with("loket_lang="))
        .map(str::to_owned)
        .collect();
    let cookie = std::iter::once(format!("loket_lang={}", lang.id()))
        .chain(others)
        .collect::<Vec<_>>()
        .join("; ");
    req.headers_mut().remove(axum::http::header::COOKIE);
    if let Ok(v) = axum::http::HeaderValue::from_str(&cookie) {
        req.headers_mut().insert(axum::http::header::COOKIE, v);
    }
    let mut resp = next.run(req).await;
    let keep = format!("loket_lang={}; Path=/; SameSite=Lax; Max-Age=31536000", lang.id());
    if let Ok(v) = axum::http::HeaderValue::from_str(&keep) {
        resp.headers_mut().append(axum::http::header::SET_COOKIE, v);
    }
    resp
}

/// The page language: the `loket_lang` cookie (which [`language_choice`]
/// sets from `?lang=`), else Dutch.
pub(crate) fn language(headers: &HeaderMap) -> Lang {
    cookie(headers, "loket_lang").map_or(Lang::Nl, Lang::parse_or_default)
}

/// The visitor's IP address for rate limits: the TCP peer, or, when the peer
/// is a configured reverse proxy, the last address in `X-Forwarded-For` that
/// is not one of those proxies (what a client writes there itself is never
/// believed).
pub(crate) fn client_ip(ext: &axum::http::Extensions, headers: &HeaderMap, trusted: &[crate::state::IpNet]) -> String {
    let Some(peer) = ext
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
    else {
        return "unknown".into();
    };
    let is_proxy = |ip: std::net::IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_proxy(peer) {
        return peer.to_string();
    }
    let chain: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in chain.iter().rev() {
        match hop.parse::<std::net::IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_proxy(ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client.to_string()
}

/// Counts an attempt against each `(key, max, minutes)` limit; answers whether
/// one of them is exceeded.
pub(crate) async fn limited(
    s: &crate::AppState,
    keys: &[(String, i64, i64)],
    lang: Lang,
) -> Result<bool, page::PageError> {
    for (key, max, minutes) in keys {
        match s.service.rate_limit(key, *max, *minutes).await {
            Ok(()) => {}
            Err(loket_core::DomainError::TooMany(_)) => return Ok(true),
            Err(e) => return Err(page::PageError::from_domain(&e, lang)),
        }
    }
    Ok(false)
}
