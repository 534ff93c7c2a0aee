//! Loket's mail: reading RFC 822 messages into what the service layer needs,
//! recognising automatic mail, finding the ticket a mail belongs to, and the
//! intake that stores every mail exactly once.

pub mod auth;
pub mod auto;
pub mod imap;
pub mod intake;
pub mod links;
pub mod mailbox;
pub mod outbox;
pub mod parse;
pub mod quote;
pub mod subject;
pub mod templates;
pub mod thread;
pub mod tnef;
pub mod webhooks;

pub use auto::Automatic;
pub use intake::{Intake, Outcome};
pub use mailbox::{IntakeSettings, Mailbox};
pub use outbox::{OutboxSettings, Sender};
pub use parse::{InboundMail, ParseError, parse};
