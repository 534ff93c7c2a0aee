//! Configuration: built-in defaults, then a TOML file, then `LOKET_*`
//! environment variables; a secret may also come from the file named by
//! `LOKET_<NAME>_FILE`.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The commented example configuration printed by `loket default-config`.
pub const EXAMPLE: &str = include_str!("example-config.toml");

/// Loket's configuration. Every field is documented in `example-config.toml`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The data folder: SQLite database, attachments.
    pub data_dir: PathBuf,
    /// `sqlite:PATH` or `postgres://…`; SQLite in the data folder when empty.
    pub database_url: Option<String>,
    /// Address the web server listens on.
    pub listen: String,
    /// Base of links in mails; `http://` + `listen` when empty.
    pub public_url: Option<String>,
    /// Outbound mail server, for example `smtp://127.0.0.1:2525`.
    pub smtp_url: Option<String>,
    /// Log filter (`info`, `debug`, `loket=debug,sqlx=warn`, ...).
    pub log: String,
    /// Largest attachment in bytes.
    pub max_attachment_bytes: usize,
    /// Seconds between runs of the scheduled jobs inside `loket serve`.
    pub jobs_interval_secs: u64,
    /// Seconds a claimed queued job stays its process's before another may
    /// take it (a process that dies holds its jobs that long).
    pub jobs_lease_secs: u64,
    /// The From address of Loket's mail; the helpdesk mailbox's address, else
    /// `helpdesk@localhost`, when empty.
    pub mail_from: Option<String>,
    /// The date of the next Functioneel overleg, shown in the portal (until the
    /// meeting schedule is kept in Loket itself): `2026-12-15` or `15-12-2026`.
    #[serde(deserialize_with = "dutch_date::deserialize")]
    pub next_functional_meeting: Option<chrono::NaiveDate>,
    /// Largest mail taken in, in bytes; a larger one waits in quarantine as
    /// too large without being loaded.
    pub max_mail_bytes: usize,
    /// The authserv-id of the receiving mail server whose
    /// `Authentication-Results` header is trusted (DMARC, DKIM, SPF); without
    /// it no mail counts as authenticated and mail from staff gets no staff rights.
    pub trusted_authserv_id: Option<String>,
    /// Reverse proxies (addresses or CIDR ranges) whose `X-Forwarded-For` is
    /// believed for per-visitor limits.
    pub trusted_proxies: Vec<String>,
    /// Most portal uploads read at the same moment.
    pub max_uploads_in_progress: usize,
    /// The time zone of every time shown in pages and mails (IANA name).
    pub time_zone: String,
    /// Privacy incidents: `propose` them to an agent, or `apply` them by
    /// Loket itself (label, remove the files, tell the sender).
    pub privacy_mode: String,
    /// Confirmed privacy incidents of one organisation in a quarter that make
    /// Loket mail its authorised contacts (0: never).
    pub privacy_threshold: u32,
    /// Service levels: working days to a Helpdesk answer (1), to a reaction
    /// elsewhere (10), working minutes to a first answer when urgent (60), and
    /// the share of the time (percent) after which staff are warned (75).
    pub sla_answer_days: i64,
    pub sla_reaction_days: i64,
    pub sla_urgent_minutes: i64,
    pub sla_warn_percent: i64,
    /// Working hours of the business calendar deadlines count in: `08:30-17:00`.
    pub working_hours: String,
    /// Bevrijdingsdag as a day off: `lustrum` (every fifth year) or `every_year`.
    pub liberation_day: String,
    /// Whether Goede Vrijdag is a day off.
    pub good_friday: bool,
    /// The vendor's own closing days (`2026-12-31` or `31-12-2026`).
    pub closing_days: Vec<String>,
    /// The mailboxes Loket reads; `helpdesk` and `updates` when not configured.
    pub mailboxes: Vec<loket_mail::Mailbox>,
    /// The link of a work item in the development tracker, `{id}` standing
    /// for its reference: `https://dev.azure.com/org/project/_workitems/edit/{id}`.
    pub work_item_url: Option<String>,
    /// Whether anyone may read the forum; `false`: logged-in contacts only.
    pub forum_public: bool,
    /// The recurring meetings (`[[meetings]]`); Intern bespreken every
    /// Tuesday and Functioneel overleg the first Thursday of the month at
    /// 10:00 when not configured.
    pub meetings: Vec<loket_core::meetings::MeetingConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./loket-data"),
            database_url: None,
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            smtp_url: None,
            log: "info".into(),
            max_attachment_bytes: 25 * 1024 * 1024,
            jobs_interval_secs: 60,
            jobs_lease_secs: 300,
            mail_from: None,
            next_functional_meeting: None,
            max_mail_bytes: loket_mail::mailbox::DEFAULT_MAX_MAIL_BYTES,
            trusted_authserv_id: None,
            trusted_proxies: Vec::new(),
            max_uploads_in_progress: 8,
            time_zone: "Europe/Amsterdam".into(),
            privacy_mode: "propose".into(),
            privacy_threshold: 3,
            sla_answer_days: 1,
            sla_reaction_days: 10,
            sla_urgent_minutes: 60,
            sla_warn_percent: 75,
            working_hours: "08:30-17:00".into(),
            liberation_day: "lustrum".into(),
            good_friday: false,
            closing_days: Vec::new(),
            mailboxes: loket_mail::Mailbox::defaults(),
            work_item_url: None,
            forum_public: true,
            meetings: vec![
                loket_core::meetings::MeetingConfig {
                    department: loket_core::Department::InternalReview,
                    every: "tuesday".into(),
                    time: "10:00".into(),
                    skip: Vec::new(),
                    extra: Vec::new(),
                },
                loket_core::meetings::MeetingConfig {
                    department: loket_core::Department::FunctionalMeeting,
                    every: "first thursday".into(),
                    time: "10:00".into(),
                    skip: Vec::new(),
                    extra: Vec::new(),
                },
            ],
        }
    }
}

