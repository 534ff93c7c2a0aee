//! Loket's domain: ids, tickets, contacts and staff, the status and department
//! rules, the ports the outside world implements (store, blobs, clock) and the one
//! service layer every channel calls.

pub mod blob;
pub mod calendar;
pub mod clock;
pub mod error;
pub mod forum;
pub mod html;
pub mod ids;
pub mod jobs;
pub mod meetings;
pub mod model;
pub mod outages;
pub mod privacy_store;
pub mod problem;
pub mod public_domains;
pub mod releases;
pub mod rules;
pub mod search;
pub mod service;
pub mod service_level;
mod staff_store;
pub mod store;
pub mod time;
pub mod webhooks;
pub mod wishes;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{DomainError, Result};
pub use ids::*;
pub use model::*;
pub use problem::{Field, Problem};
