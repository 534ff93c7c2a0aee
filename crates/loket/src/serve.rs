//! `loket serve`: opens storage, builds the service, serves HTTP and runs the
//! scheduled jobs until SIGTERM or Ctrl-C, then shuts down gracefully.

use crate::config::Config;
use loket_core::SystemClock;
use loket_core::service::{Limits, Service};
use loket_core::store::BlobStore;
use loket_store::FsBlobStore;
use std::sync::Arc;
use std::time::Duration;

/// Opens the store and blob folder named by the configuration.
pub async fn service(cfg: &Config) -> Result<Service, String> {
    std::fs::create_dir_all(&cfg.data_dir)
        .map_err(|e| format!("cannot create data folder {}: {e}", cfg.data_dir.display()))?;
    let store = loket_store::open(&cfg.database_url())
        .await
        .map_err(|e| e.to_string())?;
    let blobs: Arc<dyn BlobStore> = Arc::new(FsBlobStore::new(&cfg.data_dir.join("blobs")).map_err(|e| e.to_string())?);
    let limits = Limits {
        max_attachment_bytes: cfg.max_attachment_bytes,
        ..Limits::default()
    };
    let mode = loket_core::service::PrivacyMode::parse(&cfg.privacy_mode).ok_or_else(|| {
        format!(
            "privacy_mode '{}' is not known: write \"propose\" or \"apply\"",
            cfg.privacy_mode
        )
    })?;
    Ok(Service::new(store, blobs, Arc::new(SystemClock), limits)
        .with_privacy_mode(mode)
        .with_privacy_threshold(cfg.privacy_threshold, cfg.zone()?)
        .with_service_levels(cfg.policy()?, cfg.calendar()?)
        .with_meetings(cfg.meeting_series()?)
        .with_job_handler(Arc::new(loket_mail::webhooks::Deliverer))
        .with_job_lease(chrono::Duration::seconds(
            i64::try_from(cfg.jobs_lease_secs.max(1)).unwrap_or(300),
        )))
}

/// Runs the server until a shutdown signal.
pub async fn run(cfg: &Config) -> Result<(), String> {
    let service = service(cfg).await?;
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", cfg.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%addr, data_dir = %cfg.data_dir.display(), "loket serving");

    let sender = loket_mail::Sender::new(service.clone(), cfg.outbox()).map_err(|e| e.to_string())?;
    if cfg.smtp_url.is_none() {
        tracing::warn!("no smtp_url configured: mail waits in the outbox until one is");
    }
    let from = cfg.mail_from();
    let from_domain = from
        .rsplit_once('@')
        .map_or("", |(_, d)| d.trim_end_matches('>'))
        .to_ascii_lowercase();
    let last = from_domain.rsplit('.').next().unwrap_or_default();
    if !from_domain.contains('.') || last == "localhost" || last == "local" {
        tracing::warn!(
            from = %from,
            "mail goes out From a local address that customers cannot answer: set `address` of the helpdesk mailbox (or mail_from)"
        );
    }
    let outbox = tokio::spawn(outbox_loop(sender));
    let privacy = tokio::spawn(privacy_loop(service.clone()));
    let queue = tokio::spawn(queue_loop(service.clone()));
    let hooks = tokio::spawn(webhook_loop(service.clone()));
    let intake = loket_mail::Intake::new(service.clone(), cfg.mailboxes.clone()).with_settings(cfg.intake());
    let jobs = tokio::spawn(jobs_loop(
        service.clone(),
        intake.clone(),
        Duration::from_secs(cfg.jobs_interval_secs.max(1)),
    ));
    let readers: Vec<_> = cfg
        .mailboxes
        .iter()
        .filter_map(|m| {
            m.imap
                .clone()
                .map(|imap| tokio::spawn(loket_mail::imap::run(intake.clone(), m.name.clone(), imap)))
        })
        .collect();
    let state = loket_web::AppState::new(service, intake, cfg.portal()?)
        .await
        .map_err(|e| e.to_string())?;
    let app = loket_web::router(state);
    let result = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    jobs.abort();
    outbox.abort();
    privacy.abort();
    queue.abort();
    hooks.abort();
    readers.iter().for_each(tokio::task::JoinHandle::abort);
    tracing::info!("loket stopped");
    result.map_err(|e| format!("server error: {e}"))
}

/// How often `serve` sweeps attachment bytes no record refers to.
const SWEEP_EVERY: Duration = Duration::from_hours(1);

/// Runs the scheduled jobs every `every` (the blob sweep once an hour);
/// errors are logged and retried next round.
async fn jobs_loop(service: Service, intake: loket_mail::Intake, every: Duration) {
    let mut tick = tokio::time::interval(every);
    let mut last_sweep: Option<std::time::Instant> = None;
    loop {
        tick.tick().await;
        let sweep = last_sweep.is_none_or(|t| t.elapsed() >= SWEEP_EVERY);
        if sweep {
            last_sweep = Some(std::time::Instant::now());
        }
        // The privacy scan has its own loop (privacy_loop).
        match run_due(&service, &intake, sweep, false).await {
            Ok(report) if report.is_idle() => {}
            Ok(report) => tracing::info!(%report, "scheduled jobs ran"),
            Err(e) => tracing::warn!(error = %e, "scheduled jobs failed; retrying next round"),
        }
    }
}

