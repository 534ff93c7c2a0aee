//! The small administrative commands: migrate, agent (add, password, TOTP,
//! sessions), token, jobs run-due.

use crate::config::Config;
use crate::serve::service;
use chrono::{DateTime, Utc};
use clap::Subcommand;
use loket_core::service::Actor;
use loket_core::{FixedClock, Role};
use rand::RngCore;
use std::sync::Arc;

/// `loket agent …`
#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Creates a staff account.
    Add {
        /// E-mail address.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// agent, product_manager, consultant or admin.
        #[arg(long, default_value = "agent")]
        role: String,
    },
    /// Sets a staff member's password for the agent workspace, read from
    /// standard input (one line); ends their sessions.
    SetPassword {
        /// The staff member's e-mail address.
        #[arg(long)]
        email: String,
    },
    /// Changes a staff member's role (the last admin keeps theirs).
    SetRole {
        /// The staff member's e-mail address.
        #[arg(long)]
        email: String,
        /// agent, product_manager, consultant or admin.
        #[arg(long)]
        role: String,
    },
    /// Makes a role sign in with a TOTP code (its members enrol at their
    /// next sign-in), or with `--off` no longer.
    RequireTotp {
        /// agent, product_manager, consultant or admin.
        #[arg(long)]
        role: String,
        /// Lift the requirement.
        #[arg(long)]
        off: bool,
    },
    /// Removes a staff member's TOTP (a lost phone) and ends their sessions.
    ResetTotp {
        /// The staff member's e-mail address.
        #[arg(long)]
        email: String,
    },
    /// Ends every workspace session of a staff member.
    EndSessions {
        /// The staff member's e-mail address.
        #[arg(long)]
        email: String,
    },
}

/// `loket token …`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Creates an API bearer token for a staff member and prints it (once).
    Create {
        /// The staff member's e-mail address.
        #[arg(long)]
        email: String,
        /// Days until it stops working; for ever when absent.
        #[arg(long)]
        expires_days: Option<u32>,
    },
    /// Lists tokens (never the tokens themselves): id, staff member, created,
    /// expires, revoked.
    List {
        /// Only this staff member's tokens.
        #[arg(long)]
        email: Option<String>,
    },
    /// Revokes a token by the id `loket token list` shows.
    Revoke {
        /// The token's id (12 hexadecimal digits).
        id: String,
    },
}

/// `loket jobs …`
#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Runs the scheduled work due at a moment, once, and exits.
    RunDue {
        /// The moment (RFC 3339); now when absent.
        #[arg(long)]
        now: Option<String>,
    },
    /// Lists queued jobs, newest first: due, running, done or failed with the error.
    List {
        /// Only jobs in this state (`due`, `running`, `done`, `failed`).
        #[arg(long)]
        state: Option<String>,
        /// Most jobs listed.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Makes a failed job due again now.
    Retry {
        /// The job's id.
        id: i64,
    },
    /// Queues probe jobs that wait a moment and count themselves: run
    /// several `loket serve` processes and `loket jobs probe --check` shows
    /// each ran once.
    Probe {
        /// Jobs to queue.
        #[arg(long, default_value_t = 0)]
        count: usize,
        /// Milliseconds each waits.
        #[arg(long, default_value_t = 10)]
        ms: u64,
        /// Only print how many probes are done and the most runs of one.
        #[arg(long)]
        check: bool,
    },
}

/// `loket migrate`: says what it did (created, upgraded or nothing).
pub async fn migrate(cfg: &Config) -> Result<(), String> {
    let url = cfg.database_url();
    let before = loket_store::schema_version(&url).await.map_err(|e| e.to_string())?;
    service(cfg).await?;
    let after = loket_store::schema_version(&url)
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let place = database_place(&url);
    match before {
        None => println!("created a new database at {place} (schema version {after})"),
        Some(v) if v < after => println!("upgraded the database at {place} from schema version {v} to {after}"),
        Some(_) => println!("the database at {place} is up to date (schema version {after}); nothing to do"),
    }
    Ok(())
}

