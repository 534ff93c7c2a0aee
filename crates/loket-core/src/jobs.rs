//! The storage port of queued jobs: work that must run once however many
//! `loket serve` processes share the database. A job is claimed with a lease
//! (no other process takes it until the lease runs out: a process that dies
//! leaves it to the next), finished or failed only while the claim is still
//! the holder's, retried with backoff, and kept visible to admins.

use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for its time (or for a retry).
    Due,
    /// Claimed by a process until its lease runs out.
    Running,
    /// Done.
    Done,
    /// Given up after its last attempt; an admin can retry it.
    Failed,
}

impl JobState {
    /// Every state.
    pub const ALL: &[JobState] = &[JobState::Due, JobState::Running, JobState::Done, JobState::Failed];

    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            JobState::Due => "due",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    /// From its id.
    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.id() == id)
    }

    /// Its name in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (JobState::Due, Lang::Nl) => "gepland",
            (JobState::Running, Lang::Nl) => "bezig",
            (JobState::Done, Lang::Nl) => "klaar",
            (JobState::Failed, Lang::Nl) => "mislukt",
            (JobState::Due, Lang::En) => "due",
            (JobState::Running, Lang::En) => "running",
            (JobState::Done, Lang::En) => "done",
            (JobState::Failed, Lang::En) => "failed",
        }
    }
}

/// A job as admins see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Job {
    /// Id.
    pub id: i64,
    /// What it does (`probe`, …).
    pub kind: String,
    /// Its input (JSON).
    pub payload: String,
    /// Where it is.
    pub state: JobState,
    /// Claims so far.
    pub attempts: i64,
    /// When it is (next) due.
    pub run_at: DateTime<Utc>,
    /// While running: until when the claim holds.
    pub lease_until: Option<DateTime<Utc>>,
    /// The error of the last failed attempt.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it was done or given up.
    pub finished_at: Option<DateTime<Utc>>,
}

/// A job to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// What it does.
    pub kind: String,
    /// A key that makes queueing idempotent: a second job with the same key
    /// is not queued.
    pub key: Option<String>,
    /// Its input (JSON).
    pub payload: String,
    /// When it is due.
    pub run_at: DateTime<Utc>,
}

/// A claimed job: run it, then finish or fail it with the same attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// Id.
    pub id: i64,
    /// What it does.
    pub kind: String,
    /// Its input.
    pub payload: String,
    /// Which claim this is (1 for the first): only this claim can finish it.
    pub attempt: i64,
}

/// Storage of queued jobs.
#[async_trait]
pub trait JobStore: Send + Sync + 'static {
    /// Queues jobs (one with a key already queued is skipped); answers how many were queued.
    async fn enqueue_jobs(&self, jobs: &[NewJob], at: DateTime<Utc>) -> Result<usize>;
    /// Claims up to `limit` due jobs (and running ones whose lease ran out)
    /// until `lease_until`; no two processes claim the same job at once.
    /// Webhook deliveries (`webhooks`) and the other jobs are claimed apart,
    /// so a slow receiver never holds up a release.
    async fn claim_jobs(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
        webhooks: bool,
    ) -> Result<Vec<Claimed>>;
    /// Marks a claimed job done, only while `attempt` is still its claim.
    async fn finish_job(&self, id: i64, attempt: i64, at: DateTime<Utc>) -> Result<bool>;
    /// A probe job's run: counted and finished in one transaction, only while
    /// `attempt` is still its claim (what `loket jobs probe` checks).
    async fn finish_probe(&self, id: i64, attempt: i64, at: DateTime<Utc>) -> Result<bool>;
    /// Records a failed attempt: due again at `retry_at`, or failed for good
    /// without one; only while `attempt` is still its claim.
    async fn fail_job(
        &self,
        id: i64,
        attempt: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> Result<bool>;
    /// Jobs, newest first, in one state or all.
    async fn list_jobs(&self, state: Option<JobState>, limit: i64) -> Result<Vec<Job>>;
    /// Jobs per state.
    async fn job_counts(&self) -> Result<Vec<(JobState, i64)>>;
    /// Makes a failed job due again at `at`; false when it is not failed.
    async fn retry_job(&self, id: i64, at: DateTime<Utc>) -> Result<bool>;
    /// Probe jobs done, and the most times one was counted.
    async fn probe_counts(&self) -> Result<(i64, i64)>;
}
