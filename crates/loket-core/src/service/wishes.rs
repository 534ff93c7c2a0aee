//! Wish-list demand: staff link a new wish to an existing one; when a wish
//! is planned in a version or delivered, a job moves the tickets linked to it
//! along, each with a mail to its requester.

use super::plan::{Plan, put, state};
use super::{ALL_STAFF, Actor, Service};
use crate::jobs::{Claimed, NewJob};
use crate::store::NewOutbox;
use crate::wishes::WishDemand;
use crate::*;

/// The job kind that moves a wish's linked tickets along with it.
pub const WISH_JOB: &str = "wish";

impl Service {
    /// Links the ticket `number` to the wish `wish` (or to the wish that one
    /// is linked to). A wish already planned or delivered takes the ticket along.
    pub async fn link_wish(&self, actor: &Actor, number: TicketNumber, wish: TicketNumber) -> Result<Ticket> {
        actor.require_staff(ALL_STAFF, "link wishes")?;
        let ticket = self.ticket_for(actor, number).await?;
        let mut root = self.ticket_for(actor, wish).await?;
        if let Some(parent) = self.store.wish_of(root.id).await? {
            root = self
                .store
                .get_ticket(parent)
                .await?
                .ok_or_else(|| DomainError::not_found(format!("ticket {wish}")))?;
        }
        if root.id == ticket.id {
            return Err(DomainError::invalid("a wish cannot be linked to itself"));
        }
        if !matches!(
            root.department,
            Department::Wishlist | Department::Planned | Department::Delivered
        ) {
            return Err(DomainError::conflict(format!(
                "ticket {} is not a wish (it is in department {})",
                root.number,
                root.department.id()
            )));
        }
        if !self.store.wish_followers(ticket.id).await?.is_empty() {
            return Err(DomainError::conflict(
                "other tickets are linked to this wish; link them to the other wish one by one",
            ));
        }
        self.store.link_wish(ticket.id, root.id, &self.stamp(actor)).await?;
        // Onto the wish list with it; a planned or delivered wish takes it along.
        if ticket.department != Department::Wishlist && !ticket.department.closes_ticket() {
            let _ = self.transfer(actor, number, Department::Wishlist, None).await;
        }
        if root.department != Department::Wishlist {
            let cause = format!("link:{}", ticket.id);
            self.store
                .enqueue_jobs(&[wish_job(&root, &cause, self.now())], self.now())
                .await?;
        }
        self.ticket_for(actor, number).await
    }

    /// The wishes on the wish list, most organisations first.
    pub async fn wish_list(&self, actor: &Actor, limit: i64) -> Result<Vec<WishDemand>> {
        actor.require_staff(ALL_STAFF, "see the wish list")?;
        self.store.wish_demand(limit).await
    }

    /// The job for a wish that moved to Gepland or Opgeleverd, when tickets follow it.
    pub(crate) async fn wish_jobs(&self, t: &Ticket, to: Department) -> Result<Vec<NewJob>> {
        if !matches!(to, Department::Planned | Department::Delivered) {
            return Ok(Vec::new());
        }
        if self.store.wish_followers(t.id).await?.is_empty() {
            return Ok(Vec::new());
        }
        let mut moved = t.clone();
        moved.department = to;
        Ok(vec![wish_job(&moved, "transfer", self.now())])
    }

    /// The wish job: every ticket linked to the wish goes where the wish is
    /// (Gepland with its version, or Opgeleverd), each with one mail.
    pub(crate) async fn run_wish_job(&self, c: &Claimed) -> Result<bool> {
        let id = serde_json::from_str::<serde_json::Value>(&c.payload)
            .ok()
            .and_then(|v| v.get("wish").and_then(serde_json::Value::as_i64))
            .ok_or_else(|| DomainError::invalid("a wish job without a wish"))?;
        let Some(wish) = self.store.get_ticket(TicketId(id)).await? else {
            return self.store.finish_job(c.id, c.attempt, self.now()).await;
        };
        let to = wish.department;
        if matches!(to, Department::Planned | Department::Delivered) {
            for f in self.store.wish_followers(wish.id).await? {
                let Some(t) = self.store.get_ticket(f).await? else {
                    continue;
                };
                let version = wish.release_version.clone();
                let moved = self
                    .change(&Actor::System, t.number, "wish_follow", |t, _| {
                        if t.department == to && t.release_version == version {
                            return Err(DomainError::conflict("there already"));
                        }
                        t.release_version.clone_from(&version);
                        put(t, &crate::rules::transfer(&state(t), to)?);
                        if to == Department::Delivered {
                            t.status = Status::Resolved;
                            t.postponed_until = None;
                        }
                        Ok(Plan {
                            outbox: vec![NewOutbox {
                                kind: if to == Department::Planned {
                                    MailKind::WishPlanned
                                } else {
                                    MailKind::Released
                                },
                                to: None,
                                message: None,
                                automatic: true,
                            }],
                            ..Plan::default()
                        })
                    })
                    .await;
                match moved {
                    Ok(_) | Err(DomainError::Conflict(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        self.store.finish_job(c.id, c.attempt, self.now()).await
    }
}

/// The job that takes a wish's linked tickets to where the wish is now;
/// `cause` (and the moment) keep each its own.
fn wish_job(wish: &Ticket, cause: &str, now: chrono::DateTime<chrono::Utc>) -> NewJob {
    NewJob {
        kind: WISH_JOB.into(),
        key: Some(format!(
            "wish:{}:{}:{}:{cause}:{}",
            wish.id,
            wish.department.id(),
            wish.release_version.as_deref().unwrap_or_default(),
            now.timestamp_micros()
        )),
        payload: serde_json::json!({ "wish": wish.id.0 }).to_string(),
        run_at: now,
    }
}
