//! The mailboxes Loket reads and how: the department each one's mail lands in,
//! its IMAP account, and the intake's limits and trust. Both the intake and the
//! IMAP reader use these; neither owns them.

use loket_core::Department;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A mailbox Loket reads, and the department its mail lands in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Mailbox {
    /// Name, as used by `loket ingest-mail --mailbox NAME`.
    pub name: String,
    /// The address customers write to (replies to Loket's mail go there too).
    #[serde(default)]
    pub address: Option<String>,
    /// Department of new tickets from this mailbox.
    pub department: Department,
    /// The IMAP account to read; without it mail arrives by `loket ingest-mail`.
    #[serde(default)]
    pub imap: Option<ImapConfig>,
}

impl Mailbox {
    /// The two mailboxes that exist without configuration.
    pub fn defaults() -> Vec<Mailbox> {
        vec![
            Mailbox {
                name: "helpdesk".into(),
                address: None,
                department: Department::Helpdesk,
                imap: None,
            },
            Mailbox {
                name: "updates".into(),
                address: None,
                department: Department::Updates,
                imap: None,
            },
        ]
    }
}

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// TLS from the start (port 993).
    Tls,
    /// Plain connection upgraded with STARTTLS (port 143).
    Starttls,
    /// No encryption: only for a server on the same machine.
    Plain,
}

/// An IMAP account for a mailbox.
#[derive(Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ImapConfig {
    /// Server host name.
    pub host: String,
    /// Port; 993 for `tls`, 143 otherwise.
    #[serde(default)]
    pub port: Option<u16>,
    /// `tls`, `starttls` or `plain`.
    #[serde(default = "default_security")]
    pub security: Security,
    /// Login name.
    pub user: String,
    /// Password (or use `password_file`).
    #[serde(default)]
    pub password: Option<String>,
    /// File holding the password.
    #[serde(default)]
    pub password_file: Option<String>,
    /// Folder to read.
    #[serde(default = "default_folder")]
    pub folder: String,
    /// Folder to move processed mail to; flagged `\Seen` in place when absent.
    #[serde(default)]
    pub processed_folder: Option<String>,
    /// Seconds between polls when the server has no IDLE (and the longest IDLE wait).
    #[serde(default = "default_poll")]
    pub poll_secs: u64,
}

impl fmt::Debug for ImapConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("folder", &self.folder)
            .finish_non_exhaustive()
    }
}

fn default_security() -> Security {
    Security::Tls
}
fn default_folder() -> String {
    "INBOX".into()
}
fn default_poll() -> u64 {
    60
}

/// How the intake treats every mail, whatever its mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeSettings {
    /// Largest mail taken in, in bytes; a larger one waits in quarantine as
    /// too large, without being loaded.
    pub max_mail_bytes: usize,
    /// The authserv-id of the receiving mail server whose
    /// `Authentication-Results` header is trusted; without it no mail counts
    /// as authenticated, and mail from staff addresses gets no staff rights.
    pub trusted_authserv_id: Option<String>,
}

/// The default largest mail: 50 MB.
pub const DEFAULT_MAX_MAIL_BYTES: usize = 50 * 1024 * 1024;

impl Default for IntakeSettings {
    fn default() -> Self {
        Self {
            max_mail_bytes: DEFAULT_MAX_MAIL_BYTES,
            trusted_authserv_id: None,
        }
    }
}
