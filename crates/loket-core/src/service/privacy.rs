//! Privacy incidents: every message from a customer (from every channel)
//! and its attachments are scanned for personal data by a job that follows
//! the stream of messages, so intake never waits for it. One person's data
//! makes a light incident (internal label), several people's a full one
//! (label shown on the portal, the files removed for good, the sender told).
//! In `propose` mode an agent confirms or overrules; in `apply` mode Loket
//! confirms by itself. Portal forms check a submission before storing it.

use super::plan::Plan;
use super::{Actor, DESK_STAFF, Service};
use crate::privacy_store::*;
use crate::store::{AuditEntry, NewOutbox};
use crate::*;
use chrono::Datelike;
use loket_privacy::{Finding, Known, Piece, Place, summarise};
use std::collections::BTreeMap;

/// Who decides on an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrivacyMode {
    /// Loket proposes; an agent confirms or overrules.
    #[default]
    Propose,
    /// Loket confirms by itself (an agent can still see what it did).
    Apply,
}

impl PrivacyMode {
    /// Reads `propose` or `apply`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "propose" => Some(PrivacyMode::Propose),
            "apply" => Some(PrivacyMode::Apply),
            _ => None,
        }
    }
}

/// What one run of the scan did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ScanReport {
    /// Messages scanned.
    pub scanned: usize,
    /// Incidents recorded (proposed or noted).
    pub found: usize,
    /// Incidents Loket confirmed by itself (`apply` mode).
    pub applied: usize,
    /// Organisations whose authorised contacts were told they reached the threshold.
    pub alerts: usize,
}

/// A ticket as the scan reads it: id, the ticket (gone: none), its
/// messages and attachments.
type Loaded = (TicketId, Option<Ticket>, Vec<Message>, Vec<Attachment>);

/// How many messages one scan transaction covers.
const BATCH: i64 = 50;

/// Scans of one message's files begun before they are given up as not
/// scanned (a file that brings the process down must not do so forever).
const MAX_ATTEMPTS: i64 = 3;

/// A message whose attachment bytes are not (yet) in the blob store waits
/// this long before it is scanned without them.
const BLOB_GRACE: chrono::TimeDelta = chrono::TimeDelta::hours(1);

