//! End-to-end tests of the real `loket` binary: commands, `serve` on a fresh data
//! folder, the API over TCP, `jobs run-due`, graceful shutdown and restart.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod agent_e2e;
mod forum_e2e;
mod http;
mod imap_crash;
mod jobs_e2e;
mod memory;
mod outage_e2e;
mod portal_a11y;
mod portal_e2e;
mod privacy_e2e;
mod release_e2e;

use http::request;
use std::path::Path;
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

pub(crate) fn loket(data: &Path, args: &[&str]) -> Output {
    loket_with(data, args, &[])
}

/// `loket` with more `LOKET_*` variables.
pub(crate) fn loket_with(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(args)
        .env("LOKET_DATA_DIR", data)
        .env_remove("LOKET_DATABASE_URL")
        .envs(env.iter().copied())
        .output()
        .expect("run loket")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) addr: String,
}

impl Server {
    fn start(data: &Path) -> Self {
        Self::start_with(data, &[])
    }

    pub(crate) fn start_with(data: &Path, args: &[&str]) -> Self {
        Self::start_full(data, args, &[])
    }

    pub(crate) fn start_with_env(data: &Path, env: &[(&str, &str)]) -> Self {
        Self::start_full(data, &[], env)
    }

    pub(crate) fn start_full(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        let addr = format!("127.0.0.1:{}", free_port());
        let child = Command::new(env!("CARGO_BIN_EXE_loket"))
            .args(args)
            .env_remove("LOKET_DATABASE_URL")
            .envs(env.iter().copied())
            .env("LOKET_PUBLIC_URL", format!("http://{addr}"))
            .arg("serve")
            .env("LOKET_DATA_DIR", data)
            .env("LOKET_LISTEN", &addr)
            .env("LOKET_LOG", "warn")
            .spawn()
            .unwrap();
        let started = Instant::now();
        while request(&addr, "GET", "/healthz", None, None).map(|r| r.0) != Some(200) {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "loket serve did not come up"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, addr }
    }

    /// SIGTERM, then the exit status must be success.
    pub(crate) fn stop(mut self) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "graceful shutdown exits 0, got {status}");
    }
}

