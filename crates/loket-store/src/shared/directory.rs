//! Organisations, contacts, staff and tokens, audit trails of any entity, settings: SQL both backends accept.

/// Implements `DirectoryStore` for `$t` over database `$db` (inside `shared_store!`).
macro_rules! directory_store {
    ($t:ty, $db:ty) => {
        #[async_trait]
        impl DirectoryStore for $t {
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
                    // (`_` and `%` in a domain are matched literally.)
                    let literal = d.replace('!', "!!").replace('%', "!%").replace('_', "!_");
                    sqlx::query("UPDATE contacts SET organisation_id = $1 WHERE organisation_id IS NULL AND email LIKE $2 ESCAPE '!'")
                        .bind(id)
                        .bind(format!("%@{literal}"))
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                }
                // Their tickets without an organisation become the organisation's.
                sqlx::query(
                    "UPDATE tickets SET organisation_id = $1 WHERE organisation_id IS NULL \
                     AND requester_id IN (SELECT id FROM contacts WHERE organisation_id = $1)",
                )
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                let entry = AuditEntry { action: "create".into(), field: Some("domains".into()), old_value: None, new_value: Some(new.domains.join(", ")) };
                Self::insert_audit(&mut tx, &format!("organisation:{id}"), None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(Organisation { id: OrganisationId(id), name: new.name.clone(), domains: new.domains.clone(), share_tickets: false, created_at: now })
            }

            async fn get_organisation(&self, id: OrganisationId) -> Result<Option<Organisation>> {
                let row: Option<(i64, String, bool, DateTime<Utc>)> =
                    sqlx::query_as("SELECT id, name, share_tickets, created_at FROM organisations WHERE id = $1")
                        .bind(id.0)
                        .fetch_optional(self.reader())
                        .await
                        .map_err(db_err)?;
                match row {
                    Some((id, name, share_tickets, created_at)) => Ok(Some(Organisation {
                        id: OrganisationId(id),
                        name,
                        domains: self.org_domains(id).await?,
                        share_tickets,
                        created_at,
                    })),
                    None => Ok(None),
                }
            }

            async fn list_organisations(&self) -> Result<Vec<Organisation>> {
                let rows: Vec<(i64, String, bool, DateTime<Utc>)> =
                    sqlx::query_as("SELECT id, name, share_tickets, created_at FROM organisations ORDER BY name, id")
                        .fetch_all(self.reader())
                        .await
                        .map_err(db_err)?;
                let mut out = Vec::with_capacity(rows.len());
                for (id, name, share_tickets, created_at) in rows {
                    out.push(Organisation { id: OrganisationId(id), name, domains: self.org_domains(id).await?, share_tickets, created_at });
                }
                Ok(out)
            }

            async fn set_ticket_sharing(&self, id: OrganisationId, share: bool, by: &Stamp) -> Result<Organisation> {
                let mut tx = self.begin_write().await?;
                let old: Option<bool> = sqlx::query_scalar("SELECT share_tickets FROM organisations WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let old = old.ok_or_else(|| DomainError::not_found(format!("organisation {id}")))?;
                sqlx::query("UPDATE organisations SET share_tickets = $1 WHERE id = $2")
                    .bind(share)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                if old != share {
                    let entry = AuditEntry { action: "update".into(), field: Some("share_tickets".into()), old_value: Some(old.to_string()), new_value: Some(share.to_string()) };
                    Self::insert_audit(&mut tx, &format!("organisation:{id}"), None, by, &[entry]).await?;
                }
                tx.commit().await.map_err(db_err)?;
                self.get_organisation(id).await?.ok_or_else(|| DomainError::not_found(format!("organisation {id}")))
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
                     authorised = COALESCE($4, authorised), language = COALESCE($6, language), \
                     undeliverable_at = CASE WHEN $7 THEN NULL ELSE undeliverable_at END WHERE id = $5 RETURNING {CONTACT_COLS}"
                );
                let row: ContactRow = sqlx::query_as(&sql)
                    .bind(&patch.name)
                    .bind(patch.organisation_id.is_some())
                    .bind(patch.organisation_id.flatten().map(|o| o.0))
                    .bind(patch.authorised)
                    .bind(id.0)
                    .bind(patch.language.map(Lang::id))
                    .bind(patch.clear_undeliverable)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let new = Contact::from(row);
                // A contact who joins an organisation brings their tickets that
                // belong to none (tickets of another organisation stay its own).
                if let Some(org) = new.organisation_id.filter(|o| Some(*o) != old.organisation_id) {
                    sqlx::query("UPDATE tickets SET organisation_id = $1 WHERE requester_id = $2 AND organisation_id IS NULL")
                        .bind(org.0)
                        .bind(id.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                }
                let opt = |o: Option<OrganisationId>| o.map(|o| o.to_string());
                let fields = [
                    ("name", Some(old.name.clone()), Some(new.name.clone())),
                    ("organisation", opt(old.organisation_id), opt(new.organisation_id)),
                    ("authorised", Some(old.authorised.to_string()), Some(new.authorised.to_string())),
                    ("language", Some(old.language.id().to_string()), Some(new.language.id().to_string())),
                    ("undeliverable", old.undeliverable_at.map(|t| t.to_rfc3339()), new.undeliverable_at.map(|t| t.to_rfc3339())),
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

            async fn add_token(&self, staff: StaffId, token_sha256: &str, expires: Option<DateTime<Utc>>, by: &Stamp) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query("INSERT INTO api_tokens (token_sha256, staff_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                    .bind(token_sha256)
                    .bind(staff.0)
                    .bind(by.at)
                    .bind(expires)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let entry = AuditEntry {
                    action: "token_create".into(),
                    field: Some("token".into()),
                    old_value: None,
                    new_value: Some(token_sha256.chars().take(12).collect()),
                };
                Self::insert_audit(&mut tx, &format!("staff:{staff}"), None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)
            }

            async fn staff_by_token(&self, token_sha256: &str, now: DateTime<Utc>) -> Result<Option<Staff>> {
                let sql = "SELECT s.id, s.email, s.name, s.role, s.created_at FROM staff s \
                           JOIN api_tokens t ON t.staff_id = s.id WHERE t.token_sha256 = $1 \
                           AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)";
                let row: Option<StaffRow> =
                    sqlx::query_as(sql).bind(token_sha256).bind(now).fetch_optional(self.reader()).await.map_err(db_err)?;
                row.map(TryInto::try_into).transpose()
            }

            async fn list_tokens(&self, staff: Option<StaffId>) -> Result<Vec<ApiToken>> {
                #[allow(clippy::type_complexity)]
                let rows: Vec<(String, i64, String, DateTime<Utc>, Option<DateTime<Utc>>, Option<DateTime<Utc>>)> = sqlx::query_as(
                    "SELECT t.token_sha256, t.staff_id, s.email, t.created_at, t.expires_at, t.revoked_at FROM api_tokens t \
                     JOIN staff s ON s.id = t.staff_id WHERE ($1 IS NULL OR t.staff_id = $1) ORDER BY t.created_at DESC",
                )
                .bind(staff.map(|s| s.0))
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                Ok(rows
                    .into_iter()
                    .map(|(sha, staff_id, staff_email, created_at, expires_at, revoked_at)| ApiToken {
                        id: sha.chars().take(12).collect(),
                        staff_id: StaffId(staff_id),
                        staff_email,
                        created_at,
                        expires_at,
                        revoked_at,
                    })
                    .collect())
            }

            async fn revoke_token(&self, id: &str, by: &Stamp) -> Result<bool> {
                let mut tx = self.begin_write().await?;
                let prefix = format!("{}%", id.replace(['%', '_', '!'], ""));
                let revoked: Vec<i64> = sqlx::query_scalar(
                    "UPDATE api_tokens SET revoked_at = $1 WHERE token_sha256 LIKE $2 AND revoked_at IS NULL RETURNING staff_id",
                )
                .bind(by.at)
                .bind(&prefix)
                .fetch_all(&mut *tx)
                .await
                .map_err(db_err)?;
                let entry = AuditEntry { action: "token_revoke".into(), field: Some("token".into()), old_value: Some(id.to_owned()), new_value: None };
                for staff in &revoked {
                    Self::insert_audit(&mut tx, &format!("staff:{staff}"), None, by, std::slice::from_ref(&entry)).await?;
                }
                tx.commit().await.map_err(db_err)?;
                Ok(!revoked.is_empty())
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

            async fn create_access(&self, contact: &Contact, token_sha256: &str, link_token: &str, at: DateTime<Utc>, expires: DateTime<Utc>) -> Result<()> {
                let link = (token_sha256, link_token);
                self.create_link(("access_tokens", "contact_id"), contact.id.0, MailKind::Access, &contact.email, link, at, expires).await
            }

            async fn access_contact(&self, token_sha256: &str, now: DateTime<Utc>) -> Result<Option<ContactId>> {
                Ok(self.link_owner(("access_tokens", "contact_id"), token_sha256, now, false).await?.map(ContactId))
            }

            async fn use_access(&self, token_sha256: &str, now: DateTime<Utc>) -> Result<Option<ContactId>> {
                Ok(self.link_owner(("access_tokens", "contact_id"), token_sha256, now, true).await?.map(ContactId))
            }

            async fn set_password(&self, contact: ContactId, hash: &str, at: DateTime<Utc>) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query("UPDATE contacts SET password_hash = $1, verified_at = COALESCE(verified_at, $2) WHERE id = $3")
                    .bind(hash)
                    .bind(at)
                    .bind(contact.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let ended = sqlx::query("DELETE FROM sessions WHERE contact_id = $1")
                    .bind(contact.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .rows_affected();
                sqlx::query("UPDATE access_tokens SET used_at = $1 WHERE contact_id = $2 AND used_at IS NULL")
                    .bind(at)
                    .bind(contact.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let entry = AuditEntry {
                    action: "password_set".into(),
                    field: Some("sessions_ended".into()),
                    old_value: None,
                    new_value: Some(ended.to_string()),
                };
                let by = Stamp { actor: format!("contact:{contact}"), at };
                Self::insert_audit(&mut tx, &format!("contact:{contact}"), None, &by, &[entry]).await?;
                tx.commit().await.map_err(db_err)
            }

            async fn contact_password(&self, email: &str) -> Result<Option<(Contact, Option<String>)>> {
                let Some(c) = self.contact_by_email(email).await? else { return Ok(None) };
                let hash: Option<String> = sqlx::query_scalar("SELECT password_hash FROM contacts WHERE id = $1")
                    .bind(c.id.0)
                    .fetch_one(self.reader())
                    .await
                    .map_err(db_err)?;
                Ok(Some((c, hash)))
            }

            async fn create_session(&self, id_sha256: &str, contact: ContactId, at: DateTime<Utc>, expires: DateTime<Utc>) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query("INSERT INTO sessions (id_sha256, contact_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                    .bind(id_sha256)
                    .bind(contact.0)
                    .bind(at)
                    .bind(expires)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(at).execute(&mut *tx).await.map_err(db_err)?;
                tx.commit().await.map_err(db_err)
            }

            async fn session_contact(&self, id_sha256: &str, now: DateTime<Utc>) -> Result<Option<Contact>> {
                let id: Option<i64> = sqlx::query_scalar("SELECT contact_id FROM sessions WHERE id_sha256 = $1 AND expires_at > $2")
                    .bind(id_sha256)
                    .bind(now)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(db_err)?;
                match id {
                    Some(id) => self.get_contact(ContactId(id)).await,
                    None => Ok(None),
                }
            }

            async fn delete_session(&self, id_sha256: &str) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query("DELETE FROM sessions WHERE id_sha256 = $1").bind(id_sha256).execute(&mut *tx).await.map_err(db_err)?;
                tx.commit().await.map_err(db_err)
            }

            async fn revoke_follow_links(&self, ticket: TicketId, at: DateTime<Utc>, actor: &str) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO follow_revocations (ticket_id, revoked_at) VALUES ($1, $2) \
                     ON CONFLICT (ticket_id) DO UPDATE SET revoked_at = excluded.revoked_at",
                )
                .bind(ticket.0)
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                let entry = AuditEntry { action: "revoke_follow_links".into(), field: None, old_value: None, new_value: Some(at.to_rfc3339()) };
                Self::insert_audit(&mut tx, &format!("ticket:{ticket}"), Some(ticket.0), &Stamp { actor: actor.to_owned(), at }, &[entry]).await?;
                tx.commit().await.map_err(db_err)
            }

            async fn follow_links_revoked_at(&self, ticket: TicketId) -> Result<Option<DateTime<Utc>>> {
                sqlx::query_scalar("SELECT revoked_at FROM follow_revocations WHERE ticket_id = $1")
                    .bind(ticket.0)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(db_err)
            }

            async fn rate_hit(&self, key: &str, window_start: DateTime<Utc>) -> Result<i64> {
                let mut tx = self.begin_write().await?;
                let hits: i64 = sqlx::query_scalar(
                    "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) \
                     ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1 RETURNING CAST(hits AS BIGINT)",
                )
                .bind(key)
                .bind(window_start)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
                sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
                    .bind(window_start - chrono::Duration::days(1))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                Ok(hits)
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

            async fn clear_undeliverable(&self, email: &str, by: &Stamp) -> Result<bool> {
                let mut tx = self.begin_write().await?;
                let rows: Vec<(i64, DateTime<Utc>)> = sqlx::query_as(
                    "SELECT id, undeliverable_at FROM contacts WHERE email = $1 AND undeliverable_at IS NOT NULL",
                )
                .bind(email)
                .fetch_all(&mut *tx)
                .await
                .map_err(db_err)?;
                sqlx::query("UPDATE contacts SET undeliverable_at = NULL WHERE email = $1")
                    .bind(email)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                for (id, was) in &rows {
                    let entry = AuditEntry { action: "mail_received".into(), field: Some("undeliverable".into()), old_value: Some(was.to_rfc3339()), new_value: None };
                    Self::insert_audit(&mut tx, &format!("contact:{id}"), None, by, &[entry]).await?;
                }
                tx.commit().await.map_err(db_err)?;
                Ok(!rows.is_empty())
            }

            async fn is_undeliverable(&self, email: &str) -> Result<bool> {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contacts WHERE email = $1 AND undeliverable_at IS NOT NULL")
                    .bind(email)
                    .fetch_one(self.reader())
                    .await
                    .map_err(db_err)?;
                Ok(n > 0)
            }
        }
    };
}

pub(crate) use directory_store;