/// Where a database URL points, without its password.
fn database_place(url: &str) -> String {
    match url.split_once('@') {
        Some((_, host)) => format!("postgres://…@{host}"),
        None => url
            .trim_start_matches("sqlite://")
            .trim_start_matches("sqlite:")
            .to_owned(),
    }
}

/// `loket agent add|set-password|require-totp|reset-totp|end-sessions`.
pub async fn agent(cfg: &Config, cmd: AgentCommand) -> Result<(), String> {
    let svc = service(cfg).await?;
    let err = |e: loket_core::DomainError| e.to_string();
    match cmd {
        AgentCommand::Add { email, name, role } => {
            let role = Role::parse(&role).map_err(err)?;
            let staff = svc
                .create_staff(&Actor::System, &email, &name, role)
                .await
                .map_err(err)?;
            println!(
                "created {} {} <{}> (id {})",
                staff.role.id(),
                staff.name,
                staff.email,
                staff.id
            );
            // With outbound mail, the new staff member sets a password from a
            // link; without, an administrator sets one here.
            if cfg.smtp_url.as_deref().is_some_and(|u| !u.trim().is_empty()) {
                svc.invite_staff(&Actor::System, &staff.email).await.map_err(err)?;
                println!(
                    "a link to set the workspace password is queued for {} (valid 48 hours; `loket serve` sends it)",
                    staff.email
                );
            } else {
                println!(
                    "no smtp_url configured: set the password with `loket agent set-password --email {}`",
                    staff.email
                );
            }
        }
        AgentCommand::SetPassword { email } => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
            let password = line.trim_end_matches(['\n', '\r']);
            let staff = svc
                .set_staff_password(&Actor::System, &email, password)
                .await
                .map_err(err)?;
            println!(
                "password set for {} <{}>; their sessions ended",
                staff.name, staff.email
            );
        }
        AgentCommand::SetRole { email, role } => {
            let role = Role::parse(&role).map_err(err)?;
            let staff = svc.set_staff_role(&Actor::System, &email, role).await.map_err(err)?;
            println!("{} <{}> is now {}", staff.name, staff.email, staff.role.id());
        }
        AgentCommand::RequireTotp { role, off } => {
            let role = Role::parse(&role).map_err(err)?;
            svc.require_totp(&Actor::System, role, !off).await.map_err(err)?;
            let how = if off { "no longer needs" } else { "now needs" };
            println!("role {} {how} a TOTP code to sign in", role.id());
        }
        AgentCommand::ResetTotp { email } => {
            let staff = svc.reset_totp(&Actor::System, &email).await.map_err(err)?;
            println!(
                "TOTP removed for {} <{}>; their sessions ended",
                staff.name, staff.email
            );
        }
        AgentCommand::EndSessions { email } => {
            let n = svc.end_staff_sessions(&Actor::System, &email).await.map_err(err)?;
            println!("ended {n} session(s) of {email}");
        }
    }
    Ok(())
}

/// `loket token create|list|revoke`: a new random token is printed once; only
/// its hash is stored.
pub async fn token(cfg: &Config, cmd: TokenCommand) -> Result<(), String> {
    let svc = service(cfg).await?;
    match cmd {
        TokenCommand::Create { email, expires_days } => {
            let mut bytes = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let token = format!("lkt_{}", hex::encode(bytes));
            svc.register_token(&email, &token, expires_days)
                .await
                .map_err(|e| e.to_string())?;
            println!("{token}");
        }
        TokenCommand::List { email } => {
            let tokens = svc.list_tokens(email.as_deref()).await.map_err(|e| e.to_string())?;
            let when = |t: Option<chrono::DateTime<Utc>>| {
                t.map_or_else(|| "-".to_owned(), |t| t.format("%Y-%m-%d %H:%M").to_string())
            };
            println!(
                "{:<12}  {:<32}  {:<16}  {:<16}  revoked",
                "id", "staff", "created", "expires"
            );
            for t in tokens {
                println!(
                    "{:<12}  {:<32}  {:<16}  {:<16}  {}",
                    t.id,
                    t.staff_email,
                    when(Some(t.created_at)),
                    when(t.expires_at),
                    when(t.revoked_at)
                );
            }
        }
        TokenCommand::Revoke { id } => {
            svc.revoke_token(&id).await.map_err(|e| e.to_string())?;
            println!("revoked {id}");
        }
    }
    Ok(())
}

