//! The port for attachment bytes. Bytes are content-addressed (their SHA-256
//! is the key) and first written to a temporary place: they are kept only after
//! the change that refers to them has committed, so a refused request leaves
//! nothing behind. A sweep removes what no record refers to.

use crate::Result;
use async_trait::async_trait;
use std::fmt;
use std::sync::Arc;

/// A backend's hold on bytes waiting in a temporary place. When the last
/// handle is dropped and the bytes were not kept, they are removed.
pub trait StagedHandle: Send + Sync + fmt::Debug {
    /// The backend's name for the temporary place (for example a file path).
    fn location(&self) -> &str;
    /// Records that the bytes were kept, so dropping the handle leaves them.
    fn mark_kept(&self);
}

/// Bytes written to a temporary place and not yet kept.
#[derive(Clone, Debug)]
pub struct Staged {
    /// SHA-256 of the bytes (hex): the key they are kept under.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    handle: Arc<dyn StagedHandle>,
}

impl Staged {
    /// Staged bytes with their backend handle.
    pub fn new(sha256: String, size: u64, handle: Arc<dyn StagedHandle>) -> Self {
        Self { sha256, size, handle }
    }

    /// The backend's handle.
    pub fn handle(&self) -> &dyn StagedHandle {
        self.handle.as_ref()
    }
}

/// Bytes written piece by piece (an upload streamed from a request); dropping
/// an unfinished writer removes what it wrote.
#[async_trait]
pub trait BlobWriter: Send {
    /// Appends bytes.
    async fn write(&mut self, chunk: &[u8]) -> Result<()>;
    /// How many bytes were written so far.
    fn written(&self) -> u64;
    /// Makes the bytes durable and answers them staged.
    async fn finish(self: Box<Self>) -> Result<Staged>;
}

/// Something the sweep found: kept bytes, or a temporary file left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepItem {
    /// The key (SHA-256, hex).
    pub sha256: String,
    /// For a temporary file: the backend's name for it.
    pub waiting: Option<String>,
}

/// Content-addressed storage of attachment bytes.
#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Starts writing new bytes to a temporary place.
    async fn writer(&self) -> Result<Box<dyn BlobWriter>>;
    /// Writes bytes held in memory to a temporary place.
    async fn stage(&self, bytes: &[u8]) -> Result<Staged> {
        let mut w = self.writer().await?;
        w.write(bytes).await?;
        w.finish().await
    }
    /// Keeps staged bytes under their key (once the record referring to them
    /// has committed).
    async fn keep(&self, staged: &Staged) -> Result<()>;
    /// The bytes under a key.
    async fn get(&self, sha256: &str) -> Result<Option<Vec<u8>>>;
    /// The bytes of staged (not yet kept) content, to check them before
    /// anything refers to them.
    async fn read_staged(&self, staged: &Staged) -> Result<Vec<u8>>;
    /// The bytes under a key, to read piece by piece (downloads), and their size.
    async fn open(&self, sha256: &str) -> Result<Option<(Box<dyn tokio::io::AsyncRead + Send + Unpin>, u64)>>;
    /// Removes the bytes for good.
    async fn delete(&self, sha256: &str) -> Result<()>;
    /// Kept bytes and temporary files untouched for at least `min_age`.
    async fn sweep_list(&self, min_age: std::time::Duration) -> Result<Vec<SweepItem>>;
    /// Removes an item the sweep found unused, unless it changed meanwhile.
    async fn sweep_remove(&self, item: &SweepItem, min_age: std::time::Duration) -> Result<()>;
    /// Keeps a temporary file whose record committed but that was never kept
    /// (the process stopped in between).
    async fn sweep_keep(&self, item: &SweepItem) -> Result<()>;
}
