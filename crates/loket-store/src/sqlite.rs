//! The SQLite backend: WAL, foreign keys, busy timeout, `secure_delete`, durable
//! (`synchronous = FULL`) commits; one writer connection taking `BEGIN IMMEDIATE`
//! and a pool of readers; FTS5 for search.

use crate::shared::shared_store;
use crate::sqlite_writer::WriteOp;
use loket_core::store::SearchQuery;
use loket_core::{DomainError, Result};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, Transaction};
use std::str::FromStr;
use std::time::Duration;
use tokio::sync::oneshot;

/// A store on one SQLite database file.
#[derive(Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    batcher: tokio::sync::mpsc::Sender<WriteOp>,
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `url`
    /// (`sqlite:path` or `sqlite://path`).
    pub async fn open(url: &str) -> Result<Self> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| DomainError::Storage(format!("bad SQLite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("secure_delete", "on")
            .pragma("cache_size", "-16000");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone())
            .await
            .map_err(|e| DomainError::Storage(format!("cannot open SQLite database: {e}")))?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&writer)
            .await
            .map_err(|e| DomainError::Storage(format!("migration failed: {e}")))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts.read_only(true))
            .await
            .map_err(|e| DomainError::Storage(format!("cannot open SQLite database: {e}")))?;
        let batcher = crate::sqlite_writer::spawn(writer.clone());
        let store = Self {
            writer,
            reader,
            batcher,
        };
        store.ensure_search_index().await?;
        Ok(store)
    }

    fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    /// Moves every page of the WAL into the database file and empties the
    /// WAL, so values removed (and, with `secure_delete`, overwritten) are
    /// gone from both files.
    async fn erase_freed_pages(&self) -> Result<()> {
        // Readers in the middle of a query can hold the checkpoint back: try
        // again a few times (the next removal or restart finishes it).
        for _ in 0..10 {
            let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&self.writer)
                .await
                .map_err(crate::rows::db_err)?;
            if busy == 0 {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(DomainError::Storage(
            "the WAL could not be checkpointed: readers kept it busy".into(),
        ))
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        self.writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(crate::rows::db_err)
    }

    /// The next ticket number; a trigger moves the counter on.
    const NEXT_NUMBER: &str = "(SELECT value + 1 FROM counters WHERE name = 'ticket_number')";

    /// Row locks to skip when claiming jobs: none (SQLite has one writer).
    const SKIP_LOCKED: &str = "";

    /// Rows to lock for the rest of a transaction: none needed (one writer).
    const FOR_UPDATE: &str = "";

    /// Indexes a new ticket's document and its first message in one statement.
    async fn index_new_ticket(
        tx: &mut sqlx::SqliteConnection,
        ticket: i64,
        doc: &str,
        message: i64,
        text: &str,
        public: bool,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO search_docs (rowid, body, ticket_id, public) VALUES ($1, $2, $3, 1), ($4, $5, $3, $6)",
        )
        .bind(ticket * 2 + 1)
        .bind(doc)
        .bind(ticket)
        .bind(message * 2)
        .bind(text)
        .bind(i64::from(public))
        .execute(&mut *tx)
        .await
        .map_err(crate::rows::db_err)?;
        Ok(())
    }

    async fn index_ticket(tx: &mut sqlx::SqliteConnection, ticket: i64, doc: &str, fresh: bool) -> Result<()> {
        let rowid = ticket * 2 + 1;
        if !fresh {
            sqlx::query("DELETE FROM search_docs WHERE rowid = $1")
                .bind(rowid)
                .execute(&mut *tx)
                .await
                .map_err(crate::rows::db_err)?;
        }
        sqlx::query("INSERT INTO search_docs (rowid, body, ticket_id, public) VALUES ($1, $2, $3, 1)")
            .bind(rowid)
            .bind(doc)
            .bind(ticket)
            .execute(&mut *tx)
            .await
            .map_err(crate::rows::db_err)?;
        Ok(())
    }

    async fn index_message(
        tx: &mut sqlx::SqliteConnection,
        id: i64,
        ticket: i64,
        text: &str,
        public: bool,
    ) -> Result<()> {
        sqlx::query("INSERT INTO search_docs (rowid, body, ticket_id, public) VALUES ($1, $2, $3, $4)")
            .bind(id * 2)
            .bind(text)
            .bind(ticket)
            .bind(i64::from(public))
            .execute(&mut *tx)
            .await
            .map_err(crate::rows::db_err)?;
        Ok(())
    }

    /// Empties the search index (before it is built again).
    async fn clear_search(tx: &mut sqlx::SqliteConnection) -> Result<()> {
        sqlx::query("DELETE FROM search_docs")
            .execute(&mut *tx)
            .await
            .map_err(crate::rows::db_err)?;
        Ok(())
    }

    /// The search entries of a ticket's messages go with them to another
    /// ticket (a merge); call before the messages move.
    async fn retarget_search(tx: &mut sqlx::SqliteConnection, from: i64, into: i64) -> Result<()> {
        sqlx::query(
            "UPDATE search_docs SET ticket_id = $1 WHERE rowid IN (SELECT id * 2 FROM messages WHERE ticket_id = $2)",
        )
        .bind(into)
        .bind(from)
        .execute(&mut *tx)
        .await
        .map_err(crate::rows::db_err)?;
        Ok(())
    }

    async fn unindex_message(tx: &mut sqlx::SqliteConnection, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM search_docs WHERE rowid = $1")
            .bind(id * 2)
            .execute(&mut *tx)
            .await
            .map_err(crate::rows::db_err)?;
        Ok(())
    }

    async fn run_insert(&self, new: &loket_core::store::NewTicketRecord) -> Result<loket_core::Ticket> {
        let (tx, rx) = oneshot::channel();
        self.batcher
            .send(WriteOp::Insert(Box::new(new.clone()), tx))
            .await
            .map_err(|_| writer_gone())?;
        rx.await.map_err(|_| writer_gone())?
    }

    async fn run_apply(&self, c: &loket_core::store::TicketChange) -> Result<loket_core::store::Applied> {
        let (tx, rx) = oneshot::channel();
        self.batcher
            .send(WriteOp::Apply(Box::new(c.clone()), tx))
            .await
            .map_err(|_| writer_gone())?;
        rx.await.map_err(|_| writer_gone())?
    }

    /// Indexes a forum post's stemmed text (rowid = post id).
    async fn index_forum_post(tx: &mut sqlx::SqliteConnection, post: i64, text: &str) -> Result<()> {
        sqlx::query("INSERT INTO forum_search (rowid, body) VALUES ($1, $2)")
            .bind(post)
            .bind(text)
            .execute(&mut *tx)
            .await
            .map_err(crate::rows::db_err)?;
        Ok(())
    }

    /// Visible topics with a visible post matching every word, newest first.
    async fn forum_search_ids(&self, text: &str, limit: i64) -> Result<Vec<i64>> {
        let m = fts_query(text, true);
        if m.is_empty() {
            return Ok(Vec::new());
        }
        sqlx::query_scalar(
            "SELECT DISTINCT p.topic_id FROM forum_search s JOIN forum_posts p ON p.id = s.rowid \
             JOIN forum_topics t ON t.id = p.topic_id WHERE forum_search MATCH $1 AND p.hidden = FALSE AND t.hidden = FALSE \
             ORDER BY p.topic_id DESC LIMIT $2",
        )
        .bind(&m)
        .bind(limit)
        .fetch_all(&self.reader)
        .await
        .map_err(crate::rows::db_err)
    }

    /// Ticket ids matching a search, newest first.
    async fn search_ids(&self, q: &SearchQuery, prefix: bool) -> Result<Vec<i64>> {
        let m = fts_query(&q.text, prefix);
        if m.is_empty() {
            return Ok(Vec::new());
        }
        let limit = q.limit.clamp(1, 500);
        if q.requester.is_some() || q.organisation.is_some() {
            return sqlx::query_scalar(
                "SELECT DISTINCT search_docs.ticket_id FROM search_docs JOIN tickets t ON t.id = search_docs.ticket_id \
                 WHERE search_docs MATCH $1 AND search_docs.public = 1 \
                 AND ($2 IS NULL OR t.requester_id = $2 OR t.organisation_id = $5) AND ($4 IS NULL OR t.organisation_id = $4) \
                 ORDER BY search_docs.ticket_id DESC LIMIT $3",
            )
            .bind(&m)
            .bind(q.requester.map(|r| r.0))
            .bind(limit)
            .bind(q.organisation.map(|o| o.0))
            .bind(q.shared.map(|o| o.0))
            .fetch_all(&self.reader)
            .await
            .map_err(crate::rows::db_err);
        }
        let hits: Vec<i64> = sqlx::query_scalar(
            "SELECT ticket_id FROM search_docs WHERE search_docs MATCH $1 ORDER BY rowid DESC LIMIT $2",
        )
        .bind(&m)
        .bind(limit * 4)
        .fetch_all(&self.reader)
        .await
        .map_err(crate::rows::db_err)?;
        let mut ids = Vec::with_capacity(hits.len());
        for h in hits {
            if !ids.contains(&h) {
                ids.push(h);
                if ids.len() >= usize::try_from(limit).unwrap_or(50) {
                    break;
                }
            }
        }
        Ok(ids)
    }
}

