//! `loket bench-portal`: a logged-in contact with 100 tickets among 100,000;
//! latency of "my tickets" and of a ticket page through a real `loket serve`,
//! and requests per second with eight concurrent clients.

use crate::bench::{bench_config, page_latency, peak_rss_mib, percentile, seed_to, seeded_ticket, spawn_server};
use crate::config::Config;
use crate::serve::service;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use loket_core::MailKind;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Options of `loket bench-portal`.
#[derive(Debug, clap::Args)]
pub struct BenchPortalArgs {
    /// Tickets in the database.
    #[arg(long, default_value_t = 100_000)]
    tickets: u64,
    /// Of which the measured contact's.
    #[arg(long, default_value_t = 100)]
    own: u64,
    /// Requests per measurement.
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// Folder for the data (a new temporary folder when absent; kept).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Address the measured server listens on.
    #[arg(long, default_value = "127.0.0.1:18481")]
    listen: String,
}

const CONTACT: &str = "portaal.bench@gemeente.nl";
const PASSWORD: &str = "bench-paars-fietsje-onder-de-brug";

/// Runs the portal benchmark and prints a Markdown table.
pub async fn run(base: &Config, args: BenchPortalArgs) -> Result<(), String> {
    let cfg = bench_config(base, args.dir.as_deref(), &args.listen, "bench-portal");
    let svc = service(&cfg).await?;
    let every = (args.tickets / args.own.max(1)).max(1);
    seed_to(&svc, args.tickets, |i| {
        let mut t = seeded_ticket(i);
        if i % every == 0 {
            t.requester = CONTACT.into();
        }
        t
    })
    .await?;
    svc.request_access(CONTACT).await.map_err(|e| e.to_string())?;
    let mails = svc.store().pending_outbox(1_000_000).await.map_err(|e| e.to_string())?;
    let token = mails
        .into_iter()
        .rev()
        .find(|(_, m)| m.kind == MailKind::Access)
        .and_then(|(_, m)| m.link_token)
        .ok_or("no access mail")?;
    svc.set_password(&token, PASSWORD).await.map_err(|e| e.to_string())?;
    let mut child = spawn_server(&cfg)?;
    let result = measure(&args).await;
    let rss = peak_rss_mib(child.id());
    let _ = child.kill();
    let _ = child.wait();
    let rows = result?;
    println!(
        "data folder: {} ({} tickets, {} of them the contact's)\n",
        cfg.data_dir.display(),
        args.tickets,
        args.tickets.div_ceil(every)
    );
    println!("| page | p50 ms | p99 ms | requests/s with 8 clients |");
    println!("|---|---:|---:|---:|");
    for (page, p50, p99, rps) in rows {
        println!("| {page} | {p50:.2} | {p99:.2} | {rps:.0} |");
    }
    println!("\npeak RSS of loket serve: {rss:.1} MiB");
    Ok(())
}

pub(crate) type Http = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

pub(crate) async fn send(
    client: &Http,
    req: hyper::Request<Full<Bytes>>,
) -> Result<(hyper::StatusCode, Vec<String>, String), String> {
    let resp = client.request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status();
    let cookies = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .collect();
    let body =
        String::from_utf8_lossy(&resp.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes()).into_owned();
    Ok((status, cookies, body))
}

/// Waits for `loket serve` at `base`, then signs in through the form at
/// `page` as a browser would (the CSRF cookie and the form's token) and
/// answers the Cookie header with the nonce and the `session` cookie.
pub(crate) async fn sign_in(
    client: &Http,
    base: &str,
    page: &str,
    (email, password): (&str, &str),
    session: &str,
) -> Result<String, String> {
    let get = |url: String| {
        hyper::Request::get(url)
            .body(Full::default())
            .map_err(|e| e.to_string())
    };
    let ready = Instant::now();
    while send(client, get(format!("{base}/healthz"))?).await.is_err() {
        if ready.elapsed() > Duration::from_secs(30) {
            return Err("loket serve did not become ready".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, cookies, form_page) = send(client, get(format!("{base}{page}"))?).await?;
    let nonce = cookies
        .iter()
        .find_map(|c| c.strip_prefix("loket_csrf="))
        .ok_or("no csrf cookie")?
        .to_owned();
    let token = form_page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .ok_or("no csrf field")?;
    let form = format!("csrf={token}&email={}&password={password}", email.replace('@', "%40"));
    let req = hyper::Request::post(format!("{base}{page}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("loket_csrf={nonce}"))
        .body(Full::new(Bytes::from(form)))
        .map_err(|e| e.to_string())?;
    let (status, cookies, _) = send(client, req).await?;
    let cookie = cookies
        .iter()
        .find(|c| c.starts_with(&format!("{session}=")))
        .ok_or(format!("sign-in answered {status}"))?;
    Ok(format!("loket_csrf={nonce}; {cookie}"))
}

async fn measure(args: &BenchPortalArgs) -> Result<Vec<(&'static str, f64, f64, f64)>, String> {
    let client: Http = Client::builder(TokioExecutor::new()).build_http();
    let base = format!("http://{}", args.listen);
    let cookie = sign_in(&client, &base, "/inloggen", (CONTACT, PASSWORD), "loket_session").await?;
    let (_, _, list) = send(
        &client,
        hyper::Request::get(format!("{base}/mijn"))
            .header("cookie", &cookie)
            .body(Full::default())
            .map_err(|e| e.to_string())?,
    )
    .await?;
    let number = list
        .split("href=\"/mijn/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .ok_or("no ticket in the list")?
        .to_owned();
    let mut rows = Vec::new();
    for (page, url) in [
        ("my tickets (`/mijn`)", format!("{base}/mijn")),
        ("a ticket page (`/mijn/{number}`)", format!("{base}/mijn/{number}")),
    ] {
        let (ms, _, rps) = page_latency(&client, &url, &cookie, args.requests).await?;
        rows.push((page, percentile(&ms, 0.5), percentile(&ms, 0.99), rps));
    }
    Ok(rows)
}
