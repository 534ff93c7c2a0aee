//! What handlers share: the service layer, the mail intake, the portal's
//! settings, the key that binds form tokens to a visitor, and the bound on
//! uploads in progress.

use loket_core::service::Service;
use std::net::IpAddr;
use std::sync::Arc;

/// API requests with a large body handled at the same moment (each holds its
/// JSON and decoded attachments in memory, about three times its size).
const API_UPLOADS: usize = 2;

/// Application state handed to every handler.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub service: Service,
    /// The mail intake (quarantine retries).
    pub intake: loket_mail::Intake,
    /// Portal settings.
    pub portal: PortalSettings,
    /// The installation's key for form (CSRF) tokens, shared by every process.
    pub(crate) csrf_key: Arc<Vec<u8>>,
    /// Uploads being read at this moment; a request waits for a permit.
    pub(crate) uploads: Arc<tokio::sync::Semaphore>,
    /// API requests with large bodies (base64 attachments, held in memory)
    /// being handled at this moment.
    pub(crate) api_uploads: Arc<tokio::sync::Semaphore>,
    /// Uploads in progress per visitor address, so one visitor cannot take
    /// every upload slot.
    pub(crate) uploads_by_ip: IpGate,
    /// Full-text searches running at this moment on the portal and in the
    /// API (each its own, so customers cannot crowd out staff), so searches
    /// never take every database connection from other pages.
    pub(crate) searches: [Arc<tokio::sync::Semaphore>; 2],
}

/// Most full-text searches at once, on the portal and in the API each; a
/// search waits [`SEARCH_WAIT`] for a turn.
pub(crate) const SEARCHES: usize = 2;

/// Who searches: customers on the portal, or staff through the API.
#[derive(Clone, Copy)]
pub(crate) enum Searcher {
    Portal = 0,
    Staff = 1,
}
/// How long a search waits for a turn before the visitor is told it is busy.
pub(crate) const SEARCH_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

impl AppState {
    /// A turn to search, or `None` when it is too busy.
    pub(crate) async fn search_turn(&self, who: Searcher) -> Option<tokio::sync::OwnedSemaphorePermit> {
        tokio::time::timeout(SEARCH_WAIT, self.searches[who as usize].clone().acquire_owned())
            .await
            .ok()
            .and_then(Result::ok)
    }
}

/// Most uploads one visitor address has in progress at once.
pub(crate) const UPLOADS_PER_IP: usize = 2;

type Counts = Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>;

/// Counts what each visitor address has in progress, up to a most.
#[derive(Clone, Default)]
pub(crate) struct IpGate {
    counts: Counts,
}

/// One visitor's upload in progress; the count goes down when it is dropped.
pub(crate) struct IpUpload {
    counts: Counts,
    ip: String,
}

impl IpGate {
    /// Starts something for a visitor address, unless it has `most` in
    /// progress already.
    pub(crate) fn enter(&self, ip: &str, most: usize) -> Option<IpUpload> {
        let mut map = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = map.entry(ip.to_owned()).or_insert(0);
        if *n >= most {
            return None;
        }
        *n += 1;
        Some(IpUpload {
            counts: self.counts.clone(),
            ip: ip.to_owned(),
        })
    }
}

impl AppState {
    /// Starts an upload for a visitor address, unless it has
    /// [`UPLOADS_PER_IP`] in progress already.
    pub(crate) fn upload_for(&self, ip: &str) -> Option<IpUpload> {
        self.uploads_by_ip.enter(ip, UPLOADS_PER_IP)
    }
}

impl Drop for IpUpload {
    fn drop(&mut self) {
        let mut map = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = map.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

impl AppState {
    /// The state for a service, intake and settings; reads (or creates) the
    /// installation's form-token key.
    pub async fn new(service: Service, intake: loket_mail::Intake, portal: PortalSettings) -> loket_core::Result<Self> {
        let csrf_key = Arc::new(service.store().secret("csrf").await?);
        let uploads = Arc::new(tokio::sync::Semaphore::new(portal.max_uploads_in_progress.max(1)));
        Ok(Self {
            service,
            intake,
            portal,
            csrf_key,
            uploads,
            api_uploads: Arc::new(tokio::sync::Semaphore::new(API_UPLOADS)),
            uploads_by_ip: IpGate::default(),
            searches: [
                Arc::new(tokio::sync::Semaphore::new(SEARCHES)),
                Arc::new(tokio::sync::Semaphore::new(SEARCHES)),
            ],
        })
    }
}

/// Settings of the customer portal.
#[derive(Clone, Debug)]
pub struct PortalSettings {
    /// Whether cookies get the `Secure` flag and responses HSTS (the public URL is https).
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed (addresses or CIDR ranges).
    pub trusted_proxies: Vec<IpNet>,
    /// Most uploads read at the same moment; others wait their turn.
    pub max_uploads_in_progress: usize,
    /// The time zone of every time shown.
    pub time_zone: loket_core::time::Zone,
    /// The base URL of links Loket hands out (follow links in canned replies).
    pub public_url: String,
    /// The link of a work item in the development tracker, `{id}` standing
    /// for its reference (an Azure DevOps work item URL, for example).
    pub work_item_url: Option<String>,
    /// Whether anyone may read the forum (else logged-in contacts only).
    pub forum_public: bool,
}

impl Default for PortalSettings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            max_uploads_in_progress: 8,
            time_zone: loket_core::time::Zone::default(),
            public_url: "http://localhost:8080".into(),
            work_item_url: None,
            forum_public: true,
        }
    }
}

/// An IP address range (`10.0.0.0/8`, `::1/128`), or one address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Whether `ip` lies in the range.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 @ IpAddr::V4(_) => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for IpNet {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (a, p) = s.trim().split_once('/').map_or((s.trim(), None), |(a, p)| (a, Some(p)));
        let addr: IpAddr = a.parse().map_err(|_| format!("'{s}' is not an IP address or range"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("'{s}' has no valid prefix length"))?,
            None => max,
        };
        Ok(Self { addr, prefix })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_gets_only_so_many_uploads_at_once() {
        let gate = IpGate::default();
        let a = gate.enter("192.0.2.1", 2);
        let b = gate.enter("192.0.2.1", 2);
        assert!(a.is_some() && b.is_some());
        assert!(gate.enter("192.0.2.1", 2).is_none(), "a third waits");
        assert!(gate.enter("192.0.2.2", 2).is_some(), "another visitor is not held up");
        drop(a);
        let c = gate.enter("192.0.2.1", 2);
        assert!(c.is_some(), "a finished upload frees its place");
        drop(b);
        assert_eq!(
            gate.counts.lock().map_or(None, |m| m.get("192.0.2.1").copied()),
            Some(1)
        );
        drop(c);
        assert!(
            gate.counts.lock().is_ok_and(|m| m.is_empty()),
            "nothing is kept for finished visitors"
        );
    }

    #[test]
    fn ranges_contain_their_addresses() {
        let net: IpNet = "10.1.0.0/16".parse().unwrap_or_else(|e| panic!("{e}"));
        assert!(net.contains("10.1.2.3".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))));
        assert!(!net.contains("10.2.0.1".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))));
        let one: IpNet = "127.0.0.1".parse().unwrap_or_else(|e| panic!("{e}"));
        assert!(one.contains("::ffff:127.0.0.1".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))));
        assert!("10.0.0.0/33".parse::<IpNet>().is_err() && "x".parse::<IpNet>().is_err());
        let all: IpNet = "0.0.0.0/0".parse().unwrap_or_else(|e| panic!("{e}"));
        assert!(all.contains("8.8.8.8".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))));
    }
}
