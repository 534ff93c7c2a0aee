//! HTTP tests of the JSON API and the portal pages, in process with `Router::oneshot` on a fresh
//! SQLite database per test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod agent;
mod attacks;
mod attacks_portal;
mod client;
mod contacts;
mod forum;
mod matrix;
mod polish;
mod portal;
mod tickets;
