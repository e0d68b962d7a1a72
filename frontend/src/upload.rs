//! The tus 1.0.0 client that carries photos: `fetch` over `Blob.slice`, a SHA-256 checksum on
//! every chunk, and resuming from the server's offset after any failure.
//!
//! The upload URL is written to IndexedDB before the first PATCH, so after a crash or a cut the
//! next try asks the server (`HEAD`) where it stands and sends only what is missing: at most the
//! chunk that was in flight goes again. Chunks start small, grow after successes and shrink
//! after failures, so a weak connection still makes progress.

use std::cell::Cell;

use base64::Engine;
use js_sys::Uint8Array;
use protocol::api::CLIENT_VERSION_HEADER;
use sha2::{Digest, Sha256};
use wasm_bindgen_futures::JsFuture;

use crate::store::{Photo, Problem, Store, StoreError};
use crate::sync::{HttpAnswer, HttpRequest, NetworkError, Transport};

pub const MIN_CHUNK: u32 = 64 * 1024;
pub const MAX_CHUNK: u32 = 2 * 1024 * 1024;
const START_CHUNK: u32 = 256 * 1024;
fn tus() -> (&'static str, String) {
    ("tus-resumable", "1.0.0".into())
}
const UPLOADS: &str = "/api/v1/uploads/";

thread_local! {
    static CHUNK: Cell<u32> = const { Cell::new(START_CHUNK) };
    static STREAK: Cell<u32> = const { Cell::new(0) };
}

/// The chunk size now.
pub fn chunk_size() -> u32 {
    CHUNK.with(Cell::get)
}

/// Two successes in a row double the chunk (up to 2 MiB).
fn chunk_succeeded() {
    let streak = STREAK.with(|s| s.replace(s.get() + 1)) + 1;
    if streak >= 2 {
        STREAK.with(|s| s.set(0));
        CHUNK.with(|c| c.set((c.get() * 2).min(MAX_CHUNK)));
    }
}

/// A failure halves it (down to 64 KiB).
fn chunk_failed() {
    STREAK.with(|s| s.set(0));
    CHUNK.with(|c| c.set((c.get() / 2).max(MIN_CHUNK)));
}

/// How one photo's upload attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Done,
    /// Try again later; `progressed` says whether bytes moved this time.
    Retry {
        progressed: bool,
        retry_after_ms: Option<f64>,
        problem: Problem,
    },
    WaitForAuth(Problem),
    Reject(Problem),
}

fn problem(answer: &Result<HttpAnswer, NetworkError>) -> Problem {
    crate::sync::problem_of(answer)
}

/// What a response that is not the expected success means for the upload.
fn failure(answer: &Result<HttpAnswer, NetworkError>, progressed: bool) -> Step {
    use protocol::outbox::{disposition, Disposition};
    let status = answer.as_ref().ok().map(|a| a.status);
    match disposition(status) {
        Disposition::WaitForAuth => Step::WaitForAuth(problem(answer)),
        Disposition::Reject => Step::Reject(problem(answer)),
        _ => Step::Retry {
            progressed,
            retry_after_ms: answer.as_ref().ok().and_then(|a| a.retry_after_ms()),
            problem: problem(answer),
        },
    }
}

fn offset_of(answer: &HttpAnswer) -> Option<u64> {
    answer
        .header("upload-offset")
        .and_then(|v| v.trim().parse().ok())
}

fn metadata(photo: &Photo) -> String {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let r = &photo.record;
    let (sha256, content_type) = r
        .processed
        .as_ref()
        .map_or((String::new(), String::new()), |p| {
            (p.sha256.clone(), p.content_type.clone())
        });
    format!(
        "photo_id {},case_id {},sha256 {},content_type {}",
        b64(&r.photo_id.to_string()),
        b64(&r.case_id.to_string()),
        b64(&sha256),
        b64(&content_type)
    )
}

