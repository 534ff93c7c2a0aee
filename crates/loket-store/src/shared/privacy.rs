//! Privacy incidents and the scan's cursor, for both backends.

use chrono::{DateTime, Utc};
use loket_core::privacy_store::*;
use loket_core::*;

/// Columns of `privacy_incidents` in [`IncidentRow`] order.
pub(crate) const INCIDENT_COLS: &str =
    "id, ticket_id, message_id, class, people, items, state, created_at, decided_by, decided_at";

#[derive(sqlx::FromRow)]
pub(crate) struct IncidentRow {
    id: i64,
    ticket_id: Option<i64>,
    message_id: Option<i64>,
    class: String,
    people: i64,
    items: String,
    state: String,
    created_at: DateTime<Utc>,
    decided_by: Option<String>,
    decided_at: Option<DateTime<Utc>>,
}

impl TryFrom<IncidentRow> for Incident {
    type Error = DomainError;

    fn try_from(r: IncidentRow) -> Result<Self> {
        let bad = |what: &str| DomainError::Storage(format!("privacy incident {}: bad {what}", r.id));
        Ok(Incident {
            id: r.id,
            ticket: r.ticket_id.map(TicketId),
            message: r.message_id.map(MessageId),
            class: IncidentClass::parse(&r.class).ok_or_else(|| bad("class"))?,
            people: usize::try_from(r.people).map_err(|_| bad("people"))?,
            items: serde_json::from_str(&r.items).map_err(|_| bad("items"))?,
            state: IncidentState::parse(&r.state).ok_or_else(|| bad("state"))?,
            created_at: r.created_at,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
        })
    }
}

