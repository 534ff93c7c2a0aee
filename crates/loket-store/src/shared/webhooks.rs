//! Webhooks and their delivery log, for both backends.

/// Implements `WebhookStore` for `$t` over database `$db`.
macro_rules! webhook_store {
    ($t:ty, $db:ty) => {
        use loket_core::webhooks::{Delivery, Webhook, WebhookStore};

        impl $t {
            /// Queues one delivery job per active webhook for `event` (JSON),
            /// inside the caller's transaction.
            pub(crate) async fn queue_webhooks(
                tx: &mut <$db as sqlx::Database>::Connection,
                event: &str,
                at: DateTime<Utc>,
            ) -> Result<()> {
                sqlx::query(
                    "INSERT INTO jobs (kind, payload, run_at, created_at) \
                     SELECT 'webhook', '{\"webhook\":' || CAST(id AS TEXT) || ',\"event\":' || $1 || '}', $2, $2 \
                     FROM webhooks WHERE active = TRUE",
                )
                .bind(event)
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                Ok(())
            }
        }

        #[async_trait]
        impl WebhookStore for $t {
            async fn create_webhook(&self, url: &str, secret: &str, by: &Stamp) -> Result<Webhook> {
                let mut tx = self.begin_write().await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO webhooks (url, secret, active, created_at) VALUES ($1, $2, TRUE, $3) RETURNING id",
                )
                .bind(url)
                .bind(secret)
                .bind(by.at)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
                let entry = AuditEntry {
                    action: "webhook_created".into(),
                    field: Some("url".into()),
                    old_value: None,
                    new_value: Some(url.to_owned()),
                };
                Self::insert_audit(&mut tx, &format!("webhook:{id}"), None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(Webhook { id, url: url.to_owned(), active: true, created_at: by.at })
            }

            async fn list_webhooks(&self) -> Result<Vec<Webhook>> {
                let rows: Vec<(i64, String, bool, DateTime<Utc>)> =
                    sqlx::query_as("SELECT id, url, active, created_at FROM webhooks ORDER BY id")
                        .fetch_all(self.reader())
                        .await
                        .map_err(db_err)?;
                Ok(rows
                    .into_iter()
                    .map(|(id, url, active, created_at)| Webhook { id, url, active, created_at })
                    .collect())
            }

            async fn webhook_with_secret(&self, id: i64) -> Result<Option<(Webhook, String)>> {
                let row: Option<(i64, String, bool, DateTime<Utc>, String)> =
                    sqlx::query_as("SELECT id, url, active, created_at, secret FROM webhooks WHERE id = $1")
                        .bind(id)
                        .fetch_optional(self.reader())
                        .await
                        .map_err(db_err)?;
                Ok(row.map(|(id, url, active, created_at, secret)| (Webhook { id, url, active, created_at }, secret)))
            }

            async fn set_webhook_active(&self, id: i64, active: bool, by: &Stamp) -> Result<bool> {
                let mut tx = self.begin_write().await?;
                let n = sqlx::query("UPDATE webhooks SET active = $1 WHERE id = $2")
                    .bind(active)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .rows_affected();
                if n == 1 {
                    let entry = AuditEntry {
                        action: "webhook_active".into(),
                        field: Some("active".into()),
                        old_value: None,
                        new_value: Some(active.to_string()),
                    };
                    Self::insert_audit(&mut tx, &format!("webhook:{id}"), None, by, &[entry]).await?;
                }
                tx.commit().await.map_err(db_err)?;
                Ok(n == 1)
            }

            async fn log_delivery(&self, d: &Delivery) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO webhook_deliveries (webhook_id, job_id, attempt, status, error, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(d.webhook)
                .bind(d.job)
                .bind(d.attempt)
                .bind(d.status)
                .bind(&d.error)
                .bind(d.at)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                Ok(())
            }

            async fn failures_in_a_row(&self, webhook: i64) -> Result<i64> {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = $1 AND error IS NOT NULL AND id > \
                     COALESCE((SELECT MAX(id) FROM webhook_deliveries WHERE webhook_id = $1 AND error IS NULL), 0)",
                )
                .bind(webhook)
                .fetch_one(self.reader())
                .await
                .map_err(db_err)
            }

            async fn deliveries(&self, limit: i64) -> Result<Vec<Delivery>> {
                let rows: Vec<(i64, i64, i64, Option<i64>, Option<String>, DateTime<Utc>)> = sqlx::query_as(
                    "SELECT webhook_id, job_id, CAST(attempt AS BIGINT), CAST(status AS BIGINT), error, created_at \
                     FROM webhook_deliveries ORDER BY id DESC LIMIT $1",
                )
                .bind(limit.clamp(1, 1000))
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                Ok(rows
                    .into_iter()
                    .map(|(webhook, job, attempt, status, error, at)| Delivery { webhook, job, attempt, status, error, at })
                    .collect())
            }
        }
    };
}

pub(crate) use webhook_store;
