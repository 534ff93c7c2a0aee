//! Sends the outbox over SMTP. Every mail was written as an outbox row in the
//! transaction of the change that caused it; this claims due rows (a lease, so
//! several processes never send one row twice), renders them, and delivers them
//! with retries and backoff. A permanent failure is recorded on the ticket.

use crate::links::{follow_link, follow_token};
use crate::subject;
use crate::templates::{Templates, Vars};
use chrono::Duration;
use lettre::message::Mailbox as Address;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message as Mail, Tokio1Executor};
use loket_core::service::Service;
use loket_core::store::ClaimedMail;
use loket_core::*;

/// Gives up on a mail after this many attempts.
const MAX_ATTEMPTS: i64 = 12;
/// How many mails one run claims.
const BATCH: i64 = 50;

/// Settings of the sender.
#[derive(Debug, Clone)]
pub struct OutboxSettings {
    /// `smtp://host:port`, `smtps://user:pass@host` and the like; nothing is sent without it.
    pub smtp_url: Option<String>,
    /// The From address.
    pub from: String,
    /// Reply-To per mailbox name: a ticket's mail answers to the address of the
    /// mailbox it came in through, else to the `helpdesk` mailbox.
    pub reply_to: std::collections::BTreeMap<String, String>,
    /// Base of follow links.
    pub public_url: String,
    /// Domain of the Message-IDs Loket generates.
    pub message_id_domain: String,
    /// Templates.
    pub templates: Templates,
    /// The time zone of dates in mails.
    pub time_zone: loket_core::time::Zone,
}

/// `Auto-Submitted: auto-replied` (RFC 3834), on every automatic mail.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-replied".into())
    }
}

/// Why a queued mail was dropped unsent.
const NOTHING_TO_SEND: &str = "not sent: the address no longer follows the topic, or the post was hidden";

/// `List-Unsubscribe: <link>` (RFC 2369) on subscription mails: the mail
/// program offers the way out; the link opens the page with the button.
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.trim_matches(['<', '>']).to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// A rendered mail and where it belongs.
struct Content {
    rendered: crate::templates::Rendered,
    /// Message-IDs of the ticket's thread, oldest first.
    thread: Vec<String>,
    /// The mailbox the ticket came in through.
    mailbox: Option<String>,
    /// A subscription mail's unsubscribe link (`List-Unsubscribe`).
    unsubscribe: Option<String>,
}

/// The outbox sender.
pub struct Sender {
    service: Service,
    settings: OutboxSettings,
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
}

