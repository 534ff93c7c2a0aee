//! The deadlines of the procedure on the Dutch business calendar.

use super::*;
use crate::*;
use chrono::TimeZone;

/// Amsterdam local time as UTC.
fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Amsterdam
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn ticket(created: DateTime<Utc>, department: Department, status: Status) -> Ticket {
    Ticket {
        id: TicketId(1),
        number: TicketNumber(1),
        subject: "s".into(),
        requester_id: ContactId(1),
        organisation_id: None,
        channel: Channel::Portal,
        mailbox: None,
        status,
        department,
        urgent: false,
        labels: Vec::new(),
        assignee_id: None,
        release_version: None,
        work_item: None,
        postponed_until: None,
        promised_at: None,
        created_at: created,
        updated_at: created,
        first_response_at: None,
        last_customer_at: Some(created),
        last_agent_at: None,
        due_at: None,
        due_kind: None,
        sla_check_at: None,
        version: 1,
    }
}

fn due(t: &Ticket) -> Option<(DueKind, DateTime<Utc>)> {
    deadline(t, &Policy::default(), &Calendar::default()).map(|d| (d.kind, d.due_at))
}

#[test]
fn helpdesk_answers_are_due_one_working_day_later() {
    let fri = ticket(at(2026, 12, 18, 16, 45), Department::Helpdesk, Status::New);
    assert_eq!(due(&fri), Some((DueKind::Answer, at(2026, 12, 21, 16, 45))));
    let christmas = ticket(at(2026, 12, 24, 10, 0), Department::Helpdesk, Status::New);
    assert_eq!(due(&christmas), Some((DueKind::Answer, at(2026, 12, 28, 10, 0))));
}

#[test]
fn urgent_bi_and_meetings_have_their_own_promise() {
    let mut urgent = ticket(at(2026, 12, 22, 16, 30), Department::Helpdesk, Status::New);
    urgent.urgent = true;
    assert_eq!(due(&urgent), Some((DueKind::Urgent, at(2026, 12, 23, 9, 0))));
    let bi = ticket(at(2026, 12, 1, 9, 0), Department::Bi, Status::Open);
    assert_eq!(due(&bi), Some((DueKind::Reaction, at(2026, 12, 15, 9, 0))));
    let mut meeting = ticket(at(2026, 12, 1, 9, 0), Department::FunctionalMeeting, Status::Answered);
    assert_eq!(due(&meeting), None, "no promised date, no clock");
    meeting.promised_at = Some(at(2027, 1, 12, 9, 0));
    assert_eq!(due(&meeting), Some((DueKind::Meeting, at(2027, 1, 12, 9, 0))));
}

#[test]
fn the_clock_stops_while_the_customer_has_the_turn_and_restarts_on_a_reaction() {
    let mut t = ticket(at(2026, 12, 1, 9, 0), Department::Helpdesk, Status::Answered);
    assert_eq!(due(&t), None, "answered");
    t.status = Status::Postponed;
    t.department = Department::AwaitingReply;
    assert_eq!(due(&t), None, "waiting for the customer");
    t.status = Status::Open;
    t.department = Department::Helpdesk;
    t.last_customer_at = Some(at(2026, 12, 10, 14, 0));
    assert_eq!(due(&t), Some((DueKind::Answer, at(2026, 12, 11, 14, 0))));
    for d in [
        Department::Design,
        Department::Development,
        Department::Planned,
        Department::Wishlist,
    ] {
        t.department = d;
        assert_eq!(due(&t), None, "{d:?}");
    }
    t.department = Department::Helpdesk;
    t.status = Status::Resolved;
    assert_eq!(due(&t), None);
}

#[test]
fn the_warning_comes_at_three_quarters_and_a_late_check_records_the_breach() {
    let mut t = ticket(at(2026, 12, 21, 9, 0), Department::Helpdesk, Status::New);
    refresh(&mut t, None, &Policy::default(), &Calendar::default());
    // 510 working minutes; three quarters is 382: 09:00 + 6h22 working time
    // is 15:22, the same day.
    assert_eq!(t.sla_check_at, Some(at(2026, 12, 21, 15, 22)));
    assert_eq!(t.due_at, Some(at(2026, 12, 22, 9, 0)));
    // An unrelated change keeps the next check where it was.
    let before = t.clone();
    t.sla_check_at = t.due_at;
    t.labels = vec!["x".into()];
    refresh(&mut t, Some(&before), &Policy::default(), &Calendar::default());
    assert_eq!(t.sla_check_at, before.due_at);
    let due_at = at(2026, 12, 22, 9, 0);
    assert_eq!(
        next_event(due_at, at(2026, 12, 21, 15, 30)),
        (SlaEvent::Warning, Some(due_at))
    );
    assert_eq!(next_event(due_at, at(2026, 12, 23, 8, 0)), (SlaEvent::Breach, None));
}
