//! A tiny in-process client: a fresh app with an admin token, and JSON requests.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use loket_core::service::{Actor, Limits, Service};
use loket_core::{Department, Role};
use loket_store::{FsBlobStore, SqliteStore};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

pub struct App {
    router: axum::Router,
    /// The path of every route the router has.
    pub paths: Vec<String>,
    pub token: String,
    pub service: Service,
    pub clock: Arc<loket_core::FixedClock>,
    /// The peer address requests come from.
    pub peer: std::net::SocketAddr,
    dir: tempfile::TempDir,
}

impl App {
    pub async fn new() -> Self {
        Self::with(Limits::default(), loket_web::PortalSettings::default()).await
    }

    /// An app with these limits and portal settings.
    pub async fn with(limits: Limits, portal: loket_web::PortalSettings) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = Arc::new(SqliteStore::open(&url).await.unwrap());
        let blobs = Arc::new(FsBlobStore::new(&dir.path().join("blobs")).unwrap());
        let clock = Arc::new(loket_core::FixedClock::new(chrono::Utc::now()));
        // The default meetings: Intern bespreken on Tuesdays, Functioneel
        // overleg on the first Thursday of the month, at 10:00.
        let meetings = [
            (Department::InternalReview, "tuesday"),
            (Department::FunctionalMeeting, "first thursday"),
        ]
        .into_iter()
        .map(|(department, every)| {
            loket_core::meetings::MeetingSeries::from_config(&loket_core::meetings::MeetingConfig {
                department,
                every: every.into(),
                time: "10:00".into(),
                skip: Vec::new(),
                extra: Vec::new(),
            })
            .unwrap()
        })
        .collect();
        let service = Service::new(store, blobs, clock.clone(), limits).with_meetings(meetings);
        service
            .create_staff(&Actor::System, "admin@leverancier.nl", "Admin", Role::Admin)
            .await
            .unwrap();
        service
            .register_token("admin@leverancier.nl", "lkt_test", None)
            .await
            .unwrap();
        let intake = loket_mail::Intake::new(service.clone(), loket_mail::Mailbox::defaults());
        let state = loket_web::AppState::new(service.clone(), intake, portal).await.unwrap();
        let (router, paths) = loket_web::router_with_paths(state);
        Self {
            router,
            paths,
            token: "lkt_test".into(),
            service,
            clock,
            peer: "192.0.2.10:40000".parse().unwrap(),
            dir,
        }
    }

    /// Every file under `blobs/` (kept bytes and temporary files).
    pub fn blob_files(&self) -> Vec<std::path::PathBuf> {
        fn walk(d: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
                if e.path().is_dir() {
                    walk(&e.path(), out);
                } else {
                    out.push(e.path());
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.dir.path().join("blobs"), &mut out);
        out
    }

    /// A staff actor with this role (created when new).
    pub async fn staff(&self, email: &str, role: Role) -> Actor {
        let existing = self.service.store().staff_by_email(email).await.unwrap();
        Actor::Staff(match existing {
            Some(s) => s,
            None => self
                .service
                .create_staff(&Actor::System, email, "Medewerker", role)
                .await
                .unwrap(),
        })
    }

    /// Sends a prepared request as it arrives from the network (with the peer address).
    pub async fn request(&self, mut req: Request<Body>) -> axum::response::Response {
        req.extensions_mut().insert(axum::extract::ConnectInfo(self.peer));
        self.router.clone().oneshot(req).await.unwrap()
    }

    /// Sends a request with the admin token; `body` is raw text (JSON or not).
    pub async fn raw(&self, method: &str, path: &str, body: Option<&str>, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_owned())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let resp = self.request(req).await;
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let value =
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, value)
    }

    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let text = body.map(|b| b.to_string());
        self.raw(method, path, text.as_deref(), Some(&self.token)).await
    }

    /// Creates a ticket and answers its number.
    pub async fn ticket(&self, body: Value) -> i64 {
        let (status, v) = self.call("POST", "/api/v1/tickets", Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        v["number"].as_i64().unwrap()
    }
}

/// An HTML response: status, `Set-Cookie` values, `Location`, body.
pub struct Page {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub cookies: Vec<String>,
    pub location: Option<String>,
    pub body: String,
}

impl App {
    /// A portal request: optional urlencoded form body and Cookie header.
    pub async fn page(&self, method: &str, path: &str, form: Option<&str>, cookie: Option<&str>) -> Page {
        match form {
            // Reply forms carry files, so browsers post them as multipart.
            Some(f) if path.ends_with("/reply") => {
                let fields: Vec<(String, String)> = f
                    .split('&')
                    .filter_map(|kv| kv.split_once('='))
                    .map(|(k, v)| (k.to_owned(), v.replace('+', " ").replace("%40", "@")))
                    .collect();
                let (ct, body) = multipart_body(&fields);
                self.raw_body(method, path, &ct, body, cookie).await
            }
            Some(f) => {
                let ct = "application/x-www-form-urlencoded";
                self.raw_body(method, path, ct, f.as_bytes().to_vec(), cookie).await
            }
            None => self.send(method, path, None, Body::empty(), cookie).await,
        }
    }

    /// A request with a raw body of a given content type.
    pub async fn raw_body(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        cookie: Option<&str>,
    ) -> Page {
        self.send(method, path, Some(content_type), Body::from(body), cookie)
            .await
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Body,
        cookie: Option<&str>,
    ) -> Page {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        let resp = self.request(req.body(body).unwrap()).await;
        let status = resp.status();
        let cookies = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        let location = resp.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
        let headers = resp.headers().clone();
        let body = String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes()).into_owned();
        Page {
            status,
            headers,
            cookies,
            location,
            body,
        }
    }
}

/// A multipart/form-data body of text fields.
pub fn multipart_body(fields: &[(String, String)]) -> (String, Vec<u8>) {
    let boundary = "XyZloketREPLY";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A multipart/form-data body of text fields (in order) and then files.
pub fn multipart_files(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "XyZloketBOUNDARY";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: text/plain\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