impl Drop for Server {
    /// A failed test must not leave the server running (it would hold the
    /// test harness's output open).
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A Dovecot test account (`addr` is `host:port`, `user` one of the
/// `boxN@example.test` accounts), emptied, and a configuration file in `dir`
/// whose helpdesk mailbox reads it every second.
pub(crate) fn imap_mailbox(addr: &str, user: &str, dir: &Path) -> (loket_mail::imap::ImapConfig, std::path::PathBuf) {
    let (host, port) = addr.rsplit_once(':').unwrap();
    let account = loket_mail::imap::ImapConfig {
        host: host.into(),
        port: Some(port.parse().unwrap()),
        security: loket_mail::imap::Security::Plain,
        user: user.into(),
        password: Some("secret".into()),
        password_file: None,
        folder: "INBOX".into(),
        processed_folder: None,
        poll_secs: 1,
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(loket_mail::imap::tools::clear(&account))
        .unwrap();
    let config = dir.join("loket.toml");
    std::fs::write(
        &config,
        format!(
            "[[mailboxes]]\nname = \"helpdesk\"\ndepartment = \"helpdesk\"\n[mailboxes.imap]\nhost = \"{host}\"\nport = {port}\n\
             security = \"plain\"\nuser = \"{user}\"\npassword = \"secret\"\npoll_secs = 1\n"
        ),
    )
    .unwrap();
    (account, config)
}

pub(crate) fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

#[test]
fn serve_on_a_fresh_folder_with_api_jobs_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    stdout(&loket(
        &data,
        &[
            "agent",
            "add",
            "--email",
            "Agent@Leverancier.nl",
            "--name",
            "Agent",
            "--role",
            "admin",
        ],
    ));
    let token = stdout(&loket(&data, &["token", "create", "--email", "agent@leverancier.nl"]));
    assert!(token.starts_with("lkt_") && token.len() > 40);
    assert!(data.join("loket.db").exists(), "SQLite in the data folder");

    let server = Server::start(&data);
    let body = r#"{"subject":"Koppeling","message":"Het berichtenverkeer staat stil","requester":"jan@gemeente.nl","channel":"email"}"#;
    let (status, created) = request(&server.addr, "POST", "/api/v1/tickets", Some(body), Some(&token)).unwrap();
    assert_eq!(status, 201, "{created}");
    let number = created["number"].as_i64().unwrap();
    assert_eq!(
        (created["status"].as_str(), created["department"].as_str()),
        (Some("new"), Some("helpdesk"))
    );

    let now = chrono::Utc::now();
    let at = |days: i64| (now + chrono::Duration::days(days)).to_rfc3339();
    let until = at(10);
    let postpone = format!(r#"{{"message":"Stuur een schermafdruk","until":"{until}"}}"#);
    let (status, t) = request(
        &server.addr,
        "POST",
        &format!("/api/v1/tickets/{number}/postpone"),
        Some(&postpone),
        Some(&token),
    )
    .unwrap();
    assert_eq!((status, t["status"].as_str()), (200, Some("postponed")), "{t}");

    // Before the date: nothing due. After: resolved, by a second process.
    assert!(stdout(&loket(&data, &["jobs", "run-due", "--now", &at(9)])).contains("auto-resolve: 0 "));
    assert!(stdout(&loket(&data, &["jobs", "run-due", "--now", &at(11)])).contains("auto-resolve: 1 "));
    let (_, t) = request(
        &server.addr,
        "GET",
        &format!("/api/v1/tickets/{number}"),
        None,
        Some(&token),
    )
    .unwrap();
    assert_eq!(
        (t["status"].as_str(), t["department"].as_str()),
        (Some("resolved"), Some("helpdesk"))
    );
    server.stop();

    let server = Server::start(&data);
    let (status, t) = request(
        &server.addr,
        "GET",
        &format!("/api/v1/tickets/{number}"),
        None,
        Some(&token),
    )
    .unwrap();
    assert_eq!(
        (status, t["number"].as_i64()),
        (200, Some(number)),
        "survives a restart"
    );
    let (status, _) = request(&server.addr, "GET", "/api/v1/tickets", None, Some("lkt_nope")).unwrap();
    assert_eq!(status, 401);
    server.stop();
}

#[test]
fn commands_report_bad_input_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let cfg = stdout(&loket(&data, &["default-config"]));
    assert!(cfg.contains("data_dir") && cfg.contains("listen"));
    let bad_role = loket(
        &data,
        &["agent", "add", "--email", "a@b.nl", "--name", "A", "--role", "baas"],
    );
    assert!(!bad_role.status.success());
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("unknown role 'baas'"));
    let unknown = loket(&data, &["token", "create", "--email", "niemand@b.nl"]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("not found"));
    let missing = loket(&data, &["--config", "/nonexistent/loket.toml", "migrate"]);
    assert_eq!(missing.status.code(), Some(78));
    let when = loket(&data, &["jobs", "run-due", "--now", "gisteren"]);
    assert!(String::from_utf8_lossy(&when.stderr).contains("RFC 3339"));
    let dup = loket(&data, &["agent", "add", "--email", "x@b.nl", "--name", "X"]);
    assert!(dup.status.success());
    let dup = loket(&data, &["agent", "add", "--email", "X@b.nl", "--name", "X"]);
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already in use"));
    // Bad calendar, service-level, meeting and tracker settings are named.
    for (key, value, says) in [
        ("LOKET_WORKING_HOURS", "17:00-08:30", "working_hours '17:00-08:30'"),
        ("LOKET_SLA_WARN_PERCENT", "150", "sla_warn_percent = 150"),
        ("LOKET_LIBERATION_DAY", "soms", "liberation_day 'soms'"),
        ("LOKET_WORK_ITEM_URL", "https://dev.azure.com/x", "work_item_url"),
    ] {
        let bad = loket_with(&data, &["migrate"], &[(key, value)]);
        assert_eq!(bad.status.code(), Some(78), "{key}");
        assert!(
            String::from_utf8_lossy(&bad.stderr).contains(says),
            "{key}: {}",
            String::from_utf8_lossy(&bad.stderr)
        );
    }
    let toml = dir.path().join("meetings.toml");
    std::fs::write(
        &toml,
        "[[meetings]]\ndepartment = \"functional_meeting\"\nevery = \"om de week\"\n",
    )
    .unwrap();
    let bad = loket(&data, &["--config", toml.to_str().unwrap(), "migrate"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("meeting recurrence 'om de week'"));
}

#[test]
fn migrate_says_what_it_did_and_logs_carry_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = stdout(&loket(&data, &["migrate"]));
    assert!(first.starts_with("created a new database at "), "{first}");
    let again = stdout(&loket(&data, &["migrate"]));
    assert!(
        again.contains("is up to date") && again.contains("nothing to do"),
        "{again}"
    );
    let help = stdout(&loket(&data, &["serve", "--help"]));
    assert!(help.contains("portal"), "{help}");
    // Written to a pipe (as here), log lines have no ANSI escapes.
    let eml = dir.path().join("m.eml");
    std::fs::write(&eml, "From: jan@gemeente.nl\r\nSubject: Kleur\r\n\r\nHallo\r\n").unwrap();
    let o = loket_with(
        &data,
        &["ingest-mail", "--mailbox", "helpdesk", eml.to_str().unwrap()],
        &[("LOKET_LOG", "debug")],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success() && !err.is_empty(), "{err}");
    assert!(!err.contains('\u{1b}'), "colour codes in a piped log: {err:?}");
    // The meeting date in the Dutch form, and a clear error for another.
    let dutch = loket_with(&data, &["migrate"], &[("LOKET_NEXT_FUNCTIONAL_MEETING", "15-12-2026")]);
    assert!(dutch.status.success(), "{}", String::from_utf8_lossy(&dutch.stderr));
    let bad = loket_with(&data, &["migrate"], &[("LOKET_NEXT_FUNCTIONAL_MEETING", "15/12/26")]);
    assert_eq!(bad.status.code(), Some(78));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("2026-12-15 or 15-12-2026"));
}