/// Dates as people write them: ISO (`2026-12-15`) or Dutch (`15-12-2026`).
mod dutch_date {
    use serde::{Deserialize, Deserializer};

    /// Parses either form; the error names both.
    pub fn parse(s: &str) -> Result<chrono::NaiveDate, String> {
        let s = s.trim();
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .or_else(|_| chrono::NaiveDate::parse_from_str(s, "%d-%m-%Y"))
            .map_err(|_| format!("'{s}' is not a date: write it as 2026-12-15 or 15-12-2026"))
    }

    /// A text, or a TOML date (which arrives as a one-entry map).
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Toml(std::collections::BTreeMap<String, String>),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<chrono::NaiveDate>, D::Error> {
        let s = match Option::<Raw>::deserialize(d)? {
            None => return Ok(None),
            Some(Raw::Text(s)) => s,
            Some(Raw::Toml(m)) => m.into_values().next().unwrap_or_default(),
        };
        if s.trim().is_empty() {
            return Ok(None);
        }
        parse(&s).map(Some).map_err(serde::de::Error::custom)
    }
}

/// Keys read from `LOKET_*` variables (others, like `LOKET_TEST_*`, are not ours).
const KEYS: &[&str] = &[
    "data_dir",
    "database_url",
    "listen",
    "public_url",
    "smtp_url",
    "log",
    "max_attachment_bytes",
    "jobs_interval_secs",
    "jobs_lease_secs",
    "mail_from",
    "next_functional_meeting",
    "max_mail_bytes",
    "trusted_authserv_id",
    "trusted_proxies",
    "max_uploads_in_progress",
    "time_zone",
    "privacy_mode",
    "privacy_threshold",
    "sla_answer_days",
    "sla_reaction_days",
    "sla_urgent_minutes",
    "sla_warn_percent",
    "working_hours",
    "liberation_day",
    "good_friday",
    "closing_days",
    "work_item_url",
    "forum_public",
];

/// Keys that may be given as `LOKET_<KEY>_FILE` (read from that file).
const SECRET_KEYS: &[&str] = &["database_url", "smtp_url"];

