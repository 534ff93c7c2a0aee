//! Queued jobs: claims never overlap, a lease that runs out hands the job to
//! the next claim and the old claim can no longer finish it, failures are
//! retried with backoff and given up after the last attempt, admins retry.

use super::harness::{Env, both};
use chrono::Duration;
use loket_core::Clock;
use loket_core::jobs::{JobState, NewJob};
use loket_core::service::{Actor, MAX_ATTEMPTS};

fn job(kind: &str, key: Option<&str>, env: &Env) -> NewJob {
    NewJob {
        kind: kind.into(),
        key: key.map(Into::into),
        payload: "{}".into(),
        run_at: env.clock.now(),
    }
}

async fn claims_leases_and_retries(env: &Env) {
    let s = &env.store;
    let now = env.clock.now();
    let jobs: Vec<NewJob> = (0..40).map(|_| job("probe", None, env)).collect();
    assert_eq!(s.enqueue_jobs(&jobs, now).await.unwrap(), 40);
    // A key queues once.
    let keyed = [job("probe", Some("once"), env), job("probe", Some("once"), env)];
    assert_eq!(s.enqueue_jobs(&keyed, now).await.unwrap(), 1);

    // Claims racing take disjoint jobs.
    let lease = now + Duration::seconds(30);
    let (a, b) = tokio::join!(s.claim_jobs(now, lease, 25, false), s.claim_jobs(now, lease, 25, false));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.len() + b.len(), 41);
    let mut ids: Vec<i64> = a.iter().chain(&b).map(|c| c.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 41, "no job claimed twice");
    assert!(
        s.claim_jobs(now, lease, 10, false).await.unwrap().is_empty(),
        "all held"
    );

    // The lease runs out: the next claim takes the job, the old one cannot finish it.
    let first = a[0].clone();
    let later = now + Duration::seconds(31);
    let again = s
        .claim_jobs(later, later + Duration::seconds(30), 100, false)
        .await
        .unwrap();
    assert_eq!(again.len(), 41);
    let retaken = again.iter().find(|c| c.id == first.id).unwrap();
    assert_eq!(retaken.attempt, 2);
    assert!(
        !s.finish_probe(first.id, first.attempt, later).await.unwrap(),
        "stale claim"
    );
    assert!(s.finish_probe(retaken.id, retaken.attempt, later).await.unwrap());
    assert!(
        !s.finish_probe(retaken.id, retaken.attempt, later).await.unwrap(),
        "once"
    );
    assert_eq!(s.probe_counts().await.unwrap(), (1, 1));

    // A failure with a retry time is due again then, not before.
    let other = again.iter().find(|c| c.id != first.id).unwrap();
    let retry = later + Duration::minutes(2);
    assert!(
        s.fail_job(other.id, other.attempt, "koppeling weg", Some(retry), later)
            .await
            .unwrap()
    );
    let due = s.list_jobs(Some(JobState::Due), 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        (due[0].run_at, due[0].last_error.as_deref()),
        (retry, Some("koppeling weg"))
    );
    // Without a retry time it failed for good, and an admin makes it due again.
    let third = again.iter().find(|c| c.id != first.id && c.id != other.id).unwrap();
    assert!(s.fail_job(third.id, third.attempt, "kapot", None, later).await.unwrap());
    let failed = s.list_jobs(Some(JobState::Failed), 10).await.unwrap();
    assert_eq!(failed.iter().map(|j| j.id).collect::<Vec<_>>(), vec![third.id]);
    assert!(
        env.service.retry_job(&Actor::System, other.id).await.is_err(),
        "only a failed job is retried"
    );
    env.service.retry_job(&Actor::System, third.id).await.unwrap();
    let counts = s.job_counts().await.unwrap();
    assert_eq!(
        counts,
        vec![
            (JobState::Due, 2),
            (JobState::Running, 38),
            (JobState::Done, 1),
            (JobState::Failed, 0)
        ]
    );
}

both!(claims_leases_and_retries_on, claims_leases_and_retries);

async fn the_service_runs_jobs_and_gives_up_after_the_last_attempt(env: &Env) {
    let now = env.clock.now();
    let mut unknown = job("webhook-naar-nergens", None, env);
    unknown.payload = "{\"x\":1}".into();
    env.store
        .enqueue_jobs(&[unknown, job("probe", None, env)], now)
        .await
        .unwrap();
    let r = env.service.run_jobs(10).await.unwrap();
    assert_eq!((r.done, r.retried, r.failed), (1, 1, 0));
    let mut attempts = 1;
    while attempts < MAX_ATTEMPTS {
        env.clock.set(env.clock.now() + Duration::hours(2));
        let r = env.service.run_jobs(10).await.unwrap();
        attempts += 1;
        if attempts < MAX_ATTEMPTS {
            assert_eq!(r.retried, 1, "attempt {attempts}");
        } else {
            assert_eq!(r.failed, 1, "given up after {MAX_ATTEMPTS} attempts");
        }
    }
    let failed = env
        .service
        .list_jobs(&env.admin, Some(JobState::Failed), 10)
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].attempts, MAX_ATTEMPTS);
    assert!(failed[0].last_error.as_deref().unwrap().contains("unknown job kind"));
    // Only admins see the queue.
    let agent = env
        .service
        .create_staff(&env.admin, "anna@leverancier.nl", "Anna", loket_core::Role::Agent)
        .await
        .unwrap();
    assert!(env.service.list_jobs(&Actor::Staff(agent), None, 10).await.is_err());
}

both!(
    the_service_runs_jobs_and_gives_up_after_the_last_attempt_on,
    the_service_runs_jobs_and_gives_up_after_the_last_attempt
);
