//! Where photo bytes live, behind the [`BlobStore`] trait: the embedded default [`FsBlobs`]
//! keeps them under the data directory; a scale-out back end keeps them in object storage.
//!
//! An upload is staged until its whole-file SHA-256 is checked, then promoted to a stored photo;
//! nothing half-written or unchecked is ever served. Every step can be repeated after a crash:
//! promoting an upload that is already in place succeeds, and the database (not the blob store)
//! says how many staged bytes count.

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use async_trait::async_trait;
use protocol::PhotoId;
use sha2::{Digest, Sha256};
use tokio::fs::{self, File, OpenOptions};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

/// A stored photo's bytes, as they are read back.
pub type PhotoReader = Pin<Box<dyn AsyncRead + Send>>;

#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Opens the upload's staging for appending at `offset`, discarding any bytes after it (a
    /// chunk that was cut off).
    async fn open_part(&self, id: PhotoId, offset: u64) -> io::Result<Box<dyn PartWriter>>;

    /// SHA-256 (hex) of the first `length` staged bytes; `NotFound` when nothing is staged.
    async fn part_sha256(&self, id: PhotoId, length: u64) -> io::Result<String>;

    /// The first `length` staged bytes (a sealed upload, to be opened: at most the largest upload).
    async fn read_part(&self, id: PhotoId, length: u64) -> io::Result<Vec<u8>>;

    /// Makes a finished, checked upload the stored photo, durably. Succeeds when it is already in
    /// place (a promotion repeated after a crash).
    async fn promote(&self, id: PhotoId) -> io::Result<()>;

    /// SHA-256 (hex) of the stored photo, or `None` when it is not in place.
    async fn stored_sha256(&self, id: PhotoId) -> io::Result<Option<String>>;

    /// Removes whatever exists of an upload (staging and photo).
    async fn remove(&self, id: PhotoId) -> io::Result<()>;

    /// Reads a stored photo.
    async fn open_photo(&self, id: PhotoId) -> io::Result<PhotoReader>;

    /// Whether the store can be reached now (readiness): an error says why not.
    async fn ready(&self) -> io::Result<()>;

    /// Where the photo lives, for operators (`dump-photos`).
    fn location(&self, id: PhotoId) -> String;
}

/// One PATCH's bytes on their way into the staging: `commit` makes them durable and returns the
/// new offset, `rollback` forgets them.
#[async_trait]
pub trait PartWriter: Send {
    async fn write(&mut self, bytes: &[u8]) -> io::Result<()>;
    fn written(&self) -> u64;
    async fn commit(self: Box<Self>) -> io::Result<u64>;
    async fn rollback(self: Box<Self>) -> io::Result<()>;
}

/// Photo bytes on the local disk, under the data directory:
///
/// - `uploads/<photo_id>.part`: an upload in progress; only the first `offset` bytes (as the
///   database records) count, anything after them is a cut-off chunk and is cut away.
/// - `photos/<photo_id>`: a stored photo, renamed there only after fsync and the hash check.
///
/// Paths are built from parsed photo IDs (UUIDs), never from request text, so no request can
/// name a file outside these folders.
#[derive(Debug, Clone)]
pub struct FsBlobs {
    uploads: PathBuf,
    photos: PathBuf,
}

impl FsBlobs {
    pub async fn open(data_dir: &Path) -> io::Result<Self> {
        let store = FsBlobs {
            uploads: data_dir.join("uploads"),
            photos: data_dir.join("photos"),
        };
        fs::create_dir_all(&store.uploads).await?;
        fs::create_dir_all(&store.photos).await?;
        Ok(store)
    }

    fn part_path(&self, id: PhotoId) -> PathBuf {
        self.uploads.join(format!("{id}.part"))
    }

    pub fn photo_path(&self, id: PhotoId) -> PathBuf {
        self.photos.join(id.to_string())
    }
}

async fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir).await?.sync_all().await
}

