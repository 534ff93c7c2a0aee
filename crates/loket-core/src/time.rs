//! Times for people. Every time shown in pages and mails is in the configured
//! time zone (`time_zone`, default Europe/Amsterdam, daylight saving
//! included); storage stays UTC. This is the one place that formats them.

use chrono::{DateTime, Utc};

/// The time zone times are shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Zone(chrono_tz::Tz);

impl Default for Zone {
    fn default() -> Self {
        Self(chrono_tz::Europe::Amsterdam)
    }
}

impl Zone {
    /// A zone by its IANA name (`Europe/Amsterdam`); the error names what is wrong.
    pub fn parse(name: &str) -> Result<Self, String> {
        name.trim()
            .parse::<chrono_tz::Tz>()
            .map(Self)
            .map_err(|_| format!("time_zone '{name}' is not a time zone name such as Europe/Amsterdam"))
    }

    /// The zone itself.
    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }

    /// Its IANA name.
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// Day and time as people read them: `29-11-2026 03:09`.
    pub fn date_time(self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.0).format("%d-%m-%Y %H:%M").to_string()
    }

    /// The day: `29-11-2026`.
    pub fn date(self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.0).format("%d-%m-%Y").to_string()
    }

    /// The day written out, as promises state it: `12 december 2026`
    /// (`12 December 2026` in English).
    pub fn long_date(self, at: DateTime<Utc>, lang: crate::Lang) -> String {
        use chrono::Datelike;
        const NL: [&str; 12] = [
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ];
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let local = at.with_timezone(&self.0);
        let names = match lang {
            crate::Lang::Nl => NL,
            crate::Lang::En => EN,
        };
        let month = names[usize::try_from(local.month0()).unwrap_or_default() % 12];
        format!("{} {month} {}", local.day(), local.year())
    }

    /// A deadline within days: the day written out and the time,
    /// `21 december 2026 om 16:45` (`21 December 2026 at 16:45`).
    pub fn long_date_time(self, at: DateTime<Utc>, lang: crate::Lang) -> String {
        let time = at.with_timezone(&self.0).format("%H:%M");
        match lang {
            crate::Lang::Nl => format!("{} om {time}", self.long_date(at, lang)),
            crate::Lang::En => format!("{} at {time}", self.long_date(at, lang)),
        }
    }

    /// For `<time datetime>`: RFC 3339 with the zone's offset.
    pub fn iso(self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.0).to_rfc3339()
    }

    /// The day of a moment, for a date picker: `2026-12-13`.
    pub fn day(self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.0).format("%Y-%m-%d").to_string()
    }

    /// The start of a day (`2026-12-13`) in this zone: midnight local time.
    pub fn start_of_day(self, day: chrono::NaiveDate) -> DateTime<Utc> {
        use chrono::TimeZone;
        let local = day.and_time(chrono::NaiveTime::MIN);
        self.0
            .from_local_datetime(&local)
            .earliest()
            .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
    }

    /// The end of a day (`2026-12-13`) in this zone, for "until a date":
    /// 23:59:59 local time.
    pub fn end_of_day(self, day: &str) -> Option<DateTime<Utc>> {
        use chrono::TimeZone;
        let date = chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d").ok()?;
        let local = date.and_hms_opt(23, 59, 59)?;
        self.0
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn end_of_a_local_day() {
        let z = Zone::default();
        let end = z.end_of_day("2026-12-13").unwrap_or_default();
        assert_eq!(end.to_rfc3339(), "2026-12-13T22:59:59+00:00");
        assert_eq!(z.day(end), "2026-12-13");
        assert!(z.end_of_day("13-12-2026").is_none() && z.end_of_day("2026-02-30").is_none());
    }

    #[test]
    fn amsterdam_time_in_winter_and_summer() {
        let z = Zone::default();
        let winter = Utc
            .with_ymd_and_hms(2026, 11, 28, 23, 14, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(z.date_time(winter), "29-11-2026 00:14", "UTC+1, and the next day");
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 22, 30, 0).single().unwrap_or_default();
        assert_eq!(z.date_time(summer), "02-07-2026 00:30", "UTC+2 in summer");
        assert_eq!(z.iso(summer), "2026-07-02T00:30:00+02:00");
        assert!(Zone::parse("Mars/Olympus").is_err());
        assert_eq!(
            Zone::parse("UTC").map(|z| z.date(winter)).ok().as_deref(),
            Some("28-11-2026")
        );
    }
}
