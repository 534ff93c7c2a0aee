//! Webhooks for admins: add one (its signing secret is shown once), switch
//! it on or off, and read the delivery log.

use super::{Actor, Service};
use crate::webhooks::{Delivery, Webhook};
use crate::*;

/// Only admins manage webhooks.
const ADMINS: &[Role] = &[Role::Admin];

impl Service {
    /// Adds a webhook posting to `url`; answers it with its new secret.
    pub async fn create_webhook(&self, actor: &Actor, url: &str) -> Result<(Webhook, String)> {
        actor.require_staff(ADMINS, "add webhooks")?;
        let url = url.trim();
        if url.len() > 500 || crate::webhooks::parse_url(url).is_err() {
            return Err(DomainError::invalid(format!(
                "'{}' is not an http(s) address for a webhook",
                url.chars().take(100).collect::<String>()
            )));
        }
        let mut bytes = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        let secret = hex::encode(bytes);
        let hook = self.store.create_webhook(url, &secret, &self.stamp(actor)).await?;
        Ok((hook, secret))
    }

    /// Every webhook; admins only.
    pub async fn list_webhooks(&self, actor: &Actor) -> Result<Vec<Webhook>> {
        actor.require_staff(ADMINS, "see webhooks")?;
        self.store.list_webhooks().await
    }

    /// Switches a webhook on or off; admins only.
    pub async fn set_webhook_active(&self, actor: &Actor, id: i64, active: bool) -> Result<()> {
        actor.require_staff(ADMINS, "change webhooks")?;
        if self.store.set_webhook_active(id, active, &self.stamp(actor)).await? {
            Ok(())
        } else {
            Err(DomainError::not_found(format!("webhook {id}")))
        }
    }

    /// The newest delivery attempts; admins only.
    pub async fn webhook_deliveries(&self, actor: &Actor, limit: i64) -> Result<Vec<Delivery>> {
        actor.require_staff(ADMINS, "see webhook deliveries")?;
        self.store.deliveries(limit).await
    }
}
