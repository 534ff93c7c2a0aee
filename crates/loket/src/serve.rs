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
    Ok(Service::new(store, blobs, Arc::new(SystemClock), limits))
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
    let outbox = tokio::spawn(outbox_loop(sender));
    let intake = loket_mail::Intake::new(service.clone(), cfg.mailboxes.clone());
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
    let portal = loket_web::PortalSettings {
        secure_cookies: cfg.public_url().starts_with("https://"),
        next_meeting: cfg.next_functional_meeting,
    };
    let app = loket_web::router(loket_web::AppState {
        service,
        intake,
        portal,
    });
    let result = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    jobs.abort();
    outbox.abort();
    readers.iter().for_each(tokio::task::JoinHandle::abort);
    tracing::info!("loket stopped");
    result.map_err(|e| format!("server error: {e}"))
}

/// Runs the scheduled jobs every `every`; errors are logged and retried next round.
async fn jobs_loop(service: Service, intake: loket_mail::Intake, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        match run_due(&service, &intake).await {
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
}

impl DueReport {
    fn is_idle(&self) -> bool {
        self.resolved == 0 && self.unquarantined == 0
    }
}

impl std::fmt::Display for DueReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "auto-resolve: {} postponed ticket(s) resolved; quarantine: {} mail(s) taken in",
            self.resolved, self.unquarantined
        )
    }
}

/// Runs every scheduled job once: auto-resolve, then quarantine retries.
pub async fn run_due(service: &Service, intake: &loket_mail::Intake) -> Result<DueReport, String> {
    let resolved = service.auto_resolve_due().await.map_err(|e| e.to_string())?;
    let unquarantined = intake.retry_quarantine().await.map_err(|e| e.to_string())?;
    Ok(DueReport {
        resolved,
        unquarantined,
    })
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