impl Sender {
    /// A sender; an unusable SMTP URL is an error now rather than at the first mail.
    pub fn new(service: Service, settings: OutboxSettings) -> Result<Self> {
        let transport = match settings.smtp_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| DomainError::invalid(format!("smtp_url is not usable: {e}")))?
                    .timeout(Some(std::time::Duration::from_secs(30)))
                    .build(),
            ),
            None => None,
        };
        Ok(Self {
            service,
            settings,
            transport,
        })
    }

    /// Sends what is due; answers how many mails were delivered.
    pub async fn run_once(&self) -> Result<usize> {
        let Some(transport) = &self.transport else { return Ok(0) };
        let store = self.service.store();
        let now = self.service.now();
        let claimed = store
            .claim_outbox(now, now + Duration::minutes(5), &self.settings.message_id_domain, BATCH)
            .await?;
        let secret = if claimed.is_empty() {
            Vec::new()
        } else {
            store.secret("follow_link").await?
        };
        let mut sent = 0;
        for c in claimed {
            if store.is_undeliverable(&c.mail.to).await? {
                self.failed(&c, true, "the address bounced before and is marked undeliverable")
                    .await?;
                continue;
            }
            let built = self.build(&c, &secret).await;
            let result = match built {
                Ok(Some(mail)) => transport
                    .send(mail)
                    .await
                    .map_err(|e| (e.is_permanent(), e.to_string())),
                Ok(None) => Err((true, NOTHING_TO_SEND.to_owned())),
                Err(e) => Err((true, e.to_string())),
            };
            match result {
                Ok(_) => {
                    store.outbox_sent(c.id, self.service.now()).await?;
                    sent += 1;
                }
                Err((permanent, error)) => self.failed(&c, permanent, &error).await?,
            }
        }
        Ok(sent)
    }

    async fn failed(&self, c: &ClaimedMail, permanent: bool, error: &str) -> Result<()> {
        let give_up = permanent || c.attempts >= MAX_ATTEMPTS;
        tracing::warn!(outbox = %c.id, to = %c.mail.to, attempts = c.attempts, give_up, error, "mail not delivered");
        if give_up {
            self.service.store().outbox_failed(c.id, error, None).await?;
            if let Some(id) = c.mail.ticket_id
                && let Some(t) = self.service.store().get_ticket(id).await?
            {
                let note = format!(
                    "De e-mail ({}) aan {} kon niet worden bezorgd en wordt niet opnieuw verstuurd: {error}",
                    c.mail.kind.label(Lang::Nl),
                    c.mail.to
                );
                self.service.add_system_note(t.number, &note).await?;
            }
        } else {
            let minutes = 1i64 << c.attempts.clamp(0, 6);
            let retry = self.service.now() + Duration::minutes(minutes);
            self.service.store().outbox_failed(c.id, error, Some(retry)).await?;
        }
        Ok(())
    }

    /// What a mail about a ticket says, the thread it belongs to and its mailbox.
    async fn ticket_content(&self, c: &ClaimedMail, id: TicketId, secret: &[u8]) -> Result<Content> {
        let store = self.service.store();
        let ticket = store
            .get_ticket(id)
            .await?
            .ok_or_else(|| DomainError::not_found("ticket"))?;
        let requester = store
            .get_contact(ticket.requester_id)
            .await?
            .ok_or_else(|| DomainError::not_found("requester"))?;
        let messages = store.messages(ticket.id, false).await?;
        let carried = c.mail.message_id.and_then(|id| messages.iter().find(|m| m.id == id));
        // The follow link opens the ticket for its requester: only a mail to
        // the requester carries it (a mail queued before the ticket moved to
        // another address points to the portal's own page instead).
        let link = if c.mail.to == requester.email {
            let token = follow_token(secret, ticket.id, requester.id, self.service.now());
            follow_link(&self.settings.public_url, ticket.number, &token)
        } else {
            format!("{}/mijn", self.settings.public_url.trim_end_matches('/'))
        };
        let vars = Vars {
            number: ticket.number.to_string(),
            subject: subject::strip_prefixes(&ticket.subject).to_owned(),
            // "Beste heer/mevrouw" rather than "Beste jan@gemeente.nl".
            // A name typed by anyone on the portal form must not put their
            // words into the helpdesk's mail: only a plain name greets.
            name: if c.mail.to == requester.email && plain_name(&requester.name) {
                requester.name.clone()
            } else {
                unnamed(requester.language).to_owned()
            },
            link,
            message: match c.mail.outage_update {
                Some(u) => store
                    .outage_update_mail(u)
                    .await?
                    .map(|m| format!("{}: {}", m.title, m.body))
                    .unwrap_or_default(),
                None => carried.map(|m| m.body_text.clone()).unwrap_or_default(),
            },
            // The date as the change that queued the mail set it.
            until: c
                .mail
                .postponed_until
                .or(ticket.postponed_until)
                .map(|d| self.settings.time_zone.date(d))
                .unwrap_or_default(),
            promise: c
                .mail
                .due_at
                .map(|d| match requester.language {
                    Lang::Nl => format!(
                        "\nU krijgt vóór {} een antwoord.",
                        self.settings.time_zone.long_date_time(d, Lang::Nl)
                    ),
                    Lang::En => format!(
                        "\nYou get an answer before {}.",
                        self.settings.time_zone.long_date_time(d, Lang::En)
                    ),
                })
                .unwrap_or_default(),
            version: c
                .mail
                .release_version
                .clone()
                .or_else(|| ticket.release_version.clone())
                .unwrap_or_default(),
            notes: c
                .mail
                .release_version
                .as_deref()
                .or(ticket.release_version.as_deref())
                .map(|v| {
                    format!(
                        "{}/wijzigingen/{}",
                        self.settings.public_url.trim_end_matches('/'),
                        crate::links::path_segment(v)
                    )
                })
                .unwrap_or_default(),
        };
        // The thread: the mails this ticket received and those Loket sent to
        // this address (a portal ticket has only the latter), in order; at the
        // same moment a received mail counts as later (it is what is answered), and
        // mails sent at one moment keep the order they were made in.
        let mut thread: Vec<(chrono::DateTime<chrono::Utc>, bool, String)> = store
            .sent_mail_ids(ticket.id, &c.mail.to, 20)
            .await?
            .into_iter()
            .map(|(at, id)| (at, false, id))
            .collect();
        thread.extend(
            messages
                .iter()
                .filter_map(|m| m.mail_message_id.clone().map(|id| (m.created_at, true, id))),
        );
        thread.sort_by_key(|(at, received, _)| (*at, *received));
        let mut ids: Vec<String> = Vec::with_capacity(thread.len());
        for (_, _, id) in thread {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(Content {
            rendered: self.settings.templates.render(c.mail.kind, requester.language, &vars),
            thread: ids,
            mailbox: ticket.mailbox,
            unsubscribe: None,
        })
    }

    /// What an account mail (set-password link) says.
    async fn account_content(&self, c: &ClaimedMail) -> Result<Content> {
        let token = c
            .mail
            .link_token
            .as_deref()
            .ok_or_else(|| DomainError::invalid("the link of this mail is gone"))?;
        // No name: whoever asked for the link may have typed it.
        let contact = self.service.store().contact_by_email(&c.mail.to).await?;
        let lang = contact.as_ref().map_or(Lang::Nl, |c| c.language);
        let page = match c.mail.kind {
            loket_core::MailKind::StaffAccess => "agent/wachtwoord",
            loket_core::MailKind::OutageSubscribe => "storingen/bevestigen",
            _ => "toegang",
        };
        let vars = Vars {
            link: format!("{}/{page}/{token}", self.settings.public_url.trim_end_matches('/')),
            ..Vars::default()
        };
        Ok(Content {
            rendered: self.settings.templates.render(c.mail.kind, lang, &vars),
            thread: Vec::new(),
            mailbox: None,
            unsubscribe: None,
        })
    }

    /// What a privacy threshold alert says (to an authorised contact).
    async fn alert_content(&self, c: &ClaimedMail, id: i64) -> Result<Content> {
        let store = self.service.store();
        let alert = store
            .privacy_alert(id)
            .await?
            .ok_or_else(|| DomainError::not_found("privacy alert"))?;
        let contact = store.contact_by_email(&c.mail.to).await?;
        let lang = contact.as_ref().map_or(Lang::Nl, |c| c.language);
        let (year, quarter) = alert.period.split_once("-Q").unwrap_or((&alert.period, ""));
        let period = match (lang, quarter) {
            (Lang::Nl, "1") => format!("het eerste kwartaal van {year}"),
            (Lang::Nl, "2") => format!("het tweede kwartaal van {year}"),
            (Lang::Nl, "3") => format!("het derde kwartaal van {year}"),
            (Lang::Nl, "4") => format!("het vierde kwartaal van {year}"),
            (Lang::En, "1") => format!("the first quarter of {year}"),
            (Lang::En, "2") => format!("the second quarter of {year}"),
            (Lang::En, "3") => format!("the third quarter of {year}"),
            (Lang::En, "4") => format!("the fourth quarter of {year}"),
            _ => alert.period.clone(),
        };
        let vars = Vars {
            number: alert.incidents.to_string(),
            subject: alert.organisation,
            name: contact
                .filter(|c| plain_name(&c.name))
                .map_or_else(|| unnamed(lang).to_owned(), |c| c.name),
            link: format!("{}/mijn", self.settings.public_url.trim_end_matches('/')),
            until: period,
            ..Vars::default()
        };
        Ok(Content {
            rendered: self.settings.templates.render(c.mail.kind, lang, &vars),
            thread: Vec::new(),
            mailbox: None,
            unsubscribe: None,
        })
    }

    /// What a service-level warning or breach says (to staff, in Dutch).
    async fn level_content(&self, id: TicketId, event: i64) -> Result<Content> {
        let store = self.service.store();
        let ticket = store
            .get_ticket(id)
            .await?
            .ok_or_else(|| DomainError::not_found("ticket"))?;
        let notice = store
            .service_level_notice(event)
            .await?
            .ok_or_else(|| DomainError::not_found("service-level event"))?;
        let vars = Vars {
            number: ticket.number.to_string(),
            subject: subject::strip_prefixes(&ticket.subject).to_owned(),
            link: format!(
                "{}/agent/tickets/{}",
                self.settings.public_url.trim_end_matches('/'),
                ticket.number
            ),
            message: notice.kind.label(Lang::Nl).to_owned(),
            until: self.settings.time_zone.date_time(notice.due_at),
            ..Vars::default()
        };
        Ok(Content {
            rendered: self.settings.templates.render(c_kind(notice.event), Lang::Nl, &vars),
            thread: Vec::new(),
            mailbox: None,
            unsubscribe: None,
        })
    }

    /// What an outage update says to a subscriber (with a maintenance
    /// window and the components it affects), with the link to unsubscribe.
    async fn outage_content(&self, c: &ClaimedMail, update: i64) -> Result<Content> {
        let store = self.service.store();
        let m = store
            .outage_update_mail(update)
            .await?
            .ok_or_else(|| DomainError::not_found("outage update"))?;
        let id = store
            .subscriber_id(&c.mail.to)
            .await?
            .ok_or_else(|| DomainError::not_found("subscriber"))?;
        let token = self
            .service
            .subscriber_token(id, loket_core::service::SubscriberLink::Unsubscribe)
            .await?;
        let zone = self.settings.time_zone;
        let mut message = format!("{} · {}", zone.date_time(m.at), m.body);
        if let Some(o) = store.outage(m.outage).await? {
            message.push_str(&o.about(zone));
        }
        let base = self.settings.public_url.trim_end_matches('/');
        let link = format!("{base}/storingen/afmelden/{token}");
        let vars = Vars {
            subject: m.title,
            until: m.state.label(Lang::Nl).to_owned(),
            message,
            link: link.clone(),
            notes: format!("{base}/storingen"),
            ..Vars::default()
        };
        Ok(Content {
            rendered: self.settings.templates.render(c.mail.kind, Lang::Nl, &vars),
            thread: Vec::new(),
            mailbox: None,
            unsubscribe: Some(link),
        })
    }

    /// What a forum mail says to a follower, with the link to unsubscribe.
    /// `None` when the address no longer follows the topic, or the post or
    /// topic was hidden since: nothing is sent.
    async fn forum_content(&self, c: &ClaimedMail, post: i64) -> Result<Option<Content>> {
        let Some(m) = self.service.store().forum_mail(post, &c.mail.to).await? else {
            return Ok(None);
        };
        if m.hidden {
            return Ok(None);
        }
        let token = self.service.forum_unsubscribe_token(m.subscription).await?;
        let base = self.settings.public_url.trim_end_matches('/');
        let vars = Vars {
            subject: m.title,
            name: if m.staff {
                format!("{} (helpdesk)", m.author)
            } else {
                m.author
            },
            message: m.body,
            link: format!("{base}/forum/afmelden/{token}"),
            notes: format!("{base}/forum/onderwerp/{}#bericht-{post}", m.topic),
            ..Vars::default()
        };
        Ok(Some(Content {
            rendered: self.settings.templates.render(c.mail.kind, Lang::Nl, &vars),
            thread: Vec::new(),
            mailbox: None,
            unsubscribe: Some(vars.link.clone()),
        }))
    }

    /// The mail to send; `None` when there is nothing to send any more.
    async fn build(&self, c: &ClaimedMail, secret: &[u8]) -> Result<Option<Mail>> {
        let content = match (c.mail.ticket_id, c.mail.privacy_alert) {
            (None, _) if let Some(post) = c.mail.forum_post => match self.forum_content(c, post).await? {
                Some(content) => content,
                None => return Ok(None),
            },
            (None, _) if let Some(update) = c.mail.outage_update => self.outage_content(c, update).await?,
            (Some(id), _) if let Some(event) = c.mail.sla_event => self.level_content(id, event).await?,
            (Some(id), _) => self.ticket_content(c, id, secret).await?,
            (None, Some(alert)) => self.alert_content(c, alert).await?,
            (None, None) => self.account_content(c).await?,
        };
        let rendered = content.rendered;
        let parse = |a: &str, what: &str| {
            a.parse::<Address>()
                .map_err(|e| DomainError::invalid(format!("{what} address '{a}': {e}")))
        };
        let mut builder = Mail::builder()
            .from(parse(&self.settings.from, "from")?)
            .to(parse(&c.mail.to, "recipient")?)
            .subject(rendered.subject)
            .message_id(Some(format!("<{}>", c.mail_message_id)));
        let reply_to = content
            .mailbox
            .as_ref()
            .and_then(|m| self.settings.reply_to.get(m))
            .or_else(|| self.settings.reply_to.get("helpdesk"));
        // Every mail can be answered: its mailbox's address, or the sender's.
        builder = builder.reply_to(parse(reply_to.unwrap_or(&self.settings.from), "reply-to")?);
        let ids = &content.thread;
        if let Some(last) = ids.last() {
            builder = builder.in_reply_to(format!("<{last}>"));
            let refs: Vec<String> = ids.iter().rev().take(20).rev().map(|i| format!("<{i}>")).collect();
            builder = builder.references(refs.join(" "));
        }
        if c.mail.automatic {
            builder = builder.header(AutoSubmitted);
        }
        if let Some(link) = content.unsubscribe {
            builder = builder.header(ListUnsubscribe(link));
        }
        builder
            .header(lettre::message::header::MIME_VERSION_1_0)
            .header(ContentType::TEXT_PLAIN)
            .body(rendered.body)
            .map(Some)
            .map_err(|e| DomainError::invalid(format!("cannot build the mail: {e}")))
    }
}

