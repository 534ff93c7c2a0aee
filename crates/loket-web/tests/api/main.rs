//! HTTP tests of the JSON API, in process with `Router::oneshot` on a fresh
//! SQLite database per test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod client;
mod contacts;
mod tickets;
