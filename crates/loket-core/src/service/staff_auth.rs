//! Staff sign-in for the agent workspace: a password (Argon2id, as the
//! portal's), then a TOTP code (RFC 6238) for everyone who enrolled, and
//! enrolment first for roles that must use TOTP. Staff sessions are their own
//! records: a portal session never signs anyone in here, nor the other way.

use super::accounts::{check_password, hash_password, random_token, verify};
use super::{Actor, Service, token_hash};
use crate::store::{SessionStage, StaffSessionRecord};
use crate::*;
use chrono::Duration;
use totp_rs::{Algorithm, Secret, TOTP};

/// A staff session ends after this long without a request.
pub const STAFF_IDLE_MINUTES: i64 = 60;
/// A staff session ends this long after sign-in, used or not.
pub const STAFF_SESSION_HOURS: i64 = 12;
/// How long a staff member's set-password link works.
pub const STAFF_LINK_HOURS: i64 = 48;
/// One-time recovery codes made at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// The name authenticator apps show beside the account.
pub const TOTP_ISSUER: &str = "Loket";

/// Why enrolment is refused once a secret is enrolled.
const TOTP_ENROLLED: &str = "TOTP is set up already; an administrator can reset it";

/// The label of a ticket marked as spam.
pub const SPAM_LABEL: &str = "spam";

/// What marking spam bans besides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpamBan {
    /// Nothing: only this ticket.
    None,
    /// The requester's address.
    Address,
    /// The requester's whole mail domain.
    Domain,
}

/// What a password sign-in leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Signed in.
    Done,
    /// A TOTP code (or a recovery code) comes next.
    Code,
    /// The role must use TOTP and none is enrolled yet: enrol first.
    Enrol,
}

/// A live staff session.
#[derive(Debug, Clone)]
pub struct StaffSession {
    /// Whose.
    pub staff: Staff,
    /// Whether sign-in is complete.
    pub signed_in: bool,
    /// Whether the staff member has TOTP; with `signed_in` false, whether a
    /// code or enrolment comes next.
    pub has_totp: bool,
    /// A secret being enrolled, shown until its first code confirms it.
    pub pending_secret: Option<String>,
}

/// A TOTP secret being enrolled: as text for typing in, and the `otpauth://`
/// URI a QR code carries.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// Base32, as authenticator apps take it.
    pub secret: String,
    /// `otpauth://totp/…`
    pub uri: String,
}

fn totp(secret_base32: &str) -> Result<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_owned())
        .to_bytes()
        .map_err(|_| DomainError::Storage("a stored TOTP secret is not base32".into()))?;
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes).map_err(|e| DomainError::Storage(format!("TOTP secret: {e}")))
}

/// The code of a secret at a Unix time (for tests and for the command line's
/// check of a new secret).
pub fn totp_code(secret_base32: &str, unix_seconds: u64) -> Result<String> {
    Ok(totp(secret_base32)?.generate(unix_seconds))
}

fn enrolment_uri(secret: &str, email: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(TOTP_ISSUER),
        enc(email),
        enc(TOTP_ISSUER)
    )
}

