//! Service levels: which promise runs on a ticket and when it is due, counted
//! in working time on the business calendar.
//!
//! A clock runs while the helpdesk owes the customer something: a new or
//! reopened ticket (status Nieuw or Open) in a department that answers. It
//! starts at the customer's last message (or the ticket's creation) and stops
//! when an agent answers, the ticket waits for the customer (Uitgesteld, Wacht
//! op reactie), is resolved, or moves to a department whose promise is
//! another one (a meeting, a version, the wish list). A customer reaction
//! starts a new clock. Intern bespreken and Functioneel overleg keep the date
//! promised when the ticket arrived there.

mod port;
pub use port::*;

use crate::calendar::Calendar;
use crate::{Department, Status, Ticket};
use chrono::{DateTime, Utc};

/// Which promise a deadline keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DueKind {
    /// Urgent ("bedrijfsvoering ernstig verstoord"): a first answer within a working hour.
    Urgent,
    /// Helpdesk: an answer within 24 hours, counted as one working day.
    Answer,
    /// Every other answering department: a reaction within two weeks.
    Reaction,
    /// Intern bespreken or Functioneel overleg: discussed by the promised date.
    Meeting,
}

impl DueKind {
    /// Every kind.
    pub const ALL: &[DueKind] = &[DueKind::Urgent, DueKind::Answer, DueKind::Reaction, DueKind::Meeting];

    /// Stable id (database, API).
    pub fn id(self) -> &'static str {
        match self {
            DueKind::Urgent => "urgent",
            DueKind::Answer => "answer",
            DueKind::Reaction => "reaction",
            DueKind::Meeting => "meeting",
        }
    }

    /// From its id.
    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.id() == id)
    }

    /// Its name in `lang`.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        match (self, lang) {
            (DueKind::Urgent, crate::Lang::Nl) => "eerste antwoord (urgent)",
            (DueKind::Answer, crate::Lang::Nl) => "antwoord",
            (DueKind::Reaction, crate::Lang::Nl) => "reactie",
            (DueKind::Meeting, crate::Lang::Nl) => "bespreking",
            (DueKind::Urgent, crate::Lang::En) => "first answer (urgent)",
            (DueKind::Answer, crate::Lang::En) => "answer",
            (DueKind::Reaction, crate::Lang::En) => "reaction",
            (DueKind::Meeting, crate::Lang::En) => "discussion",
        }
    }
}

/// How much working time each promise allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Urgent: working minutes to a first answer (default 60).
    pub urgent_minutes: i64,
    /// Helpdesk: working days to an answer (default 1).
    pub answer_days: i64,
    /// Other departments: working days to a reaction (default 10: two weeks).
    pub reaction_days: i64,
    /// A warning once this share of the time (in percent) has passed (default 75).
    pub warn_percent: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            urgent_minutes: 60,
            answer_days: 1,
            reaction_days: 10,
            warn_percent: 75,
        }
    }
}

/// The deadline running on a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    /// Which promise.
    pub kind: DueKind,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// When staff are warned (before `due_at`).
    pub warn_at: DateTime<Utc>,
}

/// Departments whose tickets wait on something else than an answer.
fn answers(d: Department) -> bool {
    matches!(d, Department::Helpdesk | Department::Bi | Department::Updates)
}

/// The deadline that applies to `t` now, if any.
pub fn deadline(t: &Ticket, policy: &Policy, cal: &Calendar) -> Option<Deadline> {
    if matches!(t.status, Status::Resolved | Status::Postponed) {
        return None;
    }
    if matches!(t.department, Department::InternalReview | Department::FunctionalMeeting) {
        let due_at = t.promised_at?;
        let start = t.last_customer_at.unwrap_or(t.created_at).min(due_at);
        return Some(Deadline {
            kind: DueKind::Meeting,
            due_at,
            warn_at: warn(cal, start, due_at, policy),
        });
    }
    if !answers(t.department) || !matches!(t.status, Status::New | Status::Open) {
        return None;
    }
    let start = t.last_customer_at.unwrap_or(t.created_at);
    let (kind, due_at) = if t.urgent {
        (DueKind::Urgent, cal.add_working_minutes(start, policy.urgent_minutes))
    } else if t.department == Department::Helpdesk {
        (DueKind::Answer, cal.add_working_days(start, policy.answer_days))
    } else {
        (DueKind::Reaction, cal.add_working_days(start, policy.reaction_days))
    };
    Some(Deadline {
        kind,
        due_at,
        warn_at: warn(cal, start, due_at, policy),
    })
}

/// The warning moment: `warn_percent` of the working time from `start` to `due`.
fn warn(cal: &Calendar, start: DateTime<Utc>, due: DateTime<Utc>, policy: &Policy) -> DateTime<Utc> {
    let total = cal.working_minutes_between(start, due);
    cal.add_working_minutes(start, total * policy.warn_percent.clamp(0, 100) / 100)
        .min(due)
}

/// Writes the deadline that applies now into `t`. The next check moves only
/// when the deadline itself changed, so a warning or a breach already
/// recorded is not recorded again by an unrelated change (a label).
pub fn refresh(t: &mut Ticket, before: Option<&Ticket>, policy: &Policy, cal: &Calendar) {
    let d = deadline(t, policy, cal);
    t.due_at = d.map(|d| d.due_at);
    t.due_kind = d.map(|d| d.kind);
    let same = before.is_some_and(|b| b.due_at == t.due_at && b.due_kind == t.due_kind);
    if !same {
        t.sla_check_at = d.map(|d| d.warn_at);
    }
}

/// What the service-level check recorded for a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaEvent {
    /// The deadline comes near.
    Warning,
    /// The deadline passed without the promise kept.
    Breach,
}

impl SlaEvent {
    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            SlaEvent::Warning => "warning",
            SlaEvent::Breach => "breach",
        }
    }

    /// From its id.
    pub fn parse(id: &str) -> Option<Self> {
        [SlaEvent::Warning, SlaEvent::Breach].into_iter().find(|e| e.id() == id)
    }
}

/// Which event the check records at `now` for a deadline due at `due_at`
/// (a warning while time is left, a breach once it passed, never a late
/// warning), and when to look again.
pub fn next_event(due_at: DateTime<Utc>, now: DateTime<Utc>) -> (SlaEvent, Option<DateTime<Utc>>) {
    if now < due_at {
        (SlaEvent::Warning, Some(due_at))
    } else {
        (SlaEvent::Breach, None)
    }
}

#[cfg(test)]
mod tests;
