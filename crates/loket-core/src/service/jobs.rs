//! Scheduled work: resolving postponed tickets whose date has passed.

use super::plan::{Plan, put, state};
use super::{Actor, Service};
use crate::store::NewOutbox;
use crate::*;

impl Service {
    /// Resolves every postponed ticket whose date has passed, mailing the
    /// requester; answers how many were resolved. Safe to run from several
    /// processes at once: a ticket another run resolved first is skipped.
    pub async fn auto_resolve_due(&self) -> Result<usize> {
        let mut done = 0;
        loop {
            let due = self.store.due_postponed(self.clock.now(), 100).await?;
            if due.is_empty() {
                return Ok(done);
            }
            let mut progressed = false;
            for id in due {
                let Some(ticket) = self.store.get_ticket(id).await? else {
                    continue;
                };
                let result = self
                    .change(&Actor::System, ticket.number, "auto_resolve", |t, now| {
                        put(t, &rules::auto_resolve(&state(t), now)?);
                        Ok(Plan {
                            outbox: vec![NewOutbox {
                                kind: MailKind::AutoResolved,
                                to: None,
                                message: None,
                                automatic: true,
                            }],
                            ..Plan::default()
                        })
                    })
                    .await;
                match result {
                    Ok(_) => {
                        done += 1;
                        progressed = true;
                    }
                    Err(DomainError::Conflict(_)) => {}
                    Err(e) => return Err(e),
                }
            }
            if !progressed {
                return Ok(done);
            }
        }
    }
}