/// Implements `PrivacyStore` for `$t` over database `$db`.
macro_rules! privacy_store {
    ($t:ty, $db:ty) => {
        use $crate::shared::privacy::{INCIDENT_COLS, IncidentRow};

        impl $t {
            async fn insert_incident(
                tx: &mut <$db as sqlx::Database>::Connection,
                i: &NewIncident,
            ) -> Result<i64> {
                let items = serde_json::to_string(&i.items).map_err(|e| DomainError::Storage(e.to_string()))?;
                sqlx::query_scalar(
                    "INSERT INTO privacy_incidents (ticket_id, message_id, contact_id, class, people, items, state, created_at, organisation_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(i.ticket.map(|t| t.0))
                .bind(i.message.map(|m| m.0))
                .bind(i.contact.map(|c| c.0))
                .bind(i.class.id())
                .bind(i64::try_from(i.people).unwrap_or(i64::MAX))
                .bind(items)
                .bind(i.state.id())
                .bind(i.at)
                .bind(i.organisation.map(|o| o.0))
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)
            }

            async fn incidents_where(&self, cond: &str, value: i64, limit: i64) -> Result<Vec<Incident>> {
                let sql = format!("SELECT {INCIDENT_COLS} FROM privacy_incidents WHERE {cond} ORDER BY id LIMIT $2");
                let rows: Vec<IncidentRow> = sqlx::query_as(&sql)
                    .bind(value)
                    .bind(limit)
                    .fetch_all(self.reader())
                    .await
                    .map_err(db_err)?;
                rows.into_iter().map(TryInto::try_into).collect()
            }
        }

        #[async_trait]
        impl PrivacyStore for $t {
            async fn pending_scans(&self, limit: i64) -> Result<Vec<(MessageId, TicketId)>> {
                let rows: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT m.id, m.ticket_id FROM privacy_pending p JOIN messages m ON m.id = p.message_id \
                     ORDER BY p.message_id LIMIT $1",
                )
                .bind(limit)
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                Ok(rows.into_iter().map(|(m, t)| (MessageId(m), TicketId(t))).collect())
            }

            async fn begin_scan(&self, message: MessageId) -> Result<i64> {
                let mut tx = self.begin_write().await?;
                let n: Option<i64> = sqlx::query_scalar(
                    "UPDATE privacy_pending SET attempts = attempts + 1 WHERE message_id = $1 RETURNING attempts",
                )
                .bind(message.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                Ok(n.unwrap_or(0))
            }

            async fn record_scan(&self, done: &[MessageId], incidents: &[NewIncident]) -> Result<Vec<i64>> {
                let mut tx = self.begin_write().await?;
                let mut taken = 0;
                for m in done {
                    taken += sqlx::query("DELETE FROM privacy_pending WHERE message_id = $1")
                        .bind(m.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?
                        .rows_affected();
                }
                if taken != done.len() as u64 {
                    return Err(DomainError::conflict("another process scanned these messages"));
                }
                let mut ids = Vec::with_capacity(incidents.len());
                for i in incidents {
                    ids.push(Self::insert_incident(&mut tx, i).await?);
                }
                tx.commit().await.map_err(db_err)?;
                Ok(ids)
            }

            async fn record_prevented(&self, incident: &NewIncident) -> Result<i64> {
                let mut tx = self.begin_write().await?;
                let id = Self::insert_incident(&mut tx, incident).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(id)
            }

            async fn ticket_incidents(&self, ticket: TicketId) -> Result<Vec<Incident>> {
                self.incidents_where("ticket_id = $1", ticket.0, 1_000).await
            }

            async fn incident(&self, id: i64) -> Result<Option<Incident>> {
                Ok(self.incidents_where("id = $1", id, 1).await?.pop())
            }

            async fn proposed_incident_count(&self) -> Result<i64> {
                sqlx::query_scalar("SELECT COUNT(*) FROM privacy_incidents WHERE state = 'proposed'")
                    .fetch_one(self.reader())
                    .await
                    .map_err(db_err)
            }

            async fn proposed_incidents(&self, limit: i64) -> Result<Vec<Incident>> {
                self.incidents_where("state = 'proposed' AND id > $1", 0, limit).await
            }

            async fn incident_counts(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<IncidentCount>> {
                let rows: Vec<(Option<i64>, Option<String>, i64, i64, i64)> = sqlx::query_as(
                    "SELECT o.id, o.name, \
                       SUM(CASE WHEN i.state = 'applied' AND i.class = 'light' THEN 1 ELSE 0 END), \
                       SUM(CASE WHEN i.state = 'applied' AND i.class = 'full' THEN 1 ELSE 0 END), \
                       SUM(CASE WHEN i.state = 'prevented' THEN 1 ELSE 0 END) \
                     FROM privacy_incidents i \
                     LEFT JOIN tickets t ON t.id = i.ticket_id \
                     LEFT JOIN contacts c ON c.id = COALESCE(t.requester_id, i.contact_id) \
                     LEFT JOIN organisations o ON o.id = COALESCE(c.organisation_id, i.organisation_id) \
                     WHERE i.created_at >= $1 AND i.created_at < $2 AND i.state IN ('applied', 'prevented') \
                     GROUP BY o.id, o.name ORDER BY (o.id IS NULL), o.name, o.id",
                )
                .bind(from)
                .bind(to)
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                Ok(rows
                    .into_iter()
                    .map(|(id, name, light, full, prevented)| IncidentCount {
                        organisation: id.map(OrganisationId),
                        name: name.unwrap_or_default(),
                        light,
                        full,
                        prevented,
                    })
                    .collect())
            }

            async fn alert_threshold(
                &self,
                org: OrganisationId,
                period: &str,
                incidents: i64,
                to: &[String],
                at: DateTime<Utc>,
            ) -> Result<bool> {
                let mut tx = self.begin_write().await?;
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO privacy_alerts (organisation_id, period, incidents, created_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (organisation_id, period) DO NOTHING RETURNING id",
                )
                .bind(org.0)
                .bind(period)
                .bind(incidents)
                .bind(at)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
                let Some(id) = id else { return Ok(false) };
                for address in to {
                    sqlx::query(
                        "INSERT INTO outbox (kind, to_addr, automatic, created_at, privacy_alert_id) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(MailKind::PrivacyThreshold.id())
                    .bind(address)
                    .bind(true)
                    .bind(at)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                }
                tx.commit().await.map_err(db_err)?;
                Ok(true)
            }

            async fn privacy_alert(&self, id: i64) -> Result<Option<PrivacyAlert>> {
                let row: Option<(String, String, i64)> = sqlx::query_as(
                    "SELECT o.name, a.period, a.incidents FROM privacy_alerts a \
                     JOIN organisations o ON o.id = a.organisation_id WHERE a.id = $1",
                )
                .bind(id)
                .fetch_optional(self.reader())
                .await
                .map_err(db_err)?;
                Ok(row.map(|(organisation, period, incidents)| PrivacyAlert { organisation, period, incidents }))
            }

            async fn erase_freed(&self) -> Result<()> {
                self.erase_freed_pages().await
            }
        }
    };
}

pub(crate) use privacy_store;
