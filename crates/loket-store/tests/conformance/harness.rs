//! Backends for the suite: a fresh SQLite file or a fresh PostgreSQL schema per test.

use chrono::{TimeZone, Utc};
use loket_core::service::{Actor, Limits, Service};
use loket_core::store::{BlobStore, Store};
use loket_core::{FixedClock, Role};
use loket_store::{FsBlobStore, PgStore, SqliteStore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// One backend under test, with what it needs kept alive.
pub struct Env {
    pub store: Arc<dyn Store>,
    pub blobs: Arc<dyn BlobStore>,
    pub clock: Arc<FixedClock>,
    pub service: Service,
    pub admin: Actor,
    cleanup: Option<(sqlx::PgPool, String)>,
    _dir: tempfile::TempDir,
}

impl Env {
    async fn with(store: Arc<dyn Store>, dir: tempfile::TempDir, cleanup: Option<(sqlx::PgPool, String)>) -> Self {
        let blobs: Arc<dyn BlobStore> = Arc::new(FsBlobStore::new(&dir.path().join("blobs")).expect("blob dir"));
        let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()));
        let service = Service::new(store.clone(), blobs.clone(), clock.clone(), Limits::default());
        let admin = service
            .create_staff(&Actor::System, "beheer@leverancier.nl", "Beheer", Role::Admin)
            .await
            .expect("admin");
        Self {
            store,
            blobs,
            clock,
            service,
            admin: Actor::Staff(admin),
            cleanup,
            _dir: dir,
        }
    }

    /// Drops the PostgreSQL schema (SQLite's folder goes with the value).
    pub async fn finish(self) {
        if let Some((pool, schema)) = &self.cleanup {
            let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                .execute(pool)
                .await;
        }
    }
}

pub async fn sqlite() -> Env {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("loket.db").display());
    let store = Arc::new(SqliteStore::open(&url).await.expect("open sqlite"));
    Env::with(store, dir, None).await
}

static SEQ: AtomicU32 = AtomicU32::new(0);

pub async fn postgres() -> Option<Env> {
    let Ok(url) = std::env::var("LOKET_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("LOKET_TEST_STRICT").is_none(),
            "LOKET_TEST_STRICT is set but LOKET_TEST_POSTGRES_URL is not: CI must not skip"
        );
        eprintln!("LOKET_TEST_POSTGRES_URL is not set: skipping the PostgreSQL run of this test");
        return None;
    };
    let schema = format!(
        "t_{}_{}_{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed),
        Utc::now().timestamp_subsec_nanos()
    );
    let admin = sqlx::PgPool::connect(&url)
        .await
        .expect("connect to LOKET_TEST_POSTGRES_URL");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .expect("create schema");
    let store = Arc::new(PgStore::open(&url, Some(&schema)).await.expect("open postgres"));
    Some(Env::with(store, tempfile::tempdir().expect("tempdir"), Some((admin, schema))).await)
}

/// Runs one async test body on both backends.
macro_rules! both {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let env = $crate::harness::sqlite().await;
                super::$body(&env).await;
                env.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(env) = $crate::harness::postgres().await {
                    super::$body(&env).await;
                    env.finish().await;
                }
            }
        }
    };
}
pub(crate) use both;
