//! Creating a ticket, from any channel.

use super::{Actor, Service, StagedFiles, Upload};
use crate::store::{AuditEntry, MailReceipt, NewMessage, NewOutbox, NewTicketRecord};
use crate::*;

/// Longest subject, in characters.
pub const MAX_SUBJECT_CHARS: usize = 250;

/// Input for a new ticket.
#[derive(Debug, Clone)]
pub struct CreateTicket {
    /// Subject line.
    pub subject: String,
    /// The first message, plain text.
    pub message: String,
    /// The first message as HTML, when it came as HTML (sanitised here).
    pub message_html: Option<String>,
    /// The requester's e-mail address.
    pub requester: String,
    /// The requester's name, if known.
    pub requester_name: Option<String>,
    /// How it came in.
    pub channel: Channel,
    /// Department; Helpdesk when not given.
    pub department: Option<Department>,
    /// Business seriously disrupted.
    pub urgent: bool,
    /// The mailbox it came in through.
    pub mailbox: Option<String>,
    /// Files.
    pub attachments: Vec<Upload>,
    /// Mail Message-ID of the first message.
    pub mail_message_id: Option<String>,
    /// Mail In-Reply-To and References.
    pub mail_references: Option<String>,
    /// The mail it came from, recorded in the same transaction.
    pub receipt: Option<MailReceipt>,
    /// Sent automatically (auto-reply, bounce, list): never answered automatically.
    pub automatic: bool,
    /// The id of the form submission that asks for it: submitted again (a
    /// refresh, a double click), it answers the ticket the first one made.
    pub request_key: Option<String>,
    /// The language the requester wrote in (the portal's), for a new contact.
    pub language: Option<Lang>,
}

/// Most automatic mails to one address per hour; beyond it confirmations of
/// tickets that came in by mail are not sent, which stops loops with
/// auto-responders that change their address. A ticket a person made on the
/// portal, by phone or through the API is always confirmed (the portal form has
/// its own limits).
pub const AUTOMATIC_MAILS_PER_HOUR: i64 = 5;

impl CreateTicket {
    /// A ticket with just the required fields; the rest at their defaults.
    pub fn new(subject: &str, message: &str, requester: &str, channel: Channel) -> Self {
        Self {
            subject: subject.to_owned(),
            message: message.to_owned(),
            message_html: None,
            requester: requester.to_owned(),
            requester_name: None,
            channel,
            department: None,
            urgent: false,
            mailbox: None,
            attachments: Vec::new(),
            mail_message_id: None,
            mail_references: None,
            receipt: None,
            automatic: false,
            request_key: None,
            language: None,
        }
    }
}

/// Longest name of a person, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Trims a subject (runs of spaces become one) and checks it: not empty, at
/// most [`MAX_SUBJECT_CHARS`], no control characters.
pub fn clean_subject(subject: &str) -> Result<String> {
    if subject.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return Err(Problem::ControlCharacters(Field::Subject).into());
    }
    let s: String = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    Ok(crate::problem::clean_line(&s, Field::Subject, MAX_SUBJECT_CHARS)?)
}

/// Checks an optional name: at most [`MAX_NAME_CHARS`], no control characters;
/// empty is allowed.
pub fn clean_name(name: &str) -> Result<String> {
    match crate::problem::clean_line(name, Field::Name, MAX_NAME_CHARS) {
        Ok(n) => Ok(n),
        Err(Problem::Empty(_)) => Ok(String::new()),
        Err(p) => Err(p.into()),
    }
}

impl Service {
    /// Creates a ticket and queues the confirmation mail to the requester.
    pub async fn create_ticket(&self, actor: &Actor, input: CreateTicket) -> Result<Ticket> {
        let key = input.request_key.clone();
        let (record, files) = self.ticket_record(actor, input).await?;
        match self.store.insert_ticket(&record).await {
            Ok(ticket) => {
                self.keep(&files).await;
                Ok(ticket)
            }
            Err(DomainError::Duplicate(why)) => match &key {
                Some(k) => self
                    .store
                    .ticket_for_request(k)
                    .await?
                    .ok_or(DomainError::Duplicate(why)),
                None => Err(DomainError::Duplicate(why)),
            },
            Err(e) => Err(e),
        }
    }

    /// Imports tickets from another system in one transaction, without
    /// confirmation mails: all or none. Only the system (command line) imports.
    pub async fn import_tickets(&self, inputs: Vec<CreateTicket>) -> Result<Vec<Ticket>> {
        self.import_tickets_with_status(inputs.into_iter().map(|i| (i, None)).collect())
            .await
    }

