//! The status and department rules of the helpdesk procedure, as pure functions:
//! given a ticket's state and an action, the new state or the reason it is refused.
//!
//! - an agent reply sets Beantwoord;
//! - a customer reply sets Open on a Beantwoord, Uitgesteld or Opgelost ticket (a
//!   Nieuw ticket stays Nieuw) and brings a ticket back from Wacht op reactie;
//! - asking for information sets Uitgesteld until a future date (default two
//!   weeks) and moves a Helpdesk ticket to Wacht op reactie;
//! - resolving sets Opgelost; only an Opgelost ticket can be reopened;
//! - a postponed ticket whose date has passed resolves by itself;
//! - Gepland and Opgeleverd need a release version; Ontwerp and Ontwikkel close
//!   the ticket.

use crate::{Department, DomainError, Result, Status};
use chrono::{DateTime, Duration, Utc};

/// How long a postponed ticket waits for the customer by default.
pub const DEFAULT_POSTPONE_DAYS: i64 = 14;
/// The furthest a ticket can be postponed.
pub const MAX_POSTPONE_DAYS: i64 = 366;

/// The part of a ticket the rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    /// Current status.
    pub status: Status,
    /// Current department.
    pub department: Department,
    /// While postponed: until when.
    pub postponed_until: Option<DateTime<Utc>>,
    /// Whether a release version is set.
    pub has_version: bool,
}

/// The state after an allowed action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// New status.
    pub status: Status,
    /// New department.
    pub department: Department,
    /// New postponed-until date (cleared unless postponed).
    pub postponed_until: Option<DateTime<Utc>>,
}

impl State {
    fn keep(&self, status: Status) -> Outcome {
        Outcome {
            status,
            department: self.department,
            postponed_until: if status == Status::Postponed {
                self.postponed_until
            } else {
                None
            },
        }
    }
}

/// An agent's public reply.
pub fn agent_reply(s: &State) -> Outcome {
    s.keep(Status::Answered)
}

/// A reply from the customer (mail or portal).
pub fn customer_reply(s: &State) -> Outcome {
    let status = match s.status {
        Status::New => Status::New,
        Status::Answered | Status::Postponed | Status::Resolved | Status::Open => Status::Open,
    };
    let mut out = s.keep(status);
    if s.department == Department::AwaitingReply {
        out.department = Department::Helpdesk;
    }
    out
}

/// The agent asks the customer for information and postpones until `until`
/// (the caller passes `now + DEFAULT_POSTPONE_DAYS` when none was given).
pub fn ask_info(s: &State, until: DateTime<Utc>, now: DateTime<Utc>) -> Result<Outcome> {
    if s.status == Status::Resolved {
        return Err(DomainError::conflict(
            "the ticket is resolved; reopen it before asking for information",
        ));
    }
    if until <= now {
        return Err(DomainError::invalid("the postpone date must lie in the future"));
    }
    if until > now + Duration::days(MAX_POSTPONE_DAYS) {
        return Err(DomainError::invalid(format!(
            "a ticket can be postponed by at most {MAX_POSTPONE_DAYS} days"
        )));
    }
    let department = if s.department == Department::Helpdesk {
        Department::AwaitingReply
    } else {
        s.department
    };
    Ok(Outcome {
        status: Status::Postponed,
        department,
        postponed_until: Some(until),
    })
}

/// "Oplossen" by agent or customer.
pub fn resolve(s: &State) -> Result<Outcome> {
    if s.status == Status::Resolved {
        return Err(DomainError::conflict("the ticket is already resolved"));
    }
    Ok(s.keep(Status::Resolved))
}

/// Reopens a resolved ticket.
pub fn reopen(s: &State) -> Result<Outcome> {
    if s.status != Status::Resolved {
        return Err(DomainError::conflict(format!(
            "only a resolved ticket can be reopened; this one is {}",
            s.status.id()
        )));
    }
    Ok(s.keep(Status::Open))
}

/// Moves the ticket to another department.
pub fn transfer(s: &State, to: Department) -> Result<Outcome> {
    if s.department == to {
        return Err(DomainError::conflict(format!(
            "the ticket is already in department {}",
            to.id()
        )));
    }
    if to.needs_version() && !s.has_version {
        return Err(DomainError::conflict(format!(
            "department {} needs a release version; set one first or pass it with the transfer",
            to.id()
        )));
    }
    // A ticket waiting for the customer keeps waiting while it moves between
    // the desks that ask questions (Helpdesk, BI, Wacht op reactie); taken up
    // anywhere else (Intern bespreken, Functioneel overleg, planned work ...)
    // the wait ends, and with it the automatic resolve.
    let desk = matches!(to, Department::Helpdesk | Department::Bi | Department::AwaitingReply);
    let status = if to.closes_ticket() {
        Status::Resolved
    } else if s.status == Status::Postponed && !desk {
        Status::Open
    } else {
        s.status
    };
    Ok(Outcome {
        department: to,
        ..s.keep(status)
    })
}

/// The scheduled resolve of a postponed ticket whose date has passed.
pub fn auto_resolve(s: &State, now: DateTime<Utc>) -> Result<Outcome> {
    match (s.status, s.postponed_until) {
        (Status::Postponed, Some(until)) if until <= now => {
            let department = if s.department == Department::AwaitingReply {
                Department::Helpdesk
            } else {
                s.department
            };
            Ok(Outcome {
                status: Status::Resolved,
                department,
                postponed_until: None,
            })
        }
        (Status::Postponed, _) => Err(DomainError::conflict("the postpone date has not passed yet")),
        _ => Err(DomainError::conflict("only a postponed ticket resolves automatically")),
    }
}

#[cfg(test)]
mod tests;
