//! The PostgreSQL backend: a connection pool, a sequence for ticket numbers and
//! `tsvector` columns of stemmed, folded text for search.

use crate::shared::shared_store;
use loket_core::store::SearchQuery;
use loket_core::{DomainError, Result};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};
use std::str::FromStr;

/// A store on a PostgreSQL database.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to `url` and migrates; `schema`, when given, is used as the
    /// search path (tests give each run its own).
    pub async fn open(url: &str, schema: Option<&str>) -> Result<Self> {
        let mut opts =
            PgConnectOptions::from_str(url).map_err(|e| DomainError::Storage(format!("bad PostgreSQL URL: {e}")))?;
        if let Some(s) = schema {
            opts = opts.options([("search_path", s)]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(std::time::Duration::from_secs(5))
            .connect_with(opts)
            .await
            .map_err(|e| DomainError::Storage(format!("cannot connect to PostgreSQL: {e}")))?;
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .map_err(|e| DomainError::Storage(format!("migration failed: {e}")))?;
        let store = Self { pool };
        store.ensure_search_index().await?;
        Ok(store)
    }

    fn reader(&self) -> &PgPool {
        &self.pool
    }

    /// Vacuums the tables removed content lived in, so their dead rows are
    /// marked free for reuse (their bytes stay on disk until overwritten,
    /// and in WAL archives and backups: see the README).
    async fn erase_freed_pages(&self) -> Result<()> {
        sqlx::query("VACUUM attachments, messages, mail_receipts")
            .execute(&self.pool)
            .await
            .map_err(crate::rows::db_err)?;
        Ok(())
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(crate::rows::db_err)
    }

    /// The next ticket number.
    const NEXT_NUMBER: &str = "nextval('ticket_number_seq')";

    /// Rows another claim holds are skipped, not waited for.
    const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";

    /// Rows locked for the rest of the transaction.
    const FOR_UPDATE: &str = " FOR UPDATE";

    /// Indexes a new ticket's document and its first message.
    async fn index_new_ticket(
        tx: &mut sqlx::PgConnection,
        ticket: i64,
        doc: &str,
        message: i64,
        text: &str,
        public: bool,
    ) -> Result<()> {
        Self::index_ticket(tx, ticket, doc, true).await?;
        Self::index_message(tx, message, ticket, text, public).await
    }

    /// Stores a ticket's search document; the text is already stemmed and
    /// folded, so the `simple` configuration only splits it into words.
    async fn index_ticket(tx: &mut sqlx::PgConnection, ticket: i64, doc: &str, _fresh: bool) -> Result<()> {
        sqlx::query("UPDATE tickets SET search_doc = to_tsvector('simple', $2) WHERE id = $1")
            .bind(ticket)
            .bind(doc)
            .execute(&mut *tx)
            .await
            .map_err(crate::rows::db_err)?;
        Ok(())
    }

    /// Stores a message's search document (stemmed and folded text).
    async fn index_message(
        tx: &mut sqlx::PgConnection,
        id: i64,
        _ticket: i64,
        text: &str,
        _public: bool,
    ) -> Result<()> {
        sqlx::query("UPDATE messages SET search_doc = to_tsvector('simple', $2) WHERE id = $1")
            .bind(id)
            .bind(text)
            .execute(&mut *tx)
            .await
            .map_err(crate::rows::db_err)?;
        Ok(())
    }

    /// Nothing to empty: building the index again overwrites every document.
    #[allow(clippy::unused_async)]
    async fn clear_search(_: &mut sqlx::PgConnection) -> Result<()> {
        Ok(())
    }

    /// A message's index entry is in its row, which moves with it.
    #[allow(clippy::unused_async)]
    async fn retarget_search(_: &mut sqlx::PgConnection, _: i64, _: i64) -> Result<()> {
        Ok(())
    }

    /// The message row (and its generated index entry) is already deleted.
    #[allow(clippy::unused_async)]
    async fn unindex_message(_: &mut sqlx::PgConnection, _: i64) -> Result<()> {
        Ok(())
    }

    async fn run_insert(&self, new: &loket_core::store::NewTicketRecord) -> Result<loket_core::Ticket> {
        let mut tx = self.begin_write().await?;
        let t = Self::insert_ticket_tx(&mut tx, new).await?;
        tx.commit().await.map_err(crate::rows::db_err)?;
        Ok(t)
    }

    async fn run_apply(&self, c: &loket_core::store::TicketChange) -> Result<loket_core::store::Applied> {
        let mut tx = self.begin_write().await?;
        let a = Self::apply_tx(&mut tx, c).await?;
        tx.commit().await.map_err(crate::rows::db_err)?;
        Ok(a)
    }

    /// Stores a forum post's search document (stemmed and folded text).
    async fn index_forum_post(tx: &mut sqlx::PgConnection, post: i64, text: &str) -> Result<()> {
        sqlx::query("UPDATE forum_posts SET search_doc = to_tsvector('simple', $2) WHERE id = $1")
            .bind(post)
            .bind(text)
            .execute(&mut *tx)
            .await
            .map_err(crate::rows::db_err)?;
        Ok(())
    }

    /// Visible topics with a visible post matching every word, newest first.
    async fn forum_search_ids(&self, text: &str, limit: i64) -> Result<Vec<i64>> {
        let terms = ts_query(text, true);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        sqlx::query_scalar(
            "SELECT DISTINCT p.topic_id FROM forum_posts p JOIN forum_topics t ON t.id = p.topic_id \
             WHERE p.search_doc @@ to_tsquery('simple', $1) AND p.hidden = FALSE AND t.hidden = FALSE \
             ORDER BY p.topic_id DESC LIMIT $2",
        )
        .bind(&terms)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(crate::rows::db_err)
    }

    /// Ticket ids matching a search, newest first.
    async fn search_ids(&self, q: &SearchQuery, prefix: bool) -> Result<Vec<i64>> {
        let terms = ts_query(&q.text, prefix);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let limit = q.limit.clamp(1, 500);
        let kinds = if q.requester.is_some() || q.organisation.is_some() {
            "kind = 'public'"
        } else {
            "kind <> 'event'"
        };
        let sql = format!(
            "SELECT x.id FROM (SELECT ticket_id AS id FROM messages WHERE search_doc @@ to_tsquery('simple', $1) AND {kinds} \
             UNION SELECT id FROM tickets WHERE search_doc @@ to_tsquery('simple', $1)) x \
             JOIN tickets t ON t.id = x.id WHERE ($2::BIGINT IS NULL OR t.requester_id = $2 OR t.organisation_id = $5::BIGINT) \
             AND ($4::BIGINT IS NULL OR t.organisation_id = $4) ORDER BY x.id DESC LIMIT $3"
        );
        sqlx::query_scalar(&sql)
            .bind(&terms)
            .bind(q.requester.map(|r| r.0))
            .bind(limit)
            .bind(q.organisation.map(|o| o.0))
            .bind(q.shared.map(|o| o.0))
            .fetch_all(&self.pool)
            .await
            .map_err(crate::rows::db_err)
    }
}

/// Turns free text into a `tsquery`: every word must occur, as its Dutch stem,
/// folded ([`loket_core::search::query_terms`]); with `prefix`, a prefix term
/// (`:*`) also finds longer words. Terms hold letters and digits only.
fn ts_query(text: &str, prefix: bool) -> String {
    loket_core::search::query_syntax(text, '\'', if prefix { ":*" } else { "" }, " & ")
}

shared_store!(PgStore, Postgres);
