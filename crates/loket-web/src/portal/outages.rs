//! The outage page `/storingen`: each component's state, what is going on
//! now with its updates, and the history; the same as an Atom feed and as
//! JSON; and the banner every portal page shows while something is active.

use super::i18n::{Texts, texts};
use super::page::{Chrome, PageError, chrome, render};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use loket_core::outages::{Outage, OutageKind};
use loket_core::*;

/// What the banner says while an incident or maintenance is active.
pub async fn banner(s: &AppState, lang: Lang) -> Result<Option<String>> {
    let active = s.service.active_outages().await?;
    let Some(first) = active.first() else {
        return Ok(None);
    };
    let what = match (first.kind, lang) {
        (OutageKind::Incident, Lang::Nl) => "Storing",
        (OutageKind::Incident, Lang::En) => "Outage",
        (OutageKind::Maintenance, Lang::Nl) => "Onderhoud",
        (OutageKind::Maintenance, Lang::En) => "Maintenance",
    };
    let more = match (active.len(), lang) {
        (1, _) => String::new(),
        (n, Lang::Nl) => format!(" (en {} meer)", n - 1),
        (n, Lang::En) => format!(" (and {} more)", n - 1),
    };
    Ok(Some(format!(
        "{what}: {} ({}){more}",
        first.title,
        first.state.label_for(first.kind, true, lang)
    )))
}

