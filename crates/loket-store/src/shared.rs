//! The store implementation both backends share: SQL text that SQLite and
//! PostgreSQL both accept, written once. Each backend supplies the few
//! dialect-specific parts (write transactions, ticket numbers, full-text index)
//! as inherent methods, and instantiates this with `shared_store!`.

/// Implements [`loket_core::store::Store`] for `$t` over database `$db`.
macro_rules! shared_store {
    ($t:ty, $db:ty) => {
        use $crate::rows::*;
        use async_trait::async_trait;
        use chrono::{DateTime, Utc};
        use loket_core::store::*;
        use loket_core::*;
        use sqlx::QueryBuilder;

        impl $t {
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
                    Self::index_message(tx, id, ticket, &m.body_text, m.kind == MessageKind::Public).await?;
                }
                Ok(id)
            }

            pub(crate) async fn insert_ticket_tx(tx: &mut <$db as sqlx::Database>::Connection, new: &NewTicketRecord) -> Result<Ticket> {
                let t = &new.ticket;
                let sql = format!(
                    "INSERT INTO tickets (number, subject, requester_id, organisation_id, channel, mailbox, status, department, \
                     urgent, assignee_id, release_version, work_item, postponed_until, promised_at, created_at, updated_at, \
                     first_response_at, last_customer_at, last_agent_at, version) \
                     VALUES ({}, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 1) RETURNING id, number",
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
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
                if !t.labels.is_empty() {
                    Self::write_labels(tx, id, &t.labels).await?;
                }
                let msg = Self::insert_message(tx, id, &new.message, t.created_at, false).await?;
                let public = new.message.kind == MessageKind::Public;
                let doc = ticket_doc(&t.subject, &new.requester_label);
                Self::index_new_ticket(tx, id, &doc, msg, &new.message.body_text, public).await?;
                let by = Stamp { actor: new.actor.clone(), at: t.created_at };
                Self::insert_audit(tx, &format!("ticket:{id}"), Some(id), &by, &new.audit).await?;
                Self::insert_outbox(tx, id, t.created_at, &new.outbox, &[msg]).await?;
                if let Some(r) = &new.receipt {
                    Self::insert_receipt(tx, r, id).await?;
                }
                let mut out = t.clone();
                out.id = TicketId(id);
                out.number = TicketNumber(number);
                out.version = 1;
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
                     last_agent_at = $15, version = version + 1 WHERE id = $16",
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
                let orphaned_blobs = Self::remove_content(tx, t.id.0, c).await?;
                let by = Stamp { actor: c.actor.clone(), at: c.at };
                Self::insert_audit(tx, &format!("ticket:{}", t.id.0), Some(t.id.0), &by, &c.audit).await?;
                Self::insert_outbox(tx, t.id.0, c.at, &c.outbox, &ids).await?;
                if let Some(r) = &c.receipt {
                    Self::insert_receipt(tx, r, t.id.0).await?;
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
                        "INSERT INTO outbox (kind, ticket_id, message_id, to_addr, automatic, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
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

            /// Records a received mail as stored for a ticket, replacing its quarantine entry.
            async fn insert_receipt(tx: &mut <$db as sqlx::Database>::Connection, r: &MailReceipt, ticket: i64) -> Result<()> {
                sqlx::query("DELETE FROM mail_receipts WHERE state = 'quarantined' AND mailbox = $1 AND raw_sha256 = $2")
                    .bind(&r.mailbox)
                    .bind(&r.raw_sha256)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                sqlx::query(
                    "INSERT INTO mail_receipts (mailbox, message_id, uidvalidity, uid, raw_sha256, received_at, state, ticket_id, raw) \
                     VALUES ($1, $2, $3, $4, $5, $6, 'stored', $7, $8)",
                )
                .bind(&r.mailbox)
                .bind(&r.message_id)
                .bind(r.imap_uid.map(|u| u.0))
                .bind(r.imap_uid.map(|u| u.1))
                .bind(&r.raw_sha256)
                .bind(r.received_at)
                .bind(ticket)
                .bind(r.raw.as_slice())
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
                Self::index_ticket(tx, ticket, &ticket_doc(subject, &format!("{email} {name}")), false).await
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
                    .bind("message removed")
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
                }
                shas.sort();
                shas.dedup();
                let mut orphaned = Vec::new();
                for sha in shas {
                    let live: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attachments WHERE sha256 = $1 AND removed_at IS NULL")
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

        #[async_trait]
        impl Store for $t {
            async fn create_organisation(&self, new: &NewOrganisation, by: &Stamp) -> Result<Organisation> {
                let now = by.at;
                let mut tx = self.begin_write().await?;
                let id: i64 = sqlx::query_scalar("INSERT INTO organisations (name, created_at) VALUES ($1, $2) RETURNING id")
                    .bind(&new.name)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_err)?;
                for d in &new.domains {
                    sqlx::query("INSERT INTO organisation_domains (domain, organisation_id) VALUES ($1, $2)")
                        .bind(d)
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    // Contacts of that domain without an organisation join it.
                    sqlx::query("UPDATE contacts SET organisation_id = $1 WHERE organisation_id IS NULL AND email LIKE $2")
                        .bind(id)
                        .bind(format!("%@{d}"))
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                }
                let entry = AuditEntry { action: "create".into(), field: Some("domains".into()), old_value: None, new_value: Some(new.domains.join(", ")) };
                Self::insert_audit(&mut tx, &format!("organisation:{id}"), None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(Organisation { id: OrganisationId(id), name: new.name.clone(), domains: new.domains.clone(), created_at: now })
            }

            async fn get_organisation(&self, id: OrganisationId) -> Result<Option<Organisation>> {
                let row: Option<(i64, String, DateTime<Utc>)> =
                    sqlx::query_as("SELECT id, name, created_at FROM organisations WHERE id = $1")
                        .bind(id.0)
                        .fetch_optional(self.reader())
                        .await
                        .map_err(db_err)?;
                match row {
                    Some((id, name, created_at)) => Ok(Some(Organisation {
                        id: OrganisationId(id),
                        name,
                        domains: self.org_domains(id).await?,
                        created_at,
                    })),
                    None => Ok(None),
                }
            }

            async fn list_organisations(&self) -> Result<Vec<Organisation>> {
                let rows: Vec<(i64, String, DateTime<Utc>)> =
                    sqlx::query_as("SELECT id, name, created_at FROM organisations ORDER BY name, id")
                        .fetch_all(self.reader())
                        .await
                        .map_err(db_err)?;
                let mut out = Vec::with_capacity(rows.len());
                for (id, name, created_at) in rows {
                    out.push(Organisation { id: OrganisationId(id), name, domains: self.org_domains(id).await?, created_at });
                }
                Ok(out)
            }

            async fn organisation_for_domain(&self, domain: &str) -> Result<Option<OrganisationId>> {
                let id: Option<i64> = sqlx::query_scalar("SELECT organisation_id FROM organisation_domains WHERE domain = $1")
                    .bind(domain)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(db_err)?;
                Ok(id.map(OrganisationId))
            }

            async fn ensure_contact(&self, email: &str, name: &str, now: DateTime<Utc>) -> Result<Contact> {
                let sql = format!("SELECT {CONTACT_COLS} FROM contacts WHERE email = $1");
                let existing: Option<ContactRow> =
                    sqlx::query_as(&sql).bind(email).fetch_optional(self.reader()).await.map_err(db_err)?;
                if let Some(c) = existing {
                    let c = Contact::from(c);
                    if c.name.is_empty() && !name.is_empty() {
                        let patch = ContactPatch { name: Some(name.to_owned()), ..ContactPatch::default() };
                        return self.update_contact(c.id, &patch, &Stamp { actor: "system".into(), at: now }).await;
                    }
                    return Ok(c);
                }
                let org = self.organisation_for_domain(email_domain(email)).await?;
                let sql = format!(
                    "INSERT INTO contacts (email, name, organisation_id, authorised, created_at) VALUES ($1, $2, $3, FALSE, $4) \
                     ON CONFLICT (email) DO UPDATE SET email = excluded.email RETURNING {CONTACT_COLS}"
                );
                let mut tx = self.begin_write().await?;
                let row: ContactRow = sqlx::query_as(&sql)
                    .bind(email)
                    .bind(name)
                    .bind(org.map(|o| o.0))
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                Ok(row.into())
            }

            async fn get_contact(&self, id: ContactId) -> Result<Option<Contact>> {
                let sql = format!("SELECT {CONTACT_COLS} FROM contacts WHERE id = $1");
                let row: Option<ContactRow> = sqlx::query_as(&sql).bind(id.0).fetch_optional(self.reader()).await.map_err(db_err)?;
                Ok(row.map(Into::into))
            }

            async fn contact_by_email(&self, email: &str) -> Result<Option<Contact>> {
                let sql = format!("SELECT {CONTACT_COLS} FROM contacts WHERE email = $1");
                let row: Option<ContactRow> = sqlx::query_as(&sql).bind(email).fetch_optional(self.reader()).await.map_err(db_err)?;
                Ok(row.map(Into::into))
            }

            async fn list_contacts(&self, organisation: Option<OrganisationId>, limit: i64) -> Result<Vec<Contact>> {
                let mut qb = QueryBuilder::<$db>::new(format!("SELECT {CONTACT_COLS} FROM contacts"));
                if let Some(o) = organisation {
                    qb.push(" WHERE organisation_id = ").push_bind(o.0);
                }
                qb.push(" ORDER BY email LIMIT ").push_bind(limit);
                let rows: Vec<ContactRow> = qb.build_query_as().fetch_all(self.reader()).await.map_err(db_err)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn update_contact(&self, id: ContactId, patch: &ContactPatch, by: &Stamp) -> Result<Contact> {
                let mut tx = self.begin_write().await?;
                let sql = format!("SELECT {CONTACT_COLS} FROM contacts WHERE id = $1");
                let old: Option<ContactRow> = sqlx::query_as(&sql).bind(id.0).fetch_optional(&mut *tx).await.map_err(db_err)?;
                let old = Contact::from(old.ok_or_else(|| DomainError::not_found(format!("contact {id}")))?);
                let sql = format!(
                    "UPDATE contacts SET name = COALESCE($1, name), \
                     organisation_id = CASE WHEN $2 THEN $3 ELSE organisation_id END, \
                     authorised = COALESCE($4, authorised), language = COALESCE($6, language) WHERE id = $5 RETURNING {CONTACT_COLS}"
                );
                let row: ContactRow = sqlx::query_as(&sql)
                    .bind(&patch.name)
                    .bind(patch.organisation_id.is_some())
                    .bind(patch.organisation_id.flatten().map(|o| o.0))
                    .bind(patch.authorised)
                    .bind(id.0)
                    .bind(patch.language.map(Lang::id))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let new = Contact::from(row);
                let opt = |o: Option<OrganisationId>| o.map(|o| o.to_string());
                let fields = [
                    ("name", Some(old.name.clone()), Some(new.name.clone())),
                    ("organisation", opt(old.organisation_id), opt(new.organisation_id)),
                    ("authorised", Some(old.authorised.to_string()), Some(new.authorised.to_string())),
                    ("language", Some(old.language.id().to_string()), Some(new.language.id().to_string())),
                ];
                let entries: Vec<AuditEntry> = fields
                    .into_iter()
                    .filter(|(_, a, b)| a != b)
                    .map(|(f, a, b)| AuditEntry { action: "update".into(), field: Some(f.into()), old_value: a, new_value: b })
                    .collect();
                Self::insert_audit(&mut tx, &format!("contact:{id}"), None, by, &entries).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(new)
            }

            async fn create_staff(&self, new: &NewStaff, by: &Stamp) -> Result<Staff> {
                let now = by.at;
                let mut tx = self.begin_write().await?;
                let sql = format!("INSERT INTO staff (email, name, role, created_at) VALUES ($1, $2, $3, $4) RETURNING {STAFF_COLS}");
                let row: StaffRow = sqlx::query_as(&sql)
                    .bind(&new.email)
                    .bind(&new.name)
                    .bind(new.role.id())
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let entry = AuditEntry { action: "create".into(), field: Some("role".into()), old_value: None, new_value: Some(new.role.id().into()) };
                Self::insert_audit(&mut tx, &format!("staff:{}", row.id()), None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)?;
                row.try_into()
            }

            async fn get_staff(&self, id: StaffId) -> Result<Option<Staff>> {
                let sql = format!("SELECT {STAFF_COLS} FROM staff WHERE id = $1");
                let row: Option<StaffRow> = sqlx::query_as(&sql).bind(id.0).fetch_optional(self.reader()).await.map_err(db_err)?;
                row.map(TryInto::try_into).transpose()
            }

            async fn staff_by_email(&self, email: &str) -> Result<Option<Staff>> {
                let sql = format!("SELECT {STAFF_COLS} FROM staff WHERE email = $1");
                let row: Option<StaffRow> = sqlx::query_as(&sql).bind(email).fetch_optional(self.reader()).await.map_err(db_err)?;
                row.map(TryInto::try_into).transpose()
            }

            async fn add_token(&self, staff: StaffId, token_sha256: &str, by: &Stamp) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query("INSERT INTO api_tokens (token_sha256, staff_id, created_at) VALUES ($1, $2, $3)")
                    .bind(token_sha256)
                    .bind(staff.0)
                    .bind(by.at)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let entry = AuditEntry { action: "token_create".into(), field: None, old_value: None, new_value: None };
                Self::insert_audit(&mut tx, &format!("staff:{staff}"), None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)
            }

            async fn staff_by_token(&self, token_sha256: &str) -> Result<Option<Staff>> {
                let sql = "SELECT s.id, s.email, s.name, s.role, s.created_at FROM staff s \
                           JOIN api_tokens t ON t.staff_id = s.id WHERE t.token_sha256 = $1";
                let row: Option<StaffRow> =
                    sqlx::query_as(sql).bind(token_sha256).fetch_optional(self.reader()).await.map_err(db_err)?;
                row.map(TryInto::try_into).transpose()
            }

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

            async fn list_tickets(&self, f: &TicketFilter) -> Result<Vec<Ticket>> {
                let mut qb = QueryBuilder::<$db>::new(format!("SELECT {TICKET_COLS} FROM tickets WHERE 1 = 1"));
                if let Some(s) = f.status {
                    qb.push(" AND status = ").push_bind(s.id());
                }
                if let Some(d) = f.department {
                    qb.push(" AND department = ").push_bind(d.id());
                }
                if let Some(r) = f.requester {
                    qb.push(" AND requester_id = ").push_bind(r.0);
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
                qb.push(" ORDER BY id DESC LIMIT ").push_bind(f.limit.clamp(1, 1000));
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

            async fn audit_of(&self, entity: &str) -> Result<Vec<AuditEvent>> {
                let rows: Vec<AuditRow> = sqlx::query_as(
                    "SELECT entity, ticket_id, actor, at, action, field, old_value, new_value FROM audit_events WHERE entity = $1 ORDER BY id",
                )
                .bind(entity)
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn search(&self, q: &SearchQuery) -> Result<Vec<Ticket>> {
                let mut out: Vec<Ticket> = Vec::new();
                if let Some(n) = as_number(&q.text) {
                    if let Some(t) = self.ticket_by_number(n).await? {
                        if q.requester.is_none_or(|r| r == t.requester_id) {
                            out.push(t);
                        }
                    }
                }
                let ids = self.search_ids(q).await?;
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

            async fn receipt_exists(&self, mailbox: &str, imap_uid: Option<(i64, i64)>, message_id: Option<&str>) -> Result<bool> {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM mail_receipts WHERE state = 'stored' AND \
                     ((mailbox = $1 AND uidvalidity = $2 AND uid = $3) OR message_id = $4)",
                )
                .bind(mailbox)
                .bind(imap_uid.map(|u| u.0))
                .bind(imap_uid.map(|u| u.1))
                .bind(message_id)
                .fetch_one(self.reader())
                .await
                .map_err(db_err)?;
                Ok(n > 0)
            }

            async fn ticket_for_mail_ids(&self, ids: &[String]) -> Result<Option<TicketId>> {
                if ids.is_empty() {
                    return Ok(None);
                }
                let mut qb = QueryBuilder::<$db>::new("SELECT ticket_id FROM messages WHERE mail_message_id IN (");
                let mut sep = qb.separated(", ");
                for id in ids {
                    sep.push_bind(id.clone());
                }
                qb.push(") UNION ALL SELECT ticket_id FROM outbox WHERE mail_message_id IN (");
                let mut sep = qb.separated(", ");
                for id in ids {
                    sep.push_bind(id.clone());
                }
                qb.push(") LIMIT 1");
                let found: Option<i64> = qb.build_query_scalar().fetch_optional(self.reader()).await.map_err(db_err)?;
                Ok(found.map(TicketId))
            }

            async fn quarantine_mail(&self, r: &MailReceipt, reason: &str, retry_at: DateTime<Utc>) -> Result<()> {
                let mut tx = self.begin_write().await?;
                let updated = sqlx::query(
                    "UPDATE mail_receipts SET reason = $1, attempts = attempts + 1, next_attempt_at = $2 \
                     WHERE state = 'quarantined' AND mailbox = $3 AND raw_sha256 = $4",
                )
                .bind(reason)
                .bind(retry_at)
                .bind(&r.mailbox)
                .bind(&r.raw_sha256)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                if updated.rows_affected() == 0 {
                    sqlx::query(
                        "INSERT INTO mail_receipts (mailbox, message_id, uidvalidity, uid, raw_sha256, received_at, state, reason, \
                         attempts, next_attempt_at, raw) VALUES ($1, $2, $3, $4, $5, $6, 'quarantined', $7, 1, $8, $9)",
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

            async fn quarantined_raw(&self, id: i64) -> Result<Option<Vec<u8>>> {
                sqlx::query_scalar("SELECT raw FROM mail_receipts WHERE id = $1 AND state = 'quarantined'")
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(db_err)
            }

            async fn defer_quarantine(&self, id: i64, retry_at: DateTime<Utc>) -> Result<()> {
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
                let rows: Vec<(i64, String, i64, Option<i64>, String, bool, String, i64)> = sqlx::query_as(
                    "UPDATE outbox SET next_attempt_at = $1, attempts = attempts + 1, \
                     mail_message_id = COALESCE(mail_message_id, 'loket.' || CAST(id AS TEXT) || '.' || $2 || '@' || $3) \
                     WHERE state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= $4) AND id IN \
                     (SELECT id FROM outbox WHERE state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= $4) ORDER BY id LIMIT $5) \
                     RETURNING id, kind, ticket_id, message_id, to_addr, automatic, mail_message_id, CAST(attempts AS BIGINT)",
                )
                .bind(lease_until)
                .bind(now.timestamp_micros().to_string())
                .bind(domain)
                .bind(now)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await
                .map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                let mut out = Vec::with_capacity(rows.len());
                for (id, kind, ticket, message, to, automatic, mail_message_id, attempts) in rows {
                    out.push(ClaimedMail {
                        id: OutboxId(id),
                        mail: OutboxMail { kind: MailKind::parse(&kind)?, ticket_id: TicketId(ticket), message_id: message.map(MessageId), to, automatic },
                        mail_message_id,
                        attempts,
                    });
                }
                out.sort_by_key(|c| c.id);
                Ok(out)
            }

            async fn outbox_sent(&self, id: OutboxId, at: DateTime<Utc>) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query("UPDATE outbox SET state = 'sent', sent_at = $1, last_error = NULL WHERE id = $2")
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
                sqlx::query("UPDATE outbox SET state = $1, last_error = $2, next_attempt_at = $3 WHERE id = $4")
                    .bind(state)
                    .bind(error)
                    .bind(retry_at)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                tx.commit().await.map_err(db_err)
            }

            async fn secret(&self, name: &str) -> Result<Vec<u8>> {
                let found: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
                    .bind(name)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(db_err)?;
                let hex_value = match found {
                    Some(v) => v,
                    None => {
                        let mut bytes = [0u8; 32];
                        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
                        let mut tx = self.begin_write().await?;
                        sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                            .bind(name)
                            .bind(hex::encode(bytes))
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err)?;
                        let v: String = sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
                            .bind(name)
                            .fetch_one(&mut *tx)
                            .await
                            .map_err(db_err)?;
                        tx.commit().await.map_err(db_err)?;
                        v
                    }
                };
                hex::decode(hex_value).map_err(|e| DomainError::Storage(format!("setting {name} is corrupt: {e}")))
            }

            async fn mark_undeliverable(&self, email: &str, at: DateTime<Utc>) -> Result<()> {
                let mut tx = self.begin_write().await?;
                let ids: Vec<i64> = sqlx::query_scalar("UPDATE contacts SET undeliverable_at = $1 WHERE email = $2 RETURNING id")
                    .bind(at)
                    .bind(email)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let entry = AuditEntry { action: "bounce".into(), field: Some("undeliverable".into()), old_value: None, new_value: Some(at.to_rfc3339()) };
                for id in ids {
                    Self::insert_audit(&mut tx, &format!("contact:{id}"), None, &Stamp { actor: "system".into(), at }, std::slice::from_ref(&entry)).await?;
                }
                tx.commit().await.map_err(db_err)
            }

            async fn is_undeliverable(&self, email: &str) -> Result<bool> {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contacts WHERE email = $1 AND undeliverable_at IS NOT NULL")
                    .bind(email)
                    .fetch_one(self.reader())
                    .await
                    .map_err(db_err)?;
                Ok(n > 0)
            }

            async fn pending_outbox(&self, limit: i64) -> Result<Vec<(OutboxId, OutboxMail)>> {
                let rows: Vec<OutboxRow> = sqlx::query_as(
                    "SELECT id, kind, ticket_id, message_id, to_addr, automatic FROM outbox WHERE state = 'pending' ORDER BY id LIMIT $1",
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

pub(crate) use shared_store;
