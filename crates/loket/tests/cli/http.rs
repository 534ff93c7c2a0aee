//! A minimal blocking HTTP/1.1 client for talking to the real server.

use std::io::{Read, Write};
use std::net::TcpStream;

/// Sends one request; answers the status and the body as JSON (or a JSON string).
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
    token: Option<&str>,
) -> Option<(u16, serde_json::Value)> {
    let mut s = TcpStream::connect(addr).ok()?;
    let body = body.unwrap_or("");
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(body.as_bytes()).ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw);
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    let payload = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let value = serde_json::from_str(payload).unwrap_or_else(|_| serde_json::Value::String(payload.to_owned()));
    Some((status, value))
}
