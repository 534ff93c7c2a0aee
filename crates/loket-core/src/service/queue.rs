//! Running queued jobs: claim a few with a lease, run each, finish it or
//! record the failure with a retry after a growing wait (given up after
//! [`MAX_ATTEMPTS`]); and the admin's view of the queue.

use super::{Actor, Service};
use crate::jobs::{Claimed, Job, JobState, NewJob};
use crate::*;
use chrono::Duration;

/// Claims before a job is given up.
pub const MAX_ATTEMPTS: i64 = 8;
/// The job kind `loket jobs probe` queues: waits a moment, then counts itself.
pub const PROBE: &str = "probe";
/// The roles that see and retry jobs.
const ADMINS: &[Role] = &[Role::Admin];

/// Admins, and the operator's own commands (`loket jobs …`).
fn require_admin(actor: &Actor, what: &str) -> Result<()> {
    match actor {
        Actor::System => Ok(()),
        _ => actor.require_staff(ADMINS, what).map(|_| ()),
    }
}

/// What one round of running jobs did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct JobsReport {
    /// Finished.
    pub done: usize,
    /// Failed and due again later.
    pub retried: usize,
    /// Failed for good.
    pub failed: usize,
    /// Claimed but finished by another claim meanwhile (a lease that ran out).
    pub lost: usize,
}

/// The wait before the next attempt: 1, 2, 4 … minutes, at most an hour.
fn backoff(attempt: i64) -> Duration {
    Duration::minutes(1i64 << attempt.clamp(1, 7).saturating_sub(1)).min(Duration::hours(1))
}

impl Service {
    /// Claims up to `limit` due jobs (not webhook deliveries) and runs them
    /// one after another.
    pub async fn run_jobs(&self, limit: i64) -> Result<JobsReport> {
        let now = self.clock.now();
        let claimed = self.store.claim_jobs(now, now + self.job_lease, limit, false).await?;
        let mut report = JobsReport::default();
        for c in claimed {
            let outcome = self.run_job(&c).await;
            self.settle_job(&c, outcome, &mut report).await?;
        }
        Ok(report)
    }

    /// Claims up to `limit` due webhook deliveries and runs them at the same
    /// time (each bounded by its own timeout).
    pub async fn run_webhook_jobs(&self, limit: i64) -> Result<JobsReport> {
        let now = self.clock.now();
        let claimed = self.store.claim_jobs(now, now + self.job_lease, limit, true).await?;
        let mut set = tokio::task::JoinSet::new();
        for c in claimed {
            let svc = self.clone();
            set.spawn(async move {
                let outcome = svc.run_job(&c).await;
                (c, outcome)
            });
        }
        let mut report = JobsReport::default();
        while let Some(done) = set.join_next().await {
            let (c, outcome) = done.map_err(|e| DomainError::Storage(format!("a webhook delivery stopped: {e}")))?;
            self.settle_job(&c, outcome, &mut report).await?;
        }
        Ok(report)
    }

    /// Counts a job's outcome; a failure is recorded with its retry time (or
    /// for good after the last attempt).
    async fn settle_job(&self, c: &Claimed, outcome: Result<bool>, report: &mut JobsReport) -> Result<()> {
        match outcome {
            Ok(true) => report.done += 1,
            Ok(false) => report.lost += 1,
            Err(e) => {
                let at = self.clock.now();
                let retry = (c.attempt < MAX_ATTEMPTS).then(|| at + backoff(c.attempt));
                tracing::warn!(job = c.id, kind = %c.kind, attempt = c.attempt, error = %e, "job failed");
                if self.store.fail_job(c.id, c.attempt, &e.to_string(), retry, at).await? {
                    if retry.is_some() {
                        report.retried += 1;
                    } else {
                        report.failed += 1;
                    }
                } else {
                    report.lost += 1;
                }
            }
        }
        Ok(())
    }

    /// Runs one claimed job; answers whether this claim finished it.
    async fn run_job(&self, c: &Claimed) -> Result<bool> {
        match c.kind.as_str() {
            PROBE => {
                let ms: u64 = serde_json::from_str::<serde_json::Value>(&c.payload)
                    .ok()
                    .and_then(|v| v.get("ms").and_then(serde_json::Value::as_u64))
                    .unwrap_or(0)
                    .min(10_000);
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                self.store.finish_probe(c.id, c.attempt, self.clock.now()).await
            }
            super::RELEASE_JOB => self.run_release_job(c).await,
            super::WISH_JOB => self.run_wish_job(c).await,
            other => match self.handlers.iter().find(|h| h.handles(other)) {
                Some(h) => h.clone().run(self, c).await,
                None => Err(DomainError::invalid(format!("unknown job kind '{other}'"))),
            },
        }
    }

    /// Queues `count` probe jobs that each wait `ms` milliseconds and count
    /// themselves (to check that jobs run once across servers); admins only.
    pub async fn queue_probes(&self, actor: &Actor, count: usize, ms: u64) -> Result<usize> {
        require_admin(actor, "queue probe jobs")?;
        let now = self.clock.now();
        let jobs: Vec<NewJob> = (0..count)
            .map(|_| NewJob {
                kind: PROBE.into(),
                key: None,
                payload: serde_json::json!({ "ms": ms }).to_string(),
                run_at: now,
            })
            .collect();
        let mut queued = 0;
        for chunk in jobs.chunks(500) {
            queued += self.store.enqueue_jobs(chunk, now).await?;
        }
        Ok(queued)
    }

    /// Jobs, newest first, in one state or all; admins only.
    pub async fn list_jobs(&self, actor: &Actor, state: Option<JobState>, limit: i64) -> Result<Vec<Job>> {
        require_admin(actor, "see the job queue")?;
        self.store.list_jobs(state, limit.clamp(1, 1000)).await
    }

    /// Makes a failed job due again now; admins only.
    pub async fn retry_job(&self, actor: &Actor, id: i64) -> Result<()> {
        require_admin(actor, "retry jobs")?;
        if self.store.retry_job(id, self.clock.now()).await? {
            Ok(())
        } else {
            Err(DomainError::not_found(format!("failed job {id}")))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_wait_doubles_up_to_an_hour() {
        let m = |a| super::backoff(a).num_minutes();
        assert_eq!((m(1), m(2), m(3), m(7), m(8), m(20)), (1, 2, 4, 60, 60, 60));
    }
}