/// A recovery code as typed: groups of letters and digits, case and
/// separators ignored.
fn recovery_key(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn refused() -> DomainError {
    DomainError::Forbidden("wrong e-mail address or password".into())
}

impl Service {
    /// Sets a staff member's password (the command line acts as system; an
    /// admin may set anyone's). Ends their sessions.
    pub async fn set_staff_password(&self, actor: &Actor, email: &str, password: &str) -> Result<Staff> {
        if !matches!(actor, Actor::System) {
            actor.require_staff(&[Role::Admin], "set staff passwords")?;
        }
        let staff = self.staff_named(email).await?;
        check_password(password, &staff.email, &staff.name)?;
        let hash = hash_password(self, password).await?;
        self.store
            .set_staff_password(staff.id, &hash, &self.stamp(actor))
            .await?;
        Ok(staff)
    }

    /// Mails a staff member a link to set their workspace password (valid
    /// for [`STAFF_LINK_HOURS`], once); admins, or the command line.
    pub async fn invite_staff(&self, actor: &Actor, email: &str) -> Result<Staff> {
        if !matches!(actor, Actor::System) {
            actor.require_staff(&[Role::Admin], "invite staff")?;
        }
        let staff = self.staff_named(email).await?;
        let token = random_token();
        let now = self.clock.now();
        self.store
            .create_staff_link(
                &staff,
                &token_hash(&token),
                &token,
                now,
                now + Duration::hours(STAFF_LINK_HOURS),
            )
            .await?;
        Ok(staff)
    }

    /// The staff member a set-password link is for, if it is live.
    pub async fn staff_link(&self, token: &str) -> Result<Staff> {
        let gone = || DomainError::not_found("this link (it was used or has expired)");
        let id = self
            .store
            .staff_link(&token_hash(token), self.clock.now())
            .await?
            .ok_or_else(gone)?;
        self.store.get_staff(id).await?.ok_or_else(gone)
    }

    /// Sets the password with a link (once); ends the staff member's sessions.
    pub async fn set_staff_password_by_link(&self, token: &str, password: &str) -> Result<Staff> {
        let staff = self.staff_link(token).await?;
        check_password(password, &staff.email, &staff.name)?;
        let hash = hash_password(self, password).await?;
        let now = self.clock.now();
        self.store
            .use_staff_link(&token_hash(token), now)
            .await?
            .ok_or_else(|| DomainError::not_found("this link (it was used or has expired)"))?;
        let stamp = crate::store::Stamp {
            actor: format!("staff:{}", staff.id),
            at: now,
        };
        self.store.set_staff_password(staff.id, &hash, &stamp).await?;
        Ok(staff)
    }

    /// Checks a staff member's address and password and starts a session:
    /// complete, or waiting for a TOTP code or enrolment. A wrong address
    /// and a wrong password get the same answer after the same work.
    pub async fn staff_login(&self, email: &str, password: &str) -> Result<(String, NextStep)> {
        let found = match normalise_email(email) {
            Ok(e) => self.store.staff_credentials(&e).await?,
            Err(_) => None,
        };
        let hash = found
            .as_ref()
            .and_then(|c| c.password_hash.clone())
            .unwrap_or_else(|| self.dummy_hash());
        self.count_password_work();
        let ok = verify(password, hash).await;
        let Some(creds) = found.filter(|c| ok && c.password_hash.is_some()) else {
            return Err(refused());
        };
        let next = match (&creds.totp_secret, creds.totp_required) {
            (Some(_), _) => NextStep::Code,
            (None, true) => NextStep::Enrol,
            (None, false) => NextStep::Done,
        };
        let stage = if next == NextStep::Done {
            SessionStage::SignedIn
        } else {
            SessionStage::Password
        };
        let token = random_token();
        self.store
            .create_staff_session(&token_hash(&token), creds.staff.id, stage, self.clock.now())
            .await?;
        Ok((token, next))
    }

    async fn staff_session_record(&self, token: &str, touch: bool) -> Result<Option<StaffSessionRecord>> {
        let now = self.clock.now();
        self.store
            .staff_session(
                &token_hash(token),
                now,
                now - Duration::minutes(STAFF_IDLE_MINUTES),
                now - Duration::hours(STAFF_SESSION_HOURS),
                touch,
            )
            .await
    }

    /// The session of a staff cookie, if live (and marks it used).
    pub async fn staff_session(&self, token: &str) -> Result<Option<StaffSession>> {
        self.staff_session_as(token, true).await
    }

    /// The session of a staff cookie, if live; `touch` false for a page's
    /// background poll, which does not keep an idle session alive.
    pub async fn staff_session_as(&self, token: &str, touch: bool) -> Result<Option<StaffSession>> {
        let Some(rec) = self.staff_session_record(token, touch).await? else {
            return Ok(None);
        };
        Ok(Some(StaffSession {
            signed_in: rec.stage == SessionStage::SignedIn,
            staff: rec.staff,
            has_totp: rec.has_totp,
            pending_secret: rec.pending_secret,
        }))
    }

    /// The second step: a TOTP code of the enrolled secret (each works once)
    /// or an unused recovery code completes the session.
    /// Answers the staff member and the session's new token (the one from
    /// the password step stops working).
    pub async fn staff_verify_code(&self, token: &str, code: &str) -> Result<(Staff, String)> {
        let rec = self.staff_session_record(token, true).await?.ok_or_else(refused)?;
        let creds = self
            .store
            .staff_credentials(&rec.staff.email)
            .await?
            .ok_or_else(refused)?;
        let Some(secret) = creds.totp_secret else {
            return Err(refused());
        };
        let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let ok = if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
            self.spend_totp(rec.staff.id, &secret, &digits).await?
        } else {
            let key = recovery_key(code);
            !key.is_empty()
                && self
                    .store
                    .use_recovery_code(rec.staff.id, &token_hash(&key), self.clock.now())
                    .await?
        };
        if !ok {
            return Err(DomainError::Forbidden("wrong code".into()));
        }
        let fresh = random_token();
        self.store
            .update_staff_session(
                &token_hash(token),
                SessionStage::SignedIn,
                None,
                Some(&token_hash(&fresh)),
            )
            .await?;
        Ok((rec.staff, fresh))
    }

    /// Whether `code` is the secret's code in the current 30-second step or
    /// one beside it, and that step was not used before.
    async fn spend_totp(&self, staff: StaffId, secret: &str, code: &str) -> Result<bool> {
        let t = totp(secret)?;
        let now = u64::try_from(self.clock.now().timestamp()).unwrap_or_default();
        let current = now / 30;
        for step in [current.saturating_sub(1), current, current + 1] {
            let expected = t.generate(step * 30);
            if constant_eq(expected.as_bytes(), code.as_bytes()) {
                let step = i64::try_from(step).unwrap_or(i64::MAX);
                return self.store.use_totp_step(staff, step).await;
            }
        }
        Ok(false)
    }

    /// Starts (or shows again) TOTP enrolment in a session that passed the
    /// password step or is signed in: a new secret kept with the session
    /// until a code confirms it.
    pub async fn staff_begin_enrolment(&self, token: &str) -> Result<Enrolment> {
        let rec = self.staff_session_record(token, true).await?.ok_or_else(refused)?;
        let creds = self
            .store
            .staff_credentials(&rec.staff.email)
            .await?
            .ok_or_else(refused)?;
        if creds.totp_secret.is_some() {
            // An enrolled secret is never replaced from a session (someone at
            // an unlocked screen, or with only the password): an
            // administrator resets it, and the next sign-in enrols again.
            return Err(DomainError::conflict(TOTP_ENROLLED));
        }
        let secret = if let Some(s) = rec.pending_secret {
            s
        } else {
            let mut bytes = [0u8; 20];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
            let Secret::Encoded(s) = Secret::Raw(bytes.to_vec()).to_encoded() else {
                return Err(DomainError::Storage("base32 encoding failed".into()));
            };
            self.store
                .update_staff_session(&token_hash(token), rec.stage, Some(&s), None)
                .await?;
            s
        };
        Ok(Enrolment {
            uri: enrolment_uri(&secret, &rec.staff.email),
            secret,
        })
    }

    /// Confirms enrolment with a code of the new secret: stores it (unless
    /// another enrolment won meanwhile), signs the session in under a new
    /// token, and answers the recovery codes (shown once; only their hashes
    /// are kept) with that token.
    pub async fn staff_confirm_enrolment(&self, token: &str, code: &str) -> Result<(Vec<String>, String)> {
        let rec = self.staff_session_record(token, true).await?.ok_or_else(refused)?;
        let Some(secret) = rec.pending_secret.clone() else {
            return Err(DomainError::Conflict("no enrolment in progress".into()));
        };
        let creds = self
            .store
            .staff_credentials(&rec.staff.email)
            .await?
            .ok_or_else(refused)?;
        if creds.totp_secret.is_some() {
            return Err(DomainError::conflict(TOTP_ENROLLED));
        }
        let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let t = totp(&secret)?;
        let now = u64::try_from(self.clock.now().timestamp()).unwrap_or_default();
        let matches = [now.saturating_sub(30), now, now + 30]
            .iter()
            .any(|at| constant_eq(t.generate(*at).as_bytes(), digits.as_bytes()));
        if !matches {
            return Err(DomainError::Forbidden("wrong code".into()));
        }
        let codes: Vec<String> = (0..RECOVERY_CODES)
            .map(|_| {
                let raw = random_token();
                format!("{}-{}", &raw[..5], &raw[5..10])
            })
            .collect();
        let hashes: Vec<String> = codes.iter().map(|c| token_hash(&recovery_key(c))).collect();
        let stamp = crate::store::Stamp {
            actor: format!("staff:{}", rec.staff.id),
            at: self.clock.now(),
        };
        self.store
            .set_totp(rec.staff.id, Some(&secret), &hashes, &stamp)
            .await?;
        self.store
            .use_totp_step(rec.staff.id, i64::try_from(now / 30).unwrap_or(i64::MAX))
            .await?;
        let fresh = random_token();
        self.store
            .update_staff_session(
                &token_hash(token),
                SessionStage::SignedIn,
                None,
                Some(&token_hash(&fresh)),
            )
            .await?;
        Ok((codes, fresh))
    }

    /// Ends one staff session (logout).
    pub async fn end_staff_session(&self, token: &str) -> Result<()> {
        self.store.delete_staff_session(&token_hash(token)).await
    }

    /// Ends every session of a staff member (an admin, or the command line).
    pub async fn end_staff_sessions(&self, actor: &Actor, email: &str) -> Result<u64> {
        if !matches!(actor, Actor::System) {
            actor.require_staff(&[Role::Admin], "end staff sessions")?;
        }
        let staff = self.staff_named(email).await?;
        self.store.delete_staff_sessions(staff.id, &self.stamp(actor)).await
    }

    /// Removes a staff member's TOTP (a lost phone): they enrol again at
    /// their next sign-in when their role requires it.
    pub async fn reset_totp(&self, actor: &Actor, email: &str) -> Result<Staff> {
        if !matches!(actor, Actor::System) {
            actor.require_staff(&[Role::Admin], "reset TOTP")?;
        }
        let staff = self.staff_named(email).await?;
        let stamp = self.stamp(actor);
        self.store.set_totp(staff.id, None, &[], &stamp).await?;
        self.store.delete_staff_sessions(staff.id, &stamp).await?;
        Ok(staff)
    }

    /// Makes TOTP required (or not) for every staff member of a role.
    pub async fn require_totp(&self, actor: &Actor, role: Role, required: bool) -> Result<()> {
        if !matches!(actor, Actor::System) {
            actor.require_staff(&[Role::Admin], "change the TOTP requirement")?;
        }
        let stamp = self.stamp(actor);
        self.store.set_totp_role(role, required, &stamp).await?;
        if required {
            // Sessions of members without TOTP end: they enrol at their next sign-in.
            for s in self.store.list_staff().await?.into_iter().filter(|s| s.role == role) {
                let enrolled = self
                    .store
                    .staff_credentials(&s.email)
                    .await?
                    .is_some_and(|c| c.totp_secret.is_some());
                if !enrolled {
                    self.store.delete_staff_sessions(s.id, &stamp).await?;
                }
            }
        }
        Ok(())
    }

    /// The roles that must use TOTP.
    pub async fn totp_roles(&self) -> Result<Vec<Role>> {
        self.store.totp_roles().await
    }

    /// Contacts found by part of their address, name or organisation's name
    /// (for entering a phone ticket).
    pub async fn find_contacts(&self, actor: &Actor, text: &str) -> Result<Vec<Contact>> {
        actor.require_staff(super::ALL_STAFF, "look up contacts")?;
        let text = text.trim();
        if text.chars().count() < 2 {
            return Ok(Vec::new());
        }
        let text: String = text.chars().take(100).collect();
        self.store.find_contacts(&text, 20).await
    }

    /// The canned replies (every staff member reads them).
    pub async fn canned_replies(&self, actor: &Actor) -> Result<Vec<crate::store::CannedReply>> {
        actor.require_staff(super::ALL_STAFF, "read canned replies")?;
        self.store.canned_replies().await
    }

    /// Adds or changes a canned reply (admins).
    pub async fn save_canned_reply(
        &self,
        actor: &Actor,
        id: Option<i64>,
        title: &str,
        body: &str,
    ) -> Result<crate::store::CannedReply> {
        actor.require_staff(&[Role::Admin], "manage canned replies")?;
        let title = crate::problem::clean_line(title, Field::Subject, 100)?;
        if body.trim().is_empty() {
            return Err(Problem::Empty(Field::Message).into());
        }
        if body.chars().count() > 20_000 {
            return Err(Problem::TooLong(Field::Message, 20_000).into());
        }
        self.store
            .save_canned_reply(id, &title, body.trim_end(), &self.stamp(actor))
            .await
    }

    /// Removes a canned reply (admins).
    pub async fn delete_canned_reply(&self, actor: &Actor, id: i64) -> Result<()> {
        actor.require_staff(&[Role::Admin], "manage canned replies")?;
        if self.store.delete_canned_reply(id, &self.stamp(actor)).await? {
            Ok(())
        } else {
            Err(DomainError::not_found("canned reply"))
        }
    }

    /// Records that a staff member has a ticket open (typing or not) and
    /// answers who else had it open in the last minute, by name, and whether
    /// they are typing.
    pub async fn viewing(&self, actor: &Actor, number: TicketNumber, typing: bool) -> Result<Vec<(String, bool)>> {
        let ticket = self.ticket_for(actor, number).await?;
        let staff = self.store.list_staff().await?;
        self.viewing_ticket(actor, &ticket, &staff, typing).await
    }

    /// [`Service::viewing`] for a ticket the caller already read, with the
    /// staff list it already has (the ticket page).
    pub async fn viewing_ticket(
        &self,
        actor: &Actor,
        ticket: &Ticket,
        staff: &[Staff],
        typing: bool,
    ) -> Result<Vec<(String, bool)>> {
        let me = actor.require_staff(super::ALL_STAFF, "open tickets")?;
        let now = self.clock.now();
        self.store.mark_viewing(ticket.id, me.id, typing, now).await?;
        let others = self.store.viewers(ticket.id, now - Duration::seconds(60)).await?;
        Ok(others
            .into_iter()
            .filter(|(id, _)| *id != me.id)
            .filter_map(|(id, typing)| staff.iter().find(|s| s.id == id).map(|s| (s.name.clone(), typing)))
            .collect())
    }

    /// Merges ticket `from` into `into` (the one that keeps its number):
    /// messages, attachments and follow links of `from` end up in `into`.
    /// Only tickets of one requester are merged, so nobody sees another's
    /// messages through an old link.
    pub async fn merge(&self, actor: &Actor, from: TicketNumber, into: TicketNumber) -> Result<Ticket> {
        actor.require_staff(super::ALL_STAFF, "merge tickets")?;
        if from == into {
            return Err(DomainError::conflict("a ticket cannot be merged with itself"));
        }
        let a = self.ticket_for(actor, from).await?;
        let b = self.ticket_for(actor, into).await?;
        if a.requester_id != b.requester_id {
            return Err(DomainError::conflict(
                "only tickets of the same requester can be merged; move the tickets to one address first",
            ));
        }
        self.store.merge_tickets(a.id, b.id, &self.stamp(actor)).await?;
        self.ticket_for(actor, into).await
    }

    /// The ticket a merged ticket now lives in, if it was merged.
    pub async fn merged_into(&self, ticket: &Ticket) -> Result<Option<Ticket>> {
        self.store.merged_into(ticket.id).await
    }

    /// Marks a ticket as spam: labelled `spam` and resolved without a mail;
    /// with `ban`, later mail from the requester's address (or domain) goes
    /// to the quarantine. A public mail provider's domain, or a customer
    /// organisation's, is never banned as a whole.
    pub async fn mark_spam(&self, actor: &Actor, number: TicketNumber, ban: SpamBan) -> Result<Ticket> {
        actor.require_staff(super::ALL_STAFF, "mark tickets as spam")?;
        let ticket = self.ticket_for(actor, number).await?;
        let requester = self
            .store
            .get_contact(ticket.requester_id)
            .await?
            .ok_or_else(|| DomainError::not_found("requester"))?;
        let pattern = match ban {
            SpamBan::None => None,
            SpamBan::Address => Some(requester.email.clone()),
            SpamBan::Domain => {
                let domain = crate::email_domain(&requester.email).to_owned();
                if crate::public_domains::is_public_mail_domain(&domain) {
                    return Err(DomainError::conflict(format!(
                        "{domain} is a public mail provider: ban the address, not the domain"
                    )));
                }
                if self.store.organisation_for_domain(&domain).await?.is_some() {
                    return Err(DomainError::conflict(format!(
                        "{domain} belongs to a customer organisation: ban the address, not the domain"
                    )));
                }
                Some(format!("@{domain}"))
            }
        };
        if let Some(p) = &pattern {
            actor.require_staff(super::DESK_STAFF, "ban senders")?;
            self.store.ban_sender(p, &self.stamp(actor)).await?;
        }
        let mut labels = ticket.labels.clone();
        if !labels.iter().any(|l| l == SPAM_LABEL) {
            labels.push(SPAM_LABEL.to_owned());
            self.set_labels(actor, number, &labels).await?;
        }
        if ticket.status == Status::Resolved {
            return self.ticket_for(actor, number).await;
        }
        self.resolve(actor, number).await
    }

    /// Lifts a ban on a sender (an address, or `@domain`).
    pub async fn unban_sender(&self, actor: &Actor, pattern: &str) -> Result<()> {
        actor.require_staff(super::DESK_STAFF, "lift bans")?;
        if self.store.unban_sender(pattern.trim(), &self.stamp(actor)).await? {
            Ok(())
        } else {
            Err(DomainError::not_found("ban"))
        }
    }

    /// Every ban, newest first.
    pub async fn banned_senders(&self, actor: &Actor) -> Result<Vec<(String, chrono::DateTime<chrono::Utc>, String)>> {
        actor.require_staff(super::ALL_STAFF, "see bans")?;
        self.store.banned_senders().await
    }

    /// Changes a staff member's role (admins, or the command line; nobody
    /// demotes the last admin).
    pub async fn set_staff_role(&self, actor: &Actor, email: &str, role: Role) -> Result<Staff> {
        if !matches!(actor, Actor::System) {
            actor.require_staff(&[Role::Admin], "change roles")?;
        }
        let staff = self.staff_named(email).await?;
        // The store checks "the last admin stays" in the same transaction.
        self.store.set_staff_role(staff.id, role, &self.stamp(actor)).await
    }

    /// Every staff member with whether they set a password and enrolled
    /// TOTP (admins).
    pub async fn staff_overview(&self, actor: &Actor) -> Result<Vec<(Staff, bool, bool)>> {
        actor.require_staff(&[Role::Admin], "manage staff")?;
        let mut out = Vec::new();
        for s in self.store.list_staff().await? {
            let creds = self.store.staff_credentials(&s.email).await?;
            let password = creds.as_ref().is_some_and(|c| c.password_hash.is_some());
            let totp = creds.is_some_and(|c| c.totp_secret.is_some());
            out.push((s, password, totp));
        }
        Ok(out)
    }

    /// Renames a label on every ticket that carries it (or removes it with
    /// `to` none), ticket by ticket through the usual change (audit trail
    /// included); at most 1,000 tickets per call. Answers how many changed.
    pub async fn rename_label(&self, actor: &Actor, from: &str, to: Option<&str>) -> Result<usize> {
        actor.require_staff(super::DESK_STAFF, "manage labels")?;
        let tickets = self
            .store
            .list_tickets(&crate::store::TicketFilter {
                label: Some(from.to_owned()),
                limit: 1000,
                ..Default::default()
            })
            .await?;
        let mut changed = 0;
        for t in tickets {
            let mut labels: Vec<String> = t.labels.iter().filter(|l| *l != from).cloned().collect();
            if let Some(to) = to
                && !labels.iter().any(|l| l == to)
            {
                labels.push(to.to_owned());
            }
            self.set_labels(actor, t.number, &labels).await?;
            changed += 1;
        }
        Ok(changed)
    }

    /// Every staff member (for assigning).
    pub async fn list_staff(&self, actor: &Actor) -> Result<Vec<Staff>> {
        actor.require_staff(super::ALL_STAFF, "list staff")?;
        self.store.list_staff().await
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 appendix B, secret "12345678901234567890", 6 digits.
        let secret = match Secret::Raw(b"12345678901234567890".to_vec()).to_encoded() {
            Secret::Encoded(s) => s,
            Secret::Raw(_) => String::new(),
        };
        assert_eq!(totp_code(&secret, 59).ok().as_deref(), Some("287082"));
        assert_eq!(totp_code(&secret, 1_111_111_109).ok().as_deref(), Some("081804"));
        assert_eq!(totp_code(&secret, 2_000_000_000).ok().as_deref(), Some("279037"));
    }

    #[test]
    fn uri_and_recovery_keys() {
        let uri = enrolment_uri("ABC", "jan+x@loket.test");
        assert_eq!(
            uri,
            "otpauth://totp/Loket:jan%2Bx@loket.test?secret=ABC&issuer=Loket&algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(recovery_key(" AB12c-De34f "), "ab12cde34f");
        assert!(!constant_eq(b"123456", b"123457") && constant_eq(b"1", b"1"));
    }
}
