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
    /// The database's URL, so a test can open it a second time.
    pub url: String,
    cleanup: Option<(sqlx::PgPool, String)>,
    _dir: tempfile::TempDir,
}

impl Env {
    async fn with(
        store: Arc<dyn Store>,
        url: String,
        dir: tempfile::TempDir,
        cleanup: Option<(sqlx::PgPool, String)>,
    ) -> Self {
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
            url,
            cleanup,
            _dir: dir,
        }
    }

    /// Runs raw SQL on the database behind the store (`sqlite` or `postgres`,
    /// by backend), as an upgrade or an operator would.
    pub async fn raw_sql(&self, sqlite: &str, postgres: &str) {
        if let Some((pool, schema)) = &self.cleanup {
            let sql = format!("SET search_path TO {schema}; {postgres}");
            sqlx::raw_sql(&sql).execute(pool).await.expect("raw SQL on PostgreSQL");
        } else {
            let pool = sqlx::SqlitePool::connect(&self.url).await.expect("open SQLite");
            sqlx::raw_sql(sqlite).execute(&pool).await.expect("raw SQL on SQLite");
            pool.close().await;
        }
    }

    /// The same database opened a second time (as after a restart).
    pub async fn reopen(&self) -> Arc<dyn Store> {
        match &self.cleanup {
            Some((_, schema)) => Arc::new(PgStore::open(&self.url, Some(schema)).await.expect("reopen postgres")),
            None => Arc::new(SqliteStore::open(&self.url).await.expect("reopen sqlite")),
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
    Env::with(store, url, dir, None).await
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
    Some(Env::with(store, url, tempfile::tempdir().expect("tempdir"), Some((admin, schema))).await)
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
