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
/// How long connecting may take.
const CONNECT: Duration = Duration::from_secs(3);
/// Failed attempts in a row after which a webhook is switched off.
pub const PAUSE_AFTER: i64 = 20;

/// The signature header's value for delivery `delivery` of `body` sent at
/// `timestamp` (seconds): the HMAC covers `timestamp.delivery.body`, so a
/// receiver can refuse old times and deliveries it has seen.
pub fn signature(secret: &str, timestamp: i64, delivery: i64, body: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(format!("{timestamp}.{delivery}.{body}").as_bytes());
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
            ("X-Loket-Signature", signature(&secret, now.timestamp(), job.id, &body)),
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
            Some(e) => {
                // A receiver that keeps failing is switched off (an admin
                // switches it on again); its waiting deliveries end quietly.
                if store.failures_in_a_row(id).await? >= PAUSE_AFTER {
                    let by = loket_core::store::Stamp {
                        actor: "system".into(),
                        at: service.now(),
                    };
                    store.set_webhook_active(id, false, &by).await?;
                    tracing::warn!(
                        webhook = id,
                        "webhook switched off after {PAUSE_AFTER} failed deliveries in a row"
                    );
                }
                Err(DomainError::invalid(e))
            }
        }
    }
}

/// Posts `body`; answers the HTTP status.
async fn post(url: &str, headers: &[(&str, String)], body: &str) -> std::result::Result<u16, String> {
    let loket_core::webhooks::Target { tls, host, port, path } = loket_core::webhooks::parse_url(url)?;
    let tcp = tokio::time::timeout(CONNECT, tokio::net::TcpStream::connect((host.as_str(), port)))
        .await
        .map_err(|_| {
            format!(
                "cannot connect to {host}:{port}: no answer within {} seconds",
                CONNECT.as_secs()
            )
        })?
        .map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?;
    let default = if tls { 443 } else { 80 };
    let authority = match (host.contains(':'), port == default) {
        (true, true) => format!("[{host}]"),
        (true, false) => format!("[{host}]:{port}"),
        (false, true) => host.clone(),
        (false, false) => format!("{host}:{port}"),
    };
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nContent-Length: {}\r\nUser-Agent: Loket\r\n",
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
        use loket_core::webhooks::{Target, parse_url};
        let t = |tls, host: &str, port, path: &str| Target {
            tls,
            host: host.into(),
            port,
            path: path.into(),
        };
        assert_eq!(
            parse_url("https://hooks.example.nl/loket?x=1"),
            Ok(t(true, "hooks.example.nl", 443, "/loket?x=1"))
        );
        assert_eq!(parse_url("http://127.0.0.1:8099"), Ok(t(false, "127.0.0.1", 8099, "/")));
        assert_eq!(parse_url("http://[::1]:81/x"), Ok(t(false, "::1", 81, "/x")));
        assert_eq!(parse_url("http://a.nl?x"), Ok(t(false, "a.nl", 80, "/?x")));
        for bad in [
            "ftp://x",
            "http://user@evil.example/",
            "http://a.nl:99999/",
            "http://a.nl:0/",
            "http:///x",
            "http://a b/",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
        let s = super::signature("geheim", 1_700_000_000, 7, "{}");
        assert!(s.starts_with("t=1700000000,sha256=") && s.len() == "t=1700000000,sha256=".len() + 64);
        assert_ne!(s, super::signature("anders", 1_700_000_000, 7, "{}"));
        assert_ne!(
            s,
            super::signature("geheim", 1_700_000_000, 8, "{}"),
            "the delivery is signed"
        );
    }
}
