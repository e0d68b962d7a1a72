//! Photo bytes in an S3-compatible bucket (`--blob-url s3://BUCKET/PREFIX`), for many server
//! processes: AWS S3, MinIO, Garage, Ceph and others, through `object_store`.
//!
//! Phones send a photo in small chunks, while an S3 multipart part must be at least 5 MiB, so a
//! chunk is not a multipart part: each PATCH's bytes become an object of their own,
//!
//! - `PREFIX/uploads/<photo_id>/<start offset, 20 digits>`: one committed chunk, durable once
//!   its PUT returns; only chunks below the offset the database records count;
//! - `PREFIX/photos/<photo_id>`: the stored photo, composed from the chunks in order once their
//!   whole SHA-256 matched, then the chunks are deleted.
//!
//! Every step can be repeated: opening the staging at an offset deletes (or cuts) the chunks
//! past it, composing again writes the same bytes, and removing an upload deletes every object
//! under its name, so nothing stays in the bucket after expiry or termination.

use std::io;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::buffered::BufWriter;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use protocol::PhotoId;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::blobs::{BlobStore, PartWriter, PhotoReader};

/// A chunk this size or larger goes up as a multipart upload (S3's parts are at least 5 MiB).
const SINGLE_PUT_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct S3Blobs {
    store: Arc<dyn ObjectStore>,
    bucket: String,
    prefix: String,
}

/// `s3://bucket/prefix` that does not name a bucket.
#[derive(Debug, thiserror::Error)]
#[error("{0}: a blob URL is s3://BUCKET or s3://BUCKET/PREFIX")]
pub struct BadBlobUrl(pub String);

impl S3Blobs {
    /// The bucket and prefix `url` names (`s3://bucket/prefix`), reached with the standard AWS
    /// variables: `AWS_ENDPOINT_URL` (for anything but AWS itself), `AWS_REGION`,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`.
    pub fn from_url(url: &str) -> io::Result<Self> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| io::Error::other(BadBlobUrl(url.to_owned())))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(io::Error::other(BadBlobUrl(url.to_owned())));
        }
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        let endpoint = std::env::var("AWS_ENDPOINT_URL").ok();
        if let Some(endpoint) = &endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        let store = builder.build().map_err(to_io)?;
        Ok(S3Blobs {
            store: Arc::new(store),
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
        })
    }

    fn key(&self, rest: &str) -> Path {
        if self.prefix.is_empty() {
            Path::from(rest)
        } else {
            Path::from(format!("{}/{rest}", self.prefix))
        }
    }

    fn chunks_dir(&self, id: PhotoId) -> Path {
        self.key(&format!("uploads/{id}"))
    }

    fn chunk_key(&self, id: PhotoId, start: u64) -> Path {
        self.key(&format!("uploads/{id}/{start:020}"))
    }

    fn photo_key(&self, id: PhotoId) -> Path {
        self.key(&format!("photos/{id}"))
    }

    /// The upload's committed chunks as (start, length, key), in order.
    async fn chunks(&self, id: PhotoId) -> io::Result<Vec<(u64, u64, Path)>> {
        let dir = self.chunks_dir(id);
        let mut chunks: Vec<(u64, u64, Path)> = self
            .store
            .list(Some(&dir))
            .map_err(to_io)
            .try_filter_map(|meta| async move {
                let start = meta
                    .location
                    .filename()
                    .and_then(|name| name.parse::<u64>().ok());
                Ok(start.map(|s| (s, meta.size, meta.location)))
            })
            .try_collect()
            .await?;
        chunks.sort_by_key(|c| c.0);
        Ok(chunks)
    }

    /// The staged bytes from 0 on, chunk by chunk, up to `length` (all when `None`); an error
    /// when nothing is staged or the chunks do not follow one another.
    async fn staged(
        &self,
        id: PhotoId,
        length: Option<u64>,
        mut each: impl FnMut(&[u8]),
    ) -> io::Result<u64> {
        let chunks = self.chunks(id).await?;
        if chunks.is_empty() {
            return Err(io::Error::new(io::ErrorKind::NotFound, "nothing staged"));
        }
        let limit = length.unwrap_or(u64::MAX);
        let mut at = 0u64;
        for (start, _, key) in chunks {
            if at >= limit {
                break;
            }
            if start != at {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("staged chunks of {id} skip from {at} to {start}"),
                ));
            }
            let mut stream = self.store.get(&key).await.map_err(to_io)?.into_stream();
            while let Some(bytes) = stream.next().await {
                let bytes = bytes.map_err(to_io)?;
                let take = usize::try_from((limit - at).min(bytes.len() as u64)).unwrap_or(0);
                each(&bytes[..take]);
                at += take as u64;
                if at >= limit {
                    break;
                }
            }
        }
        Ok(at)
    }

    async fn delete_all(&self, prefix: &Path) -> io::Result<()> {
        let keys: Vec<Path> = self
            .store
            .list(Some(prefix))
            .map_ok(|m| m.location)
            .try_collect()
            .await
            .map_err(to_io)?;
        for key in keys {
            delete_if_present(&*self.store, &key).await?;
        }
        Ok(())
    }

    /// Every object under this store's prefix (tests: nothing may be left behind).
    pub async fn object_count(&self) -> io::Result<usize> {
        let prefix = (!self.prefix.is_empty()).then(|| Path::from(self.prefix.as_str()));
        let all: Vec<_> = self
            .store
            .list(prefix.as_ref())
            .try_collect()
            .await
            .map_err(to_io)?;
        Ok(all.len())
    }
}

