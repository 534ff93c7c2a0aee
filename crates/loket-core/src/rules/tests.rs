//! Every transition of every rule, allowed and refused.

use super::*;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).single().unwrap_or_default()
}

fn st(status: Status, department: Department) -> State {
    let postponed_until = (status == Status::Postponed).then(|| now() + Duration::days(3));
    State {
        status,
        department,
        postponed_until,
        has_version: false,
    }
}

#[test]
fn agent_reply_always_answers() {
    for s in Status::ALL {
        let out = agent_reply(&st(*s, Department::Bi));
        assert_eq!(out.status, Status::Answered);
        assert_eq!(out.department, Department::Bi);
        assert_eq!(out.postponed_until, None);
    }
}

#[test]
fn customer_reply_opens_except_new() {
    let expect = [
        (Status::New, Status::New),
        (Status::Answered, Status::Open),
        (Status::Open, Status::Open),
        (Status::Resolved, Status::Open),
        (Status::Postponed, Status::Open),
    ];
    for (from, to) in expect {
        let out = customer_reply(&st(from, Department::Helpdesk));
        assert_eq!(out.status, to, "from {from}");
        assert_eq!(out.postponed_until, None);
    }
    let out = customer_reply(&st(Status::Postponed, Department::AwaitingReply));
    assert_eq!(out.department, Department::Helpdesk);
    let out = customer_reply(&st(Status::Postponed, Department::Bi));
    assert_eq!(out.department, Department::Bi);
}

#[test]
fn ask_info_postpones_unless_resolved() {
    let until = now() + Duration::days(DEFAULT_POSTPONE_DAYS);
    for s in Status::ALL {
        let r = ask_info(&st(*s, Department::Helpdesk), until, now());
        if *s == Status::Resolved {
            assert!(matches!(r, Err(DomainError::Conflict(_))));
        } else {
            let out = r.unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(out.status, Status::Postponed);
            assert_eq!(out.department, Department::AwaitingReply);
            assert_eq!(out.postponed_until, Some(until));
        }
    }
    let out = ask_info(&st(Status::Open, Department::Bi), until, now()).ok();
    assert_eq!(out.map(|o| o.department), Some(Department::Bi));
}

#[test]
fn ask_info_refuses_past_and_far_dates() {
    let s = st(Status::New, Department::Helpdesk);
    assert!(matches!(ask_info(&s, now(), now()), Err(DomainError::Invalid(_))));
    assert!(matches!(
        ask_info(&s, now() - Duration::days(1), now()),
        Err(DomainError::Invalid(_))
    ));
    let far = now() + Duration::days(MAX_POSTPONE_DAYS + 1);
    assert!(matches!(ask_info(&s, far, now()), Err(DomainError::Invalid(_))));
}

#[test]
fn resolve_all_but_resolved() {
    for s in Status::ALL {
        let r = resolve(&st(*s, Department::Helpdesk));
        if *s == Status::Resolved {
            assert!(matches!(r, Err(DomainError::Conflict(_))));
        } else {
            let out = r.unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(out.status, Status::Resolved);
            assert_eq!(out.postponed_until, None);
        }
    }
}

#[test]
fn reopen_only_resolved() {
    for s in Status::ALL {
        let r = reopen(&st(*s, Department::Helpdesk));
        if *s == Status::Resolved {
            assert_eq!(r.ok().map(|o| o.status), Some(Status::Open));
        } else {
            assert!(matches!(r, Err(DomainError::Conflict(_))), "{s}");
        }
    }
}

#[test]
fn transfer_between_every_pair() {
    for from in Department::ALL {
        for to in Department::ALL {
            let mut s = st(Status::Open, *from);
            let r = transfer(&s, *to);
            if from == to {
                assert!(matches!(r, Err(DomainError::Conflict(_))), "{from}->{to}");
                continue;
            }
            if to.needs_version() {
                assert!(
                    matches!(r, Err(DomainError::Conflict(_))),
                    "{from}->{to} without version"
                );
                s.has_version = true;
            }
            let out = transfer(&s, *to).unwrap_or_else(|e| panic!("{from}->{to}: {e}"));
            assert_eq!(out.department, *to);
            let closed = matches!(to, Department::Design | Department::Development);
            assert_eq!(
                out.status,
                if closed { Status::Resolved } else { Status::Open },
                "{from}->{to}"
            );
        }
    }
}

#[test]
fn transfer_keeps_postponement_between_desks_only() {
    let out = transfer(&st(Status::Postponed, Department::AwaitingReply), Department::Bi).ok();
    assert_eq!(out.and_then(|o| o.postponed_until), Some(now() + Duration::days(3)));
    for to in [
        Department::InternalReview,
        Department::FunctionalMeeting,
        Department::Wishlist,
    ] {
        let out = transfer(&st(Status::Postponed, Department::AwaitingReply), to).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (out.status, out.postponed_until),
            (Status::Open, None),
            "{to}: the wait ends"
        );
    }
}

#[test]
fn auto_resolve_only_when_due() {
    let due = now() + Duration::days(3);
    for s in Status::ALL {
        let state = st(*s, Department::AwaitingReply);
        if *s == Status::Postponed {
            assert!(matches!(auto_resolve(&state, now()), Err(DomainError::Conflict(_))));
            let out = auto_resolve(&state, due).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(out.status, Status::Resolved);
            assert_eq!(out.department, Department::Helpdesk);
            assert_eq!(out.postponed_until, None);
        } else {
            assert!(
                matches!(auto_resolve(&state, due), Err(DomainError::Conflict(_))),
                "{s}"
            );
        }
    }
}
