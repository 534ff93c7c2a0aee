//! Tests of the mail crate against real parts: a real store, a real SMTP
//! server (`LOKET_TEST_SMTP_URL` with its capture folder
//! `LOKET_TEST_SMTP_CAPTURE`) and a real IMAP server (`LOKET_TEST_IMAP_*`);
//! the tests that need a server say so and skip when its variables are unset.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod attacks;
mod imap;
mod intake;
mod outbox;
mod props;

use chrono::Utc;
use loket_core::FixedClock;
use loket_core::service::{Limits, Service};
use loket_mail::{Intake, Mailbox};
use loket_store::{FsBlobStore, SqliteStore};
use std::sync::Arc;

pub struct Env {
    pub intake: Intake,
    pub service: Service,
    pub clock: Arc<FixedClock>,
    pub dir: tempfile::TempDir,
}

pub async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = Arc::new(SqliteStore::open(&url).await.unwrap());
    let blobs = Arc::new(FsBlobStore::new(&dir.path().join("blobs")).unwrap());
    let clock = Arc::new(FixedClock::new(Utc::now()));
    let service = Service::new(store, blobs, clock.clone(), Limits::default());
    Env {
        intake: Intake::new(service.clone(), Mailbox::defaults()),
        service,
        clock,
        dir,
    }
}

/// A variable a test needs; `None` (with a note) when unset outside strict CI.
pub fn service_var(name: &str) -> Option<String> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            assert!(
                std::env::var_os("LOKET_TEST_STRICT").is_none(),
                "LOKET_TEST_STRICT is set but {name} is not: CI must not skip"
            );
            eprintln!("{name} is not set: skipping this test");
            None
        }
    }
}
