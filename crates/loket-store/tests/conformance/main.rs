//! The storage conformance suite: the same test bodies run on SQLite (always) and
#![allow(clippy::unwrap_used, clippy::expect_used)]
//! on PostgreSQL (when `LOKET_TEST_POSTGRES_URL` is set; skipped with a note
//! otherwise). Most tests drive the service layer, so the rules are checked
//! end to end on each backend.

mod forum;
mod harness;
mod jobs;
mod outages;
mod privacy;
mod releases;
mod search;
mod service_levels;
mod tickets;
mod usecases;
mod wishes;
mod workspace;
