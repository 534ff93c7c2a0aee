//! Organisations, contacts, staff accounts, API tokens, and moving tickets from
//! one contact to another.

use super::{Actor, DESK_STAFF, Service};
use crate::store::{ContactPatch, NewOrganisation, NewStaff, TicketFilter};
use crate::*;
use sha2::{Digest, Sha256};

/// The SHA-256 (hex) under which an API token is stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A rate-limit key as stored: keys carry what visitors typed, so a long one
/// is stored by its hash (its kind kept readable).
fn limit_key(key: &str) -> std::borrow::Cow<'_, str> {
    if key.len() <= 128 {
        return key.into();
    }
    let kind: String = key.split(':').next().unwrap_or("key").chars().take(32).collect();
    format!("{kind}:#{}", token_hash(key)).into()
}

/// A mail domain as typed (`@Zuid.nl`, ` zuid.nl`): lower-cased, checked,
/// and never a public mail provider's.
fn clean_domain(raw: &str) -> Result<String> {
    let d = raw.trim().trim_start_matches('@').to_lowercase();
    if !valid_domain(&d) {
        return Err(Problem::NotADomain(d.chars().take(100).collect()).into());
    }
    if crate::public_domains::is_public_mail_domain(&d) {
        return Err(Problem::PublicMailDomain(d).into());
    }
    Ok(d)
}

fn clean_name(raw: &str, field: Field) -> Result<String> {
    Ok(crate::problem::clean_line(raw, field, super::MAX_NAME_CHARS)?)
}

impl Service {
    /// Counts an attempt against `key` (for example `login:jan@gemeente.nl` or
    /// `ticket-ip:192.0.2.1`): at most `max` per `minutes`-minute window; beyond
    /// that the answer is [`DomainError::TooMany`]. Counters are in the store,
    /// so every process shares them.
    pub async fn rate_limit(&self, key: &str, max: i64, minutes: i64) -> Result<()> {
        let key = limit_key(key);
        let now = self.clock.now();
        let span = minutes.max(1) * 60;
        let start = now.timestamp() - now.timestamp().rem_euclid(span);
        let window = chrono::DateTime::from_timestamp(start, 0).unwrap_or(now);
        let hits = self.store.rate_hit(&key, window).await?;
        if hits > max {
            let wait = (window + chrono::Duration::seconds(span) - now).num_seconds().max(1);
            return Err(DomainError::TooMany(format!(
                "too many attempts; try again in {wait} seconds"
            )));
        }
        Ok(())
    }

    /// Creates an organisation with its mail domains.
    pub async fn create_organisation(&self, actor: &Actor, name: &str, domains: &[String]) -> Result<Organisation> {
        actor.require_staff(DESK_STAFF, "create organisations")?;
        let name = clean_name(name, Field::OrganisationName)?;
        let mut clean = Vec::new();
        for d in domains {
            clean.push(clean_domain(d)?);
        }
        clean.sort();
        clean.dedup();
        self.store
            .create_organisation(&NewOrganisation { name, domains: clean }, &self.stamp(actor))
            .await
    }

    /// Adds a mail domain to an organisation: the existing contacts of that
    /// domain without an organisation join it, with their tickets (an audit
    /// event says how many). Answers how many contacts joined.
    pub async fn add_organisation_domain(&self, actor: &Actor, id: OrganisationId, domain: &str) -> Result<u64> {
        actor.require_staff(DESK_STAFF, "change organisations")?;
        let domain = clean_domain(domain)?;
        self.store
            .add_organisation_domain(id, &domain, &self.stamp(actor))
            .await
    }

    /// Lets (or stops letting) an organisation's authorised contacts see all of
    /// its tickets on the portal.
    pub async fn set_ticket_sharing(&self, actor: &Actor, id: OrganisationId, share: bool) -> Result<Organisation> {
        actor.require_staff(DESK_STAFF, "change organisations")?;
        self.store.set_ticket_sharing(id, share, &self.stamp(actor)).await
    }

    /// Creates (or finds) a contact by address.
    pub async fn create_contact(&self, actor: &Actor, email: &str, name: &str) -> Result<Contact> {
        actor.require_staff(DESK_STAFF, "create contacts")?;
        let email = normalise_email(email)?;
        let name = super::clean_name(name)?;
        self.store.ensure_contact(&email, &name, self.clock.now()).await
    }

