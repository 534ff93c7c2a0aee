//! What handlers share: the service layer.

use loket_core::service::Service;

/// Application state handed to every handler.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub service: Service,
    /// The mail intake (quarantine retries).
    pub intake: loket_mail::Intake,
    /// Portal settings.
    pub portal: PortalSettings,
}

/// Settings of the customer portal.
#[derive(Clone, Debug, Default)]
pub struct PortalSettings {
    /// Whether cookies get the `Secure` flag (the public URL is https).
    pub secure_cookies: bool,
    /// The date of the next Functioneel overleg, shown on the start page.
    pub next_meeting: Option<chrono::NaiveDate>,
}
