//! The tus 1.0.0 client that carries photos: slices of the stored photo, a SHA-256 checksum on
//! every chunk, and resuming from the server's offset after any failure.
//!
//! The upload URL is written to the store before the first PATCH, so after a crash or a cut the
//! next try asks the server (`HEAD`) where it stands and sends only what is missing: at most the
//! chunk that was in flight goes again. Chunks start small, grow after successes and shrink
//! after failures, so a weak connection still makes progress.
//!
//! The server reports an offset equal to the length only for a photo it has stored (hash checked,
//! in place), so that answer — to a PATCH, a HEAD or a repeated creation — is what marks a photo
//! done here.
//!
//! A photo sealed at Send (shared tablets) uploads its sealed bytes: the length, the offsets and
//! the whole-file SHA-256 are theirs, and the server opens them once they are all there.

use std::cell::Cell;

use base64::Engine;
use protocol::outbox::{disposition, Disposition};
use sha2::{Digest, Sha256};

use crate::records::{PhotoRecord, Problem, UploadProgress};
use crate::register::problem_of;
use crate::store::{DeviceStore, StoreError};
use crate::transport::{
    bearer, client_version, Exchange, HttpAnswer, HttpRequest, Method, Transport,
};

pub const UPLOADS_PATH: &str = "/api/v1/uploads/";
pub const MIN_CHUNK: u32 = 64 * 1024;
pub const MAX_CHUNK: u32 = 2 * 1024 * 1024;
const START_CHUNK: u32 = 256 * 1024;
/// Creations in one attempt before giving up for now (the upload keeps vanishing).
const MAX_CREATIONS: u32 = 3;
/// Chunks refused for their checksum in a row before giving up for now.
const MAX_BAD_CHECKSUMS: u32 = 3;
/// Times one attempt asks the server where it stands (after a stale offset, say) before giving
/// up for now, so a server that keeps refusing cannot hold the worker in a loop.
const MAX_ROUNDS: u32 = 8;

fn tus() -> (&'static str, String) {
    ("tus-resumable", "1.0.0".into())
}

/// The chunk size, adapted to how the connection behaves. One per worker.
pub struct ChunkSizer {
    size: Cell<u32>,
    streak: Cell<u32>,
}

impl Default for ChunkSizer {
    fn default() -> Self {
        ChunkSizer {
            size: Cell::new(START_CHUNK),
            streak: Cell::new(0),
        }
    }
}

impl ChunkSizer {
    pub fn size(&self) -> u32 {
        self.size.get()
    }

    /// Two successes in a row double the chunk (up to 2 MiB).
    fn succeeded(&self) {
        let streak = self.streak.get() + 1;
        if streak >= 2 {
            self.streak.set(0);
            self.size.set((self.size.get() * 2).min(MAX_CHUNK));
        } else {
            self.streak.set(streak);
        }
    }