    /// Changes a contact's name, organisation or authorised flag.
    pub async fn update_contact(&self, actor: &Actor, id: ContactId, patch: ContactPatch) -> Result<Contact> {
        actor.require_staff(DESK_STAFF, "change contacts")?;
        let mut patch = patch;
        if let Some(n) = &patch.name {
            patch.name = Some(clean_name(n, Field::Name)?);
        }
        if let Some(Some(org)) = patch.organisation_id {
            self.store
                .get_organisation(org)
                .await?
                .ok_or_else(|| DomainError::invalid(format!("no organisation {org}")))?;
        }
        // Being authorised is a matter of one organisation: a contact who moves
        // to another is not authorised there until staff say so.
        if let Some(new_org) = patch.organisation_id {
            let now = self
                .store
                .get_contact(id)
                .await?
                .ok_or_else(|| DomainError::not_found(format!("contact {id}")))?;
            if new_org != now.organisation_id && patch.authorised.is_none() {
                patch.authorised = Some(false);
            }
        }
        self.store.update_contact(id, &patch, &self.stamp(actor)).await
    }

    /// Creates a staff account (the command line acts as system).
    pub async fn create_staff(&self, actor: &Actor, email: &str, name: &str, role: Role) -> Result<Staff> {
        if !matches!(actor, Actor::System) {
            actor.require_staff(&[Role::Admin], "create staff accounts")?;
        }
        let email = normalise_email(email)?;
        let name = clean_name(name, Field::Name)?;
        self.store
            .create_staff(&NewStaff { email, name, role }, &self.stamp(actor))
            .await
    }

    /// Stores a new API token for a staff member, valid for `days` (for ever
    /// when absent); the caller generated it and shows it once.
    pub async fn register_token(&self, staff_email: &str, token: &str, days: Option<u32>) -> Result<Staff> {
        let staff = self.staff_named(staff_email).await?;
        let stamp = self.stamp(&Actor::System);
        let expires = days.map(|d| stamp.at + chrono::Duration::days(i64::from(d)));
        self.store
            .add_token(staff.id, &token_hash(token), expires, &stamp)
            .await?;
        Ok(staff)
    }

    /// The staff member a live bearer token belongs to.
    pub async fn authenticate_token(&self, token: &str) -> Result<Option<Staff>> {
        self.store.staff_by_token(&token_hash(token), self.clock.now()).await
    }

    /// API tokens, of one staff member (by address) or all.
    pub async fn list_tokens(&self, staff_email: Option<&str>) -> Result<Vec<ApiToken>> {
        let staff = match staff_email {
            Some(e) => Some(self.staff_named(e).await?.id),
            None => None,
        };
        self.store.list_tokens(staff).await
    }

    /// Revokes a token by its id (the command line acts as system).
    pub async fn revoke_token(&self, id: &str) -> Result<()> {
        let id = id.trim().to_ascii_lowercase();
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(DomainError::invalid(
                "a token id is 12 hexadecimal digits, as `loket token list` shows",
            ));
        }
        if self.store.revoke_token(&id, &self.stamp(&Actor::System)).await? {
            Ok(())
        } else {
            Err(DomainError::not_found(format!("live token {id}")))
        }
    }

    pub(super) async fn staff_named(&self, email: &str) -> Result<Staff> {
        let email = normalise_email(email)?;
        self.store
            .staff_by_email(&email)
            .await?
            .ok_or_else(|| DomainError::not_found(format!("staff member {email}")))
    }

    /// Moves every ticket of one contact to another address (for example a
    /// shared organisation mailbox); answers how many moved.
    pub async fn move_tickets(&self, actor: &Actor, from: &str, to: &str) -> Result<usize> {
        actor.require_staff(DESK_STAFF, "move tickets")?;
        let from = normalise_email(from)?;
        let to = normalise_email(to)?;
        if from == to {
            return Err(DomainError::invalid("the two addresses are the same"));
        }
        let source = self
            .store
            .contact_by_email(&from)
            .await?
            .ok_or_else(|| DomainError::not_found(format!("contact {from}")))?;
        let target = self.store.ensure_contact(&to, "", self.clock.now()).await?;
        let mut moved = 0;
        loop {
            let filter = TicketFilter {
                requester: Some(source.id),
                limit: 200,
                ..TicketFilter::default()
            };
            let batch = self.store.list_tickets(&filter).await?;
            if batch.is_empty() {
                return Ok(moved);
            }
            for t in batch {
                self.change(actor, t.number, "move", |t, _| {
                    t.requester_id = target.id;
                    t.organisation_id = target.organisation_id;
                    Ok(super::plan::Plan::default())
                })
                .await?;
                moved += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_rate_limit_keys_are_stored_by_their_hash() {
        assert_eq!(
            super::limit_key("login-address:jan@gemeente.nl"),
            "login-address:jan@gemeente.nl"
        );
        let long = format!("login-address:{}", "x".repeat(2_000_000));
        let stored = super::limit_key(&long);
        assert!(stored.starts_with("login-address:#") && stored.len() < 100, "{stored}");
        assert_eq!(stored, super::limit_key(&long), "the same input counts as the same key");
        assert_ne!(stored, super::limit_key(&format!("{long}y")));
    }
}
