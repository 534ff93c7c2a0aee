//! Queued jobs for both backends: claims with leases (PostgreSQL skips rows
//! another transaction holds; SQLite has one writer), completion only by the
//! current claim.

/// Implements `JobStore` for `$t` over database `$db`.
macro_rules! job_store {
    ($t:ty, $db:ty) => {
        use loket_core::jobs::{Claimed, Job, JobState, JobStore, NewJob};

        /// Columns of `jobs` in [`JobRow`] order.
        const JOB_COLS: &str =
            "id, kind, payload, state, CAST(attempts AS BIGINT), run_at, lease_until, last_error, created_at, finished_at";
        type JobRow = (
            i64,
            String,
            String,
            String,
            i64,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
            Option<String>,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
        );

        fn job_of(r: JobRow) -> Result<Job> {
            let (id, kind, payload, state, attempts, run_at, lease_until, last_error, created_at, finished_at) = r;
            Ok(Job {
                id,
                kind,
                payload,
                state: JobState::parse(&state).ok_or_else(|| DomainError::Storage(format!("job {id}: bad state '{state}'")))?,
                attempts,
                run_at,
                lease_until,
                last_error,
                created_at,
                finished_at,
            })
        }

        impl $t {
            /// Ends a claim (done, or failed with a retry time or for good)
            /// inside `tx`, only while `attempt` is still the job's claim.
            async fn end_claim(
                tx: &mut <$db as sqlx::Database>::Connection,
                id: i64,
                attempt: i64,
                state: JobState,
                error: Option<&str>,
                run_at: Option<DateTime<Utc>>,
                at: DateTime<Utc>,
            ) -> Result<bool> {
                let finished = matches!(state, JobState::Done | JobState::Failed).then_some(at);
                let n = sqlx::query(
                    "UPDATE jobs SET state = $1, lease_until = NULL, last_error = COALESCE($2, last_error), \
                     run_at = COALESCE($3, run_at), finished_at = $4 \
                     WHERE id = $5 AND state = 'running' AND attempts = $6",
                )
                .bind(state.id())
                .bind(error)
                .bind(run_at)
                .bind(finished)
                .bind(id)
                .bind(attempt)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?
                .rows_affected();
                Ok(n == 1)
            }
        }

        #[async_trait]
        impl JobStore for $t {
            async fn enqueue_jobs(&self, jobs: &[NewJob], at: DateTime<Utc>) -> Result<usize> {
                let mut tx = self.begin_write().await?;
                let mut queued = 0;
                for j in jobs {
                    queued += usize::from(Self::insert_job(&mut tx, j, at).await?);
                }
                tx.commit().await.map_err(db_err)?;
                Ok(queued)
            }

            async fn claim_jobs(
                &self,
                now: DateTime<Utc>,
                lease_until: DateTime<Utc>,
                limit: i64,
                webhooks: bool,
            ) -> Result<Vec<Claimed>> {
                let mut tx = self.begin_write().await?;
                let class = if webhooks { "kind = 'webhook'" } else { "kind <> 'webhook'" };
                let sql = format!(
                    "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = $1 \
                     WHERE id IN (SELECT id FROM jobs WHERE {class} AND ((state = 'due' AND run_at <= $2) \
                     OR (state = 'running' AND lease_until <= $2)) ORDER BY run_at, id LIMIT $3{}) \
                     RETURNING id, kind, payload, CAST(attempts AS BIGINT)",
                    Self::SKIP_LOCKED
                );
                let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(&sql)
                    .bind(lease_until)
                    .bind(now)
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                Ok(rows
                    .into_iter()
                    .map(|(id, kind, payload, attempt)| Claimed { id, kind, payload, attempt })
                    .collect())
            }

            async fn finish_job(&self, id: i64, attempt: i64, at: DateTime<Utc>) -> Result<bool> {
                let mut tx = self.begin_write().await?;
                let done = Self::end_claim(&mut tx, id, attempt, JobState::Done, None, None, at).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(done)
            }

            async fn finish_probe(&self, id: i64, attempt: i64, at: DateTime<Utc>) -> Result<bool> {
                let mut tx = self.begin_write().await?;
                if !Self::end_claim(&mut tx, id, attempt, JobState::Done, None, None, at).await? {
                    return Ok(false);
                }
                sqlx::query(
                    "INSERT INTO job_probes (job_id, runs) VALUES ($1, 1) \
                     ON CONFLICT (job_id) DO UPDATE SET runs = job_probes.runs + 1",
                )
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                Ok(true)
            }

            async fn fail_job(
                &self,
                id: i64,
                attempt: i64,
                error: &str,
                retry_at: Option<DateTime<Utc>>,
                at: DateTime<Utc>,
            ) -> Result<bool> {
                let state = if retry_at.is_some() { JobState::Due } else { JobState::Failed };
                let error: String = error.chars().take(2000).collect();
                let mut tx = self.begin_write().await?;
                let done = Self::end_claim(&mut tx, id, attempt, state, Some(&error), retry_at, at).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(done)
            }

            async fn list_jobs(&self, state: Option<JobState>, limit: i64) -> Result<Vec<Job>> {
                let rows: Vec<JobRow> = match state {
                    Some(s) => sqlx::query_as(&format!("SELECT {JOB_COLS} FROM jobs WHERE state = $1 ORDER BY id DESC LIMIT $2"))
                        .bind(s.id())
                        .bind(limit)
                        .fetch_all(self.reader())
                        .await,
                    None => sqlx::query_as(&format!("SELECT {JOB_COLS} FROM jobs ORDER BY id DESC LIMIT $1"))
                        .bind(limit)
                        .fetch_all(self.reader())
                        .await,
                }
                .map_err(db_err)?;
                rows.into_iter().map(job_of).collect()
            }

            async fn job_counts(&self) -> Result<Vec<(JobState, i64)>> {
                let mut out = Vec::with_capacity(JobState::ALL.len());
                for s in JobState::ALL {
                    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE state = $1")
                        .bind(s.id())
                        .fetch_one(self.reader())
                        .await
                        .map_err(db_err)?;
                    out.push((*s, n));
                }
                Ok(out)
            }

            async fn retry_job(&self, id: i64, at: DateTime<Utc>) -> Result<bool> {
                let mut tx = self.begin_write().await?;
                let n = sqlx::query(
                    "UPDATE jobs SET state = 'due', run_at = $1, finished_at = NULL WHERE id = $2 AND state = 'failed'",
                )
                .bind(at)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?
                .rows_affected();
                tx.commit().await.map_err(db_err)?;
                Ok(n == 1)
            }

            async fn probe_counts(&self) -> Result<(i64, i64)> {
                let (done, most): (i64, i64) = sqlx::query_as(
                    "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(MAX(runs), 0) AS BIGINT) FROM job_probes",
                )
                .fetch_one(self.reader())
                .await
                .map_err(db_err)?;
                Ok((done, most))
            }
        }
    };
}

pub(crate) use job_store;