/// `loket jobs run-due`.
pub async fn jobs(cfg: &Config, cmd: JobsCommand) -> Result<(), String> {
    let now = match cmd {
        JobsCommand::RunDue { now } => now,
        other => return queue(cfg, other).await,
    };
    let base = service(cfg).await?;
    let svc = match now {
        Some(n) => {
            let at = DateTime::parse_from_rfc3339(&n)
                .map_err(|e| format!("--now '{n}' is not an RFC 3339 time: {e}"))?
                .with_timezone(&Utc);
            base.with_clock(Arc::new(FixedClock::new(at)))
        }
        None => base,
    };
    let intake = loket_mail::Intake::new(svc.clone(), cfg.mailboxes.clone()).with_settings(cfg.intake());
    println!("{}", crate::serve::run_due(&svc, &intake, true, true).await?);
    let mut jobs = loket_core::service::JobsReport::default();
    loop {
        let mut r = svc.run_jobs(100).await.map_err(|e| e.to_string())?;
        let hooks = svc.run_webhook_jobs(8).await.map_err(|e| e.to_string())?;
        r.done += hooks.done;
        r.retried += hooks.retried;
        r.failed += hooks.failed;
        r.lost += hooks.lost;
        if r == loket_core::service::JobsReport::default() {
            break;
        }
        jobs.done += r.done;
        jobs.retried += r.retried;
        jobs.failed += r.failed;
    }
    println!(
        "queued jobs: {} done, {} to retry, {} failed",
        jobs.done, jobs.retried, jobs.failed
    );
    Ok(())
}

/// `loket jobs list | retry | probe`.
async fn queue(cfg: &Config, cmd: JobsCommand) -> Result<(), String> {
    let svc = service(cfg).await?;
    let err = |e: loket_core::DomainError| e.to_string();
    match cmd {
        JobsCommand::List { state, limit } => {
            let state = state
                .map(|s| {
                    loket_core::jobs::JobState::parse(&s)
                        .ok_or_else(|| format!("--state '{s}' is not due, running, done or failed"))
                })
                .transpose()?;
            let counts = svc.store().job_counts().await.map_err(err)?;
            let summary: Vec<String> = counts.iter().map(|(s, n)| format!("{} {n}", s.id())).collect();
            println!("{}", summary.join(", "));
            for j in svc.list_jobs(&Actor::System, state, limit).await.map_err(err)? {
                println!(
                    "{}\t{}\t{}\tattempts {}\tdue {}\t{}",
                    j.id,
                    j.kind,
                    j.state.id(),
                    j.attempts,
                    j.run_at.to_rfc3339(),
                    j.last_error.unwrap_or_default()
                );
            }
        }
        JobsCommand::Retry { id } => {
            svc.retry_job(&Actor::System, id).await.map_err(err)?;
            println!("job {id} is due again");
        }
        JobsCommand::Probe { count, ms, check } => {
            if !check {
                let n = svc.queue_probes(&Actor::System, count, ms).await.map_err(err)?;
                println!("{n} probe job(s) queued");
            }
            let (done, most) = svc.store().probe_counts().await.map_err(err)?;
            println!("probes done: {done}; most runs of one probe: {most}");
        }
        JobsCommand::RunDue { .. } => {}
    }
    Ok(())
}

/// Exit status for "try again later" (sysexits `EX_TEMPFAIL`): the mail server keeps the mail.
const EX_TEMPFAIL: u8 = 75;
/// Exit status for "not a mail" (sysexits `EX_DATAERR`).
const EX_DATAERR: u8 = 65;
/// Exit status for a configuration error such as an unknown mailbox (sysexits `EX_CONFIG`).
const EX_CONFIG: u8 = 78;

