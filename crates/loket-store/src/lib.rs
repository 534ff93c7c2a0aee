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
