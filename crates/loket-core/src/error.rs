//! The domain's error type: what a use case can refuse, and storage failures.

use crate::problem::Problem;
use thiserror::Error;

/// Result of a domain operation.
pub type Result<T, E = DomainError> = std::result::Result<T, E>;

/// Everything a use case can answer instead of doing the work.
#[derive(Debug, Error)]
pub enum DomainError {
    /// The input is malformed or incomplete (HTTP 422); the problem says
    /// which field and rule, so each front end can word it in its language.
    #[error("{0}")]
    Invalid(Problem),
    /// The thing asked for does not exist, or the actor may not see it (HTTP 404).
    #[error("{0} not found")]
    NotFound(String),
    /// The actor may see it but not do this (HTTP 403).
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// The rules refuse this transition in the current state (HTTP 409).
    #[error("{0}")]
    Conflict(String),
    /// The thing was already stored (a mail seen before); nothing was written (HTTP 409).
    #[error("already stored: {0}")]
    Duplicate(String),
    /// Too many attempts in a short time (HTTP 429); the message says when to retry.
    #[error("{0}")]
    TooMany(String),
    /// Someone else changed the record at the same moment; the caller may retry.
    #[error("the ticket was changed by someone else; try again")]
    Stale,
    /// Storage failed; the message is for logs, never for clients.
    #[error("storage error: {0}")]
    Storage(String),
}

impl DomainError {
    /// Shorthand for [`DomainError::Invalid`] with a problem worded in English.
    pub fn invalid(msg: impl Into<String>) -> Self {
        Self::Invalid(Problem::Other(msg.into()))
    }

    /// Shorthand for [`DomainError::Conflict`].
    pub fn conflict(msg: impl Into<String>) -> Self {
        Self::Conflict(msg.into())
    }

    /// Shorthand for [`DomainError::NotFound`].
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound(what.into())
    }
}

impl From<Problem> for DomainError {
    fn from(p: Problem) -> Self {
        Self::Invalid(p)
    }
}
