//! Tickets, messages, attachments, audit and search: SQL both backends accept.

/// Implements `TicketStore` for `$t` over database `$db` (inside `shared_store!`).
macro_rules! ticket_store {
    ($t:ty, $db:ty) => {
        #[async_trait]
        impl TicketStore for $t {
            async fn insert_ticket(&self, new: &NewTicketRecord) -> Result<Ticket> {
                self.run_insert(new).await
            }

            async fn insert_tickets(&self, batch: &[NewTicketRecord]) -> Result<Vec<Ticket>> {
                let mut tx = self.begin_write().await?;
                let mut out = Vec::with_capacity(batch.len());
                for new in batch {
                    out.push(Self::insert_ticket_tx(&mut tx, new).await?);
                }
                tx.commit().await.map_err(db_err)?;
                Ok(out)
            }

            async fn get_ticket(&self, id: TicketId) -> Result<Option<Ticket>> {
                self.ticket_where("id", id.0).await
            }

            async fn ticket_by_number(&self, number: TicketNumber) -> Result<Option<Ticket>> {
                self.ticket_where("number", number.0).await
            }

            async fn ticket_for_request(&self, key: &str) -> Result<Option<Ticket>> {
                let id: Option<i64> = sqlx::query_scalar("SELECT ticket_id FROM ticket_requests WHERE key = $1")
                    .bind(key)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(db_err)?;
                match id {
                    Some(id) => self.get_ticket(TicketId(id)).await,
                    None => Ok(None),
                }
            }

            async fn list_tickets(&self, f: &TicketFilter) -> Result<Vec<Ticket>> {
                let mut qb = QueryBuilder::<$db>::new(format!("SELECT {TICKET_COLS} FROM tickets WHERE 1 = 1"));
                if let Some(s) = f.status {
                    qb.push(" AND status = ").push_bind(s.id());
                }
                if let Some(d) = f.department {
                    qb.push(" AND department = ").push_bind(d.id());
                }
                match (f.requester, f.shared) {
                    (Some(r), Some(o)) => {
                        qb.push(" AND (requester_id = ").push_bind(r.0).push(" OR organisation_id = ").push_bind(o.0).push(")");
                    }
                    (Some(r), None) => {
                        qb.push(" AND requester_id = ").push_bind(r.0);
                    }
                    (None, _) => {}
                }
                if let Some(o) = f.organisation {
                    qb.push(" AND organisation_id = ").push_bind(o.0);
                }
                if let Some(a) = f.assignee {
                    qb.push(" AND assignee_id = ").push_bind(a.0);
                }
                if let Some(l) = &f.label {
                    qb.push(" AND id IN (SELECT ticket_id FROM ticket_labels WHERE label = ").push_bind(l.clone()).push(")");
                }
                if let Some(b) = f.before {
                    qb.push(" AND id < ").push_bind(b.0);
                }
                if let Some(a) = f.after {
                    qb.push(" AND id > ").push_bind(a.0);
                }
                if f.open_only && f.status.is_none() {
                    qb.push(" AND status <> 'resolved'");
                }
                if f.unassigned {
                    qb.push(" AND assignee_id IS NULL");
                }
                if f.urgent_only {
                    qb.push(" AND urgent = TRUE");
                }
                if let Some(c) = f.channel {
                    qb.push(" AND channel = ").push_bind(c.id());
                }
                if let Some(at) = f.overdue_at {
                    qb.push(" AND due_at <= ").push_bind(at);
                }
                if let Some(v) = &f.release_version {
                    qb.push(" AND release_version = ").push_bind(v.clone());
                }
                let by_id = if f.oldest_first { "id" } else { "id DESC" };
                let order = if f.by_customer_reaction {
                    " ORDER BY COALESCE(last_customer_at, created_at) DESC, id DESC".to_owned()
                } else if f.urgent_first {
                    format!(" ORDER BY urgent DESC, {by_id}")
                } else {
                    format!(" ORDER BY {by_id}")
                };
                qb.push(order).push(" LIMIT ").push_bind(f.limit.clamp(1, 1000));
                if f.offset > 0 {
                    qb.push(" OFFSET ").push_bind(f.offset.min(100_000));
                }
                let rows: Vec<TicketRow> = qb.build_query_as().fetch_all(self.reader()).await.map_err(db_err)?;
                self.with_labels(rows).await
            }

            async fn apply(&self, c: &TicketChange) -> Result<Applied> {
                self.run_apply(c).await
            }

            async fn messages(&self, ticket: TicketId, include_internal: bool) -> Result<Vec<Message>> {
                let filter = if include_internal { "" } else { " AND kind = 'public'" };
                let sql = format!("SELECT {MESSAGE_COLS} FROM messages WHERE ticket_id = $1{filter} ORDER BY id");
                let rows: Vec<MessageRow> = sqlx::query_as(&sql).bind(ticket.0).fetch_all(self.reader()).await.map_err(db_err)?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn attachments(&self, ticket: TicketId) -> Result<Vec<Attachment>> {
                let sql = format!("SELECT {ATTACHMENT_COLS} FROM attachments WHERE ticket_id = $1 ORDER BY id");
                let rows: Vec<AttachmentRow> = sqlx::query_as(&sql).bind(ticket.0).fetch_all(self.reader()).await.map_err(db_err)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn audit(&self, ticket: TicketId) -> Result<Vec<AuditEvent>> {
                self.audit_of(&format!("ticket:{ticket}")).await
            }

            async fn search(&self, q: &SearchQuery) -> Result<Vec<Ticket>> {
                // Every query is bounded by `query_terms` (ten words, 64 characters each).
                let mut out: Vec<Ticket> = Vec::new();
                if let Some(n) = as_number(&q.text) {
                    if let Some(t) = self.ticket_by_number(n).await? {
                        let shared = q.shared.is_some() && q.shared == t.organisation_id;
                        if q.requester.is_none_or(|r| r == t.requester_id || shared)
                            && q.organisation.is_none_or(|o| Some(o) == t.organisation_id)
                        {
                            out.push(t);
                        }
                    }
                }
                // Whole words first: a common word fills the page from the
                // newest matches at once. Only when they do not fill it are
                // longer words that begin with a query word looked for too
                // (a prefix match reads every match, so it runs only then).
                let page = usize::try_from(q.limit.clamp(1, 500)).unwrap_or(50);
                let mut ids = self.search_ids(q, false).await?;
                if ids.len() < page && loket_core::search::query_terms(&q.text).iter().any(|t| t.prefix) {
                    ids = self.search_ids(q, true).await?;
                }
                if ids.is_empty() {
                    return Ok(out);
                }
                let mut qb = QueryBuilder::<$db>::new(format!("SELECT {TICKET_COLS} FROM tickets WHERE id IN ("));
                let mut sep = qb.separated(", ");
                for id in &ids {
                    sep.push_bind(*id);
                }
                qb.push(") ORDER BY id DESC");
                let rows: Vec<TicketRow> = qb.build_query_as().fetch_all(self.reader()).await.map_err(db_err)?;
                for t in self.with_labels(rows).await? {
                    if !out.iter().any(|o| o.id == t.id) {
                        out.push(t);
                    }
                }
                Ok(out)
            }

            async fn due_postponed(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<TicketId>> {
                let ids: Vec<i64> = sqlx::query_scalar(
                    "SELECT id FROM tickets WHERE status = 'postponed' AND postponed_until <= $1 ORDER BY postponed_until LIMIT $2",
                )
                .bind(now)
                .bind(limit)
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                Ok(ids.into_iter().map(TicketId).collect())
            }

            async fn blob_in_use(&self, sha256: &str) -> Result<bool> {
                let n: i64 = sqlx::query_scalar(
                    "SELECT (SELECT COUNT(*) FROM attachments WHERE sha256 = $1 AND removed_at IS NULL) + \
                     (SELECT COUNT(*) FROM mail_receipts WHERE raw_blob = $1) + \
                     (SELECT COUNT(*) FROM forum_files WHERE sha256 = $1)",
                )
                .bind(sha256)
                .fetch_one(self.reader())
                .await
                .map_err(db_err)?;
                Ok(n > 0)
            }
        }
    };
}

pub(crate) use ticket_store;
