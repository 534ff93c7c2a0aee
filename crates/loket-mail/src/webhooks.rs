//! Webhook deliveries: posts a ticket event to a webhook's address, signed
//! with HMAC-SHA256 over `timestamp.body` with the webhook's secret
//! (`X-Loket-Signature: t=…,sha256=…`), over HTTP or HTTPS; a non-2xx answer
//! or no answer within ten seconds fails the attempt (the job is retried with
//! backoff). Every attempt is logged.

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use loket_core::jobs::Claimed;
use loket_core::service::Service;
use loket_core::webhooks::{Delivery, JobHandler, WEBHOOK_JOB};
use loket_core::{DomainError, Result};
use sha2::Sha256;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long one delivery may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The signature header's value for `body` sent at `timestamp` (seconds).
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!("t={timestamp},sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Delivers webhook jobs.
#[derive(Debug, Default, Clone, Copy)]
pub struct Deliverer;

#[async_trait]
impl JobHandler for Deliverer {
    fn handles(&self, kind: &str) -> bool {
        kind == WEBHOOK_JOB
    }

    async fn run(&self, service: &Service, job: &Claimed) -> Result<bool> {
        let payload: serde_json::Value = serde_json::from_str(&job.payload)
            .map_err(|e| DomainError::invalid(format!("webhook job payload: {e}")))?;
        let id = payload
            .get("webhook")
            .and_then(serde_json::Value::as_i64)
            .ok_or_else(|| DomainError::invalid("a webhook job without a webhook"))?;
        let event = payload.get("event").cloned().unwrap_or_default();
        let store = service.store();
        // A webhook removed or switched off since: nothing to send.
        let Some((hook, secret)) = store.webhook_with_secret(id).await?.filter(|(h, _)| h.active) else {
            return store.finish_job(job.id, job.attempt, service.now()).await;
        };
        let body = event.to_string();
        let name = event
            .get("event")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("ticket.changed");
        let now = service.now();
        let headers = [
            ("Content-Type", "application/json".to_owned()),
            ("X-Loket-Event", name.to_owned()),
            ("X-Loket-Delivery", job.id.to_string()),
            ("X-Loket-Signature", signature(&secret, now.timestamp(), &body)),
        ];
        let result = tokio::time::timeout(TIMEOUT, post(&hook.url, &headers, &body)).await;
        let (status, error) = match result {
            Ok(Ok(status)) if (200..300).contains(&status) => (Some(status), None),
            Ok(Ok(status)) => (Some(status), Some(format!("the webhook answered {status}"))),
            Ok(Err(e)) => (None, Some(e)),
            Err(_) => (None, Some(format!("no answer within {} seconds", TIMEOUT.as_secs()))),
        };
        store
            .log_delivery(&Delivery {
                webhook: id,
                job: job.id,
                attempt: job.attempt,
                status: status.map(i64::from),
                error: error.clone(),
                at: now,
            })
            .await?;
        match error {
            None => store.finish_job(job.id, job.attempt, service.now()).await,
            Some(e) => Err(DomainError::invalid(e)),
        }
    }
}

/// Where a URL points: TLS or not, host, port, path.
fn target(url: &str) -> std::result::Result<(bool, String, u16, String), String> {
    let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return Err(format!("'{url}' is not an http(s) address"));
    };
    let (authority, path) = rest.find('/').map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
    let default = if tls { 443 } else { 80 };
    let (host, port) = match authority.strip_prefix('[').and_then(|r| r.split_once(']')) {
        Some((h, "")) => (h, None),
        Some((h, p)) => (h, Some(p.strip_prefix(':').unwrap_or(p))),
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    let port = match port {
        Some(p) => p.parse().map_err(|_| format!("'{url}' has a bad port"))?,
        None => default,
    };
    let host = host.to_owned();
    if host.is_empty() || authority.contains('@') {
        return Err(format!("'{url}' has no usable host"));
    }
    Ok((tls, host, port, path.to_owned()))
}

/// Posts `body`; answers the HTTP status.
async fn post(url: &str, headers: &[(&str, String)], body: &str) -> std::result::Result<u16, String> {
    let (tls, host, port, path) = target(url)?;
    let tcp = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?;
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\nUser-Agent: Loket\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(k);
        request.push_str(": ");
        request.push_str(v);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    request.push_str(body);
    let mut answer = Vec::new();
    if tls {
        let name = tokio_rustls::rustls::pki_types::ServerName::try_from(host.clone())
            .map_err(|e| format!("bad host name {host}: {e}"))?;
        let mut s = crate::imap::tls_connector()
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS with {host}: {e}"))?;
        s.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
        let _ = s.take(64 * 1024).read_to_end(&mut answer).await;
    } else {
        let mut s = tcp;
        s.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
        let _ = s.take(64 * 1024).read_to_end(&mut answer).await;
    }
    let head = String::from_utf8_lossy(&answer);
    head.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .filter(|_| head.starts_with("HTTP/"))
        .ok_or_else(|| "no HTTP answer".to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn targets_and_signatures() {
        assert_eq!(
            super::target("https://hooks.example.nl/loket?x=1"),
            Ok((true, "hooks.example.nl".into(), 443, "/loket?x=1".into()))
        );
        assert_eq!(
            super::target("http://127.0.0.1:8099"),
            Ok((false, "127.0.0.1".into(), 8099, "/".into()))
        );
        assert_eq!(
            super::target("http://[::1]:81/x"),
            Ok((false, "::1".into(), 81, "/x".into()))
        );
        assert!(super::target("ftp://x").is_err());
        assert!(super::target("http://user@evil.example/").is_err());
        // The HMAC-SHA256 of "1700000000.{}" with the key "geheim".
        let s = super::signature("geheim", 1_700_000_000, "{}");
        assert!(s.starts_with("t=1700000000,sha256=") && s.len() == "t=1700000000,sha256=".len() + 64);
        assert_ne!(s, super::signature("anders", 1_700_000_000, "{}"));
    }
}
