//! `loket bench-sla`: the service-level check on a large SQLite database
//! (1,000,000 tickets, one in ten open, created over the morning of one
//! working day): the time of a check run with 1,000 and 5,000 tickets due,
//! and of an idle run, with the tickets each run read.

use crate::bench::{bench_config, count, seeded_ticket};
use crate::config::Config;
use crate::serve::service;
use chrono::{DateTime, Duration, TimeZone, Utc};
use loket_core::Status;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// Options of `loket bench-sla`.
#[derive(Debug, clap::Args)]
pub struct BenchSlaArgs {
    /// Tickets in the database.
    #[arg(long, default_value_t = 1_000_000)]
    tickets: u64,
    /// One ticket in this many is open; the rest are resolved.
    #[arg(long, default_value_t = 10)]
    open_every: u64,
    /// Folder for the data (a new temporary folder when absent; kept).
    #[arg(long)]
    dir: Option<PathBuf>,
}

/// Tickets per batch; each batch is created a minute after the one before.
const BATCH: u64 = 5000;

/// Monday 2 November 2026, 09:00 in Amsterdam (UTC+1).
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0).single().unwrap_or_default()
}

/// Runs the benchmark and prints a Markdown table.
pub async fn run(base: &Config, args: BenchSlaArgs) -> Result<(), String> {
    let cfg = bench_config(base, args.dir.as_deref(), "127.0.0.1:0", "bench-sla");
    let clock = Arc::new(loket_core::FixedClock::new(start()));
    let svc = service(&cfg).await?.with_clock(clock.clone());
    let err = |e: loket_core::DomainError| e.to_string();
    let started = Instant::now();
    let mut seeded = count(&svc).await?;
    let every = args.open_every.max(1);
    while seeded < args.tickets {
        let n = (args.tickets - seeded).min(BATCH);
        clock.set(start() + Duration::minutes(i64::try_from(seeded / BATCH).unwrap_or(0)));
        let batch = (seeded..seeded + n)
            .map(|i| {
                let status = (!i.is_multiple_of(every)).then_some(Status::Resolved);
                (seeded_ticket(i), status)
            })
            .collect();
        svc.import_tickets_with_status(batch).await.map_err(err)?;
        seeded += n;
    }
    eprintln!("seeded to {seeded} tickets in {:.1}s", started.elapsed().as_secs_f64());
    // A Helpdesk answer is due one working day (510 minutes) after the
    // question; the warning comes at three quarters (382 minutes): 15:22
    // for the first batch, a minute later for each next one.
    let first_warning = start() + Duration::minutes(382);
    let runs = [
        ("2 batches due (warnings)", first_warning + Duration::minutes(1)),
        ("nothing due", first_warning + Duration::minutes(1)),
        ("10 batches due (warnings)", first_warning + Duration::minutes(11)),
        (
            "every open ticket past its deadline (breaches)",
            start() + Duration::days(2),
        ),
        ("nothing due", start() + Duration::days(2)),
    ];
    println!(
        "data folder: {} ({seeded} tickets, one in {every} open)\n",
        cfg.data_dir.display()
    );
    println!("| run | tickets due | warnings | breaches | time ms |");
    println!("|---|---:|---:|---:|---:|");
    for (what, at) in runs {
        clock.set(at);
        let due = svc.store().due_service_levels(at, i64::MAX).await.map_err(err)?.len();
        let t = Instant::now();
        let r = svc.check_service_levels().await.map_err(err)?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        println!("| {what} | {due} | {} | {} | {ms:.1} |", r.warnings, r.breaches);
    }
    Ok(())
}
