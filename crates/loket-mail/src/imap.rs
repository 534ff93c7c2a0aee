//! Reads a mailbox over IMAP. Each unseen message is fetched without marking it
//! (`BODY.PEEK[]`), taken in by the intake, and only after that commit flagged
//! `\Seen` (or moved to the processed folder). A crash in between means the
//! message is fetched again and recognised as a duplicate by its UID, then
//! flagged: delayed, never lost or doubled. A message that cannot be processed
//! stays unseen and waits in quarantine. IDLE is used where the server offers it.

use crate::intake::{Intake, Outcome};
pub use crate::mailbox::{ImapConfig, Security};
use async_imap::Session;
use futures_util::StreamExt;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// Messages fetched (and then flagged) per IMAP command.
const FETCH_CHUNK: usize = 50;

/// Any stream the IMAP client can run over.
trait Io: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug> Io for T {}

type ImapSession = Session<Box<dyn Io>>;

/// What went wrong with a mailbox; the poller logs it and reconnects.
#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    /// Connecting, TLS or login failed.
    #[error("{0}")]
    Connect(String),
    /// The server answered an error.
    #[error("IMAP: {0}")]
    Protocol(#[from] async_imap::error::Error),
    /// Loket could not store the mail (it stays unseen and is fetched again).
    #[error("storage: {0}")]
    Storage(String),
}

