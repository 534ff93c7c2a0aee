//! `loket bench-mail`: mails per second through `loket ingest-mail` (one
//! process per mail, as a mail server runs it) and through IMAP intake.

use crate::config::Config;
use crate::serve::service;
use loket_mail::imap::{ImapConfig, Security, sweep_once, tools};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

/// Options of `loket bench-mail`.
#[derive(Debug, clap::Args)]
pub struct BenchMailArgs {
    /// Messages per measurement.
    #[arg(long, default_value_t = 1000)]
    messages: usize,
    /// Parallel `ingest-mail` processes for the second pipe run.
    #[arg(long, default_value_t = 4)]
    parallel: usize,
    /// IMAP server (host:port, no TLS) for the IMAP measurement; skipped when absent.
    #[arg(long)]
    imap: Option<String>,
    /// IMAP account (its INBOX is emptied).
    #[arg(long, default_value = "box1@example.test")]
    imap_user: String,
    /// IMAP password.
    #[arg(long, default_value = "secret")]
    imap_password: String,
    /// Folder for the data (a new temporary folder when absent).
    #[arg(long)]
    dir: Option<PathBuf>,
}

fn message(i: usize) -> Vec<u8> {
    let body = "Goedemorgen,\r\n\r\nBij het opslaan van de aanvraag wordt de beschikking niet aangemaakt. \
                De foutmelding verschijnt direct na het kiezen van de voorziening. Graag uw hulp.\r\n\r\n\
                Met vriendelijke groet,\r\nApplicatiebeheer\r\n"
        .repeat(4);
    format!(
        "From: Medewerker {i} <medewerker{}@gemeente{}.nl>\r\nTo: helpdesk@leverancier.nl\r\nSubject: Melding {i}\r\n\
         Message-ID: <bench-{i}-{}@gemeente.nl>\r\nDate: Sat, 28 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}",
        i % 300,
        i % 50,
        std::process::id()
    )
    .into_bytes()
}

fn pipe(data: &std::path::Path, from: usize, to: usize) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    for i in from..to {
        let mut child = Command::new(&exe)
            .args(["ingest-mail", "--mailbox", "helpdesk"])
            .env("LOKET_DATA_DIR", data)
            .env("LOKET_LOG", "warn")
            .env_remove("LOKET_DATABASE_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        child
            .stdin
            .take()
            .ok_or("no stdin")?
            .write_all(&message(i))
            .map_err(|e| e.to_string())?;
        let status = child.wait().map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("ingest-mail exited {status}"));
        }
    }
    Ok(())
}

#[allow(clippy::cast_precision_loss)]
fn rate(n: usize, started: Instant) -> f64 {
    n as f64 / started.elapsed().as_secs_f64()
}

/// Runs the mail benchmark and prints a Markdown table.
pub async fn run(base: &Config, args: BenchMailArgs) -> Result<(), String> {
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("loket-bench-mail-{}", std::process::id())));
    let n = args.messages;
    println!("| path | messages | mails/s |");
    println!("|---|---:|---:|");

    let data = dir.join("pipe1");
    let cfg = Config {
        data_dir: data.clone(),
        database_url: None,
        ..base.clone()
    };
    service(&cfg).await?;
    let started = Instant::now();
    let d = data.clone();
    tokio::task::spawn_blocking(move || pipe(&d, 0, n))
        .await
        .map_err(|e| e.to_string())??;
    println!(
        "| `loket ingest-mail`, one process per mail, sequential | {n} | {:.0} |",
        rate(n, started)
    );

    let data = dir.join("pipe4");
    service(&Config {
        data_dir: data.clone(),
        database_url: None,
        ..base.clone()
    })
    .await?;
    let started = Instant::now();
    let per = n.div_ceil(args.parallel.max(1));
    let mut workers = Vec::new();
    for w in 0..args.parallel.max(1) {
        let d = data.clone();
        workers.push(std::thread::spawn(move || pipe(&d, w * per, ((w + 1) * per).min(n))));
    }
    for w in workers {
        w.join().map_err(|_| "a pipe worker panicked".to_string())??;
    }
    println!(
        "| `loket ingest-mail`, {} at a time | {n} | {:.0} |",
        args.parallel,
        rate(n, started)
    );

    if let Some(addr) = &args.imap {
        let (host, port) = addr.rsplit_once(':').ok_or("--imap wants host:port")?;
        let account = ImapConfig {
            host: host.into(),
            port: Some(port.parse().map_err(|e| format!("--imap port: {e}"))?),
            security: Security::Plain,
            user: args.imap_user.clone(),
            password: Some(args.imap_password.clone()),
            password_file: None,
            folder: "INBOX".into(),
            processed_folder: None,
            poll_secs: 1,
        };
        tools::clear(&account).await.map_err(|e| e.to_string())?;
        for i in 0..n {
            tools::append(&account, &message(n + i))
                .await
                .map_err(|e| e.to_string())?;
        }
        let cfg = Config {
            data_dir: dir.join("imap"),
            database_url: None,
            ..base.clone()
        };
        let intake = loket_mail::Intake::new(service(&cfg).await?, cfg.mailboxes.clone()).with_settings(cfg.intake());
        let started = Instant::now();
        let taken = sweep_once(&intake, "helpdesk", &account)
            .await
            .map_err(|e| e.to_string())?;
        println!(
            "| IMAP intake (fetch, store, flag `\\Seen`) | {taken} | {:.0} |",
            rate(taken, started)
        );
    }
    Ok(())
}