#[test]
fn ingest_mail_exit_statuses_tell_the_mail_server_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let eml = dir.path().join("m.eml");
    std::fs::write(
        &eml,
        "From: jan@gemeente.nl\r\nSubject: Via de pipe\r\nMessage-ID: <pipe-1@gemeente.nl>\r\n\r\nHallo\r\n",
    )
    .unwrap();
    let path = eml.to_str().unwrap();
    let first = loket(&data, &["ingest-mail", "--mailbox", "updates", path]);
    assert!(stdout(&first).contains("created ticket") && stdout(&first).contains("updates"));
    let again = loket(&data, &["ingest-mail", "--mailbox", "helpdesk", path]);
    assert_eq!(
        (again.status.code(), stdout(&again).as_str()),
        (Some(0), "already stored")
    );

    let junk = dir.path().join("junk.bin");
    std::fs::write(&junk, b"\x00\x01\x02").unwrap();
    let not_mail = loket(&data, &["ingest-mail", "--mailbox", "helpdesk", junk.to_str().unwrap()]);
    assert_eq!(not_mail.status.code(), Some(65));
    let unknown = loket(&data, &["ingest-mail", "--mailbox", "kantine", path]);
    assert_eq!(unknown.status.code(), Some(78), "a configuration error");
    let down = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["ingest-mail", "--mailbox", "helpdesk", path])
        .env("LOKET_DATA_DIR", &data)
        .env("LOKET_DATABASE_URL", "postgres://loket@127.0.0.1:1/loket")
        .output()
        .unwrap();
    assert_eq!(
        down.status.code(),
        Some(75),
        "storage unavailable: the mail server must retry"
    );

    // Piped on standard input, as a mail server does.
    let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["ingest-mail", "--mailbox", "helpdesk"])
        .env("LOKET_DATA_DIR", &data)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        child.stdin.as_mut().unwrap(),
        b"From: piet@gemeente.nl\r\nSubject: stdin\r\nMessage-ID: <pipe-2@gemeente.nl>\r\n\r\nx\r\n",
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(stdout(&out).contains("created ticket"));
}

#[test]
fn api_tokens_are_listed_expire_and_are_revoked_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    stdout(&loket(
        &data,
        &["agent", "add", "--email", "a@leverancier.nl", "--name", "A"],
    ));
    let forever = stdout(&loket(&data, &["token", "create", "--email", "a@leverancier.nl"]));
    let week = stdout(&loket(
        &data,
        &["token", "create", "--email", "a@leverancier.nl", "--expires-days", "7"],
    ));
    let list = stdout(&loket(&data, &["token", "list"]));
    assert!(
        !list.contains(&forever) && !list.contains(&week),
        "tokens are never shown again"
    );
    let rows: Vec<&str> = list.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{list}");
    assert!(rows.iter().all(|r| r.contains("a@leverancier.nl")));
    let server = Server::start(&data);
    assert_eq!(
        request(&server.addr, "GET", "/api/v1/tickets", None, Some(&week))
            .unwrap()
            .0,
        200
    );
    // The row with an expiry date is the week's token.
    let id = rows
        .iter()
        .find(|r| r.split_whitespace().nth(4).is_some_and(|e| e != "-"))
        .and_then(|r| r.split_whitespace().next())
        .unwrap();
    assert!(stdout(&loket(&data, &["token", "revoke", id])).contains("revoked"));
    assert_eq!(
        request(&server.addr, "GET", "/api/v1/tickets", None, Some(&week))
            .unwrap()
            .0,
        401
    );
    assert_eq!(
        request(&server.addr, "GET", "/api/v1/tickets", None, Some(&forever))
            .unwrap()
            .0,
        200
    );
    let again = loket(&data, &["token", "revoke", id]);
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("not found"));
    let bad = loket(&data, &["token", "revoke", "xyz"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("12 hexadecimal digits"));
    server.stop();
}