/// An outage as the page shows it.
struct OutageView {
    id: i64,
    title: String,
    kind: &'static str,
    state: &'static str,
    components: String,
    when: String,
    /// State, text, time, ISO time.
    updates: Vec<(&'static str, String, String, String)>,
}

fn view(o: &Outage, lang: Lang, zone: loket_core::time::Zone, now: chrono::DateTime<chrono::Utc>) -> OutageView {
    let when = match (o.kind, o.ends_at, lang) {
        (OutageKind::Maintenance, Some(end), Lang::Nl) => {
            format!("{} tot {}", zone.date_time(o.starts_at), zone.date_time(end))
        }
        (OutageKind::Maintenance, Some(end), Lang::En) => {
            format!("{} until {}", zone.date_time(o.starts_at), zone.date_time(end))
        }
        _ => match (o.resolved_at, lang) {
            (Some(end), Lang::Nl) => format!("{} tot {}", zone.date_time(o.starts_at), zone.date_time(end)),
            (Some(end), Lang::En) => format!("{} until {}", zone.date_time(o.starts_at), zone.date_time(end)),
            (None, _) => zone.date_time(o.starts_at),
        },
    };
    OutageView {
        id: o.id,
        title: o.title.clone(),
        kind: match (o.kind, lang) {
            (OutageKind::Incident, Lang::Nl) => "storing",
            (OutageKind::Incident, Lang::En) => "outage",
            (OutageKind::Maintenance, Lang::Nl) => "onderhoud",
            (OutageKind::Maintenance, Lang::En) => "maintenance",
        },
        state: o.state.label_for(o.kind, o.active(now), lang),
        components: o
            .components
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        when,
        updates: o
            .updates
            .iter()
            .map(|u| {
                (
                    u.state.label_for(o.kind, false, lang),
                    u.body.clone(),
                    zone.date_time(u.at),
                    zone.iso(u.at),
                )
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "portal/outages.html")]
struct OutagesPage<'a> {
    t: &'a Texts,
    chrome: Chrome,
    /// Component name, and whether something active affects it (with what).
    components: Vec<(String, Option<&'static str>)>,
    active: Vec<OutageView>,
    planned: Vec<OutageView>,
    history: Vec<OutageView>,
}

/// `GET /storingen`.
pub async fn view_outages_get(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let (chrome, set) = chrome(&s, &headers).await.map_err(fail)?;
    let now = s.service.now();
    let zone = s.portal.time_zone;
    let all = s.service.outages(100).await.map_err(fail)?;
    let components = s
        .service
        .store()
        .list_components()
        .await
        .map_err(fail)?
        .into_iter()
        .map(|c| {
            let hit = all
                .iter()
                .filter(|o| o.active(now) && o.components.iter().any(|x| x.id == c.id))
                .map(|o| match (o.kind, lang) {
                    (OutageKind::Incident, Lang::Nl) => "verstoord",
                    (OutageKind::Incident, Lang::En) => "disrupted",
                    (OutageKind::Maintenance, Lang::Nl) => "onderhoud",
                    (OutageKind::Maintenance, Lang::En) => "maintenance",
                })
                .next();
            (c.name, hit)
        })
        .collect();
    // Now: what is active; planned: maintenance still to come (or
    // unresolved after its window); earlier: the resolved.
    let pick = |f: &dyn Fn(&Outage) -> bool| all.iter().filter(|o| f(o)).map(|o| view(o, lang, zone, now)).collect();
    let page = OutagesPage {
        t: texts(lang),
        chrome,
        components,
        active: pick(&|o| o.active(now)),
        planned: pick(&|o| o.resolved_at.is_none() && o.starts_at > now),
        history: pick(&|o| !o.active(now) && (o.resolved_at.is_some() || o.starts_at <= now)),
    };
    Ok(render(&page, &set.into_iter().collect::<Vec<_>>(), lang))
}

/// `GET /storingen.json`: components and outages with their updates.
pub async fn view_outages_json_get(State(s): State<AppState>) -> Result<Response, PageError> {
    let fail = |e: DomainError| PageError::from_domain(&e, Lang::Nl);
    let now = s.service.now();
    let outages = s.service.outages(100).await.map_err(fail)?;
    let components = s.service.store().list_components().await.map_err(fail)?;
    let active: Vec<i64> = outages.iter().filter(|o| o.active(now)).map(|o| o.id).collect();
    let body = serde_json::json!({ "components": components, "active": active, "outages": outages });
    Ok(axum::Json(body).into_response())
}

fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            '\u{fffe}' | '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `GET /storingen/feed.atom`: one entry per update, newest first.
pub async fn view_outages_feed_get(State(s): State<AppState>) -> Result<Response, PageError> {
    let fail = |e: DomainError| PageError::from_domain(&e, Lang::Nl);
    let base = s.portal.public_url.trim_end_matches('/').to_owned();
    let outages = s.service.outages(100).await.map_err(fail)?;
    let zone = s.portal.time_zone;
    let mut entries: Vec<(chrono::DateTime<chrono::Utc>, String)> = Vec::new();
    for o in &outages {
        // What each entry adds to its update: the window and the components.
        let about = o.about(zone);
        for u in &o.updates {
            let title = format!("{}: {}", o.title, u.state.label(Lang::Nl));
            entries.push((
                u.at,
                format!(
                    "<entry><id>{base}/storingen#update-{}</id><title>{}</title><updated>{}</updated>\
                     <link rel=\"alternate\" href=\"{base}/storingen#storing-{}\"/><content type=\"text\">{}</content></entry>",
                    u.id,
                    xml(&title),
                    u.at.to_rfc3339(),
                    o.id,
                    xml(&format!("{}{about}", u.body))
                ),
            ));
        }
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.0));
    let updated = entries
        .first()
        .map_or_else(|| s.service.now().to_rfc3339(), |(at, _)| at.to_rfc3339());
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"nl\">\
         <id>{base}/storingen</id><title>Storingen en onderhoud</title><updated>{updated}</updated>\
         <author><name>Helpdesk</name></author><link rel=\"self\" href=\"{base}/storingen/feed.atom\"/>\
         <link rel=\"alternate\" href=\"{base}/storingen\"/>{}</feed>\n",
        entries.into_iter().map(|(_, e)| e).collect::<String>()
    );
    let mut resp = body.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/atom+xml; charset=utf-8"),
    );
    Ok(resp)
}
