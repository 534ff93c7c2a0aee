//! Queued jobs across servers: two `loket serve` processes on one PostgreSQL
//! database run 1,000 probe jobs; one is killed with SIGKILL while it holds
//! claims. Every job runs exactly once (counted in the transaction that
//! finishes it) and none is lost: the killed process's claims are taken over
//! when their lease runs out.

use super::{Server, loket_with, stdout};
use std::time::{Duration, Instant};

/// A fresh database on the test server, dropped afterwards.
struct Database {
    admin_url: String,
    name: String,
    url: String,
}

impl Database {
    fn create() -> Option<Self> {
        let Ok(admin_url) = std::env::var("LOKET_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var_os("LOKET_TEST_STRICT").is_none(),
                "LOKET_TEST_STRICT is set but LOKET_TEST_POSTGRES_URL is not"
            );
            eprintln!("LOKET_TEST_POSTGRES_URL is not set: skipping the two-server jobs test");
            return None;
        };
        let name = format!("loket_jobs_{}", std::process::id());
        run_sql(&admin_url, &format!("DROP DATABASE IF EXISTS {name}"));
        run_sql(&admin_url, &format!("CREATE DATABASE {name}"));
        let (base, _) = admin_url.rsplit_once('/').expect("a database URL ends in /NAME");
        let url = format!("{base}/{name}");
        Some(Self { admin_url, name, url })
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        run_sql(
            &self.admin_url,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

fn run_sql(url: &str, sql: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::ConnectOptions;
        let mut c = url
            .parse::<sqlx::postgres::PgConnectOptions>()
            .unwrap()
            .connect()
            .await
            .expect("connect to LOKET_TEST_POSTGRES_URL");
        sqlx::raw_sql(sql).execute(&mut c).await.expect(sql);
    });
}

/// Probes done and the most runs of one, as `loket jobs probe --check` says.
fn probes(data: &std::path::Path, env: &[(&str, &str)]) -> (u64, u64) {
    let out = stdout(&loket_with(data, &["jobs", "probe", "--check"], env));
    let nums: Vec<u64> = out
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    (nums[0], nums[1])
}

/// How many jobs are claimed now, as `loket jobs list` says.
fn running(data: &std::path::Path, env: &[(&str, &str)]) -> u64 {
    let out = stdout(&loket_with(data, &["jobs", "list", "--limit", "1"], env));
    out.split(", ")
        .find_map(|p| p.strip_prefix("running "))
        .and_then(|n| n.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[test]
fn two_servers_run_a_thousand_jobs_once_each_and_survive_a_sigkill() {
    let Some(db) = Database::create() else { return };
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let env = [("LOKET_DATABASE_URL", db.url.as_str()), ("LOKET_JOBS_LEASE_SECS", "3")];
    let a = Server::start_with_env(dirs[0].path(), &env);
    let mut b = Server::start_with_env(dirs[1].path(), &env);
    let queued = loket_with(
        dirs[0].path(),
        &["jobs", "probe", "--count", "1000", "--ms", "15"],
        &env,
    );
    assert!(
        stdout(&queued).contains("1000 probe job(s) queued"),
        "{}",
        stdout(&queued)
    );

    // Kill one server while both are working.
    let started = Instant::now();
    while probes(dirs[0].path(), &env).0 < 150 {
        assert!(
            started.elapsed() < Duration::from_mins(1),
            "the servers do not run jobs"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Frozen (SIGSTOP), the second server keeps its claims as they are: more
    // running jobs than the first server claims at once (10) means it holds
    // some, and only then is it killed; otherwise it goes on and we look again.
    let pid = b.child.id().to_string();
    let signal = |sig: &str| {
        let ok = std::process::Command::new("kill")
            .args([sig, &pid])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {sig} {pid}");
    };
    loop {
        signal("-STOP");
        if running(dirs[0].path(), &env) > 10 {
            break;
        }
        signal("-CONT");
        assert!(
            started.elapsed() < Duration::from_mins(1),
            "the second server never held claims"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    b.child.kill().unwrap();
    b.child.wait().unwrap();
    let at_kill = probes(dirs[0].path(), &env).0;
    assert!(at_kill < 1000, "killed mid-run ({at_kill} done)");

    // The other server finishes everything, the killed one's claims included.
    let started = Instant::now();
    loop {
        let (done, most) = probes(dirs[0].path(), &env);
        assert_eq!(most, 1, "no job runs twice");
        if done == 1000 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_mins(2),
            "jobs were lost: {done} of 1000 done"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let list = stdout(&loket_with(dirs[0].path(), &["jobs", "list", "--limit", "1000"], &env));
    assert!(list.starts_with("due 0, running 0, done 1000, failed 0"), "{list}");
    assert!(
        list.contains("attempts 2"),
        "the killed server held claims that the other took over: {list}"
    );
    a.stop();
}