impl Config {
    /// Loads defaults < `file` < environment.
    pub fn load(file: Option<&Path>) -> Result<Self, String> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(f) = file {
            if !f.exists() {
                return Err(format!("configuration file {} does not exist", f.display()));
            }
            fig = fig.merge(Toml::file(f));
        }
        fig = fig.merge(Env::prefixed("LOKET_").only(KEYS));
        for key in SECRET_KEYS {
            let var = format!("LOKET_{}_FILE", key.to_uppercase());
            if let Ok(path) = std::env::var(&var) {
                let value = std::fs::read_to_string(&path).map_err(|e| format!("{var}: cannot read {path}: {e}"))?;
                fig = fig.merge(Serialized::default(key, value.trim().to_owned()));
            }
        }
        let cfg: Self = fig.extract().map_err(|e| e.to_string())?;
        cfg.zone()?;
        cfg.calendar()?;
        cfg.policy()?;
        cfg.meeting_series()?;
        cfg.work_item_url()?;
        Ok(cfg)
    }

    /// The work item URL template, checked: an http(s) address with `{id}`.
    pub fn work_item_url(&self) -> Result<Option<String>, String> {
        match self.work_item_url.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(u) if (u.starts_with("https://") || u.starts_with("http://")) && u.contains("{id}") => {
                Ok(Some(u.to_owned()))
            }
            Some(u) => Err(format!(
                "work_item_url '{u}' must be an http(s) address with {{id}} where the reference goes"
            )),
        }
    }

    /// The meeting series; `next_functional_meeting`, when set, is one more
    /// Functioneel overleg (a moved or extra meeting).
    pub fn meeting_series(&self) -> Result<Vec<loket_core::meetings::MeetingSeries>, String> {
        let mut out = self
            .meetings
            .iter()
            .map(loket_core::meetings::MeetingSeries::from_config)
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(day) = self.next_functional_meeting
            && let Some(m) = out
                .iter_mut()
                .find(|m| m.department == loket_core::Department::FunctionalMeeting)
        {
            m.extra.insert(day);
        }
        Ok(out)
    }

    /// The service-level promises.
    pub fn policy(&self) -> Result<loket_core::service_level::Policy, String> {
        let in_range = |name: &str, v: i64, max: i64| {
            if (1..=max).contains(&v) {
                Ok(v)
            } else {
                Err(format!("{name} = {v} is not between 1 and {max}"))
            }
        };
        Ok(loket_core::service_level::Policy {
            answer_days: in_range("sla_answer_days", self.sla_answer_days, 60)?,
            reaction_days: in_range("sla_reaction_days", self.sla_reaction_days, 120)?,
            urgent_minutes: in_range("sla_urgent_minutes", self.sla_urgent_minutes, 6000)?,
            warn_percent: in_range("sla_warn_percent", self.sla_warn_percent, 100)?,
        })
    }

    /// The business calendar service-level deadlines count in.
    pub fn calendar(&self) -> Result<loket_core::calendar::Calendar, String> {
        use loket_core::calendar::{Calendar, Liberation};
        let bad = || {
            format!(
                "working_hours '{}' is not a range such as 08:30-17:00",
                self.working_hours
            )
        };
        let (open, close) = self.working_hours.split_once('-').ok_or_else(bad)?;
        let time = |t: &str| chrono::NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad());
        let (open, close) = (time(open)?, time(close)?);
        if open >= close {
            return Err(bad());
        }
        let liberation = match self.liberation_day.trim() {
            "lustrum" => Liberation::Lustrum,
            "every_year" => Liberation::EveryYear,
            other => return Err(format!("liberation_day '{other}' is not 'lustrum' or 'every_year'")),
        };
        let closed = self
            .closing_days
            .iter()
            .map(|d| dutch_date::parse(d).map_err(|e| format!("closing_days: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Calendar::default()
            .in_zone(self.zone()?.tz())
            .with_hours(open, close, [true, true, true, true, true, false, false])
            .with_holiday_rules(liberation, self.good_friday)
            .with_closing_days(closed))
    }

    /// The time zone of times shown to people.
    pub fn zone(&self) -> Result<loket_core::time::Zone, String> {
        loket_core::time::Zone::parse(&self.time_zone)
    }

    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(u) if !u.trim().is_empty() => u.trim().to_owned(),
            _ => format!("sqlite://{}", self.data_dir.join("loket.db").display()),
        }
    }

    /// The From address of outgoing mail, with the name "Helpdesk" when it
    /// has none (a bare address looks untrustworthy in mail clients).
    pub fn mail_from(&self) -> String {
        let helpdesk = self
            .mailboxes
            .iter()
            .find(|m| m.name == "helpdesk")
            .and_then(|m| m.address.clone());
        let from = match (&self.mail_from, helpdesk) {
            (Some(f), _) if !f.trim().is_empty() => f.trim().to_owned(),
            (_, Some(a)) => a,
            _ => "helpdesk@localhost".into(),
        };
        if from.contains('<') {
            from
        } else {
            format!("Helpdesk <{from}>")
        }
    }

    /// The settings of the outbox sender.
    pub fn outbox(&self) -> loket_mail::OutboxSettings {
        let from = self.mail_from();
        let domain = from
            .rsplit_once('@')
            .map_or("localhost", |(_, d)| d.trim_end_matches('>'))
            .to_owned();
        loket_mail::OutboxSettings {
            smtp_url: self.smtp_url.clone(),
            reply_to: self
                .mailboxes
                .iter()
                .filter_map(|m| m.address.clone().map(|a| (m.name.clone(), a)))
                .collect(),
            from,
            public_url: self.public_url(),
            message_id_domain: domain,
            templates: loket_mail::templates::Templates::new(Some(&self.data_dir.join("templates"))),
            time_zone: self.zone().unwrap_or_default(),
        }
    }

    /// The intake's settings.
    pub fn intake(&self) -> loket_mail::IntakeSettings {
        loket_mail::IntakeSettings {
            max_mail_bytes: self.max_mail_bytes,
            trusted_authserv_id: self
                .trusted_authserv_id
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(ToOwned::to_owned),
        }
    }

    /// The portal's settings; a proxy entry that is not an address or range is an error.
    pub fn portal(&self) -> Result<loket_web::PortalSettings, String> {
        let trusted_proxies = self
            .trusted_proxies
            .iter()
            .map(|p| {
                p.parse::<loket_web::IpNet>()
                    .map_err(|e| format!("trusted_proxies: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(loket_web::PortalSettings {
            secure_cookies: self.public_url().starts_with("https://"),
            trusted_proxies,
            max_uploads_in_progress: self.max_uploads_in_progress.max(1),
            time_zone: self.zone()?,
            public_url: self.public_url(),
            work_item_url: self.work_item_url()?,
            forum_public: self.forum_public,
        })
    }

    /// The base URL of links in mails.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(u) if !u.trim().is_empty() => u.trim().trim_end_matches('/').to_owned(),
            _ => format!("http://{}", self.listen),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses_to_the_defaults() {
        let parsed: Config = toml_parse(EXAMPLE);
        assert_eq!(parsed, Config::default());
    }

    fn toml_parse(s: &str) -> Config {
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string(s))
            .extract()
            .expect("example parses")
    }

    #[test]
    fn defaults_use_sqlite_in_the_data_folder() {
        let c = Config::default();
        assert_eq!(c.database_url(), "sqlite://./loket-data/loket.db");
        assert_eq!(c.public_url(), "http://127.0.0.1:8080");
    }
}

#[cfg(test)]
mod date_tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn meeting_dates_in_iso_and_dutch_form() {
        let want = NaiveDate::from_ymd_opt(2026, 12, 15);
        for text in ["2026-12-15", "15-12-2026", " 15-12-2026 "] {
            let c: Config = Figment::from(Serialized::defaults(Config::default()))
                .merge(Serialized::default("next_functional_meeting", text))
                .extract()
                .expect(text);
            assert_eq!(c.next_functional_meeting, want, "{text}");
        }
        let e = Figment::from(Serialized::defaults(Config::default()))
            .merge(Serialized::default("next_functional_meeting", "15/12/26"))
            .extract::<Config>()
            .unwrap_err()
            .to_string();
        assert!(e.contains("2026-12-15 or 15-12-2026"), "{e}");
        let toml: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string("next_functional_meeting = 2026-12-15"))
            .extract()
            .expect("a TOML date");
        assert_eq!(toml.next_functional_meeting, want);
    }
}