async fn exists(path: &Path) -> io::Result<bool> {
    match fs::metadata(path).await {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

async fn sha256_of(path: PathBuf, length: Option<u64>) -> io::Result<String> {
    tokio::task::spawn_blocking(move || {
        let file = std::fs::File::open(path)?;
        let mut hasher = Sha256::new();
        match length {
            Some(n) => io::copy(&mut io::Read::take(file, n), &mut hasher)?,
            None => io::copy(&mut io::BufReader::new(file), &mut hasher)?,
        };
        Ok(hex::encode(hasher.finalize()))
    })
    .await
    .map_err(io::Error::other)?
}

#[async_trait]
impl BlobStore for FsBlobs {
    async fn ready(&self) -> io::Result<()> {
        for dir in [&self.uploads, &self.photos] {
            if !fs::metadata(dir).await?.is_dir() {
                return Err(io::Error::other(format!(
                    "{} is not a folder",
                    dir.display()
                )));
            }
        }
        Ok(())
    }

    async fn open_part(&self, id: PhotoId, offset: u64) -> io::Result<Box<dyn PartWriter>> {
        let path = self.part_path(id);
        let created = !exists(&path).await?;
        let mut file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(&path)
            .await?;
        if created {
            // The new name must survive a crash too, or the bytes fsynced into it are lost.
            sync_dir(&self.uploads).await?;
        }
        file.set_len(offset).await?;
        file.seek(io::SeekFrom::Start(offset)).await?;
        Ok(Box::new(FsPart {
            file,
            start: offset,
            written: 0,
        }))
    }

    async fn part_sha256(&self, id: PhotoId, length: u64) -> io::Result<String> {
        sha256_of(self.part_path(id), Some(length)).await
    }

    async fn read_part(&self, id: PhotoId, length: u64) -> io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        File::open(self.part_path(id))
            .await?
            .take(length)
            .read_to_end(&mut bytes)
            .await?;
        Ok(bytes)
    }

    async fn promote(&self, id: PhotoId) -> io::Result<()> {
        let (part, photo) = (self.part_path(id), self.photo_path(id));
        if !exists(&part).await? && exists(&photo).await? {
            return Ok(());
        }
        File::open(&part).await?.sync_all().await?;
        fs::rename(&part, &photo).await?;
        sync_dir(&self.photos).await
    }

    async fn stored_sha256(&self, id: PhotoId) -> io::Result<Option<String>> {
        let path = self.photo_path(id);
        if !exists(&path).await? {
            return Ok(None);
        }
        sha256_of(path, None).await.map(Some)
    }

    async fn remove(&self, id: PhotoId) -> io::Result<()> {
        for path in [self.part_path(id), self.photo_path(id)] {
            match fs::remove_file(path).await {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    async fn open_photo(&self, id: PhotoId) -> io::Result<PhotoReader> {
        Ok(Box::pin(File::open(self.photo_path(id)).await?))
    }

    fn location(&self, id: PhotoId) -> String {
        let path = self.photo_path(id);
        std::path::absolute(&path)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}

struct FsPart {
    file: File,
    start: u64,
    written: u64,
}

#[async_trait]
impl PartWriter for FsPart {
    async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.write_all(bytes).await?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    fn written(&self) -> u64 {
        self.written
    }

    async fn commit(mut self: Box<Self>) -> io::Result<u64> {
        self.file.flush().await?;
        self.file.sync_data().await?;
        Ok(self.start + self.written)
    }

    async fn rollback(self: Box<Self>) -> io::Result<()> {
        self.file.set_len(self.start).await
    }
}

/// Reads a whole stored photo into memory (tests and small tools).
pub async fn read_photo(blobs: &dyn BlobStore, id: PhotoId) -> io::Result<Vec<u8>> {
    let mut reader = blobs.open_photo(id).await?;
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).await?;
    Ok(bytes)
}

/// A [`BlobStore`] that fails on request, for the tests and the delivery simulator: a move into
/// place that fails (as when the server dies right before it), and a full disk.
pub struct FaultyBlobs {
    inner: std::sync::Arc<dyn BlobStore>,
    failing_promotes: std::sync::atomic::AtomicU32,
    disk_full: std::sync::atomic::AtomicBool,
}

impl FaultyBlobs {
    pub fn new(inner: std::sync::Arc<dyn BlobStore>) -> Self {
        FaultyBlobs {
            inner,
            failing_promotes: Default::default(),
            disk_full: Default::default(),
        }
    }

    /// The next `n` moves into place fail.
    pub fn fail_promotes(&self, n: u32) {
        self.failing_promotes
            .store(n, std::sync::atomic::Ordering::SeqCst);
    }

    /// A fault is set or still waiting to strike.
    pub fn armed(&self) -> bool {
        use std::sync::atomic::Ordering;
        self.failing_promotes.load(Ordering::SeqCst) > 0 || self.disk_full.load(Ordering::SeqCst)
    }

    /// While set, every write fails as on a full disk.
    pub fn set_disk_full(&self, full: bool) {
        self.disk_full
            .store(full, std::sync::atomic::Ordering::SeqCst);
    }

    fn full(&self) -> io::Result<()> {
        if self.disk_full.load(std::sync::atomic::Ordering::SeqCst) {
            Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "injected: disk full",
            ))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl BlobStore for FaultyBlobs {
    async fn ready(&self) -> io::Result<()> {
        self.inner.ready().await
    }

    async fn open_part(&self, id: PhotoId, offset: u64) -> io::Result<Box<dyn PartWriter>> {
        self.full()?;
        let inner = self.inner.open_part(id, offset).await?;
        Ok(Box::new(FaultyPart {
            inner,
            disk_full: self.disk_full.load(std::sync::atomic::Ordering::SeqCst),
        }))
    }

    async fn part_sha256(&self, id: PhotoId, length: u64) -> io::Result<String> {
        self.inner.part_sha256(id, length).await
    }

    async fn read_part(&self, id: PhotoId, length: u64) -> io::Result<Vec<u8>> {
        self.inner.read_part(id, length).await
    }

    async fn promote(&self, id: PhotoId) -> io::Result<()> {
        use std::sync::atomic::Ordering;
        let failing = self
            .failing_promotes
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if failing {
            return Err(io::Error::other("injected: the move into place failed"));
        }
        self.full()?;
        self.inner.promote(id).await
    }

    async fn stored_sha256(&self, id: PhotoId) -> io::Result<Option<String>> {
        self.inner.stored_sha256(id).await
    }

    async fn remove(&self, id: PhotoId) -> io::Result<()> {
        self.inner.remove(id).await
    }

    async fn open_photo(&self, id: PhotoId) -> io::Result<PhotoReader> {
        self.inner.open_photo(id).await
    }

    fn location(&self, id: PhotoId) -> String {
        self.inner.location(id)
    }
}

struct FaultyPart {
    inner: Box<dyn PartWriter>,
    disk_full: bool,
}

#[async_trait]
impl PartWriter for FaultyPart {
    async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.disk_full {
            return Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "injected: disk full",
            ));
        }
        self.inner.write(bytes).await
    }

    fn written(&self) -> u64 {
        self.inner.written()
    }

    async fn commit(self: Box<Self>) -> io::Result<u64> {
        self.inner.commit().await
    }

    async fn rollback(self: Box<Self>) -> io::Result<()> {
        self.inner.rollback().await
    }
}
