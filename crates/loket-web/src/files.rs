//! Sending a stored attachment: streamed in pieces, with a safe name and
//! type. Downloads for customers always; staff may open images and PDF files
//! in the browser.

use crate::AppState;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use loket_core::Attachment;

/// How a file is handed to the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Disposition {
    /// Always saved as a file, never shown.
    Download,
    /// Shown in the browser when it is an image or a PDF (never SVG or
    /// HTML, which could run script); saved otherwise.
    InlineWhenSafe,
}

/// Types a browser may show inline: pictures it draws and PDF.
const INLINE_TYPES: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"];

/// The attachment's bytes as a response; `None` when its bytes are gone.
pub(crate) async fn send(s: &AppState, att: &Attachment, how: Disposition) -> loket_core::Result<Option<Response>> {
    send_blob(s, &att.sha256, &att.filename, &att.media_type, how).await
}

/// Stored bytes (`sha256`) as a file named `filename` of `media_type`;
/// `None` when the bytes are gone.
pub(crate) async fn send_blob(
    s: &AppState,
    sha256: &str,
    filename: &str,
    media_type: &str,
    how: Disposition,
) -> loket_core::Result<Option<Response>> {
    let Some((file, size)) = s.service.blobs().open(sha256).await? else {
        return Ok(None);
    };
    let name: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let media = media_type.to_ascii_lowercase();
    let inline = how == Disposition::InlineWhenSafe && INLINE_TYPES.contains(&media.as_str());
    let (kind, content_type) = if inline {
        ("inline", media)
    } else {
        ("attachment", "application/octet-stream".to_owned())
    };
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (
            header::CONTENT_DISPOSITION,
            format!("{kind}; filename=\"{name}\"; filename*=UTF-8''{}", rfc5987(filename)),
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        (header::CONTENT_LENGTH, size.to_string()),
    ];
    Ok(Some(
        (headers, axum::body::Body::from_stream(chunks(file))).into_response(),
    ))
}

/// A file name for `filename*` (RFC 5987): letters, digits and `.-_` as they
/// are, every other byte of its UTF-8 as `%XX`, so `cliëntoverzicht.csv` keeps
/// its ë and nothing can end the header early.
fn rfc5987(name: &str) -> String {
    let mut out = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = std::fmt::Write::write_fmt(&mut out, format_args!("%{b:02X}"));
        }
    }
    out
}

/// A file read piece by piece, so a download never holds it whole in memory.
fn chunks(
    file: Box<dyn tokio::io::AsyncRead + Send + Unpin>,
) -> impl futures_util::Stream<Item = std::io::Result<axum::body::Bytes>> {
    futures_util::stream::unfold(file, |mut file| async move {
        let mut buf = vec![0u8; 64 * 1024];
        match tokio::io::AsyncReadExt::read(&mut file, &mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(axum::body::Bytes::from(buf)), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    })
}
