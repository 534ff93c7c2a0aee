//! Memory stays bounded under the attacks that once took gigabytes: 48
//! clients posting 49 MB uploads with a wrong CSRF token to `loket serve`, a
//! 143 MB mail piped into `loket ingest-mail`, and 60 clients downloading a 24
//! MB attachment. Each process's peak resident memory (`VmHWM`) must stay
//! under 200 MB.

use super::{Server, loket, stdout};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The most resident memory a process may use, in kB.
const CAP_KB: u64 = 200 * 1024;

/// Peak resident memory of a running process, in kB.
fn peak_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// Posts a 49 MB multipart body whose first field is a wrong CSRF token;
/// answers the status line the server sent, if any.
fn forged_upload(addr: &str) -> Option<String> {
    const SIZE: usize = 49 * 1024 * 1024;
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_write_timeout(Some(Duration::from_secs(30))).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let boundary = "LoketFlood";
    let first = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"groot.bin\"\r\n\r\n",
        "0".repeat(64)
    );
    let head = format!(
        "POST /tickets/new HTTP/1.1\r\nHost: {addr}\r\nCookie: loket_csrf={}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {SIZE}\r\n\r\n{first}",
        "a".repeat(64)
    );
    s.write_all(head.as_bytes()).ok()?;
    let chunk = vec![b'x'; 1024 * 1024];
    let mut sent = head.len();
    while sent < SIZE {
        let n = chunk.len().min(SIZE - sent);
        if s.write_all(&chunk[..n]).is_err() {
            break; // the server answered and closed: it read no further
        }
        sent += n;
    }
    let mut answer = [0u8; 64];
    let n = s.read(&mut answer).unwrap_or(0);
    let line = String::from_utf8_lossy(&answer[..n])
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    (!line.is_empty()).then_some(line)
}

#[test]
fn memory_stays_bounded_under_forged_uploads_and_a_huge_mail() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data);
    let threads: Vec<_> = (0..48)
        .map(|_| {
            let addr = server.addr.clone();
            std::thread::spawn(move || forged_upload(&addr))
        })
        .collect();
    let answers: Vec<Option<String>> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    for a in answers.iter().flatten() {
        assert!(a.contains(" 403 "), "refused: {a}");
    }
    assert!(
        answers.iter().flatten().count() >= 24,
        "most clients got their answer: {answers:?}"
    );
    let serve_peak = peak_kb(server.child.id()).unwrap();
    eprintln!("loket serve peak resident memory under 48 forged 49 MB uploads: {serve_peak} kB");
    assert!(serve_peak < CAP_KB, "serve peaked at {serve_peak} kB");
    server.stop();

    // 143 MB on standard input, as a mail server pipes it.
    let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["ingest-mail", "--mailbox", "helpdesk"])
        .env("LOKET_DATA_DIR", &data)
        .env_remove("LOKET_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let head = b"From: jan@gemeente.nl\r\nSubject: Heel groot\r\nMessage-ID: <groot@gemeente.nl>\r\n\
                     Content-Type: application/octet-stream\r\n\r\n";
        stdin.write_all(head).unwrap();
        let line = [b'A'; 1024];
        for _ in 0..(143 * 1024) {
            stdin.write_all(&line).unwrap();
        }
    });
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() {
        if let Some(kb) = peak_kb(pid) {
            peak = peak.max(kb);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    writer.join().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("kept in quarantine: too large: 143"), "{said}");
    eprintln!("loket ingest-mail peak resident memory for a 143 MB mail: {peak} kB");
    assert!(peak > 0 && peak < CAP_KB, "ingest-mail peaked at {peak} kB");
    // The mail is kept (in the data folder) and listed in the quarantine.
    let blobs: u64 = walk(&data.join("blobs"))
        .iter()
        .map(|p| p.metadata().unwrap().len())
        .sum();
    assert!(blobs > 143 * 1024 * 1024, "the whole mail is kept: {blobs} bytes");
    let listed = stdout(&loket(&data, &["jobs", "run-due"]));
    assert!(listed.contains("quarantine: 0 mail(s) taken in"), "{listed}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

#[test]
fn downloads_stream_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data);
    // A ticket with a 24 MB attachment, written beside the running server.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (number, token, id) = rt.block_on(async {
        use loket_core::service::{Actor, CreateTicket, Limits, Service, Upload};
        let url = format!("sqlite://{}", data.join("loket.db").display());
        let store = std::sync::Arc::new(loket_store::SqliteStore::open(&url).await.unwrap());
        let blobs = std::sync::Arc::new(loket_store::FsBlobStore::new(&data.join("blobs")).unwrap());
        let svc = Service::new(
            store,
            blobs,
            std::sync::Arc::new(loket_core::SystemClock),
            Limits::default(),
        );
        let mut input = CreateTicket::new("Groot", "Zie bijlage", "jan@gemeente.nl", loket_core::Channel::Portal);
        input.attachments = vec![Upload::bytes("groot.bin", "", vec![7u8; 24 * 1024 * 1024])];
        let t = svc.create_ticket(&Actor::System, input).await.unwrap();
        let secret = svc.store().secret("follow_link").await.unwrap();
        let token = loket_mail::links::follow_token(&secret, t.id, t.requester_id, svc.now());
        let id = svc.store().attachments(t.id).await.unwrap()[0].id;
        (t.number, token, id)
    });
    let path = format!("/t/{number}/{token}/bijlage/{id}");
    // 60 clients ask for it and read only the start of the answer.
    let threads: Vec<_> = (0..60)
        .map(|_| {
            let (addr, path) = (server.addr.clone(), path.clone());
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(&addr).unwrap();
                let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n");
                s.write_all(req.as_bytes()).unwrap();
                let mut head = [0u8; 64];
                let n = s.read(&mut head).unwrap_or(0);
                std::thread::sleep(Duration::from_secs(2));
                String::from_utf8_lossy(&head[..n]).into_owned()
            })
        })
        .collect();
    for t in threads {
        assert!(t.join().unwrap().starts_with("HTTP/1.1 200"));
    }
    let peak = peak_kb(server.child.id()).unwrap();
    eprintln!("loket serve peak resident memory with 60 downloads of 24 MB open: {peak} kB");
    assert!(peak < CAP_KB, "serve peaked at {peak} kB");
    server.stop();
}