    /// [`Service::import_tickets`] where each ticket may keep the status it
    /// had in the other system (a resolved ticket arrives resolved).
    pub async fn import_tickets_with_status(&self, inputs: Vec<(CreateTicket, Option<Status>)>) -> Result<Vec<Ticket>> {
        let mut records = Vec::with_capacity(inputs.len());
        let mut staged = Vec::with_capacity(inputs.len());
        for (input, status) in inputs {
            let (mut r, files) = self.ticket_record(&Actor::System, input).await?;
            if let Some(status) = status {
                r.ticket.status = status;
                self.refresh_deadline(&mut r.ticket, None);
            }
            r.outbox.clear();
            r.audit[0].action = "import".into();
            records.push(r);
            staged.push(files);
        }
        let tickets = self.store.insert_tickets(&records).await?;
        for files in &staged {
            self.keep(files).await;
        }
        Ok(tickets)
    }

    async fn ticket_record(&self, actor: &Actor, input: CreateTicket) -> Result<(NewTicketRecord, StagedFiles)> {
        let subject = clean_subject(&input.subject)?;
        self.check_text(&input.message, Field::Message, input.receipt.is_some())?;
        let email = normalise_email(&input.requester)?;
        let name = clean_name(input.requester_name.as_deref().unwrap_or_default())?;
        let department = input.department.unwrap_or(Department::Helpdesk);
        match actor {
            Actor::Contact(c) => {
                if c.email != email {
                    return Err(DomainError::Forbidden(
                        "a contact can only submit tickets for themselves".into(),
                    ));
                }
                if department != Department::Helpdesk || !matches!(input.channel, Channel::Portal | Channel::Email) {
                    return Err(DomainError::Forbidden(
                        "a contact cannot choose the department or channel".into(),
                    ));
                }
            }
            Actor::Staff(_) => {
                actor.require_staff(super::ALL_STAFF, "create tickets")?;
            }
            Actor::System => {}
        }
        let now = self.clock.now();
        let files = self.stage_uploads(&input.attachments, input.receipt.is_some()).await?;
        // A name from the portal form or a mail's From is whatever the sender
        // typed: it names a new contact, never renames one that exists.
        let existing = self.store.contact_by_email(&email).await?;
        let new_contact = existing.is_none();
        let mut contact = match (actor, existing) {
            (Actor::System, Some(existing)) => existing,
            _ => self.store.ensure_contact(&email, &name, now).await?,
        };
        // A new contact hears from the helpdesk in the language they wrote in.
        if new_contact {
            contact = self.adopt_language(contact, input.language).await?;
        }
        let capped = input.channel == Channel::Email
            && self
                .store
                .recent_automatic_mails(&email, now - chrono::Duration::hours(1))
                .await?
                >= AUTOMATIC_MAILS_PER_HOUR;
        let confirm = !input.automatic && !capped;
        let body_html = match &input.message_html {
            Some(h) => html::sanitise(h),
            None => html::text_to_html(&input.message),
        };
        // The requester wrote the first message, on every channel but the
        // phone: there staff write it down on the customer's behalf.
        let author = match actor {
            Actor::Staff(s) if input.channel == Channel::Phone => Author::Staff(s.id),
            _ => Author::Contact(contact.id),
        };
        let ticket = Ticket {
            id: TicketId(0),
            number: TicketNumber(0),
            subject,
            requester_id: contact.id,
            organisation_id: contact.organisation_id,
            channel: input.channel,
            mailbox: input.mailbox,
            status: Status::New,
            department,
            urgent: input.urgent,
            labels: Vec::new(),
            assignee_id: None,
            release_version: None,
            work_item: None,
            postponed_until: None,
            promised_at: None,
            created_at: now,
            updated_at: now,
            first_response_at: None,
            last_customer_at: matches!(author, Author::Contact(_)).then_some(now),
            last_agent_at: None,
            due_at: None,
            due_kind: None,
            sla_check_at: None,
            version: 0,
        };
        let mut ticket = ticket;
        self.refresh_deadline(&mut ticket, None);
        let search_doc = crate::search::ticket_doc(&ticket.subject, &contact.email, &contact.name);
        let record = NewTicketRecord {
            ticket,
            actor: actor.audit_id(),
            search_doc,
            message: NewMessage {
                kind: MessageKind::Public,
                author,
                search_text: crate::search::index_text(&input.message),
                body_text: input.message,
                body_html,
                mail_message_id: input.mail_message_id,
                mail_references: input.mail_references,
                attachments: files.attachments.clone(),
            },
            audit: std::iter::once(AuditEntry {
                action: "create".into(),
                field: Some("channel".into()),
                old_value: None,
                new_value: Some(input.channel.id().into()),
            })
            .chain((capped && !input.automatic).then(|| AuditEntry {
                action: "confirmation_withheld".into(),
                field: None,
                old_value: None,
                new_value: Some(format!(
                    "{AUTOMATIC_MAILS_PER_HOUR} automatic mails to this address in the last hour (loop protection)"
                )),
            }))
            .collect(),
            outbox: if confirm {
                vec![NewOutbox {
                    kind: MailKind::Confirmation,
                    to: Some(email),
                    message: None,
                    automatic: true,
                }]
            } else {
                Vec::new()
            },
            receipt: input.receipt,
            request_key: input.request_key,
        };
        Ok((record, files))
    }
}
