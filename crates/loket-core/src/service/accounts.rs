//! Portal accounts: a link to set a password (registration and forgotten
//! password are the same flow), passwords hashed with Argon2id, login and
//! sessions kept in the store so every process shares them.

use super::{Actor, Service, token_hash};
use crate::*;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::Duration;
use rand::RngCore;
use rand::rngs::OsRng;

/// How long a set-password link stays valid.
pub const ACCESS_LINK_HOURS: i64 = 24;
/// How long a portal session lasts.
pub const SESSION_DAYS: i64 = 14;
/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest password accepted.
pub const MAX_PASSWORD_CHARS: usize = 200;

pub(super) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A hash to verify against when the address is unknown, so a wrong address
/// does the same work as a wrong password. Made once per process.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Dutch words that make a password easy to guess, for the strength estimate
/// (its own dictionaries are English).
const DUTCH_WORDS: &[&str] = &[
    "wachtwoord",
    "welkom",
    "geheim",
    "helpdesk",
    "loket",
    "gemeente",
    "zomer",
    "winter",
    "lente",
    "herfst",
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
    "amsterdam",
    "rotterdam",
    "utrecht",
    "nederland",
    "holland",
    "ajax",
    "feyenoord",
    "qwerty",
    "azerty",
];

/// The lowest strength score (0 to 4) a password needs.
const MIN_PASSWORD_SCORE: u8 = 3;

/// Checks a new password: long enough, and not common, guessable or trivial
/// (zxcvbn's estimate, with the person's own address and name and common Dutch
/// words counted as guessable).
pub fn check_password(password: &str, email: &str, name: &str) -> Result<()> {
    let length = password.trim().chars().count();
    if length == 0 {
        return Err(Problem::Empty(Field::Password).into());
    }
    if length < MIN_PASSWORD_CHARS {
        return Err(Problem::PasswordTooShort(MIN_PASSWORD_CHARS).into());
    }
    // The estimate takes time with the length; nobody types more than this
    // (spaces around it included: they are part of what is stored).
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(Problem::TooLong(Field::Password, MAX_PASSWORD_CHARS).into());
    }
    let mut known: Vec<&str> = DUTCH_WORDS.to_vec();
    known.push(email);
    known.extend(email.split('@'));
    known.extend(email.split(['@', '.']));
    known.extend(name.split_whitespace());
    let joined: String = name.split_whitespace().collect();
    known.push(&joined);
    // Judged without the spaces around it: padding adds no strength.
    let password = password.trim();
    let score: u8 = zxcvbn::zxcvbn(password, &known).score().into();
    if score < MIN_PASSWORD_SCORE {
        return Err(Problem::PasswordTooWeak.into());
    }
    // Guessable words strung together ("Welkom-Loket-2026") score well on
    // their own; what remains without them must still be a few letters.
    let mut words: Vec<String> = known
        .iter()
        .map(|w| w.to_lowercase())
        .filter(|w| w.chars().count() >= 3)
        .collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    let mut rest = password.to_lowercase();
    for w in &words {
        rest = rest.replace(w.as_str(), "");
    }
    if rest.chars().filter(|c| c.is_alphabetic()).count() < 4 {
        return Err(Problem::PasswordTooWeak.into());
    }
    Ok(())
}

/// Hashes a new password with Argon2id off the async threads.
pub(super) async fn hash_password(svc: &Service, password: &str) -> Result<String> {
    let password = password.to_owned();
    svc.count_password_work();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| DomainError::Storage(format!("password hashing failed: {e}")))?
    .map_err(|e| DomainError::Storage(format!("password hashing failed: {e}")))
}

/// Verifies a password against a PHC hash off the async threads (Argon2 is
/// deliberately slow).
pub(super) async fn verify(password: &str, hash: String) -> bool {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .unwrap_or(false)
}