    /// A failure halves it (down to 64 KiB).
    fn failed(&self) {
        self.streak.set(0);
        self.size.set((self.size.get() / 2).max(MIN_CHUNK));
    }
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

/// What a response that is not the expected success means for the upload.
fn failure(answer: &Exchange, progressed: bool) -> Step {
    let status = answer.as_ref().ok().map(|a| a.status);
    match disposition(status) {
        Disposition::WaitForAuth => Step::WaitForAuth(problem_of(answer)),
        Disposition::Reject => Step::Reject(problem_of(answer)),
        Disposition::Retry | Disposition::Delivered => Step::Retry {
            progressed,
            retry_after_ms: answer.as_ref().ok().and_then(HttpAnswer::retry_after_ms),
            problem: problem_of(answer),
        },
    }
}

fn offset_of(answer: &HttpAnswer) -> Option<u64> {
    answer
        .header("upload-offset")
        .and_then(|v| v.trim().parse().ok())
}

/// The upload's metadata: for a sealed photo, the hash is the sealed bytes' and the seal's key
/// ID and encapsulated key go with it.
fn metadata(photo: &PhotoRecord, sha256: &str, content_type: &str) -> String {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let mut metadata = format!(
        "photo_id {},case_id {},sha256 {},content_type {}",
        b64(&photo.photo_id.to_string()),
        b64(&photo.case_id.to_string()),
        b64(sha256),
        b64(content_type)
    );
    if let Some(seal) = photo.current_seal() {
        metadata.push_str(&format!(
            ",sealed_key {},sealed_enc {}",
            b64(&seal.key_id),
            b64(&seal.enc)
        ));
    }
    metadata
}

/// Sends whatever of `photo` the server does not have yet.
pub async fn upload(
    transport: &impl Transport,
    store: &impl DeviceStore,
    chunks: &ChunkSizer,
    photo: &PhotoRecord,
    token: &str,
) -> Result<Step, StoreError> {
    let auth = || bearer(token);
    let id = photo.photo_id;
    let Some(processed) = photo.processed.as_ref() else {
        return Ok(Step::Reject(Problem::on_device("photo not processed")));
    };
    // A sealed photo's upload counts its sealed bytes.
    let (size, sha256) = match photo.current_seal() {
        Some(seal) => (seal.size, seal.sha256.as_str()),
        None => (processed.size, processed.sha256.as_str()),
    };
    let mut progress = photo.upload.clone();
    let mut progressed = false;
    let mut creations = 0;
    let mut bad_checksums = 0;
    let mut rounds = 0;

    loop {
        rounds += 1;
        if rounds > MAX_ROUNDS {
            return Ok(Step::Retry {
                progressed,
                retry_after_ms: None,
                problem: Problem::on_device("the server keeps refusing this upload's offset"),
            });
        }
        // Where does the server stand?
        let mut offset = match progress.url.clone() {
            None => {
                creations += 1;
                if creations > MAX_CREATIONS {
                    return Ok(Step::Retry {
                        progressed,
                        retry_after_ms: None,
                        problem: Problem::on_device("the upload keeps disappearing"),
                    });
                }
                let answer = transport
                    .send(HttpRequest {
                        method: Method::Post,
                        url: UPLOADS_PATH.into(),
                        headers: vec![
                            tus(),
                            auth(),
                            ("upload-length", size.to_string()),
                            (
                                "upload-metadata",
                                metadata(photo, sha256, &processed.content_type),
                            ),
                            client_version(),
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
                progress = UploadProgress {
                    url: Some(location),
                    sent: offset.min(size),
                    done: false,
                };
                if !store.set_upload_progress(id, &progress).await? {
                    return Ok(Step::Reject(Problem::on_device("photo deleted")));
                }
                offset
            }
            Some(url) => {
                let answer = transport
                    .send(HttpRequest {
                        method: Method::Head,
                        url,
                        headers: vec![tus(), auth()],
                        body: None,
                    })
                    .await;
                match &answer {
                    Ok(a) if a.status == 200 => match offset_of(a) {
                        Some(o) => o.min(size),
                        None => return Ok(failure(&answer, progressed)),
                    },
                    // Expired or cleaned up: create it again under the same photo ID.
                    Ok(a) if a.status == 404 || a.status == 410 => {
                        progress.url = None;
                        continue;
                    }
                    _ => return Ok(failure(&answer, progressed)),
                }
            }
        };
        let Some(target) = progress.url.clone() else {
            continue;
        };

        while offset < size {
            let end = (offset + u64::from(chunks.size())).min(size);
            let Some(bytes) = store.photo_bytes(id, offset, end).await? else {
                return Ok(Step::Reject(Problem::on_device("photo missing on device")));
            };
            let checksum = format!(
                "sha256 {}",
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&bytes))
            );
            let answer = transport
                .send(HttpRequest {
                    method: Method::Patch,
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
                    chunks.succeeded();
                    progress.sent = offset.min(size);
                    if !store.set_upload_progress(id, &progress).await? {
                        return Ok(Step::Reject(Problem::on_device("photo deleted")));
                    }
                }
                // Our idea of the offset is stale, or another request holds the upload: ask again.
                Ok(a) if a.status == 409 || a.status == 423 => break,
                Ok(a) if a.status == 404 || a.status == 410 => {
                    progress.url = None;
                    break;
                }
                Ok(a) if a.status == 460 => {
                    bad_checksums += 1;
                    chunks.failed();
                    if bad_checksums >= MAX_BAD_CHECKSUMS {
                        return Ok(failure(&answer, progressed));
                    }
                    // The whole file did not match its hash and the server started over: ask.
                    break;
                }
                _ => {
                    chunks.failed();
                    return Ok(failure(&answer, progressed));
                }
            }
        }
        if offset >= size && progress.url.is_some() {
            progress.sent = size;
            progress.done = true;
            if !store.set_upload_progress(id, &progress).await? {
                return Ok(Step::Reject(Problem::on_device("photo deleted")));
            }
            return Ok(Step::Done);
        }
    }
}
