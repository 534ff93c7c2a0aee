//! What handlers share: the service layer.

use loket_core::service::Service;

/// Application state handed to every handler.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub service: Service,
    /// The mail intake (quarantine retries).
    pub intake: loket_mail::Intake,
    /// Whether cookies get the `Secure` flag (the public URL is https).
    pub secure_cookies: bool,
}
