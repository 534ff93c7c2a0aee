//! The business calendar: working days and hours (default Monday to Friday
//! 08:30-17:00 in Europe/Amsterdam), the Dutch public holidays computed per
//! year (Easter-dependent ones included), the vendor's own closing days, and
//! arithmetic in working time: "one working day" from Friday 16:45 is Monday
//! 16:45. Pure functions; service levels build on it.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use std::collections::BTreeSet;

/// Which years Bevrijdingsdag (5 May) is a day off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Liberation {
    /// Every year.
    EveryYear,
    /// Every fifth year (2025, 2030, …), as most collective agreements say.
    #[default]
    Lustrum,
}

/// Working days and hours, holidays and closing days.
#[derive(Debug, Clone)]
pub struct Calendar {
    zone: chrono_tz::Tz,
    /// Working weekdays, Monday first.
    working: [bool; 7],
    open: NaiveTime,
    close: NaiveTime,
    liberation: Liberation,
    good_friday: bool,
    closed: BTreeSet<NaiveDate>,
}

impl Default for Calendar {
    fn default() -> Self {
        Self {
            zone: chrono_tz::Europe::Amsterdam,
            working: [true, true, true, true, true, false, false],
            open: NaiveTime::from_hms_opt(8, 30, 0).unwrap_or(NaiveTime::MIN),
            close: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or(NaiveTime::MIN),
            liberation: Liberation::default(),
            good_friday: false,
            closed: BTreeSet::new(),
        }
    }
}

/// Easter Sunday of a year (the Gregorian computus, the anonymous
/// algorithm with its customary letters).
#[allow(clippy::many_single_char_names, reason = "the algorithm's own names")]
pub fn easter(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).unwrap_or(4), u32::try_from(day).unwrap_or(1))
        .unwrap_or_default()
}

impl Calendar {
    /// A calendar with these working hours (`open` before `close`) and
    /// weekdays (Monday first); the rest as the default.
    #[must_use]
    pub fn with_hours(mut self, open: NaiveTime, close: NaiveTime, working: [bool; 7]) -> Self {
        if open < close && working.iter().any(|w| *w) {
            self.open = open;
            self.close = close;
            self.working = working;
        }
        self
    }

    /// The time zone working hours are in.
    #[must_use]
    pub fn in_zone(mut self, zone: chrono_tz::Tz) -> Self {
        self.zone = zone;
        self
    }

    /// Bevrijdingsdag every year or every fifth, and Goede Vrijdag or not.
    #[must_use]
    pub fn with_holiday_rules(mut self, liberation: Liberation, good_friday: bool) -> Self {
        self.liberation = liberation;
        self.good_friday = good_friday;
        self
    }

    /// The vendor's own closing days.
    #[must_use]
    pub fn with_closing_days(mut self, days: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.closed.extend(days);
        self
    }

    /// The Dutch public holidays of a year this calendar observes, by date,
    /// with their Dutch names.
    pub fn holidays(&self, year: i32) -> Vec<(NaiveDate, &'static str)> {
        let date = |m, d| NaiveDate::from_ymd_opt(year, m, d).unwrap_or_default();
        let easter = easter(year);
        // Koningsdag: 27 April, or the 26th when the 27th is a Sunday.
        let kings = date(4, 27);
        let kings = if kings.weekday() == Weekday::Sun {
            date(4, 26)
        } else {
            kings
        };
        let mut days = vec![
            (date(1, 1), "Nieuwjaarsdag"),
            (easter, "Eerste Paasdag"),
            (easter + Duration::days(1), "Tweede Paasdag"),
            (kings, "Koningsdag"),
            (easter + Duration::days(39), "Hemelvaartsdag"),
            (easter + Duration::days(49), "Eerste Pinksterdag"),
            (easter + Duration::days(50), "Tweede Pinksterdag"),
            (date(12, 25), "Eerste Kerstdag"),
            (date(12, 26), "Tweede Kerstdag"),
        ];
        if self.liberation == Liberation::EveryYear || year % 5 == 0 {
            days.push((date(5, 5), "Bevrijdingsdag"));
        }
        if self.good_friday {
            days.push((easter - Duration::days(2), "Goede Vrijdag"));
        }
        days.sort();
        days
    }

