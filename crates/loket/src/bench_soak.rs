//! `loket bench-soak`: minutes of mixed load from `wrk` (Debian's package) on
//! a real `loket serve` over loopback: ticket creations, portal pages, follow
//! pages, searches, ticket lists and replies with an attachment. It reports
//! the requests per second, every answer that was not 2xx/3xx, and the
//! server's resident memory per minute, to show it stays flat.

use crate::bench::{bench_config, bench_token, seed_to, seeded_ticket, spawn_server};
use crate::config::Config;
use crate::serve::service;
use loket_core::service::{Actor, Upload};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Options of `loket bench-soak`.
#[derive(Debug, clap::Args)]
pub struct BenchSoakArgs {
    /// How long the load runs after the warm-up, in minutes.
    #[arg(long, default_value_t = 10)]
    minutes: u64,
    /// Minutes of the same load first, while the server's caches (SQLite's
    /// page caches, the allocator's arenas) fill; reported, not compared.
    #[arg(long, default_value_t = 2)]
    warmup_minutes: u64,
    /// Concurrent connections.
    #[arg(long, default_value_t = 8)]
    connections: u32,
    /// Tickets in the database before the load starts.
    #[arg(long, default_value_t = 10_000)]
    tickets: u64,
    /// Folder for the data (a new temporary folder when absent; kept).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Address the measured server listens on.
    #[arg(long, default_value = "127.0.0.1:18491")]
    listen: String,
}

/// How many tickets the follow pages are spread over (they get no replies,
/// so the pages keep their size and the load stays the same throughout).
const TARGETS: u64 = 500;
/// How many of the seeded tickets the replies are spread over.
const REPLIED: i64 = 5000;

/// Runs the soak and prints its figures.
pub async fn run(base: &Config, args: BenchSoakArgs) -> Result<(), String> {
    let cfg = bench_config(base, args.dir.as_deref(), &args.listen, "bench-soak");
    let svc = service(&cfg).await?;
    seed_to(&svc, args.tickets, seeded_ticket).await?;
    let token = bench_token(&svc, "soak@leverancier.nl", loket_core::Role::Agent).await?;
    // Tickets with a follow link each, for the follow pages and the replies.
    let secret = svc.store().secret("follow_link").await.map_err(|e| e.to_string())?;
    let mut targets = Vec::new();
    for i in 0..TARGETS {
        let mut input = seeded_ticket(1_000_000 + i);
        input.attachments = vec![Upload::bytes("log.txt", "text/plain", b"regel 1\nregel 2\n".to_vec())];
        let t = svc
            .create_ticket(&Actor::System, input)
            .await
            .map_err(|e| e.to_string())?;
        let link = loket_mail::links::follow_token(&secret, t.id, t.requester_id, svc.now());
        targets.push((t.number.0, link));
    }
    let first = svc
        .store()
        .list_tickets(&loket_core::store::TicketFilter {
            limit: 1,
            ..loket_core::store::TicketFilter::default()
        })
        .await
        .map_err(|e| e.to_string())?;
    let newest = first.first().map_or(0, |t| t.number.0);
    let replied: Vec<i64> = (0..REPLIED)
        .map(|i| newest - i64::try_from(TARGETS).unwrap_or(0) - i)
        .collect();
    let script = cfg.data_dir.join("soak.lua");
    std::fs::write(&script, lua(&token, &targets, &replied)).map_err(|e| e.to_string())?;
    let mut child = spawn_server(&cfg)?;
    let pid = child.id();
    let result = soak(&args, &script, pid).await;
    let _ = child.kill();
    let _ = child.wait();
    let (wrk_out, minutes) = result?;
    println!("{}", report(&args, &wrk_out, &minutes));
    Ok(())
}

/// The request mix, as a `wrk` Lua script that cycles through prepared requests.
fn lua(token: &str, targets: &[(i64, String)], replied: &[i64]) -> String {
    // "regel 1 regel 2" 400 times: 6,000 bytes.
    let attachment = "cmVnZWwgMSByZWdlbCAy".repeat(400);
    let mut s = String::from("local reqs = {}\nlocal auth = {[\"Authorization\"] = \"Bearer ");
    s.push_str(token);
    s.push_str("\", [\"Content-Type\"] = \"application/json\"}\n");
    for (i, (number, link)) in targets.iter().enumerate() {
        let add = |s: &mut String, line: String| {
            s.push_str("reqs[#reqs + 1] = ");
            s.push_str(&line);
            s.push('\n');
        };
        add(&mut s, "wrk.format(\"GET\", \"/\")".into());
        add(&mut s, format!("wrk.format(\"GET\", \"/t/{number}/{link}\")"));
        add(&mut s, format!("wrk.format(\"GET\", \"/t/{number}/{link}?lang=en\")"));
        add(
            &mut s,
            "wrk.format(\"GET\", \"/api/v1/search?q=beschikking\", auth)".into(),
        );
        add(
            &mut s,
            "wrk.format(\"GET\", \"/api/v1/tickets?limit=50&status=new\", auth)".into(),
        );
        add(
            &mut s,
            format!(
                "wrk.format(\"POST\", \"/api/v1/tickets\", auth, '{{\"subject\":\"Soak {i}\",\"message\":\"Koppeling met het zaaksysteem geeft een fout\",\"requester\":\"soak{}@gemeente{}.nl\"}}')",
                i % 97,
                i % 13
            ),
        );
        if i % 2 == 0 {
            let to = replied[(i * 10) % replied.len()];
            add(
                &mut s,
                format!(
                    "wrk.format(\"POST\", \"/api/v1/tickets/{to}/replies\", auth, '{{\"message\":\"Zie bijlage\",\"attachments\":[{{\"filename\":\"log{i}.txt\",\"content_base64\":\"{attachment}\"}}]}}')"
                ),
            );
        }
        add(&mut s, "wrk.format(\"GET\", \"/static/portal.css\")".into());
    }
    s.push_str(
        "local n = 0\nsetup = function(thread) n = n + 1; thread:set(\"start\", n * 7919) end\n\
         init = function() i = tonumber(wrk.thread:get(\"start\")) or 0 end\n\
         request = function() i = i % #reqs + 1; return reqs[i] end\n",
    );
    s
}

