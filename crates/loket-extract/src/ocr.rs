//! Images through the `tesseract` program (Debian's `tesseract-ocr` with
//! Dutch data), where it is installed.

use loket_privacy::NotScanned;
use std::io::Write;
use std::process::{Command, Stdio};

/// The text tesseract reads in an image; `NoOcr` when it is not installed,
/// `Unreadable` when it cannot read the image.
pub(crate) fn read(bytes: &[u8]) -> Result<String, NotScanned> {
    let mut child = Command::new(program())
        .args(["stdin", "stdout", "-l", "nld+eng"])
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|_| NotScanned::NoOcr)?;
    let mut stdin = child.stdin.take().ok_or(NotScanned::NoOcr)?;
    let bytes = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&bytes));
    let output = child.wait_with_output().map_err(|_| NotScanned::Unreadable)?;
    let written = writer.join().is_ok_and(|w| w.is_ok());
    if written && output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(NotScanned::Unreadable)
    }
}

/// The program: `LOKET_TESSERACT` when set, else `tesseract` on the PATH.
fn program() -> String {
    std::env::var("LOKET_TESSERACT").unwrap_or_else(|_| "tesseract".to_owned())
}
