//! Versions and their change documents, for both backends.

/// Implements `ReleaseStore` for `$t` over database `$db`.
macro_rules! release_store {
    ($t:ty, $db:ty) => {
        use loket_core::releases::{Release, ReleaseDraft, ReleaseKind, ReleaseStore};

        /// Columns of `releases` in [`ReleaseRow`] order.
        const RELEASE_COLS: &str = "id, version, kind, planned_on, released_at, notes, created_at, updated_at";
        type ReleaseRow = (
            i64,
            String,
            String,
            Option<chrono::NaiveDate>,
            Option<DateTime<Utc>>,
            String,
            DateTime<Utc>,
            DateTime<Utc>,
        );

        fn release_of(r: ReleaseRow) -> Result<Release> {
            let (id, version, kind, planned_on, released_at, notes, created_at, updated_at) = r;
            Ok(Release {
                kind: ReleaseKind::parse(&kind)
                    .ok_or_else(|| DomainError::Storage(format!("release {version}: bad kind '{kind}'")))?,
                id,
                version,
                planned_on,
                released_at,
                notes,
                created_at,
                updated_at,
            })
        }

        #[async_trait]
        impl ReleaseStore for $t {
            async fn create_release(&self, d: &ReleaseDraft, by: &Stamp) -> Result<Release> {
                let mut tx = self.begin_write().await?;
                let sql = format!(
                    "INSERT INTO releases (version, kind, planned_on, notes, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (version) DO NOTHING RETURNING {RELEASE_COLS}"
                );
                let row: Option<ReleaseRow> = sqlx::query_as(&sql)
                    .bind(&d.version)
                    .bind(d.kind.id())
                    .bind(d.planned_on)
                    .bind(&d.notes)
                    .bind(by.at)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let Some(row) = row else {
                    return Err(DomainError::conflict(format!("version {} exists already", d.version)));
                };
                let entry = AuditEntry {
                    action: "release_created".into(),
                    field: Some("version".into()),
                    old_value: None,
                    new_value: Some(d.version.clone()),
                };
                Self::insert_audit(&mut tx, &format!("release:{}", row.0), None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)?;
                release_of(row)
            }

            async fn update_release(&self, d: &ReleaseDraft, by: &Stamp) -> Result<Release> {
                let mut tx = self.begin_write().await?;
                let sql = format!(
                    "UPDATE releases SET kind = $1, planned_on = $2, notes = $3, updated_at = $4 WHERE version = $5 \
                     RETURNING {RELEASE_COLS}"
                );
                let row: Option<ReleaseRow> = sqlx::query_as(&sql)
                    .bind(d.kind.id())
                    .bind(d.planned_on)
                    .bind(&d.notes)
                    .bind(by.at)
                    .bind(&d.version)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let Some(row) = row else {
                    return Err(DomainError::not_found(format!("version {}", d.version)));
                };
                let entry = AuditEntry {
                    action: "release_updated".into(),
                    field: None,
                    old_value: None,
                    new_value: None,
                };
                Self::insert_audit(&mut tx, &format!("release:{}", row.0), None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)?;
                release_of(row)
            }

            async fn release(&self, version: &str) -> Result<Option<Release>> {
                let row: Option<ReleaseRow> = sqlx::query_as(&format!("SELECT {RELEASE_COLS} FROM releases WHERE version = $1"))
                    .bind(version)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(db_err)?;
                row.map(release_of).transpose()
            }

            async fn list_releases(
                &self,
                released_only: bool,
                query: Option<&str>,
                with_notes: bool,
                limit: i64,
            ) -> Result<Vec<Release>> {
                let cols = if with_notes {
                    RELEASE_COLS.to_owned()
                } else {
                    RELEASE_COLS.replace("notes", "'' AS notes")
                };
                let mut qb = QueryBuilder::<$db>::new(format!("SELECT {cols} FROM releases WHERE 1 = 1"));
                if released_only {
                    qb.push(" AND released_at IS NOT NULL");
                }
                if let Some(q) = query.map(str::trim).filter(|q| !q.is_empty()) {
                    // Words must all occur, in the number or the notes, in any case.
                    for word in q.split_whitespace().take(10) {
                        let like = format!(
                            "%{}%",
                            word.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
                        );
                        // The same LOWER on both sides: PostgreSQL's knows every
                        // letter, SQLite's only ASCII ones (É matches É there).
                        qb.push(" AND (LOWER(version) LIKE LOWER(")
                            .push_bind(like.clone())
                            .push(") ESCAPE '\\' OR LOWER(notes) LIKE LOWER(")
                            .push_bind(like)
                            .push(") ESCAPE '\\')");
                    }
                }
                qb.push(" ORDER BY COALESCE(released_at, created_at) DESC, id DESC LIMIT ")
                    .push_bind(limit.clamp(1, 500));
                let rows: Vec<ReleaseRow> = qb.build_query_as().fetch_all(self.reader()).await.map_err(db_err)?;
                rows.into_iter().map(release_of).collect()
            }

            async fn release_ticket_counts(&self) -> Result<std::collections::HashMap<String, i64>> {
                let rows: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT release_version, CAST(COUNT(*) AS BIGINT) FROM tickets WHERE release_version IS NOT NULL \
                     GROUP BY release_version",
                )
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                Ok(rows.into_iter().collect())
            }

            async fn mark_released(&self, version: &str, job: &loket_core::jobs::NewJob, by: &Stamp) -> Result<bool> {
                let mut tx = self.begin_write().await?;
                let id: Option<i64> = sqlx::query_scalar(
                    "UPDATE releases SET released_at = $1, updated_at = $1 WHERE version = $2 AND released_at IS NULL RETURNING id",
                )
                .bind(by.at)
                .bind(version)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
                let Some(id) = id else { return Ok(false) };
                Self::insert_job(&mut tx, job, by.at).await?;
                let entry = AuditEntry {
                    action: "release_released".into(),
                    field: Some("version".into()),
                    old_value: None,
                    new_value: Some(version.to_owned()),
                };
                Self::insert_audit(&mut tx, &format!("release:{id}"), None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(true)
            }
        }
    };
}

pub(crate) use release_store;
