//! The photo stores themselves: the data directory, or an S3 bucket when
//! `RESGUARDO_TEST_BLOB_URL` names one (`make test` runs both, the bucket on a real S3-compatible
//! server). Staging in chunks, cut-off chunks, the hash check's inputs, promotion repeated after
//! a crash, and nothing left behind.

mod common;

use std::sync::Arc;

use protocol::PhotoId;
use server::storage::blobs::{read_photo, BlobStore};
use server::storage::Location;
use sha2::{Digest, Sha256};

struct Store {
    blobs: Arc<dyn BlobStore>,
    at: Location,
    _dir: tempfile::TempDir,
}

async fn store() -> Store {
    let dir = tempfile::tempdir().unwrap();
    let at = Location {
        data_dir: dir.path().to_owned(),
        database_url: None,
        blob_url: common::test_blob_url(),
    };
    Store {
        blobs: at.open_blobs().await.unwrap(),
        at,
        _dir: dir,
    }
}

impl Store {
    /// Objects or files left anywhere in the store.
    async fn leftovers(&self) -> usize {
        match &self.at.blob_url {
            Some(url) => server::storage::s3::S3Blobs::from_url(url)
                .unwrap()
                .object_count()
                .await
                .unwrap(),
            None => ["uploads", "photos"]
                .iter()
                .map(|d| std::fs::read_dir(self.at.data_dir.join(d)).unwrap().count())
                .sum(),
        }
    }
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn append(blobs: &dyn BlobStore, id: PhotoId, at: u64, bytes: &[u8]) -> u64 {
    let mut part = blobs.open_part(id, at).await.unwrap();
    for piece in bytes.chunks(7) {
        part.write(piece).await.unwrap();
    }
    assert_eq!(part.written(), bytes.len() as u64);
    part.commit().await.unwrap()
}

#[tokio::test]
async fn small_chunks_are_staged_in_order_and_composed_once_checked() {
    let s = store().await;
    s.blobs.ready().await.unwrap();
    let id = PhotoId::new_random();
    let photo: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut offset = 0;
    for chunk in photo.chunks(1_500) {
        offset = append(&*s.blobs, id, offset, chunk).await;
    }
    assert_eq!(offset, photo.len() as u64);
    assert_eq!(s.blobs.part_sha256(id, offset).await.unwrap(), sha(&photo));
    assert_eq!(
        s.blobs.part_sha256(id, 100).await.unwrap(),
        sha(&photo[..100])
    );
    assert_eq!(s.blobs.read_part(id, 3_000).await.unwrap(), &photo[..3_000]);
    assert_eq!(
        s.blobs.stored_sha256(id).await.unwrap(),
        None,
        "not stored yet"
    );

    s.blobs.promote(id).await.unwrap();
    s.blobs.promote(id).await.unwrap(); // repeated after a crash: still fine
    assert_eq!(s.blobs.stored_sha256(id).await.unwrap(), Some(sha(&photo)));
    assert_eq!(read_photo(&*s.blobs, id).await.unwrap(), photo);
    assert!(s.blobs.location(id).contains(&id.to_string()));
    assert_eq!(s.leftovers().await, 1, "the photo, and no staged chunk");
}

#[tokio::test]
async fn a_chunk_cut_off_or_rolled_back_never_counts() {
    let s = store().await;
    let id = PhotoId::new_random();
    let at = append(&*s.blobs, id, 0, b"first-").await;
    // A chunk whose bytes arrived but whose offset was never recorded (a crash between the two):
    // the next chunk starts at the recorded offset and the stray bytes go.
    append(&*s.blobs, id, at, b"stray bytes").await;
    let at = append(&*s.blobs, id, at, b"second").await;
    assert_eq!(s.blobs.read_part(id, at).await.unwrap(), b"first-second");
    // A chunk that failed its checksum is rolled back.
    let mut part = s.blobs.open_part(id, at).await.unwrap();
    part.write(b"bad").await.unwrap();
    part.rollback().await.unwrap();
    // A chunk that brought nothing adds nothing.
    let empty = s.blobs.open_part(id, at).await.unwrap();
    assert_eq!(empty.commit().await.unwrap(), at);
    assert_eq!(
        s.blobs.part_sha256(id, at).await.unwrap(),
        sha(b"first-second")
    );
    // Starting over drops everything staged.
    let at = append(&*s.blobs, id, 0, b"again").await;
    assert_eq!(s.blobs.read_part(id, at).await.unwrap(), b"again");
}

#[tokio::test]
async fn removing_an_upload_leaves_nothing_behind() {
    let s = store().await;
    let staged = PhotoId::new_random();
    let stored = PhotoId::new_random();
    append(&*s.blobs, staged, 0, b"half a photo").await;
    let at = append(&*s.blobs, stored, 0, b"a whole ").await;
    append(&*s.blobs, stored, at, b"photo").await;
    s.blobs.promote(stored).await.unwrap();
    assert!(s.leftovers().await >= 2);
    s.blobs.remove(staged).await.unwrap();
    s.blobs.remove(stored).await.unwrap();
    s.blobs.remove(PhotoId::new_random()).await.unwrap(); // nothing there: fine
    assert_eq!(s.leftovers().await, 0);
    assert!(s.blobs.open_photo(stored).await.is_err());
    assert_eq!(
        s.blobs.part_sha256(staged, 1).await.unwrap_err().kind(),
        std::io::ErrorKind::NotFound
    );
}
