//! Loket's mail: reading RFC 822 messages into what the service layer needs,
//! recognising automatic mail, and finding the ticket a mail belongs to.

pub mod auto;
pub mod parse;
pub mod subject;

pub use auto::Automatic;
pub use parse::{InboundMail, ParseError, parse};
