//! The write helpers the store methods share (messages with attachments and
//! index entries, audit lines, outbox rows, labels, receipts, removals, label
//! and ticket loading): SQL both backends accept.

/// Adds the shared helper methods to `$t` (inside `shared_store!`).
macro_rules! write_helpers {
    ($t:ty, $db:ty) => {
        impl $t {
            /// A one-time link (`table`: `access_tokens` for the portal,
            /// `staff_password_links` for the workspace; `owner` its owner
            /// column) and the mail of `kind` that carries it, in one transaction.
            #[allow(clippy::too_many_arguments, reason = "one statement's values")]
            async fn create_link(
                &self,
                (table, owner): (&str, &str),
                owner_id: i64,
                kind: MailKind,
                to: &str,
                (token_sha256, link_token): (&str, &str),
                at: DateTime<Utc>,
                expires: DateTime<Utc>,
            ) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(&format!(
                    "INSERT INTO {table} (token_sha256, {owner}, created_at, expires_at) VALUES ($1, $2, $3, $4)"
                ))
                .bind(token_sha256)
                .bind(owner_id)
                .bind(at)
                .bind(expires)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                sqlx::query(
                    "INSERT INTO outbox (kind, ticket_id, message_id, to_addr, automatic, created_at, link_token) \
                     VALUES ($1, NULL, NULL, $2, TRUE, $3, $4)",
                )
                .bind(kind.id())
                .bind(to)
                .bind(at)
                .bind(link_token)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                tx.commit().await.map_err(db_err)
            }

            /// The owner of a live one-time link; with `spend`, the link is
            /// used up in the same statement (it works once).
            async fn link_owner(
                &self,
                (table, owner): (&str, &str),
                token_sha256: &str,
                now: DateTime<Utc>,
                spend: bool,
            ) -> Result<Option<i64>> {
                if !spend {
                    return sqlx::query_scalar(&format!(
                        "SELECT {owner} FROM {table} WHERE token_sha256 = $1 AND used_at IS NULL AND expires_at > $2"
                    ))
                    .bind(token_sha256)
                    .bind(now)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(db_err);
                }
                let mut tx = self.begin_write().await?;
                let id: Option<i64> = sqlx::query_scalar(&format!(
                    "UPDATE {table} SET used_at = $2 WHERE token_sha256 = $1 AND used_at IS NULL AND expires_at > $2 RETURNING {owner}"
                ))
                .bind(token_sha256)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                Ok(id)
            }

            async fn labels_of(&self, ids: &[i64]) -> Result<std::collections::HashMap<i64, Vec<String>>> {
                let mut map: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
                if ids.is_empty() {
                    return Ok(map);
                }
                let mut qb = QueryBuilder::<$db>::new("SELECT ticket_id, label FROM ticket_labels WHERE ticket_id IN (");
                let mut sep = qb.separated(", ");
                for id in ids {
                    sep.push_bind(*id);
                }
                qb.push(") ORDER BY label");
                let rows: Vec<(i64, String)> = qb.build_query_as().fetch_all(self.reader()).await.map_err(db_err)?;
                for (id, label) in rows {
                    map.entry(id).or_default().push(label);
                }
                Ok(map)
            }

            async fn with_labels(&self, rows: Vec<TicketRow>) -> Result<Vec<Ticket>> {
                let ids: Vec<i64> = rows.iter().map(TicketRow::id).collect();
                let mut labels = self.labels_of(&ids).await?;
                rows.into_iter().map(|r| {
                    let l = labels.remove(&r.id()).unwrap_or_default();
                    r.into_ticket(l)
                }).collect()
            }

            async fn ticket_where(&self, clause: &str, value: i64) -> Result<Option<Ticket>> {
                let sql = format!("SELECT {TICKET_COLS} FROM tickets WHERE {clause} = $1");
                let row: Option<TicketRow> =
                    sqlx::query_as(&sql).bind(value).fetch_optional(self.reader()).await.map_err(db_err)?;
                match row {
                    Some(r) => Ok(self.with_labels(vec![r]).await?.pop()),
                    None => Ok(None),
                }
            }

            async fn org_domains(&self, id: i64) -> Result<Vec<String>> {
                sqlx::query_scalar("SELECT domain FROM organisation_domains WHERE organisation_id = $1 ORDER BY domain")
                    .bind(id)
                    .fetch_all(self.reader())
                    .await
                    .map_err(db_err)
            }

            async fn insert_message(
                tx: &mut <$db as sqlx::Database>::Connection,
                ticket: i64,
                m: &NewMessage,
                at: DateTime<Utc>,
                index: bool,
            ) -> Result<i64> {
                let (staff, contact) = match m.author {
                    Author::Staff(s) => (Some(s.0), None),
                    Author::Contact(c) => (None, Some(c.0)),
                    Author::System => (None, None),
                };
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO messages (ticket_id, kind, author_staff_id, author_contact_id, body_text, body_html, \
                     mail_message_id, mail_references, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(ticket)
                .bind(m.kind.id())
                .bind(staff)
                .bind(contact)
                .bind(&m.body_text)
                .bind(&m.body_html)
                .bind(&m.mail_message_id)
                .bind(&m.mail_references)
                .bind(at)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
                // Queued for the privacy scan, which decides what it reads.
                if m.kind != MessageKind::Event {
                    sqlx::query("INSERT INTO privacy_pending (message_id) VALUES ($1)")
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                }
                for a in &m.attachments {
                    sqlx::query(
                        "INSERT INTO attachments (ticket_id, message_id, filename, media_type, size, sha256, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(ticket)
                    .bind(id)
                    .bind(&a.filename)
                    .bind(&a.media_type)
                    .bind(a.size)
                    .bind(&a.sha256)
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                }
                if index && m.kind != MessageKind::Event {
                    Self::index_message(tx, id, ticket, &m.search_text, m.kind == MessageKind::Public).await?;
                }
                Ok(id)
            }

            /// Queues a job inside the caller's transaction (one with a key
            /// already queued is skipped); answers whether it was queued.
            pub(crate) async fn insert_job(
                tx: &mut <$db as sqlx::Database>::Connection,
                j: &loket_core::jobs::NewJob,
                at: DateTime<Utc>,
            ) -> Result<bool> {
                let n = sqlx::query(
                    "INSERT INTO jobs (kind, key, payload, run_at, created_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (key) DO NOTHING",
                )
                .bind(&j.kind)
                .bind(&j.key)
                .bind(&j.payload)
                .bind(j.run_at)
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?
                .rows_affected();
                Ok(n == 1)
            }

            pub(crate) async fn insert_ticket_tx(tx: &mut <$db as sqlx::Database>::Connection, new: &NewTicketRecord) -> Result<Ticket> {
                let t = &new.ticket;
                let sql = format!(
                    "INSERT INTO tickets (number, subject, requester_id, organisation_id, channel, mailbox, status, department, \
                     urgent, assignee_id, release_version, work_item, postponed_until, promised_at, created_at, updated_at, \
                     first_response_at, last_customer_at, last_agent_at, due_at, due_kind, sla_check_at, version) \
                     VALUES ({}, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, 1) \
                     RETURNING id, number",
                    Self::NEXT_NUMBER
                );
                let (id, number): (i64, i64) = sqlx::query_as(&sql)
                .bind(&t.subject)
                .bind(t.requester_id.0)
                .bind(t.organisation_id.map(|o| o.0))
                .bind(t.channel.id())
                .bind(&t.mailbox)
                .bind(t.status.id())
                .bind(t.department.id())
                .bind(t.urgent)
                .bind(t.assignee_id.map(|s| s.0))
                .bind(&t.release_version)
                .bind(&t.work_item)
                .bind(t.postponed_until)
                .bind(t.promised_at)
                .bind(t.created_at)
                .bind(t.updated_at)
                .bind(t.first_response_at)
                .bind(t.last_customer_at)
                .bind(t.last_agent_at)
                .bind(t.due_at)
                .bind(t.due_kind.map(|k| k.id()))
                .bind(t.sla_check_at)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
                if !t.labels.is_empty() {
                    Self::write_labels(tx, id, &t.labels).await?;
                }
                let msg = Self::insert_message(tx, id, &new.message, t.created_at, false).await?;
                let public = new.message.kind == MessageKind::Public;
                Self::index_new_ticket(tx, id, &new.search_doc, msg, &new.message.search_text, public).await?;
                let by = Stamp { actor: new.actor.clone(), at: t.created_at };
                Self::insert_audit(tx, &format!("ticket:{id}"), Some(id), &by, &new.audit).await?;
                Self::insert_outbox(tx, id, t.created_at, &new.outbox, &[msg]).await?;
                if let Some(r) = &new.receipt {
                    Self::insert_receipt(tx, r, id, Some(msg)).await?;
                }
                if let Some(key) = &new.request_key {
                    sqlx::query("INSERT INTO ticket_requests (key, ticket_id, created_at) VALUES ($1, $2, $3)")
                        .bind(key)
                        .bind(id)
                        .bind(t.created_at)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                }
                let mut out = t.clone();
                out.id = TicketId(id);
                out.number = TicketNumber(number);
                out.version = 1;
                let event = loket_core::webhooks::event_json("ticket.created", "create", &out, t.created_at);
                Self::queue_webhooks(tx, &event, t.created_at).await?;
                Ok(out)
            }

            /// Applies a change inside the caller's transaction.
            pub(crate) async fn apply_tx(tx: &mut <$db as sqlx::Database>::Connection, c: &TicketChange) -> Result<Applied> {
                let t = &c.after;
                let old: Option<(String, i64)> = sqlx::query_as("SELECT subject, requester_id FROM tickets WHERE id = $1 AND version = $2")
                    .bind(t.id.0)
                    .bind(c.expected_version)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let Some((old_subject, old_requester)) = old else {
                    return Err(DomainError::Stale);
                };
                sqlx::query(
                    "UPDATE tickets SET subject = $1, requester_id = $2, organisation_id = $3, status = $4, department = $5, \
                     urgent = $6, assignee_id = $7, release_version = $8, work_item = $9, postponed_until = $10, \
                     promised_at = $11, updated_at = $12, first_response_at = $13, last_customer_at = $14, \
                     last_agent_at = $15, due_at = $16, due_kind = $17, sla_check_at = $18, version = version + 1 \
                     WHERE id = $19",
                )
                .bind(&t.subject)
                .bind(t.requester_id.0)
                .bind(t.organisation_id.map(|o| o.0))
                .bind(t.status.id())
                .bind(t.department.id())
                .bind(t.urgent)
                .bind(t.assignee_id.map(|s| s.0))
                .bind(&t.release_version)
                .bind(&t.work_item)
                .bind(t.postponed_until)
                .bind(t.promised_at)
                .bind(t.updated_at)
                .bind(t.first_response_at)
                .bind(t.last_customer_at)
                .bind(t.last_agent_at)
                .bind(t.due_at)
                .bind(t.due_kind.map(|k| k.id()))
                .bind(t.sla_check_at)
                .bind(t.id.0)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                Self::write_labels(tx, t.id.0, &t.labels).await?;
                if old_subject != t.subject || old_requester != t.requester_id.0 {
                    Self::reindex_ticket(tx, t.id.0, &t.subject, t.requester_id.0).await?;
                }
                let mut ids = Vec::with_capacity(c.messages.len());
                for m in &c.messages {
                    ids.push(Self::insert_message(tx, t.id.0, m, c.at, true).await?);
                }
                // A decision taken twice stops here, before anything else.
                if let Some(settle) = &c.settle {
                    Self::settle_incident(tx, t.id.0, settle, &c.actor, c.at).await?;
                }
                let orphaned_blobs = Self::remove_content(tx, t.id.0, c).await?;
                let by = Stamp { actor: c.actor.clone(), at: c.at };
                Self::insert_audit(tx, &format!("ticket:{}", t.id.0), Some(t.id.0), &by, &c.audit).await?;
                Self::insert_outbox(tx, t.id.0, c.at, &c.outbox, &ids).await?;
                for j in &c.jobs {
                    Self::insert_job(tx, j, c.at).await?;
                }
                let action = c.audit.first().map_or("change", |a| a.action.as_str());
                let mut after = t.clone();
                after.version = c.expected_version + 1;
                let event = loket_core::webhooks::event_json("ticket.changed", action, &after, c.at);
                Self::queue_webhooks(tx, &event, c.at).await?;
                if let Some(r) = &c.receipt {
                    Self::insert_receipt(tx, r, t.id.0, ids.first().copied()).await?;
                }
                let mut ticket = t.clone();
                ticket.version = c.expected_version + 1;
                Ok(Applied { ticket, message_ids: ids.into_iter().map(MessageId).collect(), orphaned_blobs })
            }

            async fn insert_audit(
                tx: &mut <$db as sqlx::Database>::Connection,
                entity: &str,
                ticket: Option<i64>,
                by: &Stamp,
                entries: &[AuditEntry],
            ) -> Result<()> {
                let (actor, at) = (&by.actor, by.at);
                for e in entries {
                    sqlx::query(
                        "INSERT INTO audit_events (entity, ticket_id, actor, at, action, field, old_value, new_value) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(entity)
                    .bind(ticket)
                    .bind(actor)
                    .bind(at)
                    .bind(&e.action)
                    .bind(&e.field)
                    .bind(&e.old_value)
                    .bind(&e.new_value)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                }
                Ok(())
            }

            async fn insert_outbox(
                tx: &mut <$db as sqlx::Database>::Connection,
                ticket: i64,
                at: DateTime<Utc>,
                mails: &[NewOutbox],
                message_ids: &[i64],
            ) -> Result<()> {
                for m in mails {
                    let msg = m.message.and_then(|i| message_ids.get(i).copied());
                    sqlx::query(
                        // What the mail states is taken from the ticket as this
                        // change leaves it, in the one read of its row.
                        "INSERT INTO outbox (kind, ticket_id, message_id, to_addr, automatic, created_at, postponed_until, due_at, \
                         release_version) \
                         SELECT $1, t.id, $3, COALESCE($4, c.email), $5, $6, t.postponed_until, t.due_at, t.release_version \
                         FROM tickets t JOIN contacts c ON c.id = t.requester_id WHERE t.id = $2",
                    )
                    .bind(m.kind.id())
                    .bind(ticket)
                    .bind(msg)
                    .bind(&m.to)
                    .bind(m.automatic)
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                }
                Ok(())
            }

            /// Records a received mail as stored for a ticket (and the message
            /// it made), replacing its quarantine entry.
            async fn insert_receipt(
                tx: &mut <$db as sqlx::Database>::Connection,
                r: &MailReceipt,
                ticket: i64,
                message: Option<i64>,
            ) -> Result<()> {
                sqlx::query(
                    "DELETE FROM mail_receipts WHERE state = 'quarantined' AND mailbox = $1 AND (raw_sha256 = $2 OR \
                     (uid IS NOT NULL AND uidvalidity = $3 AND uid = $4))",
                )
                    .bind(&r.mailbox)
                    .bind(&r.raw_sha256)
                    .bind(r.imap_uid.map(|u| u.0))
                    .bind(r.imap_uid.map(|u| u.1))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                sqlx::query(
                    "INSERT INTO mail_receipts (mailbox, message_id, uidvalidity, uid, raw_sha256, received_at, state, ticket_id, raw, \
                     sender, message_row) VALUES ($1, $2, $3, $4, $5, $6, 'stored', $7, $8, $9, $10)",
                )
                .bind(&r.mailbox)
                .bind(&r.message_id)
                .bind(r.imap_uid.map(|u| u.0))
                .bind(r.imap_uid.map(|u| u.1))
                .bind(&r.raw_sha256)
                .bind(r.received_at)
                .bind(ticket)
                .bind(r.raw.as_slice())
                .bind(&r.sender)
                .bind(message)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                Ok(())
            }

            async fn write_labels(tx: &mut <$db as sqlx::Database>::Connection, ticket: i64, labels: &[String]) -> Result<()> {
                sqlx::query("DELETE FROM ticket_labels WHERE ticket_id = $1").bind(ticket).execute(&mut *tx).await.map_err(db_err)?;
                for l in labels {
                    sqlx::query("INSERT INTO ticket_labels (ticket_id, label) VALUES ($1, $2)")
                        .bind(ticket)
                        .bind(l)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                }
                Ok(())
            }

            /// Builds the whole search index again when it was made by another
            /// version of [`loket_core::search::index_text`] (after an upgrade);
            /// a store opened on a current index does nothing.
            pub(crate) async fn ensure_search_index(&self) -> Result<()> {
                const KEY: &str = "search_index_version";
                let version = loket_core::search::INDEX_VERSION;
                let found: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
                    .bind(KEY)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(db_err)?;
                if found.as_deref() == Some(version) {
                    return Ok(());
                }
                let mut tx = self.begin_write().await?;
                Self::clear_search(&mut tx).await?;
                let mut after = 0_i64;
                loop {
                    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
                        "SELECT t.id, t.subject, c.email, c.name FROM tickets t JOIN contacts c ON c.id = t.requester_id \
                         WHERE t.id > $1 ORDER BY t.id LIMIT 500",
                    )
                    .bind(after)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    let Some(last) = rows.last() else { break };
                    after = last.0;
                    for (id, subject, email, name) in &rows {
                        Self::index_ticket(&mut tx, *id, &ticket_doc(subject, email, name), true).await?;
                    }
                }
                after = 0;
                loop {
                    let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(
                        "SELECT id, ticket_id, body_text, kind FROM messages WHERE id > $1 AND kind <> 'event' ORDER BY id LIMIT 500",
                    )
                    .bind(after)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    let Some(last) = rows.last() else { break };
                    after = last.0;
                    for (id, ticket, body, kind) in &rows {
                        let text = loket_core::search::index_text(body);
                        Self::index_message(&mut tx, *id, *ticket, &text, kind == MessageKind::Public.id()).await?;
                    }
                }
                sqlx::query(
                    "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                )
                .bind(KEY)
                .bind(version)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                tx.commit().await.map_err(db_err)
            }

            async fn reindex_ticket(
                tx: &mut <$db as sqlx::Database>::Connection,
                ticket: i64,
                subject: &str,
                requester: i64,
            ) -> Result<()> {
                let (email, name): (String, String) = sqlx::query_as("SELECT email, name FROM contacts WHERE id = $1")
                    .bind(requester)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_err)?;
                Self::index_ticket(tx, ticket, &ticket_doc(subject, &email, &name), false).await
            }

            /// Empties the stored mail a message came from (keeping its hash);
            /// answers the blob key of its complete bytes, when it had one.
            async fn drop_raw_mail(tx: &mut <$db as sqlx::Database>::Connection, message: i64) -> Result<Vec<String>> {
                let blobs: Vec<Option<String>> = sqlx::query_scalar(
                    "SELECT raw_blob FROM mail_receipts WHERE message_row = $1",
                )
                .bind(message)
                .fetch_all(&mut *tx)
                .await
                .map_err(db_err)?;
                sqlx::query("UPDATE mail_receipts SET raw = $1, raw_blob = NULL WHERE message_row = $2")
                    .bind(Vec::<u8>::new())
                    .bind(message)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                Ok(blobs.into_iter().flatten().collect())
            }

            /// Records the decision on a proposed privacy incident of the ticket.
            async fn settle_incident(
                tx: &mut <$db as sqlx::Database>::Connection,
                ticket: i64,
                settle: &Settle,
                actor: &str,
                at: DateTime<Utc>,
            ) -> Result<()> {
                let n = sqlx::query(
                    "UPDATE privacy_incidents SET state = $1, decided_by = $2, decided_at = $3 \
                     WHERE id = $4 AND ticket_id = $5 AND state = 'proposed'",
                )
                .bind(settle.state.id())
                .bind(actor)
                .bind(at)
                .bind(settle.incident)
                .bind(ticket)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?
                .rows_affected();
                if n == 0 {
                    return Err(DomainError::conflict("this privacy incident was already decided"));
                }
                Ok(())
            }

            /// Marks attachments removed and answers the blob keys no live attachment uses.
            async fn remove_content(
                tx: &mut <$db as sqlx::Database>::Connection,
                ticket: i64,
                change: &TicketChange,
            ) -> Result<Vec<String>> {
                let mut shas: Vec<String> = Vec::new();
                for m in &change.remove_messages {
                    let found: Vec<String> = sqlx::query_scalar(
                        "UPDATE attachments SET removed_at = $1, removed_by = $2, removal_reason = $3, message_id = NULL \
                         WHERE message_id = $4 AND ticket_id = $5 AND removed_at IS NULL RETURNING sha256",
                    )
                    .bind(change.at)
                    .bind(&change.actor)
                    .bind("bericht definitief verwijderd")
                    .bind(m.0)
                    .bind(ticket)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    shas.extend(found);
                    let gone = sqlx::query("DELETE FROM messages WHERE id = $1 AND ticket_id = $2")
                        .bind(m.0)
                        .bind(ticket)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    if gone.rows_affected() == 0 {
                        return Err(DomainError::not_found(format!("message {m}")));
                    }
                    // The mail it came from goes too (its identity stays, so the
                    // same mail is still recognised and not taken in again).
                    shas.extend(Self::drop_raw_mail(tx, m.0).await?);
                    Self::unindex_message(tx, m.0).await?;
                }
                for (a, reason) in &change.remove_attachments {
                    let sha: Option<String> = sqlx::query_scalar(
                        "UPDATE attachments SET removed_at = $1, removed_by = $2, removal_reason = $3 \
                         WHERE id = $4 AND ticket_id = $5 AND removed_at IS NULL RETURNING sha256",
                    )
                    .bind(change.at)
                    .bind(&change.actor)
                    .bind(reason)
                    .bind(a.0)
                    .bind(ticket)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    shas.push(sha.ok_or_else(|| DomainError::not_found(format!("attachment {a}")))?);
                    // The stored mail holds a copy of the file: it goes (its
                    // hash stays, so the mail is still recognised).
                    let message: Option<i64> = sqlx::query_scalar("SELECT message_id FROM attachments WHERE id = $1")
                        .bind(a.0)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    if let Some(m) = message {
                        shas.extend(Self::drop_raw_mail(tx, m).await?);
                    }
                }
                shas.sort();
                shas.dedup();
                let mut orphaned = Vec::new();
                for sha in shas {
                    let live: i64 = sqlx::query_scalar(
                        "SELECT (SELECT COUNT(*) FROM attachments WHERE sha256 = $1 AND removed_at IS NULL) + \
                         (SELECT COUNT(*) FROM mail_receipts WHERE raw_blob = $1) + \
                     (SELECT COUNT(*) FROM forum_files WHERE sha256 = $1)",
                    )
                        .bind(&sha)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    if live == 0 {
                        orphaned.push(sha);
                    }
                }
                Ok(orphaned)
            }
        }

    };
}

pub(crate) use write_helpers;
