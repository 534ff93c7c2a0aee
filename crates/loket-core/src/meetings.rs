//! The helpdesk's recurring meetings: the weekly Intern bespreken and the
//! monthly Functioneel overleg. A series has a recurrence ("every tuesday",
//! "first thursday" of the month, "last friday"), a time, days it is skipped
//! and extra days it is held; the next meeting is computed from it.

use crate::Department;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// When a series meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recurrence {
    /// Every week on this day.
    Weekly(Weekday),
    /// Every month on the n-th (1-4) such weekday, or the last (0).
    Monthly(u8, Weekday),
}

/// A series as configured (`[[meetings]]` in the TOML file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingConfig {
    /// The department whose tickets it discusses (`internal_review`, `functional_meeting`).
    pub department: Department,
    /// `tuesday` (weekly), `first thursday`, `last friday` (monthly); Dutch works too
    /// (`dinsdag`, `eerste donderdag`, `laatste vrijdag`).
    pub every: String,
    /// The time it starts, `10:00`.
    #[serde(default = "default_time")]
    pub time: String,
    /// Days it is not held (`2026-12-29`).
    #[serde(default)]
    pub skip: Vec<NaiveDate>,
    /// Extra days it is held.
    #[serde(default)]
    pub extra: Vec<NaiveDate>,
}

fn default_time() -> String {
    "10:00".into()
}

/// A series ready to compute with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingSeries {
    /// The department it discusses.
    pub department: Department,
    /// When it recurs.
    pub recurrence: Recurrence,
    /// The time it starts (local).
    pub time: NaiveTime,
    /// Days skipped.
    pub skip: BTreeSet<NaiveDate>,
    /// Extra days.
    pub extra: BTreeSet<NaiveDate>,
}

fn weekday(word: &str) -> Option<Weekday> {
    Some(match word {
        "monday" | "maandag" => Weekday::Mon,
        "tuesday" | "dinsdag" => Weekday::Tue,
        "wednesday" | "woensdag" => Weekday::Wed,
        "thursday" | "donderdag" => Weekday::Thu,
        "friday" | "vrijdag" => Weekday::Fri,
        "saturday" | "zaterdag" => Weekday::Sat,
        "sunday" | "zondag" => Weekday::Sun,
        _ => return None,
    })
}

/// Parses `tuesday`, `every tuesday`, `first thursday`, `last friday` (or
/// their Dutch words); the error says what is accepted.
pub fn parse_recurrence(text: &str) -> Result<Recurrence, String> {
    let lower = text.trim().to_lowercase();
    let words: Vec<&str> = lower
        .split_whitespace()
        .filter(|w| {
            !matches!(
                *w,
                "every" | "elke" | "iedere" | "of" | "the" | "month" | "van" | "de" | "maand"
            )
        })
        .collect();
    let bad = || {
        format!(
            "meeting recurrence '{text}' is not understood: write a weekday ('tuesday') or its place in the month ('first thursday', 'last friday')"
        )
    };
    match words.as_slice() {
        [day] => weekday(day).map(Recurrence::Weekly).ok_or_else(bad),
        [nth, day] => {
            let n = match *nth {
                "first" | "eerste" | "1st" => 1,
                "second" | "tweede" | "2nd" => 2,
                "third" | "derde" | "3rd" => 3,
                "fourth" | "vierde" | "4th" => 4,
                "last" | "laatste" => 0,
                _ => return Err(bad()),
            };
            weekday(day).map(|d| Recurrence::Monthly(n, d)).ok_or_else(bad)
        }
        _ => Err(bad()),
    }
}

impl MeetingSeries {
    /// A series from its configuration.
    pub fn from_config(c: &MeetingConfig) -> Result<Self, String> {
        if !matches!(c.department, Department::InternalReview | Department::FunctionalMeeting) {
            return Err(format!(
                "meetings: department '{}' has no meeting (use internal_review or functional_meeting)",
                c.department.id()
            ));
        }
        let time = NaiveTime::parse_from_str(c.time.trim(), "%H:%M")
            .map_err(|_| format!("meetings: time '{}' is not a time such as 10:00", c.time))?;
        Ok(Self {
            department: c.department,
            recurrence: parse_recurrence(&c.every)?,
            time,
            skip: c.skip.iter().copied().collect(),
            extra: c.extra.iter().copied().collect(),
        })
    }

