//! Finding personal data in text and tables, as the procedure asks agents to
//! do by eye: citizen service numbers (BSN, eleven-test), IBANs (ISO 13616
//! check digits), e-mail addresses (other than known ones), phone numbers,
//! Dutch addresses, dates of birth and names where the context shows them.
//! Pure functions on text: no I/O, no logging; a finding carries a masked
//! preview and a key for counting distinct people, never the value itself.

mod address;
mod content;
mod finding;
mod ids;
mod names;
mod phone;
mod scan;

pub use content::{Item, NotScanned, Piece, Sample, Summary, summarise};
pub use finding::{Finding, Kind, Place};
pub use ids::is_bsn;
pub use scan::{Known, people, scan_table, scan_text};
