//! Content-addressed attachment bytes in a folder (`blobs/ab/abcdef…`). New
//! bytes are written to `blobs/tmp/` (hashed as they stream in), synced and
//! renamed to `tmp/<sha>.<random>`: staged. Only after the record referring to
//! them commits are they renamed into place (kept), so a key that exists always
//! has its complete bytes and a refused request leaves nothing behind: a staged
//! file whose last handle is dropped unkept is removed, and the sweep removes
//! whatever a crash left.

use async_trait::async_trait;
use loket_core::blob::{BlobStore, BlobWriter, Staged, StagedHandle, SweepItem};
use loket_core::{DomainError, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};
use tokio::io::AsyncWriteExt;

/// Blob store in a folder that every Loket process can reach.
#[derive(Debug, Clone)]
pub struct FsBlobStore {
    root: PathBuf,
}

#[allow(clippy::needless_pass_by_value)] // a `map_err` adapter
fn io(e: std::io::Error) -> DomainError {
    DomainError::Storage(format!("attachment storage: {e}"))
}

fn is_key(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn random_name() -> String {
    let mut bytes = [0u8; 12];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    hex::encode(bytes)
}

/// A staged file: removed when the last handle goes unless it was kept.
#[derive(Debug)]
struct FsStaged {
    path: String,
    kept: AtomicBool,
}

impl StagedHandle for FsStaged {
    fn location(&self) -> &str {
        &self.path
    }

    fn mark_kept(&self) {
        self.kept.store(true, Ordering::SeqCst);
    }
}

impl Drop for FsStaged {
    fn drop(&mut self) {
        if !self.kept.load(Ordering::SeqCst) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Writes one upload to `tmp/`, hashing as it goes.
struct FsWriter {
    tmp: PathBuf,
    file: Option<tokio::fs::File>,
    hash: Sha256,
    written: u64,
}

impl Drop for FsWriter {
    /// An unfinished upload leaves nothing.
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[async_trait]
impl BlobWriter for FsWriter {
    async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| DomainError::Storage("the upload was already finished".into()))?;
        file.write_all(chunk).await.map_err(io)?;
        self.hash.update(chunk);
        self.written += chunk.len() as u64;
        Ok(())
    }

    fn written(&self) -> u64 {
        self.written
    }

    async fn finish(mut self: Box<Self>) -> Result<Staged> {
        let mut file = self
            .file
            .take()
            .ok_or_else(|| DomainError::Storage("the upload was already finished".into()))?;
        let sha = hex::encode(std::mem::take(&mut self.hash).finalize());
        let staged = self.tmp.with_file_name(format!("{sha}.{}", random_name()));
        let done = async {
            file.flush().await?;
            file.sync_all().await?;
            drop(file);
            tokio::fs::rename(&self.tmp, &staged).await
        }
        .await;
        if let Err(e) = done {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(io(e));
        }
        let handle = FsStaged {
            path: staged.to_string_lossy().into_owned(),
            kept: AtomicBool::new(false),
        };
        Ok(Staged::new(sha, self.written, Arc::new(handle)))
    }
}

impl FsBlobStore {
    /// A blob store under `root` (created when missing).
    pub fn new(root: &Path) -> Result<Self> {
        std::fs::create_dir_all(root.join("tmp")).map_err(io)?;
        Ok(Self { root: root.to_owned() })
    }

    fn path(&self, sha: &str) -> Result<PathBuf> {
        if !is_key(sha) {
            return Err(DomainError::invalid("not a content key"));
        }
        Ok(self.root.join(&sha[..2]).join(sha))
    }

    /// Renames a staged file into place and makes the rename durable.
    async fn place(&self, from: &Path, sha: &str) -> Result<()> {
        let path = self.path(sha)?;
        let dir = path.parent().unwrap_or(&self.root).to_owned();
        let from = from.to_owned();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            std::fs::create_dir_all(&dir)?;
            std::fs::rename(&from, &path)?;
            std::fs::File::open(&dir)?.sync_all()
        })
        .await
        .map_err(|e| DomainError::Storage(e.to_string()))?
        .map_err(io)
    }
}

/// Whether a file was last changed at least `min_age` ago.
fn old_enough(path: &Path, min_age: Duration) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .is_ok_and(|t| SystemTime::now().duration_since(t).is_ok_and(|age| age >= min_age))
}

#[async_trait]
impl BlobStore for FsBlobStore {
    async fn read_staged(&self, staged: &Staged) -> Result<Vec<u8>> {
        tokio::fs::read(staged.handle().location()).await.map_err(io)
    }

    async fn writer(&self) -> Result<Box<dyn BlobWriter>> {
        let tmp = self.root.join("tmp").join(format!("upload-{}", random_name()));
        let file = tokio::fs::File::create(&tmp).await.map_err(io)?;
        Ok(Box::new(FsWriter {
            tmp,
            file: Some(file),
            hash: Sha256::new(),
            written: 0,
        }))
    }