    /// Whether the series meets by its rule on `day` (before skips and extras).
    fn by_rule(&self, day: NaiveDate) -> bool {
        match self.recurrence {
            Recurrence::Weekly(w) => day.weekday() == w,
            Recurrence::Monthly(n, w) => {
                if day.weekday() != w {
                    return false;
                }
                if n == 0 {
                    (day + Duration::days(7)).month() != day.month()
                } else {
                    (day.day() - 1) / 7 + 1 == u32::from(n)
                }
            }
        }
    }

    /// Whether it meets on `day`.
    pub fn meets_on(&self, day: NaiveDate) -> bool {
        self.extra.contains(&day) || (self.by_rule(day) && !self.skip.contains(&day))
    }

    /// The first meeting that starts at or after `now`, in `zone` (looked
    /// for up to two years ahead).
    pub fn next(&self, now: DateTime<Utc>, zone: chrono_tz::Tz) -> Option<DateTime<Utc>> {
        let local = now.with_timezone(&zone);
        let mut day = local.date_naive();
        for _ in 0..800 {
            if self.meets_on(day) {
                let at = zone
                    .from_local_datetime(&day.and_time(self.time))
                    .earliest()
                    .map(|t| t.with_timezone(&Utc));
                if let Some(at) = at.filter(|at| *at >= now) {
                    return Some(at);
                }
            }
            day += Duration::days(1);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn series(every: &str, skip: Vec<NaiveDate>, extra: Vec<NaiveDate>) -> MeetingSeries {
        MeetingSeries::from_config(&MeetingConfig {
            department: Department::FunctionalMeeting,
            every: every.into(),
            time: "10:00".into(),
            skip,
            extra,
        })
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn at(y: i32, m: u32, day: u32, h: u32) -> DateTime<Utc> {
        chrono_tz::Europe::Amsterdam
            .with_ymd_and_hms(y, m, day, h, 0, 0)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn weekly_monthly_last_skips_and_extras() {
        let ams = chrono_tz::Europe::Amsterdam;
        let tue = series("every tuesday", vec![d(2026, 12, 29)], vec![]);
        // Sunday 29 November 2026: Tuesday 1 December 10:00.
        assert_eq!(tue.next(at(2026, 11, 29, 12), ams), Some(at(2026, 12, 1, 10)));
        // On the day, before and after the start.
        assert_eq!(tue.next(at(2026, 12, 1, 9), ams), Some(at(2026, 12, 1, 10)));
        assert_eq!(tue.next(at(2026, 12, 1, 11), ams), Some(at(2026, 12, 8, 10)));
        // The 29th is skipped: 5 January.
        assert_eq!(tue.next(at(2026, 12, 23, 12), ams), Some(at(2027, 1, 5, 10)));
        let first_thu = series("eerste donderdag", vec![], vec![d(2026, 12, 17)]);
        assert_eq!(first_thu.next(at(2026, 11, 29, 12), ams), Some(at(2026, 12, 3, 10)));
        // An extra meeting on the 17th, then the first Thursday of January.
        assert_eq!(first_thu.next(at(2026, 12, 4, 12), ams), Some(at(2026, 12, 17, 10)));
        assert_eq!(first_thu.next(at(2026, 12, 18, 12), ams), Some(at(2027, 1, 7, 10)));
        let last_fri = series("last friday", vec![], vec![]);
        assert_eq!(last_fri.next(at(2026, 11, 29, 12), ams), Some(at(2026, 12, 25, 10)));
        assert_eq!(last_fri.next(at(2027, 1, 1, 12), ams), Some(at(2027, 1, 29, 10)));
    }

    #[test]
    fn bad_recurrences_say_what_is_accepted() {
        for bad in ["", "fortnightly", "fifth monday", "first", "every blue moon"] {
            let e = parse_recurrence(bad).err().unwrap_or_default();
            assert!(e.contains("first thursday"), "{bad}: {e}");
        }
        let c = MeetingConfig {
            department: Department::Helpdesk,
            every: "tuesday".into(),
            time: "10:00".into(),
            skip: vec![],
            extra: vec![],
        };
        assert!(MeetingSeries::from_config(&c).is_err());
    }
}