    /// Whether the helpdesk works on a day.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        self.working[day.weekday().num_days_from_monday() as usize]
            && !self.closed.contains(&day)
            && !self.holidays(day.year()).iter().any(|(d, _)| *d == day)
    }

    /// Minutes in one working day.
    pub fn day_minutes(&self) -> i64 {
        (self.close - self.open).num_minutes()
    }

    fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.zone).naive_local()
    }

    fn utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        self.zone
            .from_local_datetime(&local)
            .earliest()
            .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
    }

    /// The moment `minutes` of working time after `at` (working time only
    /// runs on working days between opening and closing).
    pub fn add_working_minutes(&self, at: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        let mut now = self.local(at);
        let mut left = minutes.max(0);
        // A year of days is enough for any real promise; stop there.
        for _ in 0..400 {
            let day = now.date();
            if self.is_working_day(day) {
                let start = now.max(day.and_time(self.open));
                let end = day.and_time(self.close);
                if start < end {
                    let room = (end - start).num_minutes();
                    if left <= room {
                        return self.utc(start + Duration::minutes(left));
                    }
                    left -= room;
                }
            }
            now = (day + Duration::days(1)).and_time(NaiveTime::MIN);
        }
        self.utc(now)
    }

    /// The moment `days` working days after `at` (a working day is the
    /// working hours of one day: Friday 16:45 plus one is Monday 16:45).
    pub fn add_working_days(&self, at: DateTime<Utc>, days: i64) -> DateTime<Utc> {
        self.add_working_minutes(at, days * self.day_minutes())
    }

    /// The time zone it counts in.
    pub fn zone(&self) -> chrono_tz::Tz {
        self.zone
    }

    /// Working minutes between two moments (0 when `to` is not later).
    pub fn working_minutes_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let (from, to) = (self.local(from), self.local(to));
        let mut total = 0;
        let mut day = from.date();
        while day <= to.date() {
            if self.is_working_day(day) {
                let start = from.max(day.and_time(self.open));
                let end = to.min(day.and_time(self.close));
                if start < end {
                    total += (end - start).num_minutes();
                }
            }
            day += Duration::days(1);
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    /// Amsterdam local time as UTC.
    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        chrono_tz::Europe::Amsterdam
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn easter_and_the_holidays_of_2024_to_2030() {
        let easters = [
            (2024, day(2024, 3, 31)),
            (2025, day(2025, 4, 20)),
            (2026, day(2026, 4, 5)),
            (2027, day(2027, 3, 28)),
            (2028, day(2028, 4, 16)),
            (2029, day(2029, 4, 1)),
            (2030, day(2030, 4, 21)),
        ];
        for (y, e) in easters {
            assert_eq!(easter(y), e, "{y}");
        }
        let cal = Calendar::default();
        let names = |y| cal.holidays(y);
        // 2025: Koningsdag on Saturday 26 April (the 27th is a Sunday);
        // Bevrijdingsdag in a lustrum year.
        let y2025 = names(2025);
        assert!(y2025.contains(&(day(2025, 4, 26), "Koningsdag")));
        assert!(y2025.contains(&(day(2025, 4, 21), "Tweede Paasdag")));
        assert!(y2025.contains(&(day(2025, 5, 29), "Hemelvaartsdag")));
        assert!(y2025.contains(&(day(2025, 6, 9), "Tweede Pinksterdag")));
        assert!(y2025.contains(&(day(2025, 5, 5), "Bevrijdingsdag")));
        let y2026 = names(2026);
        assert!(y2026.contains(&(day(2026, 4, 27), "Koningsdag")));
        assert!(y2026.contains(&(day(2026, 4, 6), "Tweede Paasdag")));
        assert!(y2026.contains(&(day(2026, 5, 14), "Hemelvaartsdag")));
        assert!(y2026.contains(&(day(2026, 5, 25), "Tweede Pinksterdag")));
        assert!(!y2026.iter().any(|(_, n)| *n == "Bevrijdingsdag"), "not a lustrum year");
        assert!(!y2026.iter().any(|(_, n)| *n == "Goede Vrijdag"), "optional");
        let y2024 = names(2024);
        assert!(y2024.contains(&(day(2024, 5, 9), "Hemelvaartsdag")));
        assert!(y2024.contains(&(day(2024, 5, 20), "Tweede Pinksterdag")));
        let y2030 = names(2030);
        assert!(y2030.contains(&(day(2030, 4, 27), "Koningsdag")), "a Saturday stays");
        assert!(y2030.contains(&(day(2030, 5, 5), "Bevrijdingsdag")));
        assert!(names(2027).contains(&(day(2027, 5, 6), "Hemelvaartsdag")));
        assert!(names(2028).contains(&(day(2028, 6, 5), "Tweede Pinksterdag")));
        assert!(names(2029).contains(&(day(2029, 4, 2), "Tweede Paasdag")));
        for y in 2024..=2030 {
            let h = names(y);
            assert!(h.contains(&(day(y, 1, 1), "Nieuwjaarsdag")));
            assert!(h.contains(&(day(y, 12, 25), "Eerste Kerstdag")));
            assert!(h.contains(&(day(y, 12, 26), "Tweede Kerstdag")));
        }
        let all = Calendar::default().with_holiday_rules(Liberation::EveryYear, true);
        assert!(all.holidays(2026).contains(&(day(2026, 5, 5), "Bevrijdingsdag")));
        assert!(all.holidays(2026).contains(&(day(2026, 4, 3), "Goede Vrijdag")));
    }

    #[test]
    fn one_working_day_skips_weekends_and_christmas() {
        let cal = Calendar::default();
        assert_eq!(
            cal.add_working_days(at(2026, 12, 18, 16, 45), 1),
            at(2026, 12, 21, 16, 45)
        );
        assert_eq!(
            cal.add_working_days(at(2026, 12, 24, 10, 0), 1),
            at(2026, 12, 28, 10, 0)
        );
        // Outside working hours the clock starts at the next opening.
        assert_eq!(
            cal.add_working_days(at(2026, 12, 19, 11, 0), 1),
            at(2026, 12, 21, 17, 0)
        );
        assert_eq!(
            cal.add_working_minutes(at(2026, 12, 21, 7, 0), 60),
            at(2026, 12, 21, 9, 30)
        );
        // One working hour, asked at 16:30: half an hour today, half tomorrow.
        assert_eq!(
            cal.add_working_minutes(at(2026, 12, 22, 16, 30), 60),
            at(2026, 12, 23, 9, 0)
        );
        // A closing day of the vendor counts as a holiday.
        let closed = Calendar::default().with_closing_days([day(2026, 12, 21)]);
        assert_eq!(
            closed.add_working_days(at(2026, 12, 18, 16, 45), 1),
            at(2026, 12, 22, 16, 45)
        );
        // Summer time: the same local hour.
        assert_eq!(cal.add_working_days(at(2026, 3, 27, 9, 0), 1), at(2026, 3, 30, 9, 0));
    }

    #[test]
    fn working_minutes_between_count_only_working_time() {
        let cal = Calendar::default();
        assert_eq!(
            cal.working_minutes_between(at(2026, 12, 18, 16, 45), at(2026, 12, 21, 16, 45)),
            510
        );
        assert_eq!(
            cal.working_minutes_between(at(2026, 12, 24, 10, 0), at(2026, 12, 28, 10, 0)),
            510
        );
        assert_eq!(
            cal.working_minutes_between(at(2026, 12, 19, 10, 0), at(2026, 12, 20, 10, 0)),
            0
        );
        assert_eq!(
            cal.working_minutes_between(at(2026, 12, 21, 10, 0), at(2026, 12, 21, 9, 0)),
            0
        );
    }
}