fn writer_gone() -> DomainError {
    DomainError::Storage("the SQLite writer has stopped".into())
}

/// Turns free text into an FTS5 query: every word must occur, as its Dutch
/// stem, folded ([`loket_core::search::query_terms`]); with `prefix`, a prefix
/// term also finds longer words. Terms hold letters and digits only, so no FTS syntax can be
/// injected.
pub(crate) fn fts_query(text: &str, prefix: bool) -> String {
    loket_core::search::query_syntax(text, '"', if prefix { "*" } else { "" }, " ")
}

shared_store!(SqliteStore, Sqlite);

#[cfg(test)]
mod tests {
    #[test]
    fn fts_query_quotes_terms() {
        assert_eq!(
            super::fts_query("printer \"kapot\" OR x*", true),
            "\"printer\"* \"kapot\"* \"or\" \"x\""
        );
        assert_eq!(super::fts_query("jan@gemeente.nl", true), "\"jan\" \"gemeent\"* \"nl\"");
        assert_eq!(
            super::fts_query("rapportages cliënt", true),
            "\"rapportag\"* \"client\"*"
        );
        assert_eq!(
            super::fts_query("rapportages cliënt", false),
            "\"rapportag\" \"client\""
        );
        assert_eq!(super::fts_query("  -- ** ", true), "");
    }
}
