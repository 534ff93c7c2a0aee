//! Content-addressed attachment bytes in a folder (`blobs/ab/abcdef…`): written
//! to a temporary file, synced, then renamed into place, so a key that exists
//! always has its complete bytes.

use async_trait::async_trait;
use loket_core::store::BlobStore;
use loket_core::{DomainError, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Blob store in a folder that every Loket process can reach.
#[derive(Debug, Clone)]
pub struct FsBlobStore {
    root: PathBuf,
}

#[allow(clippy::needless_pass_by_value)] // a `map_err` adapter
fn io(e: std::io::Error) -> DomainError {
    DomainError::Storage(format!("attachment storage: {e}"))
}

impl FsBlobStore {
    /// A blob store under `root` (created when missing).
    pub fn new(root: &Path) -> Result<Self> {
        std::fs::create_dir_all(root.join("tmp")).map_err(io)?;
        Ok(Self { root: root.to_owned() })
    }

    fn path(&self, sha: &str) -> Result<PathBuf> {
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(DomainError::invalid("not a content key"));
        }
        Ok(self.root.join(&sha[..2]).join(sha))
    }
}

#[async_trait]
impl BlobStore for FsBlobStore {
    async fn put(&self, bytes: &[u8]) -> Result<String> {
        let sha = hex::encode(Sha256::digest(bytes));
        let path = self.path(&sha)?;
        if tokio::fs::try_exists(&path).await.map_err(io)? {
            return Ok(sha);
        }
        let root = self.root.clone();
        let bytes = bytes.to_vec();
        let key = sha.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            use std::io::Write;
            let dir = path.parent().unwrap_or(&root).to_owned();
            std::fs::create_dir_all(&dir)?;
            let tmp = root.join("tmp").join(format!("{key}.{}", std::process::id()));
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            std::fs::File::open(&dir)?.sync_all()
        })
        .await
        .map_err(|e| DomainError::Storage(e.to_string()))?
        .map_err(io)?;
        Ok(sha)
    }

    async fn get(&self, sha: &str) -> Result<Option<Vec<u8>>> {
        match tokio::fs::read(self.path(sha)?).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    async fn delete(&self, sha: &str) -> Result<()> {
        match tokio::fs::remove_file(self.path(sha)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(e)),
        }
    }
}