pub(crate) fn tls_connector() -> tokio_rustls::TlsConnector {
    let roots = tokio_rustls::rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = tokio_rustls::rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

async fn tls(stream: TcpStream, host: &str) -> Result<Box<dyn Io>, ImapError> {
    let name = tokio_rustls::rustls::pki_types::ServerName::try_from(host.to_owned())
        .map_err(|e| ImapError::Connect(format!("bad host name {host}: {e}")))?;
    let s = tls_connector()
        .connect(name, stream)
        .await
        .map_err(|e| ImapError::Connect(format!("TLS: {e}")))?;
    Ok(Box::new(s))
}

fn password(cfg: &ImapConfig) -> Result<String, ImapError> {
    match (&cfg.password, &cfg.password_file) {
        (_, Some(f)) => std::fs::read_to_string(f)
            .map(|p| p.trim_end_matches(['\r', '\n']).to_owned())
            .map_err(|e| ImapError::Connect(format!("cannot read password_file {f}: {e}"))),
        (Some(p), None) => Ok(p.clone()),
        (None, None) => Err(ImapError::Connect("no password or password_file configured".into())),
    }
}

/// Connects and logs in.
async fn connect(cfg: &ImapConfig) -> Result<ImapSession, ImapError> {
    let port = cfg
        .port
        .unwrap_or(if cfg.security == Security::Tls { 993 } else { 143 });
    let tcp = tokio::time::timeout(Duration::from_secs(30), TcpStream::connect((cfg.host.as_str(), port)))
        .await
        .map_err(|_| ImapError::Connect(format!("connecting to {}:{port} timed out", cfg.host)))?
        .map_err(|e| ImapError::Connect(format!("cannot connect to {}:{port}: {e}", cfg.host)))?;
    let stream: Box<dyn Io> = match cfg.security {
        Security::Tls => tls(tcp, &cfg.host).await?,
        Security::Plain => Box::new(tcp),
        Security::Starttls => {
            let mut client = async_imap::Client::new(tcp);
            client
                .read_response()
                .await
                .ok_or_else(|| ImapError::Connect("no greeting".into()))?
                .map_err(|e| ImapError::Connect(e.to_string()))?;
            client.run_command_and_check_ok("STARTTLS", None).await?;
            tls(client.into_inner(), &cfg.host).await?
        }
    };
    let mut client = async_imap::Client::new(stream);
    if cfg.security != Security::Starttls {
        client
            .read_response()
            .await
            .ok_or_else(|| ImapError::Connect("no greeting".into()))?
            .map_err(|e| ImapError::Connect(e.to_string()))?;
    }
    client
        .login(&cfg.user, password(cfg)?)
        .await
        .map_err(|(e, _)| ImapError::Connect(format!("login failed: {e}")))
}

/// Most bytes of messages fetched in one IMAP command.
const FETCH_BYTES: u64 = 64 * 1024 * 1024;

/// The unseen messages' UIDs with their sizes (RFC822.SIZE), ascending.
async fn unseen_sizes(session: &mut ImapSession) -> Result<Vec<(u32, u64)>, ImapError> {
    let mut uids: Vec<u32> = session.uid_search("UNSEEN").await?.into_iter().collect();
    uids.sort_unstable();
    let mut out = Vec::with_capacity(uids.len());
    for chunk in uids.chunks(500) {
        let set: Vec<String> = chunk.iter().map(ToString::to_string).collect();
        let mut stream = session.uid_fetch(set.join(","), "RFC822.SIZE").await?;
        while let Some(f) = stream.next().await {
            let f = f?;
            if let Some(uid) = f.uid {
                out.push((uid, u64::from(f.size.unwrap_or(0))));
            }
        }
    }
    out.sort_unstable();
    out.dedup_by_key(|(uid, _)| *uid);
    Ok(out)
}

/// Groups messages so that one fetch carries at most [`FETCH_CHUNK`]
/// messages and about [`FETCH_BYTES`] bytes (a single larger one alone).
fn batches(sizes: &[(u32, u64)]) -> Vec<Vec<u32>> {
    let mut out: Vec<Vec<u32>> = Vec::new();
    let mut bytes = 0;
    for &(uid, size) in sizes {
        match out.last_mut() {
            Some(b) if b.len() < FETCH_CHUNK && bytes + size <= FETCH_BYTES => {
                b.push(uid);
                bytes += size;
            }
            _ => {
                out.push(vec![uid]);
                bytes = size;
            }
        }
    }
    out
}

/// Fetches with `query` and answers each message's UID and the bytes `pick` takes.
async fn fetch(
    session: &mut ImapSession,
    uids: &[u32],
    query: &str,
    pick: fn(&async_imap::types::Fetch) -> Option<&[u8]>,
) -> Result<Vec<(u32, Vec<u8>)>, ImapError> {
    let set: Vec<String> = uids.iter().map(ToString::to_string).collect();
    let mut fetched = Vec::with_capacity(uids.len());
    let mut stream = session.uid_fetch(set.join(","), query).await?;
    while let Some(f) = stream.next().await {
        let f = f?;
        if let (Some(uid), Some(bytes)) = (f.uid, pick(&f)) {
            fetched.push((uid, bytes.to_vec()));
        }
    }
    fetched.sort_unstable_by_key(|(uid, _)| *uid);
    Ok(fetched)
}

/// One pass over the folder: takes in every unseen message. A message larger
/// than `max_mail_bytes` is never loaded: its header goes to the quarantine and
/// it stays unseen in the mailbox. Answers how many were taken in (stored,
/// duplicate or automatic).
async fn sweep(
    session: &mut ImapSession,
    intake: &Intake,
    mailbox: &str,
    cfg: &ImapConfig,
    uidvalidity: u32,
) -> Result<usize, ImapError> {
    let max = intake.settings().max_mail_bytes as u64;
    let (large, sizes): (Vec<_>, Vec<_>) = unseen_sizes(session).await?.into_iter().partition(|(_, s)| *s > max);
    for (uid, size) in large {
        for (uid, head) in fetch(session, &[uid], "BODY.PEEK[HEADER]", async_imap::types::Fetch::header).await? {
            intake
                .ingest_oversized(
                    mailbox,
                    &head,
                    None,
                    size,
                    Some((i64::from(uidvalidity), i64::from(uid))),
                )
                .await
                .map_err(|e| ImapError::Storage(e.to_string()))?;
        }
    }
    let mut done = 0;
    for batch in batches(&sizes) {
        let fetched = fetch(session, &batch, "BODY.PEEK[]", async_imap::types::Fetch::body).await?;
        let mut processed = Vec::with_capacity(fetched.len());
        let mut failure = None;
        for (uid, raw) in fetched {
            match intake
                .ingest(mailbox, &raw, Some((i64::from(uidvalidity), i64::from(uid))))
                .await
            {
                Ok(Outcome::Created(_) | Outcome::Appended(_) | Outcome::Automatic(_) | Outcome::Duplicate) => {
                    processed.push(uid);
                }
                // In quarantine: it stays unseen here and the mail after it goes on.
                Ok(Outcome::Quarantined(_) | Outcome::NotMail(_) | Outcome::Deferred) => {}
                // Not even the quarantine could be written: storage is down.
                Err(e) => {
                    failure = Some(ImapError::Storage(e.to_string()));
                    break;
                }
            }
        }
        // Flag what is stored (also when a later message failed), never more.
        mark_processed(session, cfg, &processed).await?;
        done += processed.len();
        if let Some(e) = failure {
            return Err(e);
        }
    }
    Ok(done)
}

async fn mark_processed(session: &mut ImapSession, cfg: &ImapConfig, uids: &[u32]) -> Result<(), ImapError> {
    if uids.is_empty() {
        return Ok(());
    }
    let set = uids.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
    if let Some(folder) = &cfg.processed_folder {
        session.uid_mv(set, folder).await?;
    } else {
        let mut updates = session.uid_store(set, "+FLAGS (\\Seen)").await?;
        while let Some(u) = updates.next().await {
            u?;
        }
    }
    Ok(())
}

/// One connection's life: log in, sweep, then wait (IDLE or poll) and sweep
/// again, until an error.
async fn session_loop(intake: &Intake, mailbox: &str, cfg: &ImapConfig) -> Result<(), ImapError> {
    let mut session = connect(cfg).await?;
    let idle = session.capabilities().await?.has_str("IDLE");
    let selected = session.select(&cfg.folder).await?;
    let uidvalidity = selected.uid_validity.unwrap_or(0);
    tracing::info!(mailbox, folder = %cfg.folder, idle, "IMAP mailbox connected");
    let wait = Duration::from_secs(cfg.poll_secs.max(1));
    let mut recorded: Option<std::time::Instant> = None;
    loop {
        let n = sweep(&mut session, intake, mailbox, cfg, uidvalidity).await?;
        if n > 0 {
            tracing::info!(mailbox, taken = n, "mail taken in");
        }
        // The admin page shows the last good fetch (written at most once a minute).
        if recorded.is_none_or(|r| r.elapsed() > Duration::from_mins(1)) {
            let now = intake.service().now();
            if let Err(e) = intake.service().store().record_mailbox(mailbox, None, now).await {
                tracing::warn!(mailbox, error = %e, "could not record the mailbox's fetch");
            }
            recorded = Some(std::time::Instant::now());
        }
        if idle {
            let mut handle = session.idle();
            handle.init().await?;
            let (fut, _stop) = handle.wait_with_timeout(wait);
            fut.await?;
            session = handle.done().await?;
        } else {
            tokio::time::sleep(wait).await;
            session.noop().await?;
        }
    }
}

/// Reads one mailbox for ever, reconnecting with backoff after any failure. A
/// broken mailbox only affects itself.
pub async fn run(intake: Intake, mailbox: String, cfg: ImapConfig) {
    let mut backoff = 1u64;
    loop {
        let started = std::time::Instant::now();
        if let Err(e) = session_loop(&intake, &mailbox, &cfg).await {
            tracing::warn!(mailbox, error = %e, retry_in_secs = backoff, "IMAP mailbox failed");
            let now = intake.service().now();
            let _ = intake
                .service()
                .store()
                .record_mailbox(&mailbox, Some(&e.to_string()), now)
                .await;
        }
        if started.elapsed() > Duration::from_mins(5) {
            backoff = 1;
        }
        tokio::time::sleep(Duration::from_secs(backoff)).await;
        backoff = (backoff * 2).min(300);
    }
}

/// Account tools for tests, benchmarks and administrators: append a message,
/// search the folder, empty it.
pub mod tools {
    use super::{ImapConfig, ImapError, connect};
    use futures_util::StreamExt;

    /// Appends a raw message to the account's folder.
    pub async fn append(cfg: &ImapConfig, raw: &[u8]) -> Result<(), ImapError> {
        let mut s = connect(cfg).await?;
        s.append(&cfg.folder, None, None, raw).await?;
        s.logout().await?;
        Ok(())
    }

    /// The UIDs matching an IMAP search (`ALL`, `UNSEEN`, ...), ascending.
    pub async fn search(cfg: &ImapConfig, query: &str) -> Result<Vec<u32>, ImapError> {
        let mut s = connect(cfg).await?;
        s.select(&cfg.folder).await?;
        let mut v: Vec<u32> = s.uid_search(query).await?.into_iter().collect();
        v.sort_unstable();
        s.logout().await?;
        Ok(v)
    }

    /// Deletes every message in the folder.
    pub async fn clear(cfg: &ImapConfig) -> Result<(), ImapError> {
        let mut s = connect(cfg).await?;
        s.select(&cfg.folder).await?;
        let all: Vec<String> = s.uid_search("ALL").await?.iter().map(ToString::to_string).collect();
        if !all.is_empty() {
            {
                let mut st = s.uid_store(all.join(","), "+FLAGS (\\Deleted)").await?;
                while let Some(r) = st.next().await {
                    r?;
                }
            }
            let ex = s.expunge().await?;
            futures_util::pin_mut!(ex);
            while let Some(r) = ex.next().await {
                r?;
            }
        }
        s.logout().await?;
        Ok(())
    }
}

/// Runs one sweep of a mailbox and logs out: for tests and `loket` commands.
pub async fn sweep_once(intake: &Intake, mailbox: &str, cfg: &ImapConfig) -> Result<usize, ImapError> {
    let mut session = connect(cfg).await?;
    let selected = session.select(&cfg.folder).await?;
    let n = sweep(&mut session, intake, mailbox, cfg, selected.uid_validity.unwrap_or(0)).await?;
    session.logout().await?;
    Ok(n)
}
