//! Portal accounts: a link to set a password (registration and forgotten
//! password are the same flow), passwords hashed with Argon2id, login and
//! sessions kept in the store so every process shares them.

use super::{Service, token_hash};
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

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A hash to verify against when the address is unknown, so a wrong address
/// takes as long as a wrong password.
fn dummy_hash() -> String {
    let salt = SaltString::encode_b64(b"loket-dummy-salt").unwrap_or_else(|_| SaltString::generate(&mut OsRng));
    Argon2::default()
        .hash_password(b"not a password", &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
}

impl Service {
    /// Mails a single-use link to set a password to `email` (and creates the
    /// contact when new). Callers answer the same whether or not the address
    /// was known, so nobody learns which addresses have an account.
    pub async fn request_access(&self, email: &str) -> Result<()> {
        let email = normalise_email(email)?;
        let now = self.clock.now();
        let contact = self.store.ensure_contact(&email, "", now).await?;
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

    /// Sets the password with the token from an access link (once).
    pub async fn set_password(&self, token: &str, password: &str) -> Result<Contact> {
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(DomainError::invalid(format!(
                "a password needs at least {MIN_PASSWORD_CHARS} characters"
            )));
        }
        let now = self.clock.now();
        let id = self
            .store
            .use_access(&token_hash(token), now)
            .await?
            .ok_or_else(|| DomainError::not_found("this link (it was used or has expired)"))?;
        let salt = SaltString::generate(&mut OsRng);
        let hash = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| DomainError::Storage(format!("password hashing failed: {e}")))?
            .to_string();
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
        let (contact, hash) = match found {
            Some((c, Some(h))) => (Some(c), h),
            _ => (None, dummy_hash()),
        };
        let parsed = PasswordHash::new(&hash).map_err(|_| refused())?;
        let ok = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
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
