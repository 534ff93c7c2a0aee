//! Images through the `tesseract` program (Debian's `tesseract-ocr` with
//! Dutch data), where it is installed.

use loket_privacy::NotScanned;
use std::io::Write;
use std::process::{Command, Stdio};

/// Largest image read (a screenshot or a scanned page is far smaller).
const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;
/// Longest tesseract may take on one image.
const TIMEOUT: std::time::Duration = std::time::Duration::from_mins(1);

/// The text tesseract reads in an image; `NoOcr` when it is not installed,
/// `Unreadable` when it cannot read the image, `TooLarge` when the image is
/// too large or takes too long.
pub(crate) fn read(bytes: &[u8]) -> Result<String, NotScanned> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(NotScanned::TooLarge);
    }
    let mut child = Command::new(program())
        .args(["stdin", "stdout", "-l", "nld+eng"])
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|_| NotScanned::NoOcr)?;
    let mut stdin = child.stdin.take().ok_or(NotScanned::NoOcr)?;
    let mut stdout = child.stdout.take().ok_or(NotScanned::NoOcr)?;
    let bytes = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&bytes));
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut text).map(|_| text)
    });
    let started = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < TIMEOUT => std::thread::sleep(std::time::Duration::from_millis(50)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(NotScanned::TooLarge);
            }
        }
    };
    let written = writer.join().is_ok_and(|w| w.is_ok());
    let text = reader.join().ok().and_then(Result::ok).unwrap_or_default();
    if written && status.success() {
        Ok(String::from_utf8_lossy(&text).into_owned())
    } else {
        Err(NotScanned::Unreadable)
    }
}

/// The program: `LOKET_TESSERACT` when set, else `tesseract` on the PATH.
fn program() -> String {
    std::env::var("LOKET_TESSERACT").unwrap_or_else(|_| "tesseract".to_owned())
}
