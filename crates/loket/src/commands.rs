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
    let resolved = svc.auto_resolve_due().await.map_err(|e| e.to_string())?;
    println!("auto-resolve: {resolved} postponed ticket(s) resolved");
    Ok(())
}
