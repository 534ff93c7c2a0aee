//! The customer portal: server-rendered pages (askama), Dutch by default with an
//! English switch, working without JavaScript. One module per page; handlers are
//! named `view_<page>_<method>`.

mod csrf;
mod follow;
mod home;
mod i18n;
mod page;

pub use follow::{view_follow_get, view_follow_reply_post, view_follow_solve_post};
pub use home::{view_home_get, view_submit_post};

use axum::http::HeaderMap;
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

/// The page language: `?lang=` first, then the `loket_lang` cookie, then Dutch.
pub(crate) fn language(query: Option<&str>, headers: &HeaderMap) -> Lang {
    query
        .or_else(|| cookie(headers, "loket_lang"))
        .map_or(Lang::Nl, Lang::parse_or_default)
}
