//! Wish-list demand: a new wish is linked to an existing one, the wish list
//! counts how many organisations asked for each, and the storage port.

use crate::store::Stamp;
use crate::*;
use async_trait::async_trait;

/// A wish with its demand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WishDemand {
    /// The wish's ticket.
    pub wish: TicketId,
    /// Its number.
    pub number: TicketNumber,
    /// Its subject.
    pub subject: String,
    /// Distinct organisations that asked (a contact without one counts alone).
    pub organisations: i64,
    /// Tickets linked to it.
    pub linked: i64,
}

/// Storage of wish links.
#[async_trait]
pub trait WishStore: Send + Sync + 'static {
    /// Links `ticket` to `wish`; a ticket is linked to one wish at most.
    async fn link_wish(&self, ticket: TicketId, wish: TicketId, by: &Stamp) -> Result<()>;
    /// The wish a ticket is linked to.
    async fn wish_of(&self, ticket: TicketId) -> Result<Option<TicketId>>;
    /// The tickets linked to a wish.
    async fn wish_followers(&self, wish: TicketId) -> Result<Vec<TicketId>>;
    /// The wishes on the wish list (not linked to another), most organisations first.
    async fn wish_demand(&self, limit: i64) -> Result<Vec<WishDemand>>;
}