impl Service {
    /// Scans the messages that arrived since the last run and records what
    /// it finds; in `apply` mode confirms what is proposed. Safe to run from
    /// several processes: each batch is recorded once (the cursor moves in
    /// the same transaction), each incident decided once.
    pub async fn scan_privacy(&self) -> Result<ScanReport> {
        let mut report = ScanReport::default();
        loop {
            let batch = self.store.pending_scans(BATCH).await?;
            if batch.is_empty() {
                break;
            }
            let (done, incidents) = self.scan_batch(&batch).await?;
            if done.is_empty() {
                break;
            }
            match self.store.record_scan(&done, &incidents).await {
                Ok(_) => {
                    report.scanned += done.len();
                    report.found += incidents.len();
                }
                // Another process has these: it records them.
                Err(DomainError::Conflict(_)) => break,
                Err(e) => return Err(e),
            }
            // Some wait for their files: the next round takes them.
            if done.len() < batch.len() {
                break;
            }
        }
        if self.privacy_mode == PrivacyMode::Apply {
            for incident in self.store.proposed_incidents(500).await? {
                let Some(ticket) = incident.ticket else { continue };
                let Some(t) = self.store.get_ticket(ticket).await? else {
                    continue;
                };
                match self.decide_incident(&Actor::System, t.number, incident.id, true).await {
                    Ok(_) => report.applied += 1,
                    Err(DomainError::Conflict(e)) => {
                        tracing::info!(incident = incident.id, "incident not applied: {e}");
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        // Only a confirmation can cross a threshold: no check every round.
        if report.applied > 0 {
            report.alerts = self.privacy_thresholds().await?;
        }
        Ok(report)
    }

    /// Mails the authorised contacts of every organisation whose confirmed
    /// incidents this quarter reached the threshold, once per quarter (an
    /// organisation without authorised contacts is tried again at the next
    /// confirmation).
    /// Answers how many organisations were alerted now.
    pub async fn privacy_thresholds(&self) -> Result<usize> {
        let (threshold, zone) = self.privacy_threshold;
        if threshold == 0 {
            return Ok(0);
        }
        let now = self.clock.now();
        let today = chrono::NaiveDate::parse_from_str(&zone.day(now), "%Y-%m-%d")
            .map_err(|e| DomainError::Storage(format!("today: {e}")))?;
        let quarter = (today.month0() / 3) + 1;
        let start = chrono::NaiveDate::from_ymd_opt(today.year(), quarter * 3 - 2, 1).unwrap_or(today);
        let end = start.checked_add_months(chrono::Months::new(3)).unwrap_or(today);
        let period = format!("{}-Q{quarter}", today.year());
        let mut alerted = 0;
        for c in self
            .store
            .incident_counts(zone.start_of_day(start), zone.start_of_day(end))
            .await?
        {
            let Some(org) = c.organisation else { continue };
            let incidents = c.light + c.full;
            if incidents < i64::from(threshold) {
                continue;
            }
            let to: Vec<String> = self
                .store
                .list_contacts(Some(org), 10_000)
                .await?
                .into_iter()
                .filter(|k| k.authorised && k.undeliverable_at.is_none())
                .map(|k| k.email)
                .collect();
            if to.is_empty() {
                tracing::debug!(organisation = %org, "privacy threshold reached, but the organisation has no authorised contact to tell");
                continue;
            }
            if self.store.alert_threshold(org, &period, incidents, &to, now).await? {
                alerted += 1;
            }
        }
        Ok(alerted)
    }

    /// Scans a batch; answers the messages dealt with (not those whose files
    /// are not in place yet) and the incidents found.
    async fn scan_batch(&self, batch: &[(MessageId, TicketId)]) -> Result<(Vec<MessageId>, Vec<NewIncident>)> {
        let staff: Vec<String> = self.store.list_staff().await?.into_iter().map(|s| s.email).collect();
        let mut incidents = Vec::new();
        let mut done = Vec::with_capacity(batch.len());
        let mut current: Option<Loaded> = None;
        for (message_id, ticket_id) in batch {
            if current.as_ref().is_none_or(|(t, ..)| t != ticket_id) {
                let ticket = self.store.get_ticket(*ticket_id).await?;
                let (messages, attachments) = match &ticket {
                    Some(_) => (
                        self.store.messages(*ticket_id, true).await?,
                        self.store.attachments(*ticket_id).await?,
                    ),
                    None => (Vec::new(), Vec::new()),
                };
                current = Some((*ticket_id, ticket, messages, attachments));
            }
            let Some((_, Some(ticket), messages, attachments)) = &current else {
                done.push(*message_id);
                continue;
            };
            let Some(message) = messages.iter().find(|m| m.id == *message_id) else {
                done.push(*message_id);
                continue;
            };
            if !scanned(ticket, message, messages) {
                done.push(*message_id);
                continue;
            }
            let mut known = Known { emails: staff.clone() };
            if let Some(c) = self.store.get_contact(ticket.requester_id).await? {
                known.emails.push(c.email);
            }
            if let Author::Contact(id) = message.author
                && let Some(c) = self.store.get_contact(id).await?
            {
                known.emails.push(c.email);
            }
            let files: Vec<&Attachment> = attachments
                .iter()
                .filter(|a| a.message_id == Some(message.id) && a.removed_at.is_none())
                .collect();
            let Some(scan) = self.scan_items(message, &files, &known).await? else {
                continue;
            };
            if let Some(incident) = scan {
                incidents.push(incident);
            }
            done.push(*message_id);
        }
        Ok((done, incidents))
    }

    /// Scans a message's text and files; `None` when a file's bytes are not
    /// in place yet (and the message is recent: try again later).
    async fn scan_items(
        &self,
        message: &Message,
        files: &[&Attachment],
        known: &Known,
    ) -> Result<Option<Option<NewIncident>>> {
        let text = vec![Piece::Text {
            part: String::new(),
            text: message.body_text.clone(),
        }];
        let mut items = vec![(None, String::new(), summarise(&text, known))];
        let given_up = !files.is_empty() && self.store.begin_scan(message.id).await? > MAX_ATTEMPTS;
        for a in files {
            let pieces = match self.blobs.get(&a.sha256).await? {
                Some(_) if given_up => {
                    tracing::warn!(message = %message.id, file = %a.id, "attachment scan given up after {MAX_ATTEMPTS} tries");
                    vec![Piece::NotScanned {
                        part: String::new(),
                        reason: loket_privacy::NotScanned::TooLarge,
                    }]
                }
                Some(bytes) => self.extract(a.filename.clone(), a.media_type.clone(), bytes).await,
                None if self.clock.now() - message.created_at < BLOB_GRACE => return Ok(None),
                None => vec![Piece::NotScanned {
                    part: String::new(),
                    reason: loket_privacy::NotScanned::Unreadable,
                }],
            };
            items.push((Some(a.id.0), a.filename.clone(), summarise(&pieces, known)));
        }
        let all: Vec<Finding> = items.iter().flat_map(|(_, _, i)| i.findings.iter().cloned()).collect();
        let people = loket_privacy::people(&all);
        let unread = items.iter().any(|(_, _, i)| !i.summary.not_scanned.is_empty());
        let class = match people {
            0 if unread => IncidentClass::Unscanned,
            0 => return Ok(Some(None)),
            1 => IncidentClass::Light,
            _ => IncidentClass::Full,
        };
        let items = items
            .into_iter()
            .filter(|(_, _, i)| !i.findings.is_empty() || !i.summary.not_scanned.is_empty())
            .map(|(attachment, name, i)| stored_item(attachment, name, &i.summary))
            .collect();
        Ok(Some(Some(NewIncident {
            ticket: Some(message.ticket_id),
            message: Some(message.id),
            contact: match message.author {
                Author::Contact(c) => Some(c),
                _ => None,
            },
            organisation: None,
            class,
            people,
            items,
            state: if class == IncidentClass::Unscanned {
                IncidentState::Noted
            } else {
                IncidentState::Proposed
            },
            at: self.clock.now(),
        })))
    }

    /// Confirms (`confirm`) or overrules a proposed incident on a ticket.
    /// Confirming labels the ticket; a full incident also removes the files
    /// that held the data for good and tells the sender. Both are audited.
    pub async fn decide_incident(&self, actor: &Actor, number: TicketNumber, id: i64, confirm: bool) -> Result<Ticket> {
        if !matches!(actor, Actor::System) {
            actor.require_staff(DESK_STAFF, "decide on privacy incidents")?;
        }
        let ticket = self.ticket_for(actor, number).await?;
        let incident = self
            .store
            .incident(id)
            .await?
            .filter(|i| i.ticket == Some(ticket.id))
            .ok_or_else(|| DomainError::not_found(format!("privacy incident {id} on ticket {number}")))?;
        if incident.state != IncidentState::Proposed {
            return Err(DomainError::conflict("this privacy incident was already decided"));
        }
        let live: Vec<AttachmentId> = self
            .store
            .attachments(ticket.id)
            .await?
            .into_iter()
            .filter(|a| a.removed_at.is_none())
            .map(|a| a.id)
            .collect();
        let remove: Vec<(AttachmentId, String)> = if confirm && incident.class == IncidentClass::Full {
            incident
                .items
                .iter()
                .filter(|i| i.people > 0)
                .filter_map(|i| i.attachment.map(AttachmentId))
                .filter(|a| live.contains(a))
                .map(|a| (a, "privacy-incident: persoonsgegevens van meerdere personen".to_owned()))
                .collect()
        } else {
            Vec::new()
        };
        let sender = match incident.message {
            Some(m) => self
                .store
                .messages(ticket.id, true)
                .await?
                .into_iter()
                .find(|x| x.id == m)
                .and_then(|x| match x.author {
                    Author::Contact(c) => Some(c),
                    _ => None,
                }),
            None => None,
        };
        let to = match sender {
            Some(c) => self.store.get_contact(c).await?.map(|c| c.email),
            None => None,
        };
        // Who the notice goes to, for the audit trail (none: the requester).
        let told = match &to {
            Some(t) => t.clone(),
            None => self
                .store
                .get_contact(ticket.requester_id)
                .await?
                .map(|c| c.email)
                .unwrap_or_default(),
        };
        let notify = confirm && incident.class == IncidentClass::Full && may_notify(self, &told).await?;
        let state = if confirm {
            IncidentState::Applied
        } else {
            IncidentState::Dismissed
        };
        let action = if confirm { "privacy_confirm" } else { "privacy_dismiss" };
        let applied = self
            .change(actor, number, action, |t, _| {
                if confirm
                    && let Some(label) = incident.class.label()
                    && !t.labels.iter().any(|l| l == label)
                {
                    t.labels.push(label.to_owned());
                }
                Ok(Plan {
                    remove_attachments: remove.clone(),
                    outbox: if notify {
                        vec![NewOutbox {
                            kind: MailKind::PrivacyNotice,
                            to: to.clone(),
                            message: None,
                            automatic: true,
                        }]
                    } else {
                        Vec::new()
                    },
                    extra_audit: std::iter::once(AuditEntry {
                        action: action.to_owned(),
                        field: Some("privacy_incident".into()),
                        old_value: Some(format!("{id}: {} ({} people)", incident.class.id(), incident.people)),
                        new_value: Some(state.id().to_owned()),
                    })
                    .chain((confirm && incident.class == IncidentClass::Full).then(|| AuditEntry {
                        action: if notify {
                            "privacy_notice".into()
                        } else {
                            "privacy_notice_withheld".into()
                        },
                        field: Some("to".into()),
                        old_value: None,
                        new_value: Some(told.clone()),
                    }))
                    .collect(),
                    settle: Some(Settle { incident: id, state }),
                    ..Plan::default()
                })
            })
            .await?;
        if !remove.is_empty() {
            self.erase_freed().await;
        }
        // A staff confirmation may cross the threshold (Loket's own are
        // checked once per scan run).
        if confirm && !matches!(actor, Actor::System) {
            self.privacy_thresholds().await?;
        }
        Ok(applied.ticket)
    }

    /// Incidents per organisation found in `[from, to)` (staff only).
    pub async fn incident_report(
        &self,
        actor: &Actor,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<IncidentCount>> {
        actor.require_staff(super::ALL_STAFF, "see privacy reports")?;
        if to <= from {
            return Err(DomainError::invalid("the period ends before it starts"));
        }
        self.store.incident_counts(from, to).await
    }

    /// A ticket's privacy incidents (staff only).
    pub async fn ticket_incidents(&self, actor: &Actor, number: TicketNumber) -> Result<Vec<Incident>> {
        actor.require_staff(super::ALL_STAFF, "see privacy incidents")?;
        let ticket = self.ticket_for(actor, number).await?;
        self.store.ticket_incidents(ticket.id).await
    }
}

/// Personal data found in a submission before it was stored: in the text
/// (`file` none) or in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspect {
    /// The file's name; none for the message's text.
    pub file: Option<String>,
    /// Distinct people found.
    pub people: usize,
    /// Findings per kind id (`bsn`, `iban`, `name`, ...).
    pub counts: Vec<(String, usize)>,
}

impl Service {
    /// Checks what a customer is about to send (text and files, already
    /// staged) for other people's personal data; answers what holds any,
    /// before anything is stored. The sender's own address is no finding.
    pub async fn check_submission(&self, sender: &str, text: &str, files: &[super::Upload]) -> Result<Vec<Suspect>> {
        let mut known = Known {
            emails: vec![sender.to_owned()],
        };
        known
            .emails
            .extend(self.store.list_staff().await?.into_iter().map(|s| s.email));
        let mut items = vec![(
            None,
            vec![Piece::Text {
                part: String::new(),
                text: text.to_owned(),
            }],
        )];
        for f in files {
            let bytes = match &f.content {
                super::UploadContent::Bytes(b) => b.clone(),
                super::UploadContent::Staged(s) => self.blobs.read_staged(s).await?,
                super::UploadContent::Stored { sha256, .. } => {
                    let Some((mut file, size)) = self.blobs.open(sha256).await? else {
                        continue;
                    };
                    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
                    tokio::io::AsyncReadExt::read_to_end(&mut file, &mut bytes)
                        .await
                        .map_err(|e| DomainError::Storage(format!("reading a kept file: {e}")))?;
                    bytes
                }
            };
            let pieces = self.extract(f.filename.clone(), f.media_type.clone(), bytes).await;
            items.push((Some(f.filename.clone()), pieces));
        }
        Ok(items
            .into_iter()
            .filter_map(|(file, pieces)| {
                let item = summarise(&pieces, &known);
                (item.summary.people > 0).then(|| Suspect {
                    file,
                    people: item.summary.people,
                    counts: item
                        .summary
                        .counts
                        .iter()
                        .map(|(k, n)| (k.id().to_owned(), *n))
                        .collect(),
                })
            })
            .collect())
    }

    /// Records that a customer's submission was stopped before it was
    /// stored (counted as prevented for their organisation).
    pub async fn record_prevented(&self, sender: &str, found: &[Suspect]) -> Result<()> {
        let people = found.iter().map(|s| s.people).max().unwrap_or(0);
        if people == 0 {
            return Ok(());
        }
        let email = normalise_email(sender)?;
        // Nobody is made a contact by being stopped: an unknown sender counts
        // for the organisation of their domain.
        let contact = self.store.contact_by_email(&email).await?;
        let organisation = if contact.is_some() {
            None
        } else {
            let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
            self.store.organisation_for_domain(domain).await?
        };
        let items = found
            .iter()
            .map(|s| IncidentItem {
                attachment: None,
                name: s.file.clone().unwrap_or_default(),
                people: s.people,
                counts: s.counts.iter().cloned().collect(),
                samples: Vec::new(),
                not_scanned: Vec::new(),
            })
            .collect();
        self.store
            .record_prevented(&NewIncident {
                ticket: None,
                message: None,
                contact: contact.map(|c| c.id),
                organisation,
                class: if people > 1 {
                    IncidentClass::Full
                } else {
                    IncidentClass::Light
                },
                people,
                items,
                state: IncidentState::Prevented,
                at: self.clock.now(),
            })
            .await?;
        Ok(())
    }
}

impl Service {
    /// A file's pieces, extracted on a blocking thread, two files at a time
    /// at most; a file that makes the extractor panic is unreadable (never
    /// clean, and never the end of the scan).
    async fn extract(&self, name: String, media: String, bytes: Vec<u8>) -> Vec<Piece> {
        let _turn = self.extractions.acquire().await;
        tokio::task::spawn_blocking(move || {
            loket_extract::extract(&name, &media, &bytes, &loket_extract::Limits::default())
        })
        .await
        .unwrap_or_else(|_| {
            tracing::warn!("an attachment made the extractor fail; recorded as not scanned");
            vec![Piece::NotScanned {
                part: String::new(),
                reason: loket_privacy::NotScanned::Unreadable,
            }]
        })
    }
}

/// Whether a privacy notice may go to `to`: not to a mail system's own
/// address (bounces, auto-replies, no-reply senders), and not beyond the
/// hourly cap on automatic mail to one address (mail loops).
async fn may_notify(service: &Service, to: &str) -> Result<bool> {
    let local = to.split('@').next().unwrap_or_default().to_ascii_lowercase();
    let machine = [
        "mailer-daemon",
        "postmaster",
        "noreply",
        "no-reply",
        "donotreply",
        "do-not-reply",
    ]
    .iter()
    .any(|m| local == *m);
    if machine || to.is_empty() {
        return Ok(false);
    }
    let since = service.clock.now() - chrono::Duration::hours(1);
    Ok(service.store.recent_automatic_mails(to, since).await? < super::AUTOMATIC_MAILS_PER_HOUR)
}

/// Whether a message is scanned: what customers send, by any channel, and
/// the first message of a phone ticket (the agent writes down what the
/// customer said); staff replies and notes, and events, are not.
fn scanned(ticket: &Ticket, message: &Message, messages: &[Message]) -> bool {
    match message.author {
        Author::Contact(_) | Author::System => message.kind != MessageKind::Event,
        Author::Staff(_) => ticket.channel == Channel::Phone && messages.first().is_some_and(|m| m.id == message.id),
    }
}

/// A summary as stored.
pub(crate) fn stored_item(attachment: Option<i64>, name: String, s: &loket_privacy::Summary) -> IncidentItem {
    IncidentItem {
        attachment,
        name,
        people: s.people,
        counts: s
            .counts
            .iter()
            .map(|(k, n)| (k.id().to_owned(), *n))
            .collect::<BTreeMap<_, _>>(),
        samples: s
            .samples
            .iter()
            .map(|x| {
                let (line, sheet, row, column) = match &x.place {
                    Place::Line(n) => (Some(*n), None, None, None),
                    Place::Cell { sheet, row, column } => (None, sheet.clone(), Some(*row), Some(*column)),
                };
                IncidentSample {
                    kind: x.kind.id().to_owned(),
                    part: x.part.clone(),
                    line,
                    sheet,
                    row,
                    column,
                    preview: x.preview.clone(),
                }
            })
            .collect(),
        not_scanned: s
            .not_scanned
            .iter()
            .map(|(part, why)| (part.clone(), why.id().to_owned()))
            .collect(),
    }
}