/// What one run of the scheduled jobs did.
pub struct DueReport {
    /// Postponed tickets resolved.
    pub resolved: usize,
    /// Quarantined mails taken in on retry.
    pub unquarantined: usize,
    /// What the blob sweep did, when it ran.
    pub swept: Option<loket_core::service::SweepReport>,
    /// What the privacy scan did.
    pub privacy: loket_core::service::ScanReport,
    /// Service-level warnings and breaches recorded.
    pub levels: loket_core::service::LevelReport,
}

impl DueReport {
    fn is_idle(&self) -> bool {
        self.resolved == 0
            && self.unquarantined == 0
            && self.levels.warnings == 0
            && self.levels.breaches == 0
            && self.privacy.scanned == 0
            && self.privacy.applied == 0
            && self.privacy.alerts == 0
            && self.swept.is_none_or(|s| s.removed == 0 && s.kept == 0)
    }
}

impl std::fmt::Display for DueReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "auto-resolve: {} postponed ticket(s) resolved; quarantine: {} mail(s) taken in; \
             service levels: {} warning(s), {} breach(es)",
            self.resolved, self.unquarantined, self.levels.warnings, self.levels.breaches
        )?;
        write!(
            f,
            "; privacy: {} message(s) scanned, {} incident(s) found, {} applied, {} organisation(s) alerted",
            self.privacy.scanned, self.privacy.found, self.privacy.applied, self.privacy.alerts
        )?;
        if let Some(s) = self.swept {
            write!(
                f,
                "; attachments: {} unused file(s) removed, {} kept",
                s.removed, s.kept
            )?;
        }
        Ok(())
    }
}

/// Runs every scheduled job once: auto-resolve, quarantine retries, the
/// privacy scan (when `privacy`; a failure there is logged and stops no other
/// job) and (when `sweep`) the sweep of attachment bytes no record refers to.
pub async fn run_due(
    service: &Service,
    intake: &loket_mail::Intake,
    sweep: bool,
    privacy: bool,
) -> Result<DueReport, String> {
    let resolved = service.auto_resolve_due().await.map_err(|e| e.to_string())?;
    let unquarantined = intake.retry_quarantine().await.map_err(|e| e.to_string())?;
    let levels = service.check_service_levels().await.map_err(|e| e.to_string())?;
    let privacy = if privacy {
        service.scan_privacy().await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "privacy scan failed; retrying next round");
            loket_core::service::ScanReport::default()
        })
    } else {
        loket_core::service::ScanReport::default()
    };
    let swept = if sweep {
        Some(
            service
                .sweep_blobs(loket_core::service::BLOB_SWEEP_AGE)
                .await
                .map_err(|e| e.to_string())?,
        )
    } else {
        None
    };
    Ok(DueReport {
        resolved,
        unquarantined,
        swept,
        privacy,
        levels,
    })
}

/// Scans new messages for personal data every two seconds (apart from
/// intake, so taking in mail never waits for it).
async fn privacy_loop(service: Service) {
    let mut tick = tokio::time::interval(Duration::from_secs(2));
    loop {
        tick.tick().await;
        match service.scan_privacy().await {
            Ok(r) if r.scanned == 0 && r.applied == 0 && r.alerts == 0 => {}
            Ok(r) => tracing::info!(
                scanned = r.scanned,
                found = r.found,
                applied = r.applied,
                alerts = r.alerts,
                "privacy scan ran"
            ),
            Err(e) => tracing::warn!(error = %e, "privacy scan failed; retrying"),
        }
    }
}

/// Runs queued jobs: a few at a time, every second while there are none.
async fn queue_loop(service: Service) {
    loop {
        match service.run_jobs(10).await {
            Ok(r) if r.done + r.retried + r.failed + r.lost > 0 => {
                tracing::debug!(
                    done = r.done,
                    retried = r.retried,
                    failed = r.failed,
                    lost = r.lost,
                    "jobs ran"
                );
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "running jobs failed; retrying"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Delivers webhooks: up to 8 at once, every second while there are none.
async fn webhook_loop(service: Service) {
    loop {
        match service.run_webhook_jobs(8).await {
            Ok(r) if r.done + r.retried + r.failed + r.lost > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "delivering webhooks failed; retrying"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Sends due outbox mail every two seconds.
async fn outbox_loop(sender: loket_mail::Sender) {
    let mut tick = tokio::time::interval(Duration::from_secs(2));
    loop {
        tick.tick().await;
        match sender.run_once().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sent = n, "mail sent"),
            Err(e) => tracing::warn!(error = %e, "outbox run failed; retrying"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
