//! Photo bytes on the local disk, under the data directory:
//!
//! - `uploads/<photo_id>.part`: an upload in progress; only the first `offset` bytes (as the
//!   database records) count, anything after them is a cut-off chunk and is cut away.
//! - `photos/<photo_id>`: a finished photo, moved there only after fsync and the hash check,
//!   so nothing half-written is ever served.
//!
//! Paths are built from parsed photo IDs (UUIDs), never from request text, so no request can
//! name a file outside these folders.

use std::path::{Path, PathBuf};

use protocol::PhotoId;
use sha2::{Digest, Sha256};
use tokio::fs::{self, File, OpenOptions};
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

#[derive(Debug, Clone)]
pub struct BlobStore {
    uploads: PathBuf,
    photos: PathBuf,
}

impl BlobStore {
    pub async fn open(data_dir: &Path) -> std::io::Result<Self> {
        let store = BlobStore {
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

    /// Opens the part file for appending at `offset`, discarding any bytes after it.
    pub async fn open_part(&self, id: PhotoId, offset: u64) -> std::io::Result<PartWriter> {
        let mut file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(self.part_path(id))
            .await?;
        file.set_len(offset).await?;
        file.seek(std::io::SeekFrom::Start(offset)).await?;
        Ok(PartWriter {
            file,
            start: offset,
            written: 0,
        })
    }

    /// SHA-256 (hex) of the first `length` bytes of the part file.
    pub async fn part_sha256(&self, id: PhotoId) -> std::io::Result<String> {
        let path = self.part_path(id);
        tokio::task::spawn_blocking(move || {
            let mut file = std::fs::File::open(path)?;
            let mut hasher = Sha256::new();
            std::io::copy(&mut file, &mut hasher)?;
            Ok(hex::encode(hasher.finalize()))
        })
        .await
        .map_err(std::io::Error::other)?
    }

    /// Moves a finished, checked upload into place: fsync, rename, fsync the folder.
    pub async fn promote(&self, id: PhotoId) -> std::io::Result<()> {
        File::open(self.part_path(id)).await?.sync_all().await?;
        fs::rename(self.part_path(id), self.photo_path(id)).await?;
        File::open(&self.photos).await?.sync_all().await
    }

    /// Removes whatever exists of an upload (part file and photo).
    pub async fn remove(&self, id: PhotoId) -> std::io::Result<()> {
        for path in [self.part_path(id), self.photo_path(id)] {
            match fs::remove_file(path).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }
}

/// Appends one PATCH's bytes; `rollback` forgets them, `commit` makes them durable.
pub struct PartWriter {
    file: File,
    start: u64,
    written: u64,
}

impl PartWriter {
    pub async fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file.write_all(bytes).await?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    pub fn written(&self) -> u64 {
        self.written
    }

    /// fsyncs and returns the new offset.
    pub async fn commit(mut self) -> std::io::Result<u64> {
        self.file.flush().await?;
        self.file.sync_data().await?;
        Ok(self.start + self.written)
    }

    pub async fn rollback(self) -> std::io::Result<()> {
        self.file.set_len(self.start).await
    }
}
