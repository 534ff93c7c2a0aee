//! The small administrative commands: migrate, agent add, token create, jobs run-due.

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
}

/// `loket token …`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Creates an API bearer token for a staff member and prints it.
    Create {
        /// The staff member's e-mail address.
        #[arg(long)]
        email: String,
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
}

/// `loket migrate`.
pub async fn migrate(cfg: &Config) -> Result<(), String> {
    service(cfg).await?;
    println!("database is up to date");
    Ok(())
}

/// `loket agent add`.
pub async fn agent(cfg: &Config, cmd: AgentCommand) -> Result<(), String> {
    let AgentCommand::Add { email, name, role } = cmd;
    let role = Role::parse(&role).map_err(|e| e.to_string())?;
    let staff = service(cfg)
        .await?
        .create_staff(&Actor::System, &email, &name, role)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "created {} {} <{}> (id {})",
        staff.role.id(),
        staff.name,
        staff.email,
        staff.id
    );
    Ok(())
}

/// `loket token create`: prints a new random token; only its hash is stored.
pub async fn token(cfg: &Config, cmd: TokenCommand) -> Result<(), String> {
    let TokenCommand::Create { email } = cmd;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!("lkt_{}", hex::encode(bytes));
    service(cfg)
        .await?
        .register_token(&email, &token)
        .await
        .map_err(|e| e.to_string())?;
    println!("{token}");
    Ok(())
}

/// `loket jobs run-due`.
pub async fn jobs(cfg: &Config, cmd: JobsCommand) -> Result<(), String> {
    let JobsCommand::RunDue { now } = cmd;
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
    let intake = loket_mail::Intake::new(svc.clone(), cfg.mailboxes.clone());
    println!("{}", crate::serve::run_due(&svc, &intake).await?);
    Ok(())
}

/// Exit status for "try again later" (sysexits `EX_TEMPFAIL`): the mail server keeps the mail.
const EX_TEMPFAIL: u8 = 75;
/// Exit status for "not a mail" (sysexits `EX_DATAERR`).
const EX_DATAERR: u8 = 65;

/// `loket ingest-mail`: the pipe intake; answers the process exit status.
pub async fn ingest_mail(cfg: &Config, mailbox: &str, file: Option<&std::path::Path>) -> Result<u8, (u8, String)> {
    use loket_mail::Outcome;
    let raw = if let Some(f) = file {
        std::fs::read(f).map_err(|e| (EX_TEMPFAIL, format!("cannot read {}: {e}", f.display())))?
    } else {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
            .map_err(|e| (EX_TEMPFAIL, format!("cannot read standard input: {e}")))?;
        buf
    };
    if !cfg.mailboxes.iter().any(|m| m.name == mailbox) {
        let known: Vec<&str> = cfg.mailboxes.iter().map(|m| m.name.as_str()).collect();
        return Err((
            EX_TEMPFAIL,
            format!("unknown mailbox '{mailbox}'; configured: {}", known.join(", ")),
        ));
    }
    let svc = service(cfg).await.map_err(|e| (EX_TEMPFAIL, e))?;
    let intake = loket_mail::Intake::new(svc, cfg.mailboxes.clone());
    match intake.ingest(mailbox, &raw, None).await {
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
