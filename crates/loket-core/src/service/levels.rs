//! The service-level check: warnings and breaches of the deadlines running
//! on tickets, each recorded once however many processes check at once, and
//! mailed to the assignee (or, for an unassigned ticket, the agents).

use super::Service;
use crate::service_level::{SlaCount, SlaRecord, next_event};
use crate::*;
use chrono::{DateTime, Utc};

/// Tickets taken per round of the check.
const ROUND: i64 = 500;

/// What one check did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LevelReport {
    /// Warnings recorded.
    pub warnings: usize,
    /// Breaches recorded.
    pub breaches: usize,
}

impl Service {
    /// Records the warnings and breaches that are due now. Only tickets
    /// whose check time has come are read (an index on it), so the cost
    /// follows the due tickets, not all tickets.
    pub async fn check_service_levels(&self) -> Result<LevelReport> {
        let now = self.clock.now();
        let mut report = LevelReport::default();
        let mut agents: Option<Vec<String>> = None;
        let mut assignees: std::collections::HashMap<StaffId, Option<String>> = std::collections::HashMap::new();
        loop {
            let due = self.store.due_service_levels(now, ROUND).await?;
            if due.is_empty() {
                return Ok(report);
            }
            let mut records = Vec::with_capacity(due.len());
            for d in due {
                let (event, next_check) = next_event(d.due_at, now);
                let assignee = match d.assignee {
                    Some(a) => {
                        if let std::collections::hash_map::Entry::Vacant(e) = assignees.entry(a) {
                            e.insert(self.store.get_staff(a).await?.map(|s| s.email));
                        }
                        assignees.get(&a).cloned().flatten()
                    }
                    None => None,
                };
                let notify = if let Some(email) = assignee {
                    vec![email]
                } else {
                    if agents.is_none() {
                        let staff = self.store.list_staff().await?;
                        agents = Some(
                            staff
                                .into_iter()
                                .filter(|s| s.role == Role::Agent)
                                .map(|s| s.email)
                                .collect(),
                        );
                    }
                    agents.clone().unwrap_or_default()
                };
                records.push(SlaRecord {
                    due: d,
                    event,
                    next_check,
                    notify,
                    at: now,
                });
            }
            // One transaction per round: a thousand due tickets are one commit.
            let done = self.store.record_service_levels(&records).await?;
            let mut progressed = false;
            for (r, recorded) in records.iter().zip(done) {
                if recorded {
                    progressed = true;
                    match r.event {
                        crate::service_level::SlaEvent::Warning => report.warnings += 1,
                        crate::service_level::SlaEvent::Breach => report.breaches += 1,
                    }
                }
            }
            if !progressed {
                return Ok(report);
            }
        }
    }

    /// Warnings and breaches per department and promise in `[from, to)`; staff only.
    pub async fn service_level_report(
        &self,
        actor: &super::Actor,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<SlaCount>> {
        actor.require_staff(super::ALL_STAFF, "see service-level reports")?;
        if to <= from {
            return Err(DomainError::invalid("the end of the period must lie after its start"));
        }
        self.store.service_level_report(from, to).await
    }
}
