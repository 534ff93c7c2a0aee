//! The outage page's components, outages and updates, for both backends.

/// Implements `OutageStore` for `$t` over database `$db`.
macro_rules! outage_store {
    ($t:ty, $db:ty) => {
        use loket_core::outages::{Component, NewOutage, Outage, OutageKind, OutageState, OutageStore, OutageUpdate};

        type OutageRow = (i64, String, String, String, DateTime<Utc>, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

        impl $t {
            /// Adds an update and queues its mail to every confirmed subscriber
            /// (and, when it resolves the outage, to the requesters of its
            /// linked tickets), inside the caller's transaction.
            async fn insert_outage_update(
                tx: &mut <$db as sqlx::Database>::Connection,
                outage: i64,
                state: OutageState,
                body: &str,
                at: DateTime<Utc>,
            ) -> Result<()> {
                let (update,): (i64,) = sqlx::query_as(
                    "INSERT INTO outage_updates (outage_id, state, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(outage)
                .bind(state.id())
                .bind(body)
                .bind(at)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
                sqlx::query(
                    "INSERT INTO outbox (kind, to_addr, automatic, created_at, outage_update_id) \
                     SELECT 'outage_update', email, TRUE, $1, $2 FROM outage_subscribers \
                     WHERE confirmed_at IS NOT NULL AND unsubscribed_at IS NULL",
                )
                .bind(at)
                .bind(update)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                if state == OutageState::Resolved {
                    sqlx::query(
                        "INSERT INTO outbox (kind, ticket_id, to_addr, automatic, created_at, outage_update_id) \
                         SELECT 'outage_resolved', t.id, c.email, TRUE, $1, $2 FROM outage_tickets ot \
                         JOIN tickets t ON t.id = ot.ticket_id JOIN contacts c ON c.id = t.requester_id WHERE ot.outage_id = $3",
                    )
                    .bind(at)
                    .bind(update)
                    .bind(outage)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                }
                Ok(())
            }

            /// Outages by their rows, with components and updates: two
            /// queries for all of them, whatever their number.
            async fn outages_of(&self, rows: Vec<OutageRow>) -> Result<Vec<Outage>> {
                if rows.is_empty() {
                    return Ok(Vec::new());
                }
                let in_list = |sql: &str, tail: &str| {
                    let mut qb = QueryBuilder::<$db>::new(sql);
                    let mut sep = qb.separated(", ");
                    for r in &rows {
                        sep.push_bind(r.0);
                    }
                    qb.push(tail);
                    qb
                };
                let mut qb = in_list(
                    "SELECT oc.outage_id, c.id, c.name FROM outage_components oc \
                     JOIN status_components c ON c.id = oc.component_id WHERE oc.outage_id IN (",
                    ") ORDER BY c.id",
                );
                let components: Vec<(i64, i64, String)> =
                    qb.build_query_as().fetch_all(self.reader()).await.map_err(db_err)?;
                let mut qb = in_list(
                    "SELECT outage_id, id, state, body, created_at FROM outage_updates WHERE outage_id IN (",
                    ") ORDER BY id DESC",
                );
                let updates: Vec<(i64, i64, String, String, DateTime<Utc>)> =
                    qb.build_query_as().fetch_all(self.reader()).await.map_err(db_err)?;
                let mut out = Vec::with_capacity(rows.len());
                for (id, title, kind, state, starts_at, ends_at, resolved_at) in rows {
                    let bad = |what: &str| DomainError::Storage(format!("outage {id}: bad {what}"));
                    out.push(Outage {
                        id,
                        title,
                        kind: OutageKind::parse(&kind).ok_or_else(|| bad("kind"))?,
                        state: OutageState::parse(&state).ok_or_else(|| bad("state"))?,
                        components: components
                            .iter()
                            .filter(|c| c.0 == id)
                            .map(|(_, cid, name)| Component { id: *cid, name: name.clone() })
                            .collect(),
                        starts_at,
                        ends_at,
                        resolved_at,
                        updates: updates
                            .iter()
                            .filter(|u| u.0 == id)
                            .map(|(_, uid, st, body, at)| {
                                Ok(OutageUpdate {
                                    id: *uid,
                                    state: OutageState::parse(st).ok_or_else(|| bad("update state"))?,
                                    body: body.clone(),
                                    at: *at,
                                })
                            })
                            .collect::<Result<Vec<_>>>()?,
                    });
                }
                Ok(out)
            }
        }

        #[async_trait]
        impl OutageStore for $t {
            async fn create_component(&self, name: &str, by: &Stamp) -> Result<Component> {
                let mut tx = self.begin_write().await?;
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO status_components (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id",
                )
                .bind(name)
                .bind(by.at)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
                let Some(id) = id else {
                    return Err(DomainError::conflict(format!("a component named {name} exists already")));
                };
                tx.commit().await.map_err(db_err)?;
                Ok(Component { id, name: name.to_owned() })
            }

            async fn list_components(&self) -> Result<Vec<Component>> {
                let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM status_components ORDER BY id")
                    .fetch_all(self.reader())
                    .await
                    .map_err(db_err)?;
                Ok(rows.into_iter().map(|(id, name)| Component { id, name }).collect())
            }

            async fn create_outage(&self, n: &NewOutage, by: &Stamp) -> Result<Outage> {
                let mut tx = self.begin_write().await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO outages (title, kind, state, starts_at, ends_at, resolved_at, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(&n.title)
                .bind(n.kind.id())
                .bind(n.state.id())
                .bind(n.starts_at)
                .bind(n.ends_at)
                .bind((n.state == OutageState::Resolved).then_some(by.at))
                .bind(by.at)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
                for c in &n.components {
                    sqlx::query(
                        "INSERT INTO outage_components (outage_id, component_id) \
                         SELECT $1, id FROM status_components WHERE id = $2 ON CONFLICT DO NOTHING",
                    )
                    .bind(id)
                    .bind(c)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                }
                Self::insert_outage_update(&mut tx, id, n.state, &n.body, by.at).await?;
                let entry = AuditEntry { action: "outage_created".into(), field: Some("title".into()), old_value: None, new_value: Some(n.title.clone()) };
                Self::insert_audit(&mut tx, &format!("outage:{id}"), None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)?;
                self.outage(id).await?.ok_or_else(|| DomainError::not_found(format!("outage {id}")))
            }

            async fn add_outage_update(&self, id: i64, state: OutageState, body: &str, by: &Stamp) -> Result<Outage> {
                let mut tx = self.begin_write().await?;
                let n = sqlx::query(
                    "UPDATE outages SET state = $1, resolved_at = CASE WHEN $2 THEN COALESCE(resolved_at, $3) ELSE NULL END \
                     WHERE id = $4",
                )
                .bind(state.id())
                .bind(state == OutageState::Resolved)
                .bind(by.at)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?
                .rows_affected();
                if n == 0 {
                    return Err(DomainError::not_found(format!("outage {id}")));
                }
                Self::insert_outage_update(&mut tx, id, state, body, by.at).await?;
                let entry = AuditEntry { action: "outage_update".into(), field: Some("state".into()), old_value: None, new_value: Some(state.id().into()) };
                Self::insert_audit(&mut tx, &format!("outage:{id}"), None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)?;
                self.outage(id).await?.ok_or_else(|| DomainError::not_found(format!("outage {id}")))
            }

            async fn outage(&self, id: i64) -> Result<Option<Outage>> {
                let rows: Vec<OutageRow> = sqlx::query_as(
                    "SELECT id, title, kind, state, starts_at, ends_at, resolved_at FROM outages WHERE id = $1",
                )
                .bind(id)
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                Ok(self.outages_of(rows).await?.pop())
            }

            async fn subscribe(&self, email: &str, at: DateTime<Utc>) -> Result<(i64, bool)> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO outage_subscribers (email, created_at) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING",
                )
                .bind(email)
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                let (id, confirmed, gone, last): (i64, Option<DateTime<Utc>>, Option<DateTime<Utc>>, Option<DateTime<Utc>>) =
                    sqlx::query_as(
                        "SELECT id, confirmed_at, unsubscribed_at, last_mail_at FROM outage_subscribers WHERE email = $1",
                    )
                    .bind(email)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let active = confirmed.is_some() && gone.is_none();
                let recent = last.is_some_and(|l| at - l < chrono::Duration::hours(1));
                let send = !active && !recent;
                if send {
                    // A renewed subscription is confirmed again.
                    sqlx::query(
                        "UPDATE outage_subscribers SET confirmed_at = NULL, unsubscribed_at = NULL, last_mail_at = $1 WHERE id = $2",
                    )
                    .bind(at)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                }
                tx.commit().await.map_err(db_err)?;
                Ok((id, send))
            }

            async fn queue_subscription_mail(&self, email: &str, link_token: &str, at: DateTime<Utc>) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO outbox (kind, to_addr, automatic, created_at, link_token) VALUES ('outage_subscribe', $1, TRUE, $2, $3)",
                )
                .bind(email)
                .bind(at)
                .bind(link_token)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                Ok(())
            }

            async fn confirm_subscriber(&self, id: i64, at: DateTime<Utc>) -> Result<bool> {
                let mut tx = self.begin_write().await?;
                let n = sqlx::query(
                    "UPDATE outage_subscribers SET confirmed_at = COALESCE(confirmed_at, $1) \
                     WHERE id = $2 AND unsubscribed_at IS NULL AND last_mail_at > $3",
                )
                .bind(at)
                .bind(id)
                .bind(at - chrono::Duration::days(7))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?
                .rows_affected();
                tx.commit().await.map_err(db_err)?;
                Ok(n == 1)
            }

            async fn unsubscribe(&self, id: i64, at: DateTime<Utc>) -> Result<bool> {
                let mut tx = self.begin_write().await?;
                let n = sqlx::query("UPDATE outage_subscribers SET unsubscribed_at = COALESCE(unsubscribed_at, $1) WHERE id = $2")
                    .bind(at)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .rows_affected();
                tx.commit().await.map_err(db_err)?;
                Ok(n == 1)
            }

            async fn subscriber_mailed_at(&self, id: i64) -> Result<Option<DateTime<Utc>>> {
                let at: Option<Option<DateTime<Utc>>> = sqlx::query_scalar("SELECT last_mail_at FROM outage_subscribers WHERE id = $1")
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(db_err)?;
                Ok(at.flatten())
            }

            async fn subscriber_id(&self, email: &str) -> Result<Option<i64>> {
                sqlx::query_scalar("SELECT id FROM outage_subscribers WHERE email = $1")
                    .bind(email)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(db_err)
            }

            async fn outage_update_mail(&self, update: i64) -> Result<Option<loket_core::outages::OutageMail>> {
                let row: Option<(i64, String, String, String, DateTime<Utc>)> = sqlx::query_as(
                    "SELECT o.id, o.title, u.state, u.body, u.created_at FROM outage_updates u JOIN outages o ON o.id = u.outage_id \
                     WHERE u.id = $1",
                )
                .bind(update)
                .fetch_optional(self.reader())
                .await
                .map_err(db_err)?;
                Ok(row.and_then(|(outage, title, state, body, at)| {
                    Some(loket_core::outages::OutageMail { outage, title, state: OutageState::parse(&state)?, body, at })
                }))
            }

            async fn ticket_outages(&self, ticket: TicketId) -> Result<Vec<(i64, String)>> {
                sqlx::query_as(
                    "SELECT o.id, o.title FROM outage_tickets ot JOIN outages o ON o.id = ot.outage_id \
                     WHERE ot.ticket_id = $1 ORDER BY o.id DESC",
                )
                .bind(ticket.0)
                .fetch_all(self.reader())
                .await
                .map_err(db_err)
            }

            async fn linked_tickets(&self) -> Result<Vec<(i64, TicketNumber)>> {
                let rows: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT ot.outage_id, t.number FROM outage_tickets ot JOIN tickets t ON t.id = ot.ticket_id \
                     ORDER BY ot.outage_id, t.number",
                )
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                Ok(rows.into_iter().map(|(o, n)| (o, TicketNumber(n))).collect())
            }

            async fn link_outage_ticket(&self, outage: i64, ticket: TicketId) -> Result<()> {
                let mut tx = self.begin_write().await?;
                let n = sqlx::query(
                    "INSERT INTO outage_tickets (outage_id, ticket_id) SELECT id, $2 FROM outages WHERE id = $1 ON CONFLICT DO NOTHING",
                )
                .bind(outage)
                .bind(ticket.0)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?
                .rows_affected();
                tx.commit().await.map_err(db_err)?;
                if n == 0 && self.outage(outage).await?.is_none() {
                    return Err(DomainError::not_found(format!("outage {outage}")));
                }
                Ok(())
            }

            async fn list_outages(&self, limit: i64, unresolved_only: bool) -> Result<Vec<Outage>> {
                let filter = if unresolved_only { "WHERE resolved_at IS NULL " } else { "" };
                let sql = format!(
                    "SELECT id, title, kind, state, starts_at, ends_at, resolved_at FROM outages {filter}\
                     ORDER BY CASE WHEN resolved_at IS NULL THEN 0 ELSE 1 END, starts_at DESC, id DESC LIMIT $1"
                );
                let rows: Vec<OutageRow> = sqlx::query_as(&sql)
                .bind(limit.clamp(1, 500))
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                self.outages_of(rows).await
            }
        }
    };
}

pub(crate) use outage_store;