async fn read_slice(blob: &web_sys::Blob, start: u64, end: u64) -> Result<Vec<u8>, NetworkError> {
    let slice = blob
        .slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(|_| NetworkError("Blob.slice".into()))?;
    let buffer = JsFuture::from(slice.array_buffer())
        .await
        .map_err(|_| NetworkError("reading the photo".into()))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Sends whatever of `photo` the server does not have yet.
pub async fn upload(
    transport: &impl Transport,
    store: &Store,
    photo: &Photo,
    token: &str,
) -> Result<Step, StoreError> {
    let auth = || crate::sync::bearer(token);
    let id = photo.record.photo_id;
    let (Some(processed), Some(blob)) = (photo.record.processed.as_ref(), photo.photo.as_ref())
    else {
        return Ok(Step::Reject(Problem {
            status: None,
            code: None,
            message: "photo not processed".into(),
            fields: vec![],
        }));
    };
    let size = processed.size;
    let mut url = photo.record.upload.url.clone();
    let mut progressed = false;
    let mut creations = 0;
    let mut bad_checksums = 0;

    loop {
        // Where does the server stand?
        let mut offset = match &url {
            None => {
                creations += 1;
                if creations > 3 {
                    return Ok(Step::Retry {
                        progressed,
                        retry_after_ms: None,
                        problem: problem(&Err(NetworkError("upload keeps disappearing".into()))),
                    });
                }
                let answer = transport
                    .send(HttpRequest {
                        method: "POST",
                        url: UPLOADS.into(),
                        headers: vec![
                            tus(),
                            auth(),
                            ("upload-length", size.to_string()),
                            ("upload-metadata", metadata(photo)),
                            (CLIENT_VERSION_HEADER, env!("CARGO_PKG_VERSION").into()),
                        ],
                        body: None,
                    })
                    .await;
                let location = match &answer {
                    Ok(a) if a.status == 201 || a.status == 200 => {
                        a.header("location").map(str::to_owned)
                    }
                    _ => None,
                };
                let Some(location) = location else {
                    return Ok(failure(&answer, progressed));
                };
                let offset = answer.as_ref().ok().and_then(offset_of).unwrap_or(0);
                // Saved before the first PATCH: a crash from here on resumes this upload.
                store
                    .update_photo(
                        id,
                        |r| {
                            r.upload.url = Some(location.clone());
                            r.upload.sent = offset;
                        },
                        None,
                    )
                    .await?;
                url = Some(location);
                offset
            }
            Some(u) => {
                let answer = transport
                    .send(HttpRequest {
                        method: "HEAD",
                        url: u.clone(),
                        headers: vec![tus(), auth()],
                        body: None,
                    })
                    .await;
                match &answer {
                    Ok(a) if a.status == 200 => match offset_of(a) {
                        Some(o) => o,
                        None => return Ok(failure(&answer, progressed)),
                    },
                    // Expired or cleaned up: create it again under the same photo ID.
                    Ok(a) if a.status == 404 || a.status == 410 => {
                        url = None;
                        continue;
                    }
                    _ => return Ok(failure(&answer, progressed)),
                }
            }
        };
        let Some(target) = url.clone() else { continue };

        while offset < size {
            let end = (offset + u64::from(chunk_size())).min(size);
            let bytes = match read_slice(blob, offset, end).await {
                Ok(b) => b,
                Err(e) => return Ok(failure(&Err(e), progressed)),
            };
            let checksum = format!(
                "sha256 {}",
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&bytes))
            );
            let answer = transport
                .send(HttpRequest {
                    method: "PATCH",
                    url: target.clone(),
                    headers: vec![
                        tus(),
                        auth(),
                        ("upload-offset", offset.to_string()),
                        ("content-type", "application/offset+octet-stream".into()),
                        ("upload-checksum", checksum),
                    ],
                    body: Some(bytes),
                })
                .await;
            match &answer {
                Ok(a) if a.status == 204 => {
                    offset = offset_of(a).unwrap_or(end);
                    progressed = true;
                    bad_checksums = 0;
                    chunk_succeeded();
                    store
                        .update_photo(id, |r| r.upload.sent = offset, None)
                        .await?;
                }
                // Our idea of the offset is stale: ask again.
                Ok(a) if a.status == 409 => break,
                Ok(a) if a.status == 404 || a.status == 410 => {
                    url = None;
                    break;
                }
                Ok(a) if a.status == 460 => {
                    bad_checksums += 1;
                    chunk_failed();
                    if bad_checksums >= 3 {
                        return Ok(failure(&answer, progressed));
                    }
                }
                _ => {
                    chunk_failed();
                    return Ok(failure(&answer, progressed));
                }
            }
        }
        if offset >= size {
            store
                .update_photo(
                    id,
                    |r| {
                        r.upload.sent = size;
                        r.upload.done = true;
                    },
                    None,
                )
                .await?;
            return Ok(Step::Done);
        }
    }
}