/// Runs `wrk` and samples the server's resident memory once a second; answers
/// wrk's output and the mean resident MiB of each minute.
async fn soak(args: &BenchSoakArgs, script: &std::path::Path, pid: u32) -> Result<(String, Vec<f64>), String> {
    let ready = Instant::now();
    while !healthy(&args.listen).await {
        if ready.elapsed() > Duration::from_secs(30) {
            return Err("loket serve did not come up".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let wrk = std::process::Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{}", args.connections),
            &format!("-d{}m", args.warmup_minutes + args.minutes),
            "--timeout",
            "10s",
            "-s",
        ])
        .arg(script)
        .arg(format!("http://{}", args.listen))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start wrk (apt-get install wrk): {e}"))?;
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); usize::try_from(args.warmup_minutes + args.minutes).unwrap_or(1)];
    let started = Instant::now();
    let handle = tokio::task::spawn_blocking(move || wrk.wait_with_output());
    while !handle.is_finished() {
        let minute = usize::try_from(started.elapsed().as_secs() / 60).unwrap_or(usize::MAX);
        if let (Some(bucket), Some(kb)) = (samples.get_mut(minute), rss_kb(pid)) {
            bucket.push(kb / 1024.0);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let out = handle.await.map_err(|e| e.to_string())?.map_err(|e| e.to_string())?;
    let means = samples
        .iter()
        .map(|m| {
            if m.is_empty() {
                0.0
            } else {
                m.iter().sum::<f64>() / f64::from(u32::try_from(m.len()).unwrap_or(u32::MAX))
            }
        })
        .collect();
    Ok((String::from_utf8_lossy(&out.stdout).into_owned(), means))
}

/// Whether the server answers its health check.
async fn healthy(addr: &str) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else {
        return false;
    };
    if s.write_all(b"GET /healthz HTTP/1.0\r\n\r\n").await.is_err() {
        return false;
    }
    let mut buf = [0u8; 16];
    s.read_exact(&mut buf).await.is_ok() && buf.starts_with(b"HTTP/1.") && &buf[8..13] == b" 200 "
}

/// Current resident memory of a process, in kB.
fn rss_kb(pid: u32) -> Option<f64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
}

fn report(args: &BenchSoakArgs, wrk: &str, minutes: &[f64]) -> String {
    let find = |part: &str| {
        wrk.lines().find(|l| l.contains(part)).map_or_else(
            || "-".to_owned(),
            |l| l.split_whitespace().collect::<Vec<_>>().join(" "),
        )
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "wrk: {} connections, {} minutes of warm-up, then {} minutes",
        args.connections, args.warmup_minutes, args.minutes
    );
    let _ = writeln!(out, "{}", find("Requests/sec"));
    let _ = writeln!(out, "{}", find("Latency"));
    let _ = writeln!(out, "{}", find("requests in"));
    let errors = find("Non-2xx");
    let _ = writeln!(
        out,
        "non-2xx/3xx answers: {}",
        if errors == "-" { "0".into() } else { errors }
    );
    let _ = writeln!(
        out,
        "socket errors: {}",
        find("Socket errors").replace("Socket errors: ", "")
    );
    let _ = writeln!(out, "\n| minute | mean resident MiB |\n|---:|---:|");
    let warmup = usize::try_from(args.warmup_minutes).unwrap_or(0);
    for (i, m) in minutes.iter().enumerate() {
        let note = if i < warmup { " (warm-up)" } else { "" };
        let _ = writeln!(out, "| {}{note} | {m:.1} |", i + 1);
    }
    let measured = minutes.get(warmup..).unwrap_or_default();
    if let (Some(first), Some(last)) = (measured.first(), measured.last())
        && *first > 0.0
    {
        let _ = writeln!(
            out,
            "\nlast minute vs first after the warm-up: {:+.1}%",
            (last - first) / first * 100.0
        );
    }
    out
}
