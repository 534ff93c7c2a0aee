//! The outage page: staff publish incidents and maintenance with updates;
//! anyone reads the page, its feed and what is active now.

use super::{Actor, DESK_STAFF, Service};
use crate::outages::{Component, NewOutage, Outage, OutageKind, OutageState};
use crate::*;

/// Longest title and update, in characters.
const MAX_TITLE: usize = 200;
const MAX_BODY: usize = 10_000;

/// A checked text: not empty, at most `max` characters, no control
/// characters (line breaks only where `lines`).
fn clean_text(raw: &str, what: &str, max: usize, lines: bool) -> Result<String> {
    let t = raw.trim().replace("\r\n", "\n");
    if t.is_empty() {
        return Err(DomainError::invalid(format!("the {what} is empty")));
    }
    if t.chars().count() > max {
        return Err(DomainError::invalid(format!(
            "the {what} is longer than {max} characters"
        )));
    }
    // Control characters, and what changes the direction or breaks lines
    // unseen or is no character at all (a feed could not carry it).
    let hidden = |c: char| matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{fffe}' | '\u{ffff}');
    if t.chars()
        .any(|c| hidden(c) || (c.is_control() && !(lines && (c == '\n' || c == '\t'))))
    {
        return Err(DomainError::invalid(format!("the {what} holds control characters")));
    }
    Ok(t)
}

impl Service {
    /// Adds a component of the service.
    pub async fn create_component(&self, actor: &Actor, name: &str) -> Result<Component> {
        actor.require_staff(DESK_STAFF, "manage the outage page")?;
        let name = clean_text(name, "component name", 100, false)?;
        self.store.create_component(&name, &self.stamp(actor)).await
    }

    /// Publishes an incident or a maintenance window.
    pub async fn create_outage(&self, actor: &Actor, new: NewOutage) -> Result<Outage> {
        actor.require_staff(DESK_STAFF, "manage the outage page")?;
        let title = clean_text(&new.title, "title", MAX_TITLE, false)?;
        let body = clean_text(&new.body, "message", MAX_BODY, true)?;
        if new.kind == OutageKind::Maintenance && new.ends_at.is_none_or(|e| e <= new.starts_at) {
            return Err(DomainError::invalid("maintenance needs an end after its start"));
        }
        let now = self.now();
        if new.kind == OutageKind::Maintenance && new.ends_at.is_some_and(|e| e <= now) {
            return Err(DomainError::invalid("this maintenance window is over already"));
        }
        if new.kind == OutageKind::Incident && new.starts_at > now + chrono::Duration::minutes(5) {
            return Err(DomainError::invalid(
                "an incident cannot start in the future; plan maintenance instead",
            ));
        }
        if !new.state.fits(new.kind) {
            return Err(DomainError::invalid("an incident cannot be scheduled maintenance"));
        }
        // An incident has no planned end: it ends when it is resolved.
        let ends_at = if new.kind == OutageKind::Incident {
            None
        } else {
            new.ends_at
        };
        self.store
            .create_outage(
                &NewOutage {
                    title,
                    ends_at,
                    body,
                    ..new
                },
                &self.stamp(actor),
            )
            .await
    }

    /// Adds an update to an outage (a resolved state resolves it).
    pub async fn update_outage(&self, actor: &Actor, id: i64, state: OutageState, body: &str) -> Result<Outage> {
        actor.require_staff(DESK_STAFF, "manage the outage page")?;
        let body = clean_text(body, "message", MAX_BODY, true)?;
        let outage = self
            .store
            .outage(id)
            .await?
            .ok_or_else(|| DomainError::not_found(format!("outage {id}")))?;
        if !state.fits(outage.kind) {
            return Err(DomainError::invalid("an incident cannot be scheduled maintenance"));
        }
        self.store.add_outage_update(id, state, &body, &self.stamp(actor)).await
    }

    /// The outages, unresolved first, newest first.
    pub async fn outages(&self, limit: i64) -> Result<Vec<Outage>> {
        self.store.list_outages(limit, false).await
    }

    /// The outages active now (the banner's).
    pub async fn active_outages(&self) -> Result<Vec<Outage>> {
        let now = self.now();
        Ok(self
            .store
            .list_outages(50, true)
            .await?
            .into_iter()
            .filter(|o| o.active(now))
            .collect())
    }
}
