//! Service-level checks for both backends: due tickets by an indexed check
//! time, warnings and breaches recorded once, counts and reports.

/// Implements `ServiceLevelStore` for `$t` over database `$db`.
macro_rules! service_level_store {
    ($t:ty, $db:ty) => {
        use loket_core::service_level::{DueKind, ServiceLevelStore, SlaCount, SlaDue, SlaEvent, SlaNotice, SlaRecord};

        impl $t {
            async fn record_level(tx: &mut <$db as sqlx::Database>::Connection, r: &SlaRecord) -> Result<bool> {
                let moved = sqlx::query("UPDATE tickets SET sla_check_at = $1 WHERE id = $2 AND sla_check_at = $3")
                    .bind(r.next_check)
                    .bind(r.due.ticket.0)
                    .bind(r.due.check_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .rows_affected();
                if moved == 0 {
                    return Ok(false);
                }
                // A change of the ticket made from an older copy may put a check
                // time back: what was recorded for this deadline is not again.
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO sla_events (ticket_id, event, due_kind, due_at, department, organisation_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (ticket_id, event, due_at) DO NOTHING RETURNING id",
                )
                .bind(r.due.ticket.0)
                .bind(r.event.id())
                .bind(r.due.kind.id())
                .bind(r.due.due_at)
                .bind(r.due.department.id())
                .bind(r.due.organisation.map(|o| o.0))
                .bind(r.at)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
                if let Some(id) = id {
                    let kind = match r.event {
                        SlaEvent::Warning => MailKind::SlaWarning,
                        SlaEvent::Breach => MailKind::SlaBreach,
                    };
                    for address in &r.notify {
                        sqlx::query(
                            "INSERT INTO outbox (kind, ticket_id, to_addr, automatic, created_at, sla_event_id) \
                             VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(kind.id())
                        .bind(r.due.ticket.0)
                        .bind(address)
                        .bind(true)
                        .bind(r.at)
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    }
                    let by = Stamp { actor: "system".into(), at: r.at };
                    let entry = AuditEntry {
                        action: format!("service_level_{}", r.event.id()),
                        field: Some("due_at".into()),
                        old_value: None,
                        new_value: Some(r.due.due_at.to_rfc3339()),
                    };
                    Self::insert_audit(tx, &format!("ticket:{}", r.due.ticket.0), Some(r.due.ticket.0), &by, &[entry]).await?;
                }
                Ok(true)
            }
        }

        #[async_trait]
        impl ServiceLevelStore for $t {
            async fn due_service_levels(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<SlaDue>> {
                type Row = (i64, i64, String, DateTime<Utc>, Option<DateTime<Utc>>, Option<String>, String, Option<i64>, Option<i64>);
                let rows: Vec<Row> = sqlx::query_as(
                    "SELECT id, number, subject, sla_check_at, due_at, due_kind, department, organisation_id, assignee_id \
                     FROM tickets WHERE sla_check_at IS NOT NULL AND sla_check_at <= $1 ORDER BY sla_check_at LIMIT $2",
                )
                .bind(now)
                .bind(limit)
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                let mut out = Vec::with_capacity(rows.len());
                for (id, number, subject, check_at, due_at, kind, department, organisation, assignee) in rows {
                    let bad = || DomainError::Storage(format!("ticket {id}: a check time without a deadline"));
                    out.push(SlaDue {
                        ticket: TicketId(id),
                        number: TicketNumber(number),
                        subject,
                        check_at,
                        due_at: due_at.ok_or_else(bad)?,
                        kind: kind.as_deref().and_then(DueKind::parse).ok_or_else(bad)?,
                        department: Department::parse(&department)?,
                        organisation: organisation.map(OrganisationId),
                        assignee: assignee.map(StaffId),
                    });
                }
                Ok(out)
            }

            async fn record_service_levels(&self, rs: &[SlaRecord]) -> Result<Vec<bool>> {
                let mut tx = self.begin_write().await?;
                let mut out = Vec::with_capacity(rs.len());
                for r in rs {
                    out.push(Self::record_level(&mut tx, r).await?);
                }
                tx.commit().await.map_err(db_err)?;
                Ok(out)
            }

            async fn service_level_counts(&self, now: DateTime<Utc>) -> Result<(i64, i64)> {
                let (overdue, warned): (i64, i64) = sqlx::query_as(
                    "SELECT CAST(COALESCE(SUM(CASE WHEN due_at <= $1 THEN 1 ELSE 0 END), 0) AS BIGINT), \
                     CAST(COALESCE(SUM(CASE WHEN due_at > $1 AND sla_check_at = due_at THEN 1 ELSE 0 END), 0) AS BIGINT) \
                     FROM tickets WHERE due_at IS NOT NULL",
                )
                .bind(now)
                .fetch_one(self.reader())
                .await
                .map_err(db_err)?;
                Ok((overdue, warned))
            }

            async fn service_level_report(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<SlaCount>> {
                let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
                    "SELECT department, due_kind, \
                     CAST(SUM(CASE WHEN event = 'warning' THEN 1 ELSE 0 END) AS BIGINT), \
                     CAST(SUM(CASE WHEN event = 'breach' THEN 1 ELSE 0 END) AS BIGINT) \
                     FROM sla_events WHERE created_at >= $1 AND created_at < $2 \
                     GROUP BY department, due_kind ORDER BY department, due_kind",
                )
                .bind(from)
                .bind(to)
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                rows.into_iter()
                    .map(|(d, k, warnings, breaches)| {
                        Ok(SlaCount {
                            department: Department::parse(&d)?,
                            kind: DueKind::parse(&k).ok_or_else(|| DomainError::Storage(format!("bad due_kind '{k}'")))?,
                            warnings,
                            breaches,
                        })
                    })
                    .collect()
            }

            async fn service_level_notice(&self, id: i64) -> Result<Option<SlaNotice>> {
                let row: Option<(String, String, DateTime<Utc>)> =
                    sqlx::query_as("SELECT event, due_kind, due_at FROM sla_events WHERE id = $1")
                        .bind(id)
                        .fetch_optional(self.reader())
                        .await
                        .map_err(db_err)?;
                Ok(row.and_then(|(e, k, due_at)| {
                    Some(SlaNotice { event: SlaEvent::parse(&e)?, kind: DueKind::parse(&k)?, due_at })
                }))
            }
        }
    };
}

pub(crate) use service_level_store;
