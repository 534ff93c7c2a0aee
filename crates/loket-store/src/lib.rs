//! Loket's storage: the core's [`Store`] implemented natively for SQLite (the
//! embedded default) and PostgreSQL, chosen by the database URL, plus the
//! attachment [`FsBlobStore`].

mod blobs;
mod postgres;
mod rows;
mod shared;
mod sqlite;
mod sqlite_writer;

pub use blobs::FsBlobStore;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use loket_core::store::Store;
use loket_core::{DomainError, Result};
use std::sync::Arc;

/// Opens the store a database URL names: `sqlite:…` or `postgres://…`.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::open(url, None).await?))
    } else {
        Err(DomainError::invalid(format!(
            "unsupported database URL '{}': use sqlite:PATH or postgres://…",
            url.split('@').next_back().unwrap_or_default()
        )))
    }
}

/// The newest schema migration applied to the database a URL names: `None`
/// when there is no database there yet (or no Loket schema in it). Never
/// creates anything.
pub async fn schema_version(url: &str) -> Result<Option<i64>> {
    use sqlx::Connection;
    use std::str::FromStr;
    const SQL: &str = "SELECT MAX(version) FROM _sqlx_migrations WHERE success";
    let fail = |e: sqlx::Error| DomainError::Storage(format!("cannot read the schema version: {e}"));
    if url.starts_with("sqlite:") {
        let opts = sqlx::sqlite::SqliteConnectOptions::from_str(url)
            .map_err(|e| DomainError::Storage(format!("bad SQLite URL: {e}")))?;
        if !opts.get_filename().exists() {
            return Ok(None);
        }
        let mut c = sqlx::SqliteConnection::connect_with(&opts.read_only(true))
            .await
            .map_err(fail)?;
        Ok(sqlx::query_scalar(SQL).fetch_one(&mut c).await.unwrap_or(None))
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.map_err(fail)?;
        Ok(sqlx::query_scalar(SQL).fetch_one(&mut c).await.unwrap_or(None))
    }
}
