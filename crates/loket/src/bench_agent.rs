//! `loket bench-agent`: the agent workspace on a large SQLite database (one
//! ticket in fifty open, the rest resolved, as after years of use): latency of
//! the overview, a department queue with a filter, and a ticket page with 200
//! messages, through a real `loket serve`, with one client and with eight.

use crate::bench::{bench_config, count, page_latency, peak_rss_mib, percentile, seeded_ticket, spawn_server};
use crate::bench_portal::{Http, send, sign_in};
use crate::config::Config;
use crate::serve::service;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use loket_core::service::{Actor, Reply};
use loket_core::{Role, Status};
use std::path::PathBuf;
use std::time::Instant;

/// Options of `loket bench-agent`.
#[derive(Debug, clap::Args)]
pub struct BenchAgentArgs {
    /// Tickets in the database.
    #[arg(long, default_value_t = 1_000_000)]
    tickets: u64,
    /// One ticket in this many is open; the rest are resolved.
    #[arg(long, default_value_t = 50)]
    open_every: u64,
    /// Requests per measurement.
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// Folder for the data (a new temporary folder when absent; kept).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Address the measured server listens on.
    #[arg(long, default_value = "127.0.0.1:18482")]
    listen: String,
}

const STAFF: &str = "werkplek.bench@leverancier.nl";
const PASSWORD: &str = "bench-paars-fietsje-onder-de-brug";
/// Messages on the measured ticket page.
const THREAD: usize = 200;

/// Runs the workspace benchmark and prints a Markdown table.
pub async fn run(base: &Config, args: BenchAgentArgs) -> Result<(), String> {
    let cfg = bench_config(base, args.dir.as_deref(), &args.listen, "bench-agent");
    let svc = service(&cfg).await?;
    let err = |e: loket_core::DomainError| e.to_string();
    let started = Instant::now();
    let mut seeded = count(&svc).await?;
    let every = args.open_every.max(1);
    while seeded < args.tickets {
        let n = (args.tickets - seeded).min(5000);
        let batch = (seeded..seeded + n)
            .map(|i| {
                let status = (!i.is_multiple_of(every)).then_some(Status::Resolved);
                (seeded_ticket(i), status)
            })
            .collect();
        svc.import_tickets_with_status(batch).await.map_err(err)?;
        seeded += n;
    }
    eprintln!("seeded to {seeded} tickets in {:.1}s", started.elapsed().as_secs_f64());
    if svc.store().staff_by_email(STAFF).await.map_err(err)?.is_none() {
        svc.create_staff(&Actor::System, STAFF, "Bench", Role::Agent)
            .await
            .map_err(err)?;
    }
    svc.set_staff_password(&Actor::System, STAFF, PASSWORD)
        .await
        .map_err(err)?;
    // The newest open ticket gets a thread of 200 messages (once).
    let newest = svc
        .store()
        .list_tickets(&loket_core::store::TicketFilter {
            open_only: true,
            limit: 1,
            ..Default::default()
        })
        .await
        .map_err(err)?
        .pop()
        .ok_or("no open ticket")?;
    let have = svc.store().messages(newest.id, true).await.map_err(err)?.len();
    let agent = Actor::Staff(
        svc.store()
            .staff_by_email(STAFF)
            .await
            .map_err(err)?
            .ok_or("no staff")?,
    );
    for i in have..THREAD {
        let text = format!("Bericht {i} in deze draad: wij kijken naar de koppeling en melden ons.");
        if i % 3 == 0 {
            svc.add_note(&agent, newest.number, Reply::text(&text))
                .await
                .map_err(err)?;
        } else {
            svc.record_automatic(newest.number, Reply::text(&text), "bench")
                .await
                .map_err(err)?;
        }
    }
    let mut child = spawn_server(&cfg)?;
    let result = measure(&args, newest.number.0).await;
    let rss = peak_rss_mib(child.id());
    let _ = child.kill();
    let _ = child.wait();
    let rows = result?;
    println!(
        "data folder: {} ({seeded} tickets, one in {every} open; ticket {} has {THREAD} messages)\n",
        cfg.data_dir.display(),
        newest.number
    );
    println!("| page | p50 ms | p99 ms | p50 / p99 ms with 8 clients | requests/s with 8 clients |");
    println!("|---|---:|---:|---:|---:|");
    for (page, p50, p99, p50_8, p99_8, rps) in rows {
        println!("| {page} | {p50:.2} | {p99:.2} | {p50_8:.2} / {p99_8:.2} | {rps:.0} |");
    }
    println!("\npeak RSS of loket serve: {rss:.1} MiB");
    Ok(())
}

type Row = (&'static str, f64, f64, f64, f64, f64);

async fn measure(args: &BenchAgentArgs, number: i64) -> Result<Vec<Row>, String> {
    let client: Http = Client::builder(TokioExecutor::new()).build_http();
    let base = format!("http://{}", args.listen);
    let cookie = sign_in(&client, &base, "/agent/inloggen", (STAFF, PASSWORD), "loket_staff").await?;
    let mut rows = Vec::new();
    for (page, url) in [
        ("overview (`/agent`)", format!("{base}/agent")),
        (
            "Helpdesk queue, status Nieuw, by e-mail, oldest first",
            format!("{base}/agent/wachtrij/helpdesk?status=new&channel=email&sort=oldest"),
        ),
        (
            "ticket page with 200 messages",
            format!("{base}/agent/tickets/{number}"),
        ),
    ] {
        let (check, _, body) = send(
            &client,
            hyper::Request::get(&url)
                .header("cookie", &cookie)
                .body(Full::default())
                .map_err(|e| e.to_string())?,
        )
        .await?;
        if check != hyper::StatusCode::OK || body.contains("id=\"no-tickets\"") {
            return Err(format!("{url} answered {check} without tickets"));
        }
        let (ms, all, rps) = page_latency(&client, &url, &cookie, args.requests).await?;
        rows.push((
            page,
            percentile(&ms, 0.5),
            percentile(&ms, 0.99),
            percentile(&all, 0.5),
            percentile(&all, 0.99),
            rps,
        ));
    }
    Ok(rows)
}
