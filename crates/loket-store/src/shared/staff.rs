//! Staff sign-in records and the overview's counts, for both backends.

/// Implements `StaffStore` for `$t` over database `$db`.
macro_rules! staff_store {
    ($t:ty, $db:ty) => {
        #[async_trait]
        impl StaffStore for $t {
            async fn list_staff(&self) -> Result<Vec<Staff>> {
                let sql = format!("SELECT {STAFF_COLS} FROM staff ORDER BY name, id");
                let rows: Vec<StaffRow> = sqlx::query_as(&sql).fetch_all(self.reader()).await.map_err(db_err)?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn staff_credentials(&self, email: &str) -> Result<Option<StaffCredentials>> {
                let Some(staff) = self.staff_by_email(email).await? else { return Ok(None) };
                let (password_hash, totp_secret): (Option<String>, Option<String>) =
                    sqlx::query_as("SELECT password_hash, totp_secret FROM staff WHERE id = $1")
                        .bind(staff.id.0)
                        .fetch_one(self.reader())
                        .await
                        .map_err(db_err)?;
                let totp_required = self.totp_roles().await?.contains(&staff.role);
                Ok(Some(StaffCredentials { staff, password_hash, totp_secret, totp_required }))
            }

            async fn set_staff_password(&self, staff: StaffId, hash: &str, by: &Stamp) -> Result<()> {
                let mut tx = self.begin_write().await?;
                let n = sqlx::query("UPDATE staff SET password_hash = $1 WHERE id = $2")
                    .bind(hash)
                    .bind(staff.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .rows_affected();
                if n == 0 {
                    return Err(DomainError::NotFound(format!("staff member {staff}")));
                }
                sqlx::query("DELETE FROM staff_sessions WHERE staff_id = $1").bind(staff.0).execute(&mut *tx).await.map_err(db_err)?;
                // Every other set-password link of theirs is spent with it.
                sqlx::query("UPDATE staff_password_links SET used_at = $1 WHERE staff_id = $2 AND used_at IS NULL")
                    .bind(by.at)
                    .bind(staff.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let entry = AuditEntry { action: "password_set".into(), field: None, old_value: None, new_value: None };
                Self::insert_audit(&mut tx, &format!("staff:{staff}"), None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)
            }

            async fn set_totp(&self, staff: StaffId, secret: Option<&str>, recovery_sha256: &[String], by: &Stamp) -> Result<()> {
                let mut tx = self.begin_write().await?;
                let sql = if secret.is_some() {
                    "UPDATE staff SET totp_secret = $1, totp_last_step = NULL WHERE id = $2 AND totp_secret IS NULL"
                } else {
                    "UPDATE staff SET totp_secret = $1, totp_last_step = NULL WHERE id = $2"
                };
                let n = sqlx::query(sql)
                    .bind(secret)
                    .bind(staff.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .rows_affected();
                if secret.is_some() && n == 0 {
                    return Err(DomainError::conflict("TOTP is set up already; an administrator can reset it"));
                }
                sqlx::query("DELETE FROM staff_recovery_codes WHERE staff_id = $1").bind(staff.0).execute(&mut *tx).await.map_err(db_err)?;
                for code in recovery_sha256 {
                    sqlx::query("INSERT INTO staff_recovery_codes (staff_id, code_sha256) VALUES ($1, $2)")
                        .bind(staff.0)
                        .bind(code)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                }
                let action = if secret.is_some() { "totp_enrol" } else { "totp_remove" };
                let entry = AuditEntry { action: action.into(), field: None, old_value: None, new_value: None };
                Self::insert_audit(&mut tx, &format!("staff:{staff}"), None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)
            }

            async fn use_totp_step(&self, staff: StaffId, step: i64) -> Result<bool> {
                let mut tx = self.begin_write().await?;
                let n = sqlx::query(
                    "UPDATE staff SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
                )
                .bind(step)
                .bind(staff.0)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?
                .rows_affected();
                tx.commit().await.map_err(db_err)?;
                Ok(n == 1)
            }

            async fn use_recovery_code(&self, staff: StaffId, code_sha256: &str, at: DateTime<Utc>) -> Result<bool> {
                let mut tx = self.begin_write().await?;
                let n = sqlx::query(
                    "UPDATE staff_recovery_codes SET used_at = $1 WHERE staff_id = $2 AND code_sha256 = $3 AND used_at IS NULL",
                )
                .bind(at)
                .bind(staff.0)
                .bind(code_sha256)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?
                .rows_affected();
                if n == 1 {
                    let entry = AuditEntry { action: "recovery_code_used".into(), field: None, old_value: None, new_value: None };
                    let by = Stamp { actor: format!("staff:{staff}"), at };
                    Self::insert_audit(&mut tx, &format!("staff:{staff}"), None, &by, &[entry]).await?;
                }
                tx.commit().await.map_err(db_err)?;
                Ok(n == 1)
            }

            async fn create_staff_session(&self, id_sha256: &str, staff: StaffId, stage: SessionStage, at: DateTime<Utc>) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO staff_sessions (id_sha256, staff_id, stage, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
                )
                .bind(id_sha256)
                .bind(staff.0)
                .bind(stage.id())
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                tx.commit().await.map_err(db_err)
            }

            async fn staff_session(
                &self,
                id_sha256: &str,
                now: DateTime<Utc>,
                idle_since: DateTime<Utc>,
                started_since: DateTime<Utc>,
                touch: bool,
            ) -> Result<Option<StaffSessionRecord>> {
                // The session and its staff member in one read (every page asks).
                type Row = (String, Option<String>, DateTime<Utc>, DateTime<Utc>, i64, String, String, String, DateTime<Utc>, bool);
                let row: Option<Row> = sqlx::query_as(
                    "SELECT s.stage, s.pending_secret, s.created_at, s.last_seen_at, \
                     t.id, t.email, t.name, t.role, t.created_at, t.totp_secret IS NOT NULL \
                     FROM staff_sessions s JOIN staff t ON t.id = s.staff_id WHERE s.id_sha256 = $1",
                )
                .bind(id_sha256)
                .fetch_optional(self.reader())
                .await
                .map_err(db_err)?;
                let Some((stage, pending_secret, created_at, last_seen_at, id, email, name, role, staff_created, has_totp)) = row else {
                    return Ok(None);
                };
                if last_seen_at <= idle_since || created_at <= started_since {
                    let mut tx = self.begin_write().await?;
                    sqlx::query("DELETE FROM staff_sessions WHERE last_seen_at <= $1 OR created_at <= $2")
                        .bind(idle_since)
                        .bind(started_since)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    tx.commit().await.map_err(db_err)?;
                    return Ok(None);
                }
                // Written at most once a minute: a page view is a read.
                if touch && now - last_seen_at > chrono::Duration::seconds(60) {
                    let mut tx = self.begin_write().await?;
                    sqlx::query("UPDATE staff_sessions SET last_seen_at = $1 WHERE id_sha256 = $2")
                        .bind(now)
                        .bind(id_sha256)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    tx.commit().await.map_err(db_err)?;
                }
                let staff = Staff { id: StaffId(id), email, name, role: Role::parse(&role)?, created_at: staff_created };
                let Some(stage) = SessionStage::parse(&stage) else { return Ok(None) };
                Ok(Some(StaffSessionRecord { staff, stage, pending_secret, created_at, last_seen_at, has_totp }))
            }

            async fn update_staff_session(
                &self,
                id_sha256: &str,
                stage: SessionStage,
                pending_secret: Option<&str>,
                new_id_sha256: Option<&str>,
            ) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query("UPDATE staff_sessions SET stage = $1, pending_secret = $2, id_sha256 = $3 WHERE id_sha256 = $4")
                    .bind(stage.id())
                    .bind(pending_secret)
                    .bind(new_id_sha256.unwrap_or(id_sha256))
                    .bind(id_sha256)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                tx.commit().await.map_err(db_err)
            }

            async fn delete_staff_session(&self, id_sha256: &str) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query("DELETE FROM staff_sessions WHERE id_sha256 = $1").bind(id_sha256).execute(&mut *tx).await.map_err(db_err)?;
                tx.commit().await.map_err(db_err)
            }

            async fn delete_staff_sessions(&self, staff: StaffId, by: &Stamp) -> Result<u64> {
                let mut tx = self.begin_write().await?;
                let n = sqlx::query("DELETE FROM staff_sessions WHERE staff_id = $1")
                    .bind(staff.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .rows_affected();
                let entry = AuditEntry { action: "sessions_ended".into(), field: None, old_value: None, new_value: Some(n.to_string()) };
                Self::insert_audit(&mut tx, &format!("staff:{staff}"), None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(n)
            }

            async fn totp_roles(&self) -> Result<Vec<Role>> {
                let ids: Vec<String> = sqlx::query_scalar("SELECT role FROM totp_roles ORDER BY role")
                    .fetch_all(self.reader())
                    .await
                    .map_err(db_err)?;
                ids.iter().map(|r| Role::parse(r)).collect()
            }

            async fn set_totp_role(&self, role: Role, required: bool, by: &Stamp) -> Result<()> {
                let mut tx = self.begin_write().await?;
                if required {
                    sqlx::query("INSERT INTO totp_roles (role) VALUES ($1) ON CONFLICT (role) DO NOTHING")
                        .bind(role.id())
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                } else {
                    sqlx::query("DELETE FROM totp_roles WHERE role = $1").bind(role.id()).execute(&mut *tx).await.map_err(db_err)?;
                }
                let entry = AuditEntry {
                    action: "totp_required".into(),
                    field: Some(role.id().into()),
                    old_value: None,
                    new_value: Some(required.to_string()),
                };
                Self::insert_audit(&mut tx, "settings:totp", None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)
            }

            async fn label_counts(&self) -> Result<Vec<(String, i64)>> {
                sqlx::query_as("SELECT label, COUNT(*) FROM ticket_labels GROUP BY label ORDER BY label")
                    .fetch_all(self.reader())
                    .await
                    .map_err(db_err)
            }

            async fn labels_in_use(&self, limit: i64) -> Result<Vec<String>> {
                sqlx::query_scalar("SELECT DISTINCT label FROM ticket_labels ORDER BY label LIMIT $1")
                    .bind(limit.clamp(1, 1000))
                    .fetch_all(self.reader())
                    .await
                    .map_err(db_err)
            }

            async fn canned_replies(&self) -> Result<Vec<CannedReply>> {
                let rows: Vec<(i64, String, String)> = sqlx::query_as("SELECT id, title, body FROM canned_replies ORDER BY title, id")
                    .fetch_all(self.reader())
                    .await
                    .map_err(db_err)?;
                Ok(rows.into_iter().map(|(id, title, body)| CannedReply { id, title, body }).collect())
            }

            async fn save_canned_reply(&self, id: Option<i64>, title: &str, body: &str, by: &Stamp) -> Result<CannedReply> {
                let mut tx = self.begin_write().await?;
                let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM canned_replies WHERE title = $1")
                    .bind(title)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
                if taken.is_some_and(|t| Some(t) != id) {
                    return Err(DomainError::conflict(format!("a canned reply is already called '{title}'")));
                }
                let saved: Option<i64> = match id {
                    Some(id) => sqlx::query_scalar("UPDATE canned_replies SET title = $1, body = $2 WHERE id = $3 RETURNING id")
                        .bind(title)
                        .bind(body)
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_err)?,
                    None => Some(
                        sqlx::query_scalar("INSERT INTO canned_replies (title, body) VALUES ($1, $2) RETURNING id")
                            .bind(title)
                            .bind(body)
                            .fetch_one(&mut *tx)
                            .await
                            .map_err(db_err)?,
                    ),
                };
                let id = saved.ok_or_else(|| DomainError::not_found("canned reply"))?;
                let entry = AuditEntry { action: "canned_reply_saved".into(), field: Some("title".into()), old_value: None, new_value: Some(title.to_owned()) };
                Self::insert_audit(&mut tx, &format!("canned_reply:{id}"), None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(CannedReply { id, title: title.to_owned(), body: body.to_owned() })
            }

            async fn delete_canned_reply(&self, id: i64, by: &Stamp) -> Result<bool> {
                let mut tx = self.begin_write().await?;
                let n = sqlx::query("DELETE FROM canned_replies WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .rows_affected();
                if n > 0 {
                    let entry = AuditEntry { action: "canned_reply_deleted".into(), field: None, old_value: None, new_value: None };
                    Self::insert_audit(&mut tx, &format!("canned_reply:{id}"), None, by, &[entry]).await?;
                }
                tx.commit().await.map_err(db_err)?;
                Ok(n > 0)
            }

            async fn mark_viewing(&self, ticket: TicketId, staff: StaffId, typing: bool, at: DateTime<Utc>) -> Result<()> {
                // Recorded a moment ago with the same typing: no write (the
                // page's script asks every few seconds).
                let recent: Option<(bool, DateTime<Utc>)> =
                    sqlx::query_as("SELECT typing, seen_at FROM ticket_viewers WHERE ticket_id = $1 AND staff_id = $2")
                        .bind(ticket.0)
                        .bind(staff.0)
                        .fetch_optional(self.reader())
                        .await
                        .map_err(db_err)?;
                if recent.is_some_and(|(t, seen)| t == typing && at - seen < chrono::Duration::seconds(15)) {
                    return Ok(());
                }
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO ticket_viewers (ticket_id, staff_id, typing, seen_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (ticket_id, staff_id) DO UPDATE SET typing = excluded.typing, seen_at = excluded.seen_at",
                )
                .bind(ticket.0)
                .bind(staff.0)
                .bind(typing)
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                // Forgotten after a day at the latest, so the table stays small.
                sqlx::query("DELETE FROM ticket_viewers WHERE seen_at < $1")
                    .bind(at - chrono::Duration::days(1))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                tx.commit().await.map_err(db_err)
            }

            async fn viewers(&self, ticket: TicketId, since: DateTime<Utc>) -> Result<Vec<(StaffId, bool)>> {
                let rows: Vec<(i64, bool)> = sqlx::query_as(
                    "SELECT staff_id, typing FROM ticket_viewers WHERE ticket_id = $1 AND seen_at >= $2 ORDER BY staff_id",
                )
                .bind(ticket.0)
                .bind(since)
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                Ok(rows.into_iter().map(|(s, t)| (StaffId(s), t)).collect())
            }

            async fn merge_tickets(&self, from: TicketId, into: TicketId, by: &Stamp) -> Result<()> {
                let mut tx = self.begin_write().await?;
                let merged: Option<i64> = sqlx::query_scalar(
                    "SELECT from_ticket_id FROM ticket_merges WHERE from_ticket_id = $1 OR from_ticket_id = $2",
                )
                .bind(from.0)
                .bind(into.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
                if merged.is_some() {
                    return Err(DomainError::conflict("one of these tickets was merged into another before"));
                }
                let numbers: Vec<(i64, i64)> = sqlx::query_as("SELECT id, number FROM tickets WHERE id = $1 OR id = $2")
                    .bind(from.0)
                    .bind(into.0)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let number = |id: TicketId| numbers.iter().find(|(i, _)| *i == id.0).map(|(_, n)| n.to_string()).unwrap_or_default();
                Self::retarget_search(&mut tx, from.0, into.0).await?;
                for table in ["messages", "attachments", "privacy_incidents"] {
                    sqlx::query(&format!("UPDATE {table} SET ticket_id = $1 WHERE ticket_id = $2"))
                        .bind(into.0)
                        .bind(from.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                }
                sqlx::query(
                    "UPDATE tickets SET status = 'resolved', postponed_until = NULL, updated_at = $1, version = version + 1 WHERE id = $2",
                )
                .bind(by.at)
                .bind(from.0)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                sqlx::query("UPDATE tickets SET updated_at = $1, version = version + 1 WHERE id = $2")
                    .bind(by.at)
                    .bind(into.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                sqlx::query("INSERT INTO ticket_merges (from_ticket_id, into_ticket_id, merged_at) VALUES ($1, $2, $3)")
                    .bind(from.0)
                    .bind(into.0)
                    .bind(by.at)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let gone = AuditEntry { action: "merged_into".into(), field: Some("ticket".into()), old_value: None, new_value: Some(number(into)) };
                Self::insert_audit(&mut tx, &format!("ticket:{from}"), Some(from.0), by, &[gone]).await?;
                let came = AuditEntry { action: "merged_from".into(), field: Some("ticket".into()), old_value: None, new_value: Some(number(from)) };
                Self::insert_audit(&mut tx, &format!("ticket:{into}"), Some(into.0), by, &[came]).await?;
                tx.commit().await.map_err(db_err)
            }

            async fn merged_into(&self, ticket: TicketId) -> Result<Option<Ticket>> {
                // Along a chain (a into b, b into c) to the ticket that lives on.
                let mut at = ticket.0;
                let mut found = None;
                for _ in 0..20 {
                    let into: Option<i64> = sqlx::query_scalar("SELECT into_ticket_id FROM ticket_merges WHERE from_ticket_id = $1")
                        .bind(at)
                        .fetch_optional(self.reader())
                        .await
                        .map_err(db_err)?;
                    match into {
                        Some(id) => {
                            found = Some(id);
                            at = id;
                        }
                        None => break,
                    }
                }
                match found {
                    Some(id) => self.get_ticket(TicketId(id)).await,
                    None => Ok(None),
                }
            }

            async fn ban_sender(&self, pattern: &str, by: &Stamp) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query("INSERT INTO banned_senders (pattern, banned_at, actor) VALUES ($1, $2, $3) ON CONFLICT (pattern) DO NOTHING")
                    .bind(pattern)
                    .bind(by.at)
                    .bind(&by.actor)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let entry = AuditEntry { action: "sender_banned".into(), field: None, old_value: None, new_value: Some(pattern.to_owned()) };
                Self::insert_audit(&mut tx, "settings:banned_senders", None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)
            }

            async fn unban_sender(&self, pattern: &str, by: &Stamp) -> Result<bool> {
                let mut tx = self.begin_write().await?;
                let n = sqlx::query("DELETE FROM banned_senders WHERE pattern = $1")
                    .bind(pattern)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .rows_affected();
                if n > 0 {
                    let entry = AuditEntry { action: "sender_unbanned".into(), field: None, old_value: Some(pattern.to_owned()), new_value: None };
                    Self::insert_audit(&mut tx, "settings:banned_senders", None, by, &[entry]).await?;
                }
                tx.commit().await.map_err(db_err)?;
                Ok(n > 0)
            }

            async fn is_banned(&self, email: &str) -> Result<bool> {
                let domain = email.rsplit_once('@').map(|(_, d)| format!("@{d}")).unwrap_or_default();
                let hit: Option<String> = sqlx::query_scalar("SELECT pattern FROM banned_senders WHERE pattern = $1 OR pattern = $2")
                    .bind(email)
                    .bind(domain)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(db_err)?;
                Ok(hit.is_some())
            }

            async fn banned_senders(&self) -> Result<Vec<(String, DateTime<Utc>, String)>> {
                sqlx::query_as("SELECT pattern, banned_at, actor FROM banned_senders ORDER BY banned_at DESC, pattern")
                    .fetch_all(self.reader())
                    .await
                    .map_err(db_err)
            }

            async fn set_staff_role(&self, staff: StaffId, role: Role, by: &Stamp) -> Result<Staff> {
                let mut tx = self.begin_write().await?;
                // One role change at a time (a row lock on PostgreSQL, the
                // writer on SQLite), so two admins cannot demote each other.
                sqlx::query(
                    "INSERT INTO settings (name, value) VALUES ('lock:staff_roles', '') \
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                )
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                if role != Role::Admin {
                    let others: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff WHERE role = 'admin' AND id <> $1")
                        .bind(staff.0)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    if others == 0 {
                        return Err(DomainError::conflict("the last administrator keeps that role"));
                    }
                }
                let old: Option<String> = sqlx::query_scalar("SELECT role FROM staff WHERE id = $1")
                    .bind(staff.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let old = old.ok_or_else(|| DomainError::not_found(format!("staff member {staff}")))?;
                sqlx::query("UPDATE staff SET role = $1 WHERE id = $2")
                    .bind(role.id())
                    .bind(staff.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let entry = AuditEntry { action: "role".into(), field: Some("role".into()), old_value: Some(old), new_value: Some(role.id().into()) };
                Self::insert_audit(&mut tx, &format!("staff:{staff}"), None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)?;
                self.get_staff(staff).await?.ok_or_else(|| DomainError::not_found(format!("staff member {staff}")))
            }

            async fn add_organisation_domain(&self, id: OrganisationId, domain: &str, by: &Stamp) -> Result<u64> {
                let mut tx = self.begin_write().await?;
                let owner: Option<i64> = sqlx::query_scalar("SELECT organisation_id FROM organisation_domains WHERE domain = $1")
                    .bind(domain)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
                if let Some(o) = owner {
                    let name: String = sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
                        .bind(o)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    return Err(DomainError::conflict(if o == id.0 {
                        format!("{domain} is already a domain of this organisation")
                    } else {
                        format!("{domain} belongs to another organisation: {name}")
                    }));
                }
                let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM organisations WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
                if exists.is_none() {
                    return Err(DomainError::not_found(format!("organisation {id}")));
                }
                sqlx::query("INSERT INTO organisation_domains (domain, organisation_id) VALUES ($1, $2)")
                    .bind(domain)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let literal = domain.replace('!', "!!").replace('%', "!%").replace('_', "!_");
                let joined = sqlx::query("UPDATE contacts SET organisation_id = $1 WHERE organisation_id IS NULL AND email LIKE $2 ESCAPE '!'")
                    .bind(id.0)
                    .bind(format!("%@{literal}"))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .rows_affected();
                // Each ticket that joins says so in its own audit trail.
                sqlx::query(
                    "INSERT INTO audit_events (entity, ticket_id, actor, at, action, field, old_value, new_value) \
                     SELECT 'ticket:' || CAST(id AS TEXT), id, $2, $3, 'organisation_domain', 'organisation', NULL, CAST($1 AS TEXT) \
                     FROM tickets WHERE organisation_id IS NULL \
                     AND requester_id IN (SELECT id FROM contacts WHERE organisation_id = $1)",
                )
                .bind(id.0)
                .bind(&by.actor)
                .bind(by.at)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                // A customer's domain is never banned: a ban of it is lifted.
                let lifted = sqlx::query("DELETE FROM banned_senders WHERE pattern = $1")
                    .bind(format!("@{domain}"))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .rows_affected();
                if lifted > 0 {
                    let entry = AuditEntry { action: "sender_unbanned".into(), field: None, old_value: Some(format!("@{domain}")), new_value: None };
                    Self::insert_audit(&mut tx, "settings:banned_senders", None, by, &[entry]).await?;
                }
                let tickets = sqlx::query(
                    "UPDATE tickets SET organisation_id = $1 WHERE organisation_id IS NULL \
                     AND requester_id IN (SELECT id FROM contacts WHERE organisation_id = $1)",
                )
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?
                .rows_affected();
                let entry = AuditEntry {
                    action: "domain_added".into(),
                    field: Some("domains".into()),
                    old_value: None,
                    new_value: Some(format!("{domain} ({joined} contacts, {tickets} tickets joined)")),
                };
                Self::insert_audit(&mut tx, &format!("organisation:{id}"), None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(joined)
            }

            async fn record_mailbox(&self, name: &str, error: Option<&str>, at: DateTime<Utc>) -> Result<()> {
                let mut tx = self.begin_write().await?;
                let sql = if error.is_some() {
                    "INSERT INTO mailbox_status (name, last_error, last_error_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (name) DO UPDATE SET last_error = excluded.last_error, last_error_at = excluded.last_error_at"
                } else {
                    "INSERT INTO mailbox_status (name, last_ok_at) VALUES ($1, $3) \
                     ON CONFLICT (name) DO UPDATE SET last_ok_at = excluded.last_ok_at"
                };
                sqlx::query(sql)
                    .bind(name)
                    .bind(error.map(|e| e.chars().take(500).collect::<String>()))
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                tx.commit().await.map_err(db_err)
            }

            async fn mailbox_status(&self) -> Result<Vec<MailboxStatus>> {
                type Row = (String, Option<DateTime<Utc>>, Option<String>, Option<DateTime<Utc>>);
                let rows: Vec<Row> = sqlx::query_as("SELECT name, last_ok_at, last_error, last_error_at FROM mailbox_status ORDER BY name")
                    .fetch_all(self.reader())
                    .await
                    .map_err(db_err)?;
                Ok(rows
                    .into_iter()
                    .map(|(name, last_ok_at, error, error_at)| MailboxStatus {
                        name,
                        last_ok_at,
                        last_error: error.zip(error_at),
                    })
                    .collect())
            }

            async fn create_staff_link(
                &self,
                staff: &Staff,
                token_sha256: &str,
                link_token: &str,
                at: DateTime<Utc>,
                expires: DateTime<Utc>,
            ) -> Result<()> {
                let link = (token_sha256, link_token);
                self.create_link(("staff_password_links", "staff_id"), staff.id.0, MailKind::StaffAccess, &staff.email, link, at, expires).await
            }

            async fn staff_link(&self, token_sha256: &str, now: DateTime<Utc>) -> Result<Option<StaffId>> {
                Ok(self.link_owner(("staff_password_links", "staff_id"), token_sha256, now, false).await?.map(StaffId))
            }

            async fn use_staff_link(&self, token_sha256: &str, now: DateTime<Utc>) -> Result<Option<StaffId>> {
                Ok(self.link_owner(("staff_password_links", "staff_id"), token_sha256, now, true).await?.map(StaffId))
            }

            async fn find_contacts(&self, text: &str, limit: i64) -> Result<Vec<Contact>> {
                let escaped: String = text
                    .to_lowercase()
                    .chars()
                    .flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] })
                    .collect();
                let pattern = format!("%{escaped}%");
                let sql = format!(
                    "SELECT {CONTACT_COLS} FROM contacts WHERE lower(email) LIKE $1 ESCAPE '\\' OR lower(name) LIKE $1 ESCAPE '\\' \
                     OR organisation_id IN (SELECT id FROM organisations WHERE lower(name) LIKE $1 ESCAPE '\\') ORDER BY email LIMIT $2"
                );
                let rows: Vec<ContactRow> = sqlx::query_as(&sql)
                    .bind(pattern)
                    .bind(limit.clamp(1, 200))
                    .fetch_all(self.reader())
                    .await
                    .map_err(db_err)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn ticket_counts(&self, me: StaffId) -> Result<TicketCounts> {
                type Row = (String, String, bool, Option<i64>, i64);
                let rows: Vec<Row> = sqlx::query_as(
                    "SELECT department, status, urgent, assignee_id, COUNT(*) FROM tickets WHERE status <> 'resolved' \
                     GROUP BY department, status, urgent, assignee_id",
                )
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                let mut counts = TicketCounts::default();
                let mut places: std::collections::BTreeMap<(usize, usize), i64> = std::collections::BTreeMap::new();
                for (department, status, urgent, assignee, n) in rows {
                    let d = Department::parse(&department)?;
                    let s = Status::parse(&status)?;
                    let di = Department::ALL.iter().position(|x| *x == d).unwrap_or_default();
                    let si = Status::ALL.iter().position(|x| *x == s).unwrap_or_default();
                    *places.entry((di, si)).or_default() += n;
                    if assignee == Some(me.0) {
                        counts.mine += n;
                    }
                    if assignee.is_none() {
                        counts.unassigned += n;
                    }
                    if urgent {
                        counts.urgent += n;
                    }
                    if s == Status::Postponed {
                        counts.waiting += n;
                    }
                }
                counts.by_place = places.into_iter().map(|((d, s), n)| (Department::ALL[d], Status::ALL[s], n)).collect();
                Ok(counts)
            }
        }
    };
}

pub(crate) use staff_store;