impl Service {
    pub(super) fn count_password_work(&self) {
        self.password_work.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// How many Argon2 computations (hashes and verifications) this service
    /// ran: a login runs exactly one, whether or not the address has an account.
    pub fn password_work(&self) -> usize {
        self.password_work.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(super) fn dummy_hash(&self) -> String {
        DUMMY_HASH
            .get_or_init(|| {
                self.count_password_work();
                let salt = SaltString::generate(&mut OsRng);
                Argon2::default()
                    .hash_password(b"not a password", &salt)
                    .map(|h| h.to_string())
                    .unwrap_or_default()
            })
            .clone()
    }

    /// Mails a single-use link to set a password to `email` (and creates the
    /// contact when new). Callers answer the same whether or not the address
    /// was known, so nobody learns which addresses have an account.
    pub async fn request_access(&self, email: &str) -> Result<()> {
        self.request_access_in(email, None).await
    }

    /// [`Service::request_access`] from a page in `lang`: a new contact
    /// gets their mail in that language.
    pub async fn request_access_in(&self, email: &str, lang: Option<Lang>) -> Result<()> {
        let email = normalise_email(email)?;
        let now = self.clock.now();
        let new = self.store.contact_by_email(&email).await?.is_none();
        let mut contact = self.store.ensure_contact(&email, "", now).await?;
        if new {
            contact = self.adopt_language(contact, lang).await?;
        }
        let token = random_token();
        self.store
            .create_access(
                &contact,
                &token_hash(&token),
                &token,
                now,
                now + Duration::hours(ACCESS_LINK_HOURS),
            )
            .await
    }

    /// A new contact who wrote in another language than Dutch (the portal's
    /// page language) hears from the helpdesk in it; an existing contact
    /// keeps their choice, so callers pass only new ones.
    pub(crate) async fn adopt_language(&self, contact: Contact, lang: Option<Lang>) -> Result<Contact> {
        match lang.filter(|l| *l != contact.language) {
            Some(lang) => {
                let patch = crate::store::ContactPatch {
                    language: Some(lang),
                    ..crate::store::ContactPatch::default()
                };
                self.store
                    .update_contact(contact.id, &patch, &self.stamp(&Actor::System))
                    .await
            }
            None => Ok(contact),
        }
    }

    /// The contact an unused, unexpired access link is for (to check a new
    /// password against their address and name before using the link).
    pub async fn access_contact(&self, token: &str) -> Result<Contact> {
        let gone = || DomainError::not_found("this link (it was used or has expired)");
        let id = self
            .store
            .access_contact(&token_hash(token), self.clock.now())
            .await?
            .ok_or_else(gone)?;
        self.store.get_contact(id).await?.ok_or_else(gone)
    }

    /// Sets the password with the token from an access link (once). Every
    /// other link sent to the contact stops working and every session of the
    /// contact ends, so a reset shuts out whoever had the old password.
    pub async fn set_password(&self, token: &str, password: &str) -> Result<Contact> {
        let contact = self.access_contact(token).await?;
        check_password(password, &contact.email, &contact.name)?;
        let now = self.clock.now();
        let id = self
            .store
            .use_access(&token_hash(token), now)
            .await?
            .ok_or_else(|| DomainError::not_found("this link (it was used or has expired)"))?;
        let hash = hash_password(self, password).await?;
        self.store.set_password(id, &hash, now).await?;
        self.store
            .get_contact(id)
            .await?
            .ok_or_else(|| DomainError::not_found("contact"))
    }

    /// Checks an address and password; a wrong address and a wrong password
    /// get the same answer.
    pub async fn login(&self, email: &str, password: &str) -> Result<Contact> {
        let refused = || DomainError::Forbidden("wrong e-mail address or password".into());
        let found = match normalise_email(email) {
            Ok(e) => self.store.contact_password(&e).await?,
            Err(_) => None,
        };
        // The same work either way: one verification, against a hash made
        // once per process when the address has no password.
        let (contact, hash) = match found {
            Some((c, Some(h))) => (Some(c), h),
            _ => (None, self.dummy_hash()),
        };
        self.count_password_work();
        let ok = verify(password, hash).await;
        match contact {
            Some(c) if ok => Ok(c),
            _ => Err(refused()),
        }
    }

    /// Starts a session for a contact; answers the session token for the cookie.
    pub async fn start_session(&self, contact: ContactId) -> Result<String> {
        let token = random_token();
        let now = self.clock.now();
        self.store
            .create_session(&token_hash(&token), contact, now, now + Duration::days(SESSION_DAYS))
            .await?;
        Ok(token)
    }

    /// The contact of a session token, if the session is live.
    pub async fn session(&self, token: &str) -> Result<Option<Contact>> {
        self.store.session_contact(&token_hash(token), self.clock.now()).await
    }

    /// Ends a session.
    pub async fn end_session(&self, token: &str) -> Result<()> {
        self.store.delete_session(&token_hash(token)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_long_enough_and_hard_to_guess() {
        for weak in [
            "          ",
            "wachtwoord1",
            "welkom2026!",
            "1234567890",
            "qwertyuiop",
            "jan@gemeente.nl",
        ] {
            assert!(
                check_password(weak, "jan@gemeente.nl", "Jan de Vries").is_err(),
                "{weak}"
            );
        }
        assert!(check_password("jandevries1", "jan@gemeente.nl", "Jan de Vries").is_err());
        for combined in [
            "Wachtwoord-Welkom1",
            "Zomer-Winter-2026",
            "Helpdesk-Gemeente1",
            "Welkom-Loket-2026",
            "Amsterdam-Ajax1",
            "loket1helpdesk",
        ] {
            assert!(check_password(combined, "x@y.nl", "").is_err(), "{combined}");
        }
        assert!(matches!(
            check_password(&"x".repeat(100_000), "a@b.nl", ""),
            Err(DomainError::Invalid(Problem::TooLong(Field::Password, _)))
        ));
        // Padding with spaces adds neither length beyond the cap nor strength.
        let padded = format!("aaaaaaaaaa{}", " \t".repeat(250));
        assert!(matches!(
            check_password(&padded, "a@b.nl", ""),
            Err(DomainError::Invalid(Problem::TooLong(Field::Password, _)))
        ));
        let padded = format!("aaaaaaaaaa{}", " \t ".repeat(20));
        assert!(matches!(
            check_password(&padded, "a@b.nl", ""),
            Err(DomainError::Invalid(Problem::PasswordTooWeak))
        ));
        for strong in [
            "paars-fietsje-onder-de-brug",
            "zeven-zilveren-zwaluwen",
            "een-lang-wachtwoord",
        ] {
            assert!(check_password(strong, "jan@gemeente.nl", "Jan").is_ok(), "{strong}");
        }
    }
}
