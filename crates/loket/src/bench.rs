//! `loket bench`: grows a SQLite database in steps and, at each size, runs a real
//! `loket serve` child process and measures through its HTTP API: tickets created
//! per second with 1 and 8 concurrent clients (durable commits), search latency
//! for a common and a rare word, and the server's peak resident memory.

use crate::config::Config;
use crate::serve::service;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use loket_core::service::{Actor, CreateTicket, Service};
use loket_core::{Channel, Role};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Options of `loket bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Database sizes (tickets) at which to measure, ascending.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000,100000,1000000")]
    sizes: Vec<u64>,
    /// Concurrent API clients to measure creation with.
    #[arg(long, value_delimiter = ',', default_value = "1,8")]
    clients: Vec<usize>,
    /// Tickets each creation measurement makes.
    #[arg(long, default_value_t = 2000)]
    creates: u64,
    /// Searches per word and size.
    #[arg(long, default_value_t = 200)]
    searches: usize,
    /// Folder for the benchmark's data (a new temporary folder when absent; kept).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Address the measured server listens on.
    #[arg(long, default_value = "127.0.0.1:18480")]
    listen: String,
}

/// Words the seeded messages are made of.
const WORDS: &[&str] = &[
    "aanvraag",
    "melding",
    "cliënt",
    "voorziening",
    "indicatie",
    "koppeling",
    "bericht",
    "export",
    "rapportage",
    "gebruiker",
    "rechten",
    "scherm",
    "foutmelding",
    "versie",
    "update",
    "wachtwoord",
    "inloggen",
    "formulier",
    "besluit",
    "termijn",
    "zorgaanbieder",
    "factuur",
    "declaratie",
    "budget",
    "wmo",
    "jeugdwet",
    "participatie",
    "overzicht",
    "filter",
    "datum",
    "adres",
    "gemeente",
    "afdeling",
    "medewerker",
    "probleem",
    "oplossing",
    "vraag",
    "antwoord",
    "controle",
    "status",
    "werkproces",
    "sjabloon",
    "brief",
    "handtekening",
    "archief",
];
/// In every third message.
const COMMON: &str = "beschikking";
/// In one ticket in ten thousand.
const RARE: &str = "kwartslamp";

pub(crate) fn seeded_ticket(i: u64) -> CreateTicket {
    let mut x = i
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    let mut words = Vec::with_capacity(40);
    for _ in 0..30 {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        words.push(WORDS[usize::try_from(x >> 33).unwrap_or(0) % WORDS.len()]);
    }
    if i.is_multiple_of(3) {
        words.push(COMMON);
    }
    if i % 10_000 == 7 {
        words.push(RARE);
    }
    let subject = format!("{} {} {}", words[0], words[1], i);
    let requester = format!("medewerker{}@gemeente{}.nl", i % 500, i % 100);
    CreateTicket::new(&subject, &words.join(" "), &requester, Channel::Email)
}

/// The configuration of a benchmark run: SQLite in its own data folder (a new
/// temporary one named after `name` when none is given) and its own address.
pub(crate) fn bench_config(base: &Config, dir: Option<&std::path::Path>, listen: &str, name: &str) -> Config {
    let data_dir = dir.map_or_else(
        || std::env::temp_dir().join(format!("loket-{name}-{}", std::process::id())),
        std::path::Path::to_path_buf,
    );
    Config {
        data_dir,
        database_url: None,
        listen: listen.to_owned(),
        ..base.clone()
    }
}

/// A staff member with this role (created when new) and a new API token for it.
pub(crate) async fn bench_token(svc: &Service, email: &str, role: Role) -> Result<String, String> {
    if svc
        .store()
        .staff_by_email(email)
        .await
        .map_err(|e| e.to_string())?
        .is_none()
    {
        svc.create_staff(&Actor::System, email, "Bench", role)
            .await
            .map_err(|e| e.to_string())?;
    }
    let token = format!("lkt_bench_{}_{}", role.id(), std::process::id());
    svc.register_token(email, &token, Some(1))
        .await
        .map_err(|e| e.to_string())?;
    Ok(token)
}

/// Imports tickets made by `make` until the database holds `size`; answers how
/// many it holds.
pub(crate) async fn seed_to(svc: &Service, size: u64, make: impl Fn(u64) -> CreateTicket) -> Result<u64, String> {
    let mut seeded = count(svc).await?;
    while seeded < size {
        let n = (size - seeded).min(5000);
        svc.import_tickets((seeded..seeded + n).map(&make).collect())
            .await
            .map_err(|e| e.to_string())?;
        seeded += n;
    }
    Ok(seeded)
}

/// Runs the benchmark and prints a Markdown table.
pub async fn run(base: &Config, args: BenchArgs) -> Result<(), String> {
    let cfg = bench_config(base, args.dir.as_deref(), &args.listen, "bench");
    let svc = service(&cfg).await?;
    let token = bench_token(&svc, "bench@loket.invalid", Role::Admin).await?;
    println!("data folder: {} (SQLite, synchronous=FULL)\n", cfg.data_dir.display());
    println!(
        "| tickets in db | clients | created/s | search '{COMMON}' p50 / p95 ms | search '{RARE}' p50 / p95 ms | peak RSS MiB |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    for size in &args.sizes {
        let started = Instant::now();
        let seeded = seed_to(&svc, *size, seeded_ticket).await?;
        eprintln!("seeded to {seeded} tickets in {:.1}s", started.elapsed().as_secs_f64());
        let mut child = spawn_server(&cfg)?;
        let result = measure(&args, &token, &mut child).await;
        let _ = child.kill();
        let _ = child.wait();
        let rows = result?;
        for (clients, rate, common, rare, rss) in rows {
            println!(
                "| {seeded} | {clients} | {rate:.0} | {:.2} / {:.2} | {:.2} / {:.2} | {rss:.1} |",
                common.0, common.1, rare.0, rare.1
            );
        }
    }
    Ok(())
}

pub(crate) async fn count(svc: &loket_core::service::Service) -> Result<u64, String> {
    let filter = loket_core::store::TicketFilter {
        limit: 1,
        ..Default::default()
    };
    let last = svc.store().list_tickets(&filter).await.map_err(|e| e.to_string())?;
    Ok(last.first().map_or(0, |t| u64::try_from(t.id.0).unwrap_or(0)))
}

pub(crate) fn spawn_server(cfg: &Config) -> Result<std::process::Child, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    std::process::Command::new(exe)
        .arg("serve")
        .env("LOKET_DATA_DIR", &cfg.data_dir)
        .env("LOKET_DATABASE_URL", cfg.database_url())
        .env("LOKET_LISTEN", &cfg.listen)
        .env("LOKET_LOG", "warn")
        .env("LOKET_JOBS_INTERVAL_SECS", "3600")
        .spawn()
        .map_err(|e| format!("cannot start loket serve: {e}"))
}

type Row = (usize, f64, (f64, f64), (f64, f64), f64);

async fn measure(args: &BenchArgs, token: &str, child: &mut std::process::Child) -> Result<Vec<Row>, String> {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let base = format!("http://{}", args.listen);
    let ready = Instant::now();
    loop {
        let req = hyper::Request::get(format!("{base}/healthz"))
            .body(Full::default())
            .map_err(|e| e.to_string())?;
        if client.request(req).await.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        if ready.elapsed() > Duration::from_secs(30) || child.try_wait().map_err(|e| e.to_string())?.is_some() {
            return Err("loket serve did not become ready".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let common = latencies(&client, &base, token, COMMON, args.searches).await?;
    let rare = latencies(&client, &base, token, RARE, args.searches).await?;
    let mut rows = Vec::new();
    for &clients in &args.clients {
        let per = (args.creates / u64::try_from(clients.max(1)).unwrap_or(1)).max(1);
        let started = Instant::now();
        let (base2, token2) = (base.clone(), token.to_owned());
        // The load runs on its own single-threaded runtime, so the client's
        // scheduling does not compete with the measured server more than it must.
        let load = std::thread::spawn(move || -> Result<(), String> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async move {
                let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
                let mut tasks = Vec::new();
                for c in 0..clients {
                    let (client, base, token) = (client.clone(), base2.clone(), token2.clone());
                    tasks.push(tokio::spawn(async move {
                        create_many(&client, &base, &token, c, per).await
                    }));
                }
                for t in tasks {
                    t.await.map_err(|e| e.to_string())??;
                }
                Ok(())
            })
        });
        tokio::task::spawn_blocking(move || load.join())
            .await
            .map_err(|e| e.to_string())?
            .map_err(|_| "the load thread panicked".to_string())??;
        #[allow(clippy::cast_precision_loss)]
        let per_sec = (per * u64::try_from(clients).unwrap_or(1)) as f64 / started.elapsed().as_secs_f64();
        rows.push((clients, per_sec, common, rare, peak_rss_mib(child.id())));
    }
    Ok(rows)
}

async fn create_many(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    base: &str,
    token: &str,
    worker: usize,
    n: u64,
) -> Result<(), String> {
    for i in 0..n {
        let body = serde_json::json!({
            "subject": format!("Benchmark {worker}-{i}"),
            "message": "De beschikking wordt niet aangemaakt na het opslaan van de aanvraag.",
            "requester": format!("bench{worker}@gemeente.nl"),
            "channel": "portal",
        });
        let req = hyper::Request::post(format!("{base}/api/v1/tickets"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|e| e.to_string())?;
        let resp = client.request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status();
        let _ = resp.into_body().collect().await;
        if status.as_u16() != 201 {
            return Err(format!("create answered {status}"));
        }
    }
    Ok(())
}

async fn latencies(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    base: &str,
    token: &str,
    word: &str,
    n: usize,
) -> Result<(f64, f64), String> {
    let url = format!("{base}/api/v1/search?q={word}&limit=50");
    let ms = timed_gets(client, &url, ("authorization", format!("Bearer {token}")), n).await?;
    Ok((percentile(&ms, 0.5), percentile(&ms, 0.95)))
}

/// Times `n` sequential GETs of `url` with one extra header; answers the
/// latencies in milliseconds, sorted. A non-success answer is an error.
pub(crate) async fn timed_gets(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    url: &str,
    header: (&str, String),
    n: usize,
) -> Result<Vec<f64>, String> {
    let mut ms = Vec::with_capacity(n);
    for _ in 0..n.max(1) {
        let req = hyper::Request::get(url)
            .header(header.0, &header.1)
            .body(Full::default())
            .map_err(|e| e.to_string())?;
        let t = Instant::now();
        let resp = client.request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status();
        let _ = resp.into_body().collect().await;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        if !status.is_success() {
            return Err(format!("{url} answered {status}"));
        }
    }
    ms.sort_by(f64::total_cmp);
    Ok(ms)
}

/// One page's latency: `requests` GETs by one client (sorted ms), then as
/// many by eight clients at once (sorted ms) and the rate they reached.
pub(crate) async fn page_latency(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    url: &str,
    cookie: &str,
    requests: usize,
) -> Result<(Vec<f64>, Vec<f64>, f64), String> {
    let one = timed_gets(client, url, ("cookie", cookie.to_owned()), requests).await?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (client, url, cookie) = (client.clone(), url.to_owned(), cookie.to_owned());
        let n = requests / 8;
        tasks.push(tokio::spawn(async move {
            timed_gets(&client, &url, ("cookie", cookie), n).await
        }));
    }
    let mut eight = Vec::new();
    for t in tasks {
        eight.extend(t.await.map_err(|e| e.to_string())??);
    }
    eight.sort_by(f64::total_cmp);
    #[allow(clippy::cast_precision_loss)]
    let rps = (requests / 8 * 8) as f64 / started.elapsed().as_secs_f64();
    Ok((one, eight, rps))
}

/// The `q` quantile of sorted values.
pub(crate) fn percentile(sorted: &[f64], q: f64) -> f64 {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let i = ((sorted.len().saturating_sub(1)) as f64 * q).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

/// Peak resident set (VmHWM) of a process, in MiB.
pub(crate) fn peak_rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
