//! Version 1 of the JSON API, for staff with bearer tokens.

pub mod contacts;
mod dto;
pub mod mail;
pub mod openapi;
pub mod organisations;
pub mod privacy;
pub mod releases;
pub mod reports;
pub mod search;
pub mod staff;
pub mod ticket_actions;
pub mod tickets;

pub use dto::*;
