//! tus helpers: a photo, and the requests a client makes for it.

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use base64::Engine;
use sha2::{Digest, Sha256};

use super::{new_id, Answer, TestApp};

pub const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

pub struct Photo {
    pub id: String,
    pub case_id: String,
    pub bytes: Vec<u8>,
}

impl Photo {
    pub fn new(len: usize) -> Photo {
        let bytes = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        Photo {
            id: new_id(),
            case_id: new_id(),
            bytes,
        }
    }

    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(&self.bytes))
    }

    pub fn metadata(&self) -> String {
        self.metadata_with(&self.sha256(), "image/jpeg")
    }

    pub fn metadata_with(&self, sha256: &str, content_type: &str) -> String {
        [
            ("photo_id", self.id.as_str()),
            ("case_id", &self.case_id),
            ("sha256", sha256),
            ("content_type", content_type),
        ]
        .iter()
        .map(|(k, v)| format!("{k} {}", B64.encode(v)))
        .collect::<Vec<_>>()
        .join(",")
    }

    pub fn url(&self) -> String {
        format!("/api/v1/uploads/{}", self.id)
    }
}

pub fn create_request(
    photo: &Photo,
    metadata: &str,
    length: usize,
) -> axum::http::request::Builder {
    Request::post("/api/v1/uploads/")
        .header("tus-resumable", "1.0.0")
        .header("upload-length", length.to_string())
        .header("upload-metadata", metadata)
        .header("x-photo", photo.id.as_str())
}

pub async fn create(app: &TestApp, photo: &Photo) -> Answer {
    app.send(
        create_request(photo, &photo.metadata(), photo.bytes.len())
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

pub fn patch_request(photo: &Photo, offset: usize, chunk: &[u8]) -> axum::http::request::Builder {
    Request::patch(photo.url())
        .header("tus-resumable", "1.0.0")
        .header("upload-offset", offset.to_string())
        .header("content-type", "application/offset+octet-stream")
        .header("content-length", chunk.len().to_string())
}

pub async fn patch(app: &TestApp, photo: &Photo, offset: usize, chunk: &[u8]) -> Answer {
    app.send(
        patch_request(photo, offset, chunk)
            .body(Body::from(chunk.to_vec()))
            .unwrap(),
    )
    .await
}

pub async fn head(app: &TestApp, photo: &Photo) -> Answer {
    app.send(
        Request::head(photo.url())
            .header("tus-resumable", "1.0.0")
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

pub fn offset(answer: &Answer) -> u64 {
    answer.headers["upload-offset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

pub async fn upload_whole(app: &TestApp, photo: &Photo, chunk: usize) {
    assert_eq!(create(app, photo).await.status, StatusCode::CREATED);
    for (i, piece) in photo.bytes.chunks(chunk).enumerate() {
        let answer = patch(app, photo, i * chunk, piece).await;
        assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.json);
    }
}

/// The stored photo's bytes, from whichever photo store the test runs on.
pub async fn stored_photo_bytes(app: &TestApp, photo: &Photo) -> Option<Vec<u8>> {
    let id = photo.id.parse().ok()?;
    server::storage::blobs::read_photo(&*app.blobs, id)
        .await
        .ok()
}

pub fn tokio_stream_from(
    mut rx: tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}
