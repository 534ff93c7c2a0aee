//! Images through the `tesseract` program (Debian's `tesseract-ocr` with
//! Dutch data), where it is installed.

use std::io::Write;
use std::process::{Command, Stdio};

/// The text tesseract reads in an image; `None` when it is not installed or
/// fails (the image is then not scanned).
pub(crate) fn read(bytes: &[u8]) -> Option<String> {
    let mut child = Command::new(program())
        .args(["stdin", "stdout", "-l", "nld+eng"])
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let bytes = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&bytes));
    let output = child.wait_with_output().ok()?;
    let written = writer.join().ok()?.is_ok();
    (written && output.status.success()).then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The program: `LOKET_TESSERACT` when set, else `tesseract` on the PATH.
fn program() -> String {
    std::env::var("LOKET_TESSERACT").unwrap_or_else(|_| "tesseract".to_owned())
}
