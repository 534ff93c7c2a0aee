//! Outage-page subscribers: double opt-in by a mailed link, every update by
//! mail with an unsubscribe link, and tickets linked to an outage whose
//! requesters hear when it is resolved. Links carry an HMAC of the
//! subscriber's id and purpose, so no token is stored.

use super::{Actor, DESK_STAFF, Service};
use crate::*;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What a subscriber link does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriberLink {
    /// Confirms the subscription.
    Confirm,
    /// Ends it.
    Unsubscribe,
    /// Ends a subscription to a forum topic.
    ForumUnsubscribe,
}

impl SubscriberLink {
    fn id(self) -> &'static str {
        match self {
            SubscriberLink::Confirm => "bevestigen",
            SubscriberLink::Unsubscribe => "afmelden",
            SubscriberLink::ForumUnsubscribe => "forum-afmelden",
        }
    }
}

/// Whether two MACs are equal, compared in constant time.
pub(super) fn same_mac(want: &str, got: &str) -> bool {
    want.len() == got.len() && want.bytes().zip(got.bytes()).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0
}

impl Service {
    async fn subscriber_mac(&self, id: i64, purpose: SubscriberLink) -> Result<String> {
        self.link_mac(&id.to_string(), purpose).await
    }

    /// The MAC of a link about `subject` (what the link names) for `purpose`.
    pub(super) async fn link_mac(&self, subject: &str, purpose: SubscriberLink) -> Result<String> {
        let secret = self.store.secret("outage_subscribers").await?;
        let mut mac = Hmac::<Sha256>::new_from_slice(&secret)
            .map_err(|_| DomainError::Storage("the subscriber secret is unusable".into()))?;
        mac.update(format!("{subject}:{}", purpose.id()).as_bytes());
        Ok(hex::encode(mac.finalize().into_bytes()))
    }

    /// The token of a subscriber link: `ID-MAC`.
    pub async fn subscriber_token(&self, id: i64, purpose: SubscriberLink) -> Result<String> {
        Ok(format!("{id}-{}", self.subscriber_mac(id, purpose).await?))
    }

    /// The subscriber a link's token names, when its MAC is right.
    async fn subscriber_of(&self, token: &str, purpose: SubscriberLink) -> Result<i64> {
        let gone = || DomainError::not_found("this link");
        let (id, mac) = token.split_once('-').ok_or_else(gone)?;
        let id: i64 = id.parse().map_err(|_| gone())?;
        let want = self.subscriber_mac(id, purpose).await?;
        if same_mac(&want, mac) { Ok(id) } else { Err(gone()) }
    }

    /// Subscribes `email` to outage updates: a mail with a confirmation link
    /// goes out (not again within the hour, nor to a confirmed subscriber).
    /// The answer is the same whatever the address's state.
    pub async fn subscribe_outages(&self, email: &str) -> Result<()> {
        let email = normalise_email(email)?;
        let now = self.now();
        let (id, send) = self.store.subscribe(&email, now).await?;
        if send {
            let token = self.confirm_token(id, now).await?;
            self.store.queue_subscription_mail(&email, &token, now).await?;
        }
        Ok(())
    }

    /// The token of a confirmation link: `ID-MAC`, the MAC over the
    /// subscriber and the moment its mail was queued, so each mail's link is
    /// its own and a new request makes the older links worthless.
    async fn confirm_token(&self, id: i64, mailed: chrono::DateTime<chrono::Utc>) -> Result<String> {
        let mac = self
            .link_mac(&format!("{id}.{}", mailed.timestamp()), SubscriberLink::Confirm)
            .await?;
        Ok(format!("{id}-{mac}"))
    }

    /// Confirms a subscription by its link (the newest one mailed).
    pub async fn confirm_outage_subscription(&self, token: &str) -> Result<()> {
        let gone = || DomainError::not_found("this link");
        let id: i64 = token
            .split_once('-')
            .and_then(|(id, _)| id.parse().ok())
            .ok_or_else(gone)?;
        let mailed = self.store.subscriber_mailed_at(id).await?.ok_or_else(gone)?;
        let want = self.confirm_token(id, mailed).await?;
        if !same_mac(&want, token) {
            return Err(gone());
        }
        if self.store.confirm_subscriber(id, self.now()).await? {
            Ok(())
        } else {
            Err(DomainError::not_found("this link"))
        }
    }

    /// Ends a subscription by its link.
    pub async fn end_outage_subscription(&self, token: &str) -> Result<()> {
        let id = self.subscriber_of(token, SubscriberLink::Unsubscribe).await?;
        if self.store.unsubscribe(id, self.now()).await? {
            Ok(())
        } else {
            Err(DomainError::not_found("this link"))
        }
    }

    /// Links a ticket to an outage; its requester is mailed when the outage is resolved.
    pub async fn link_outage_ticket(&self, actor: &Actor, outage: i64, number: TicketNumber) -> Result<()> {
        actor.require_staff(DESK_STAFF, "link tickets to outages")?;
        let ticket = self.ticket_for(actor, number).await?;
        self.store.link_outage_ticket(outage, ticket.id).await
    }
}