    async fn keep(&self, staged: &Staged) -> Result<()> {
        self.place(Path::new(staged.handle().location()), &staged.sha256)
            .await?;
        staged.handle().mark_kept();
        Ok(())
    }

    async fn get(&self, sha: &str) -> Result<Option<Vec<u8>>> {
        match tokio::fs::read(self.path(sha)?).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    async fn open(&self, sha: &str) -> Result<Option<(Box<dyn tokio::io::AsyncRead + Send + Unpin>, u64)>> {
        match tokio::fs::File::open(self.path(sha)?).await {
            Ok(f) => {
                let size = f.metadata().await.map_err(io)?.len();
                Ok(Some((Box::new(f), size)))
            }
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

    async fn sweep_list(&self, min_age: Duration) -> Result<Vec<SweepItem>> {
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<Vec<SweepItem>> {
            let mut out = Vec::new();
            for dir in std::fs::read_dir(&root)? {
                let dir = dir?;
                let name = dir.file_name().to_string_lossy().into_owned();
                let waiting = name == "tmp";
                if !(waiting || (name.len() == 2 && name.bytes().all(|b| b.is_ascii_hexdigit()))) {
                    continue;
                }
                for f in std::fs::read_dir(dir.path())? {
                    let f = f?;
                    let file = f.file_name().to_string_lossy().into_owned();
                    if !old_enough(&f.path(), min_age) {
                        continue;
                    }
                    let sha = file.split('.').next().unwrap_or_default().to_owned();
                    out.push(SweepItem {
                        // A partial upload a crash left has no key: the sweep removes it.
                        sha256: if is_key(&sha) { sha } else { String::new() },
                        waiting: waiting.then_some(file),
                    });
                }
            }
            Ok(out)
        })
        .await
        .map_err(|e| DomainError::Storage(e.to_string()))?
        .map_err(io)
    }

    async fn sweep_remove(&self, item: &SweepItem, min_age: Duration) -> Result<()> {
        let path = match &item.waiting {
            Some(name) if !name.contains(['/', '\\']) => self.root.join("tmp").join(name),
            Some(_) => return Err(DomainError::invalid("not a temporary file")),
            None => self.path(&item.sha256)?,
        };
        // Bytes kept again since they were listed (a new upload of the same
        // content) are fresh: leave them.
        if old_enough(&path, min_age) {
            match tokio::fs::remove_file(&path).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(e)),
            }
        }
        Ok(())
    }

    async fn sweep_keep(&self, item: &SweepItem) -> Result<()> {
        let Some(name) = item.waiting.as_deref().filter(|n| !n.contains(['/', '\\'])) else {
            return Ok(());
        };
        let from = self.root.join("tmp").join(name);
        if tokio::fs::try_exists(self.path(&item.sha256)?).await.map_err(io)? {
            let _ = tokio::fs::remove_file(&from).await;
            return Ok(());
        }
        self.place(&from, &item.sha256).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files_in(dir: &Path) -> usize {
        std::fs::read_dir(dir).map_or(0, Iterator::count)
    }

    #[tokio::test]
    async fn staged_bytes_vanish_unless_kept() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let blobs = FsBlobStore::new(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let dropped = blobs.stage(b"weg").await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(files_in(&dir.path().join("tmp")), 1);
        drop(dropped);
        assert_eq!(files_in(&dir.path().join("tmp")), 0, "dropped unkept: removed");

        let kept = blobs.stage(b"blijft").await.unwrap_or_else(|e| panic!("{e}"));
        blobs.keep(&kept).await.unwrap_or_else(|e| panic!("{e}"));
        drop(kept.clone());
        drop(kept);
        assert_eq!(files_in(&dir.path().join("tmp")), 0);
        let sha = hex::encode(Sha256::digest(b"blijft"));
        assert_eq!(blobs.get(&sha).await.ok().flatten().as_deref(), Some(&b"blijft"[..]));

        let mut w = blobs.writer().await.unwrap_or_else(|e| panic!("{e}"));
        w.write(b"half").await.unwrap_or_else(|e| panic!("{e}"));
        drop(w);
        assert_eq!(
            files_in(&dir.path().join("tmp")),
            0,
            "an unfinished upload leaves nothing"
        );
    }

    #[tokio::test]
    async fn the_sweep_sees_old_files_only() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let blobs = FsBlobStore::new(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let kept = blobs.stage(b"oud").await.unwrap_or_else(|e| panic!("{e}"));
        blobs.keep(&kept).await.unwrap_or_else(|e| panic!("{e}"));
        let listed = blobs.sweep_list(Duration::ZERO).await.unwrap_or_default();
        assert_eq!(
            listed,
            vec![SweepItem {
                sha256: kept.sha256.clone(),
                waiting: None
            }]
        );
        assert!(
            blobs
                .sweep_list(Duration::from_hours(1))
                .await
                .unwrap_or_default()
                .is_empty()
        );
        blobs
            .sweep_remove(&listed[0], Duration::ZERO)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(blobs.get(&kept.sha256).await.ok().flatten(), None);
    }
}
