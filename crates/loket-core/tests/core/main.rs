//! Tests of the core from outside: the HTML sanitiser against a public XSS
//! vector corpus, and property tests of sanitising, text escaping and input
//! checks (a bounded number of cases, so they run in CI).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod props;
mod safe;
mod xss;
