//! Wish links and wish-list demand, for both backends.

/// Implements `WishStore` for `$t` over database `$db`.
macro_rules! wish_store {
    ($t:ty, $db:ty) => {
        use loket_core::wishes::{WishDemand, WishStore};

        #[async_trait]
        impl WishStore for $t {
            async fn link_wish(&self, ticket: TicketId, wish: TicketId, by: &Stamp) -> Result<()> {
                let mut tx = self.begin_write().await?;
                // Both tickets locked, then checked: two links made at the same
                // moment (A to B, B to A) cannot make a circle or a chain.
                let lock = format!("SELECT id FROM tickets WHERE id IN ($1, $2) ORDER BY id{}", Self::FOR_UPDATE);
                sqlx::query(&lock).bind(ticket.0).bind(wish.0).fetch_all(&mut *tx).await.map_err(db_err)?;
                let tangled: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM wish_links WHERE ticket_id = $1 OR wish_id = $2",
                )
                .bind(wish.0)
                .bind(ticket.0)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
                if tangled > 0 {
                    return Err(DomainError::conflict(
                        "the wish is linked to another wish, or tickets are linked to this one; link to the first wish",
                    ));
                }
                let n = sqlx::query(
                    "INSERT INTO wish_links (ticket_id, wish_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (ticket_id) DO NOTHING",
                )
                .bind(ticket.0)
                .bind(wish.0)
                .bind(by.at)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?
                .rows_affected();
                if n == 0 {
                    return Err(DomainError::conflict("this ticket is linked to a wish already"));
                }
                let entry = AuditEntry {
                    action: "wish_link".into(),
                    field: Some("wish".into()),
                    old_value: None,
                    new_value: Some(wish.to_string()),
                };
                Self::insert_audit(&mut tx, &format!("ticket:{}", ticket.0), Some(ticket.0), by, &[entry]).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(())
            }

            async fn wish_of(&self, ticket: TicketId) -> Result<Option<TicketId>> {
                let id: Option<i64> = sqlx::query_scalar("SELECT wish_id FROM wish_links WHERE ticket_id = $1")
                    .bind(ticket.0)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(db_err)?;
                Ok(id.map(TicketId))
            }

            async fn wish_followers(&self, wish: TicketId) -> Result<Vec<TicketId>> {
                let ids: Vec<i64> = sqlx::query_scalar("SELECT ticket_id FROM wish_links WHERE wish_id = $1 ORDER BY ticket_id")
                    .bind(wish.0)
                    .fetch_all(self.reader())
                    .await
                    .map_err(db_err)?;
                Ok(ids.into_iter().map(TicketId).collect())
            }

            async fn wish_demand(&self, limit: i64) -> Result<Vec<WishDemand>> {
                let rows: Vec<(i64, i64, String, i64, i64)> = sqlx::query_as(
                    "SELECT w.id, w.number, w.subject, \
                     CAST((SELECT COUNT(*) FROM (SELECT DISTINCT COALESCE(t.organisation_id, -t.requester_id) AS o FROM tickets t \
                       WHERE t.id = w.id OR t.id IN (SELECT l.ticket_id FROM wish_links l WHERE l.wish_id = w.id)) asked) AS BIGINT) AS orgs, \
                     CAST((SELECT COUNT(*) FROM wish_links l WHERE l.wish_id = w.id) AS BIGINT) \
                     FROM tickets w WHERE w.department = 'wishlist' \
                     AND NOT EXISTS (SELECT 1 FROM wish_links l WHERE l.ticket_id = w.id) \
                     ORDER BY orgs DESC, w.id LIMIT $1",
                )
                .bind(limit.clamp(1, 1000))
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                Ok(rows
                    .into_iter()
                    .map(|(id, number, subject, organisations, linked)| WishDemand {
                        wish: TicketId(id),
                        number: TicketNumber(number),
                        subject,
                        organisations,
                        linked,
                    })
                    .collect())
            }
        }
    };
}

pub(crate) use wish_store;