/// The message to take in: complete when within the limit, else its first
/// bytes and the rest still to read.
enum Input {
    Whole(Vec<u8>),
    TooLarge(Vec<u8>, Box<dyn std::io::Read>),
}

fn read_input(file: Option<&std::path::Path>, max: usize) -> Result<Input, (u8, String)> {
    let mut source: Box<dyn std::io::Read> = match file {
        Some(f) => {
            Box::new(std::fs::File::open(f).map_err(|e| (EX_TEMPFAIL, format!("cannot read {}: {e}", f.display())))?)
        }
        None => Box::new(std::io::stdin()),
    };
    let mut buf = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(&mut source, max as u64 + 1), &mut buf)
        .map_err(|e| (EX_TEMPFAIL, format!("cannot read the message: {e}")))?;
    Ok(if buf.len() > max {
        Input::TooLarge(buf, source)
    } else {
        Input::Whole(buf)
    })
}

/// Streams a too-large message to the blob store's temporary place, never
/// holding more than its first `max_mail_bytes` in memory.
async fn stage_rest(
    svc: &loket_core::service::Service,
    first: Vec<u8>,
    mut rest: Box<dyn std::io::Read>,
) -> Result<(Vec<u8>, loket_core::blob::Staged), String> {
    let mut w = svc.blobs().writer().await.map_err(|e| e.to_string())?;
    w.write(&first).await.map_err(|e| e.to_string())?;
    let head = loket_mail::intake::head_of(&first).to_vec();
    drop(first);
    let mut chunk = vec![0u8; 1024 * 1024];
    loop {
        let n = std::io::Read::read(&mut rest, &mut chunk).map_err(|e| format!("cannot read the message: {e}"))?;
        if n == 0 {
            break;
        }
        w.write(&chunk[..n]).await.map_err(|e| e.to_string())?;
    }
    Ok((head, w.finish().await.map_err(|e| e.to_string())?))
}

/// `loket ingest-mail`: the pipe intake; answers the process exit status.
pub async fn ingest_mail(cfg: &Config, mailbox: &str, file: Option<&std::path::Path>) -> Result<u8, (u8, String)> {
    use loket_mail::Outcome;
    if !cfg.mailboxes.iter().any(|m| m.name == mailbox) {
        let known: Vec<&str> = cfg.mailboxes.iter().map(|m| m.name.as_str()).collect();
        return Err((
            EX_CONFIG,
            format!("unknown mailbox '{mailbox}'; configured: {}", known.join(", ")),
        ));
    }
    let input = read_input(file, cfg.max_mail_bytes)?;
    let svc = service(cfg).await.map_err(|e| (EX_TEMPFAIL, e))?;
    let intake = loket_mail::Intake::new(svc.clone(), cfg.mailboxes.clone()).with_settings(cfg.intake());
    let outcome = match input {
        Input::Whole(raw) => intake.ingest(mailbox, &raw, None).await,
        Input::TooLarge(first, rest) => {
            let (head, staged) = stage_rest(&svc, first, rest).await.map_err(|e| (EX_TEMPFAIL, e))?;
            let size = staged.size;
            intake.ingest_oversized(mailbox, &head, Some(staged), size, None).await
        }
    };
    match outcome {
        Ok(Outcome::Created(t)) => println!("created ticket {} in {}", t.number, t.department.id()),
        Ok(Outcome::Appended(t)) => println!("added to ticket {} ({})", t.number, t.status.id()),
        Ok(Outcome::Automatic(t)) => {
            println!("automatic mail kept on ticket {}, not answered", t.number);
        }
        Ok(Outcome::Duplicate) => println!("already stored"),
        Ok(Outcome::Quarantined(why)) => println!("kept in quarantine: {why}"),
        Ok(Outcome::Deferred) => println!("kept in quarantine, to be tried again later"),
        Ok(Outcome::NotMail(why)) => {
            return Err((EX_DATAERR, format!("not an e-mail message ({why}); kept in quarantine")));
        }
        Err(e) => {
            return Err((EX_TEMPFAIL, format!("mail not stored, try again later: {e}")));
        }
    }
    Ok(0)
}