/// The mail that tells of a service-level event.
fn c_kind(event: loket_core::service_level::SlaEvent) -> loket_core::MailKind {
    match event {
        loket_core::service_level::SlaEvent::Warning => loket_core::MailKind::SlaWarning,
        loket_core::service_level::SlaEvent::Breach => loket_core::MailKind::SlaBreach,
    }
}

/// How a mail addresses someone whose name Loket does not know.
fn unnamed(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => "heer/mevrouw",
        Lang::En => "Sir or Madam",
    }
}

/// Whether a name reads as a person's name (letters, spaces, `-`, `'` and
/// `.`; at most 40 characters and five words; no sentence inside), and may
/// therefore open a mail.
fn plain_name(name: &str) -> bool {
    let n = name.chars().count();
    (1..=40).contains(&n)
        && name.split_whitespace().count() <= 5
        && name.chars().any(char::is_alphabetic)
        && name.chars().all(|c| c.is_alphabetic() || " -'.".contains(c))
        && !name
            .split(". ")
            .skip(1)
            .any(|rest| rest.chars().next().is_some_and(char::is_uppercase))
}

#[cfg(test)]
mod name_tests {
    #[test]
    fn only_plain_names_greet() {
        for ok in ["Jan de Vries", "Fatma Yılmaz", "J.P. van 't Hek", "Anne-Marie"] {
            assert!(super::plain_name(ok), "{ok}");
        }
        for bad in [
            "",
            "Klik op https://evil.example",
            "info@bank.nl",
            "Bel 0900-1234",
            &"a".repeat(41),
            "...",
            "Jan. Uw account verloopt. Log in op evil punt nl",
            "Jan. Uw account verloopt",
        ] {
            assert!(!super::plain_name(bad), "{bad}");
        }
    }
}
