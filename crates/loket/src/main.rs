//! The `loket` binary: command-line parsing and wiring only.

mod bench;
mod bench_agent;
mod bench_mail;
mod bench_portal;
mod bench_privacy;
mod bench_sla;
mod bench_soak;
mod commands;
mod config;
mod serve;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Loket, an open-source helpdesk.
#[derive(Debug, Parser)]
#[command(name = "loket", version, about)]
struct Cli {
    /// Configuration file (TOML); `LOKET_*` environment variables override it.
    #[arg(long, global = true, env = "LOKET_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs everything: the customer portal at `/`, the API under `/api/v1`,
    /// the health check, mail intake and delivery, and the scheduled jobs.
    Serve,
    /// Creates or upgrades the database schema, then exits.
    Migrate,
    /// Manages staff accounts.
    #[command(subcommand)]
    Agent(commands::AgentCommand),
    /// Manages API tokens.
    #[command(subcommand)]
    Token(commands::TokenCommand),
    /// Runs scheduled work.
    #[command(subcommand)]
    Jobs(commands::JobsCommand),
    /// Prints a commented example configuration.
    DefaultConfig,
    /// Reads one RFC 822 message (stdin when no FILE) into a mailbox, exactly as
    /// mail fetched over IMAP. Exit 0: stored (or stored before); 65: not a mail
    /// (kept in quarantine); 75: storage unavailable, try again later.
    IngestMail {
        /// The mailbox name (`helpdesk`, `updates`, or one configured).
        #[arg(long)]
        mailbox: String,
        /// The message file; standard input when absent.
        file: Option<PathBuf>,
    },
    /// Measures ticket creation and search (see BENCHMARKS.md).
    Bench(bench::BenchArgs),
    /// Measures mail intake through the pipe and IMAP (see BENCHMARKS.md).
    BenchMail(bench_mail::BenchMailArgs),
    /// Measures the portal's "my tickets" and ticket page (see BENCHMARKS.md).
    BenchPortal(bench_portal::BenchPortalArgs),
    /// Measures the agent workspace: overview, a queue, a long ticket page (see BENCHMARKS.md).
    BenchAgent(bench_agent::BenchAgentArgs),
    /// Measures the personal-data detectors in MB/s (see BENCHMARKS.md).
    BenchPrivacy(bench_privacy::BenchPrivacyArgs),
    /// Measures the service-level check over a million tickets (see BENCHMARKS.md).
    BenchSla(bench_sla::BenchSlaArgs),
    /// Runs minutes of mixed load with wrk and reports errors and memory per minute (see BENCHMARKS.md).
    BenchSoak(bench_soak::BenchSoakArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::DefaultConfig = cli.command {
        print!("{}", config::EXAMPLE);
        return ExitCode::SUCCESS;
    }
    let cfg = match config::Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("loket: configuration: {e}");
            return ExitCode::from(78);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&cfg.log).unwrap_or_else(|_| "info".into()))
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("loket: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::IngestMail { mailbox, file } => {
                return commands::ingest_mail(&cfg, &mailbox, file.as_deref()).await;
            }
            Command::Serve => serve::run(&cfg).await,
            Command::Migrate => commands::migrate(&cfg).await,
            Command::Agent(c) => commands::agent(&cfg, c).await,
            Command::Token(c) => commands::token(&cfg, c).await,
            Command::Jobs(c) => commands::jobs(&cfg, c).await,
            Command::Bench(a) => bench::run(&cfg, a).await,
            Command::BenchMail(a) => bench_mail::run(&cfg, a).await,
            Command::BenchPortal(a) => bench_portal::run(&cfg, a).await,
            Command::BenchAgent(a) => bench_agent::run(&cfg, a).await,
            Command::BenchPrivacy(a) => bench_privacy::run(&a),
            Command::BenchSla(a) => bench_sla::run(&cfg, a).await,
            Command::BenchSoak(a) => bench_soak::run(&cfg, a).await,
            Command::DefaultConfig => Ok(()),
        }
        .map(|()| 0)
        .map_err(|e| (1, e))
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err((code, e)) => {
            eprintln!("loket: {e}");
            ExitCode::from(code)
        }
    }
}