fn to_io(e: object_store::Error) -> io::Error {
    match e {
        object_store::Error::NotFound { .. } => io::Error::new(io::ErrorKind::NotFound, e),
        other => io::Error::other(other),
    }
}

async fn delete_if_present(store: &dyn ObjectStore, key: &Path) -> io::Result<()> {
    match store.delete(key).await {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
        Err(e) => Err(to_io(e)),
    }
}

#[async_trait]
impl BlobStore for S3Blobs {
    async fn open_part(&self, id: PhotoId, offset: u64) -> io::Result<Box<dyn PartWriter>> {
        // Chunks at or past the offset were cut off or never counted: they go. One that runs
        // over it (not made by this server, but cheap to heal) is cut to end there.
        for (start, size, key) in self.chunks(id).await? {
            if start >= offset {
                delete_if_present(&*self.store, &key).await?;
            } else if start + size > offset {
                let keep = usize::try_from(offset - start).unwrap_or(usize::MAX);
                let bytes = self.store.get(&key).await.map_err(to_io)?.bytes().await;
                let bytes = bytes.map_err(to_io)?;
                let cut = bytes.slice(..keep.min(bytes.len()));
                self.store
                    .put(&key, PutPayload::from(cut))
                    .await
                    .map_err(to_io)?;
            }
        }
        let writer = BufWriter::with_capacity(
            self.store.clone(),
            self.chunk_key(id, offset),
            SINGLE_PUT_BYTES,
        );
        Ok(Box::new(S3Part {
            writer,
            start: offset,
            written: 0,
        }))
    }

    async fn part_sha256(&self, id: PhotoId, length: u64) -> io::Result<String> {
        let mut hasher = Sha256::new();
        self.staged(id, Some(length), |b| hasher.update(b)).await?;
        Ok(hex::encode(hasher.finalize()))
    }

    async fn read_part(&self, id: PhotoId, length: u64) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        self.staged(id, Some(length), |b| out.extend_from_slice(b))
            .await?;
        Ok(out)
    }

    async fn promote(&self, id: PhotoId) -> io::Result<()> {
        let chunks = self.chunks(id).await?;
        if chunks.is_empty() {
            // Composed before (a promotion repeated after a crash), or never staged.
            return self
                .store
                .head(&self.photo_key(id))
                .await
                .map(|_| ())
                .map_err(to_io);
        }
        // Photos are a few hundred KB: composed in memory, written in one PUT (or multipart
        // past SINGLE_PUT_BYTES), which S3 makes visible whole or not at all.
        let mut whole = Vec::new();
        self.staged(id, None, |b| whole.extend_from_slice(b))
            .await?;
        let mut writer =
            BufWriter::with_capacity(self.store.clone(), self.photo_key(id), SINGLE_PUT_BYTES);
        writer.write_all(&whole).await?;
        writer.shutdown().await?;
        for (_, _, key) in chunks {
            delete_if_present(&*self.store, &key).await?;
        }
        Ok(())
    }

    async fn stored_sha256(&self, id: PhotoId) -> io::Result<Option<String>> {
        let got = match self.store.get(&self.photo_key(id)).await {
            Ok(got) => got,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(to_io(e)),
        };
        let mut hasher = Sha256::new();
        let mut stream = got.into_stream();
        while let Some(bytes) = stream.next().await {
            hasher.update(bytes.map_err(to_io)?);
        }
        Ok(Some(hex::encode(hasher.finalize())))
    }

    async fn remove(&self, id: PhotoId) -> io::Result<()> {
        // Only objects known to exist are deleted (some servers answer a bulk delete of a
        // missing key with an error object_store cannot read); a listing is of a folder.
        self.delete_all(&self.chunks_dir(id)).await?;
        let photo = self.photo_key(id);
        match self.store.head(&photo).await {
            Ok(_) => delete_if_present(&*self.store, &photo).await,
            Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(to_io(e)),
        }
    }

    async fn open_photo(&self, id: PhotoId) -> io::Result<PhotoReader> {
        let got = self.store.get(&self.photo_key(id)).await.map_err(to_io)?;
        let stream = got
            .into_stream()
            .map(|r: object_store::Result<Bytes>| r.map_err(to_io));
        Ok(Box::pin(tokio_util::io::StreamReader::new(stream)))
    }

    async fn ready(&self) -> io::Result<()> {
        // Listing fails when the endpoint, the credentials or the bucket are wrong.
        self.store
            .list_with_delimiter(Some(&self.key("photos")))
            .await
            .map(|_| ())
            .map_err(to_io)
    }

    fn location(&self, id: PhotoId) -> String {
        format!("s3://{}/{}", self.bucket, self.photo_key(id))
    }
}

/// One PATCH's bytes, on their way to becoming one chunk object.
struct S3Part {
    writer: BufWriter,
    start: u64,
    written: u64,
}

#[async_trait]
impl PartWriter for S3Part {
    async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.writer.write_all(bytes).await?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    fn written(&self) -> u64 {
        self.written
    }

    async fn commit(mut self: Box<Self>) -> io::Result<u64> {
        if self.written == 0 {
            // Nothing arrived: no empty object to list and compose later.
            self.writer.abort().await.map_err(to_io)?;
            return Ok(self.start);
        }
        self.writer.shutdown().await?;
        Ok(self.start + self.written)
    }

    async fn rollback(mut self: Box<Self>) -> io::Result<()> {
        self.writer.abort().await.map_err(to_io)
    }
}
