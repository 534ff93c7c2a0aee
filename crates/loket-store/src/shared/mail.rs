//! Mail receipts, quarantine and the outbox: SQL both backends accept.

/// Implements `MailStore` for `$t` over database `$db` (inside `shared_store!`).
macro_rules! mail_store {
    ($t:ty, $db:ty) => {
        #[async_trait]
        impl MailStore for $t {
            async fn receipt_exists(
                &self,
                mailbox: &str,
                imap_uid: Option<(i64, i64)>,
                raw_sha256: &str,
                message_id: Option<&str>,
                sender: Option<&str>,
            ) -> Result<bool> {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM mail_receipts WHERE state = 'stored' AND \
                     ((mailbox = $1 AND uidvalidity = $2 AND uid = $3) OR raw_sha256 = $6 OR \
                      (message_id = $4 AND (sender IS NULL OR sender = $5)))",
                )
                .bind(mailbox)
                .bind(imap_uid.map(|u| u.0))
                .bind(imap_uid.map(|u| u.1))
                .bind(message_id)
                .bind(sender)
                .bind(raw_sha256)
                .fetch_one(self.reader())
                .await
                .map_err(db_err)?;
                Ok(n > 0)
            }

            async fn raw_mail(&self, message: MessageId) -> Result<Option<Vec<u8>>> {
                sqlx::query_scalar("SELECT raw FROM mail_receipts WHERE state = 'stored' AND message_row = $1")
                    .bind(message.0)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(db_err)
            }

            async fn message_id_taken(&self, message_id: &str) -> Result<bool> {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mail_receipts WHERE state = 'stored' AND message_id = $1")
                    .bind(message_id)
                    .fetch_one(self.reader())
                    .await
                    .map_err(db_err)?;
                Ok(n > 0)
            }

            async fn ticket_for_mail_ids(&self, ids: &[String]) -> Result<Option<(TicketId, bool)>> {
                if ids.is_empty() {
                    return Ok(None);
                }
                let mut qb = QueryBuilder::<$db>::new("SELECT ticket_id, 1 AS sent FROM outbox WHERE ticket_id IS NOT NULL AND mail_message_id IN (");
                let mut sep = qb.separated(", ");
                for id in ids {
                    sep.push_bind(id.clone());
                }
                qb.push(") UNION ALL SELECT ticket_id, 0 AS sent FROM messages WHERE mail_message_id IN (");
                let mut sep = qb.separated(", ");
                for id in ids {
                    sep.push_bind(id.clone());
                }
                qb.push(") ORDER BY sent DESC LIMIT 1");
                let found: Option<(i64, i32)> = qb.build_query_as().fetch_optional(self.reader()).await.map_err(db_err)?;
                Ok(found.map(|(t, sent)| (TicketId(t), sent == 1)))
            }

            async fn sent_to(&self, ids: &[String], to: &str) -> Result<bool> {
                if ids.is_empty() {
                    return Ok(false);
                }
                let mut qb = QueryBuilder::<$db>::new("SELECT COUNT(*) FROM outbox WHERE to_addr = ");
                qb.push_bind(to.to_owned()).push(" AND mail_message_id IN (");
                let mut sep = qb.separated(", ");
                for id in ids {
                    sep.push_bind(id.clone());
                }
                qb.push(")");
                let n: i64 = qb.build_query_scalar().fetch_one(self.reader()).await.map_err(db_err)?;
                Ok(n > 0)
            }

            async fn sent_mail_ids(&self, ticket: TicketId, to: &str, limit: i64) -> Result<Vec<(DateTime<Utc>, String)>> {
                let mut rows: Vec<(DateTime<Utc>, String)> = sqlx::query_as(
                    "SELECT created_at, mail_message_id FROM outbox WHERE ticket_id = $1 AND to_addr = $2 \
                     AND state = 'sent' AND mail_message_id IS NOT NULL ORDER BY id DESC LIMIT $3",
                )
                .bind(ticket.0)
                .bind(to)
                .bind(limit)
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                rows.reverse();
                Ok(rows)
            }

            async fn quarantine_mail(&self, r: &MailReceipt, reason: &str, retry_at: Option<DateTime<Utc>>) -> Result<()> {
                let mut tx = self.begin_write().await?;
                // The same bytes, or the same IMAP message (once recorded as too
                // large by its header), have one entry.
                let updated = sqlx::query(
                    "UPDATE mail_receipts SET reason = $1, attempts = attempts + 1, next_attempt_at = $2 \
                     WHERE state = 'quarantined' AND mailbox = $3 AND (raw_sha256 = $4 OR \
                     (uid IS NOT NULL AND uidvalidity = $5 AND uid = $6))",
                )
                .bind(reason)
                .bind(retry_at)
                .bind(&r.mailbox)
                .bind(&r.raw_sha256)
                .bind(r.imap_uid.map(|u| u.0))
                .bind(r.imap_uid.map(|u| u.1))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                if updated.rows_affected() == 0 {
                    sqlx::query(
                        "INSERT INTO mail_receipts (mailbox, message_id, uidvalidity, uid, raw_sha256, received_at, state, reason, \
                         attempts, next_attempt_at, raw, raw_blob, size, sender) VALUES ($1, $2, $3, $4, $5, $6, 'quarantined', $7, 1, $8, $9, $10, $11, $12)",
                    )
                    .bind(&r.mailbox)
                    .bind(&r.message_id)
                    .bind(r.imap_uid.map(|u| u.0))
                    .bind(r.imap_uid.map(|u| u.1))
                    .bind(&r.raw_sha256)
                    .bind(r.received_at)
                    .bind(reason)
                    .bind(retry_at)
                    .bind(r.raw.as_slice())
                    .bind(&r.raw_blob)
                    .bind(i64::try_from(r.size).unwrap_or(i64::MAX))
                    .bind(&r.sender)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                }
                tx.commit().await.map_err(db_err)
            }

            async fn list_quarantine(&self, limit: i64) -> Result<Vec<QuarantinedMail>> {
                let rows: Vec<QuarantineRow> = sqlx::query_as(&format!(
                    "SELECT {QUARANTINE_COLS} FROM mail_receipts WHERE state = 'quarantined' ORDER BY id LIMIT $1"
                ))
                .bind(limit)
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                Ok(rows.into_iter().map(|r| r.into_parts().0).collect())
            }

            async fn due_quarantine(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<(QuarantinedMail, Option<(i64, i64)>)>> {
                let rows: Vec<QuarantineRow> = sqlx::query_as(&format!(
                    "SELECT {QUARANTINE_COLS} FROM mail_receipts WHERE state = 'quarantined' AND next_attempt_at <= $1 \
                     ORDER BY next_attempt_at LIMIT $2"
                ))
                .bind(now)
                .bind(limit)
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                Ok(rows.into_iter().map(QuarantineRow::into_parts).collect())
            }

            async fn quarantine_entry(&self, mailbox: &str, raw_sha256: &str) -> Result<Option<QuarantinedMail>> {
                let row: Option<QuarantineRow> = sqlx::query_as(&format!(
                    "SELECT {QUARANTINE_COLS} FROM mail_receipts WHERE state = 'quarantined' AND mailbox = $1 AND raw_sha256 = $2"
                ))
                .bind(mailbox)
                .bind(raw_sha256)
                .fetch_optional(self.reader())
                .await
                .map_err(db_err)?;
                Ok(row.map(|r| r.into_parts().0))
            }

            async fn quarantined_raw(&self, id: i64) -> Result<Option<(Vec<u8>, Option<String>)>> {
                sqlx::query_as("SELECT raw, raw_blob FROM mail_receipts WHERE id = $1 AND state = 'quarantined'")
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(db_err)
            }

            async fn quarantine_by_id(&self, id: i64) -> Result<Option<(QuarantinedMail, Option<(i64, i64)>)>> {
                let row: Option<QuarantineRow> = sqlx::query_as(&format!(
                    "SELECT {QUARANTINE_COLS} FROM mail_receipts WHERE state = 'quarantined' AND id = $1"
                ))
                .bind(id)
                .fetch_optional(self.reader())
                .await
                .map_err(db_err)?;
                Ok(row.map(QuarantineRow::into_parts))
            }

            async fn defer_quarantine(&self, id: i64, retry_at: Option<DateTime<Utc>>) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query("UPDATE mail_receipts SET next_attempt_at = $1 WHERE id = $2 AND state = 'quarantined'")
                    .bind(retry_at)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                tx.commit().await.map_err(db_err)
            }

            async fn recent_automatic_mails(&self, to: &str, since: DateTime<Utc>) -> Result<i64> {
                sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE automatic AND to_addr = $1 AND created_at >= $2")
                    .bind(to)
                    .bind(since)
                    .fetch_one(self.reader())
                    .await
                    .map_err(db_err)
            }

            async fn claim_outbox(&self, now: DateTime<Utc>, lease_until: DateTime<Utc>, domain: &str, limit: i64) -> Result<Vec<ClaimedMail>> {
                let mut tx = self.begin_write().await?;
                let rows: Vec<(i64, Option<String>, i64)> = sqlx::query_as(
                    "UPDATE outbox SET next_attempt_at = $1, attempts = attempts + 1 \
                     WHERE state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= $2) AND id IN \
                     (SELECT id FROM outbox WHERE state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= $2) ORDER BY id LIMIT $3) \
                     RETURNING id, mail_message_id, CAST(attempts AS BIGINT) AS attempts",
                )
                .bind(lease_until)
                .bind(now)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await
                .map_err(db_err)?;
                let mut claimed = Vec::with_capacity(rows.len());
                for (id, mail_id, attempts) in rows {
                    // Fixed at the first attempt, so a retry sends the same message;
                    // 128 random bits, so nobody can guess the id of another's mail.
                    let mail_id = match mail_id {
                        Some(m) => m,
                        None => {
                            let mut bytes = [0u8; 16];
                            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
                            let m = format!("{}@{domain}", hex::encode(bytes));
                            sqlx::query("UPDATE outbox SET mail_message_id = $1 WHERE id = $2")
                                .bind(&m)
                                .bind(id)
                                .execute(&mut *tx)
                                .await
                                .map_err(db_err)?;
                            m
                        }
                    };
                    claimed.push((id, mail_id, attempts));
                }
                let mut out = Vec::with_capacity(claimed.len());
                for (id, mail_message_id, attempts) in claimed {
                    let row: OutboxRow = sqlx::query_as(&format!("SELECT {OUTBOX_COLS} FROM outbox WHERE id = $1"))
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    let (id, mail) = row.try_into()?;
                    out.push(ClaimedMail { id, mail, mail_message_id, attempts });
                }
                tx.commit().await.map_err(db_err)?;
                out.sort_by_key(|c| c.id);
                Ok(out)
            }

            async fn outbox_sent(&self, id: OutboxId, at: DateTime<Utc>) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query("UPDATE outbox SET state = 'sent', sent_at = $1, last_error = NULL, link_token = NULL WHERE id = $2")
                    .bind(at)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                tx.commit().await.map_err(db_err)
            }

            async fn outbox_failed(&self, id: OutboxId, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<()> {
                let mut tx = self.begin_write().await?;
                let state = if retry_at.is_some() { "pending" } else { "failed" };
                sqlx::query(
                    "UPDATE outbox SET state = $1, last_error = $2, next_attempt_at = $3, \
                     link_token = CASE WHEN $1 = 'failed' THEN NULL ELSE link_token END WHERE id = $4",
                )
                    .bind(state)
                    .bind(error)
                    .bind(retry_at)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                tx.commit().await.map_err(db_err)
            }

            async fn pending_outbox(&self, limit: i64) -> Result<Vec<(OutboxId, OutboxMail)>> {
                let rows: Vec<OutboxRow> = sqlx::query_as(
                    &format!("SELECT {OUTBOX_COLS} FROM outbox WHERE state = 'pending' ORDER BY id LIMIT $1"),
                )
                .bind(limit)
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                rows.into_iter().map(TryInto::try_into).collect()
            }
        }
    };
}

pub(crate) use mail_store;
