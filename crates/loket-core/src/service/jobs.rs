//! Scheduled work: resolving postponed tickets whose date has passed, and
//! sweeping attachment bytes no record refers to.

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

/// How old an unreferenced file must be before the sweep removes it: older
/// than any upload or mail still being taken in.
pub const BLOB_SWEEP_AGE: std::time::Duration = std::time::Duration::from_hours(6);

/// What a blob sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    /// Files no record refers to, removed.
    pub removed: usize,
    /// Files whose record committed but that were never put in place, kept now.
    pub kept: usize,
}

impl Service {
    /// Removes attachment bytes no record refers to (uploads of refused
    /// requests a crash left behind, content whose removal was interrupted) and
    /// keeps staged bytes whose record did commit. Only files untouched for
    /// `min_age` are considered.
    pub async fn sweep_blobs(&self, min_age: std::time::Duration) -> Result<SweepReport> {
        let mut report = SweepReport::default();
        for item in self.blobs.sweep_list(min_age).await? {
            let used = !item.sha256.is_empty() && self.store.blob_in_use(&item.sha256).await?;
            match (used, item.waiting.is_some()) {
                (true, false) => {}
                (true, true) => {
                    self.blobs.sweep_keep(&item).await?;
                    report.kept += 1;
                }
                (false, _) => {
                    self.blobs.sweep_remove(&item, min_age).await?;
                    report.removed += 1;
                }
            }
        }
        Ok(report)
    }
}
