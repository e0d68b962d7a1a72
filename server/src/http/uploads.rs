//! Document photos over tus 1.0.0 at `/api/v1/uploads/`, with the extensions creation,
//! creation-with-upload, checksum (sha1, sha256), expiration and termination.
//!
//! The photo ID (from `Upload-Metadata`) is the upload's ID, so a creation that is repeated
//! because its answer was lost finds the same upload instead of making a second file. Bytes are
//! fsynced before their offset is recorded; a PATCH whose chunk checksum does not match (460),
//! or that is cut off while carrying a checksum, leaves the offset where it was.
//!
//! Finishing an upload (whole-file SHA-256, move into place, mark stored) is idempotent and runs
//! whenever every byte is there: after the last PATCH, on HEAD, on a repeated creation and at
//! start-up, so a connection that closed, a server killed or a move that failed in between never
//! leaves an upload full but unstored. Only a stored photo is ever reported with an offset equal
//! to its length. The part of a PATCH after its body was read runs as a task of its own, so a
//! client that hangs up cannot cancel it half-way.
//!
//! A shared tablet's photos travel sealed for the organisation (`sealed_key`, `sealed_enc` in the
//! metadata; `protocol::sealed::seal_photo`): offsets, chunk checksums and the whole-file SHA-256
//! count the sealed bytes, and finishing opens them, so the photo stored (and what a case names)
//! is the opened one.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use futures_util::StreamExt;
use protocol::form::{is_photo_content_type, is_sha256_hex};
use protocol::{CaseId, PhotoId};
use sha1::Digest as _;

use super::devices::SendingDevice;
use super::{AppState, Error};
use crate::storage::blobs::PartWriter;
use crate::storage::{now_unix, CreateOutcome, OpenedPhoto, SealedUpload, Storage, Upload};

pub const TUS_VERSION: &str = "1.0.0";

/// The one tus version spoken here, as the OpenAPI document names it.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub enum TusResumable {
    #[schema(rename = "1.0.0")]
    V1,
}
pub const TUS_EXTENSIONS: &str = "creation,creation-with-upload,checksum,expiration,termination";
pub const TUS_CHECKSUMS: &str = "sha1,sha256";
const OFFSET_CONTENT_TYPE: &str = "application/offset+octet-stream";

fn h(name: &'static str) -> HeaderName {
    HeaderName::from_static(name)
}

fn value(v: impl ToString) -> HeaderValue {
    HeaderValue::from_str(&v.to_string()).unwrap_or(HeaderValue::from_static(""))
}

/// Uploads being written or finished right now: a second writer to the same upload is refused
/// rather than interleaving bytes, and clean-up leaves a moving upload alone. Decided in the
/// database (a lease per upload, [`Storage::lease_upload`]), so it holds across every server
/// process on it; the set in memory only spares the database a request this process already
/// knows it must refuse.
pub struct UploadLocks {
    held: Mutex<HashSet<PhotoId>>,
    storage: Arc<dyn Storage>,
    /// This process, as lease holder.
    process: String,
}

/// Held while one request writes or finishes an upload; released when dropped. Its lease is
/// renewed in the background for as long as it is held.
pub struct UploadLock {
    locks: Arc<UploadLocks>,
    id: PhotoId,
    token: String,
    renewing: tokio::task::JoinHandle<()>,
}

/// How long a lease lasts unless renewed: a process that dies mid-upload blocks that upload for
/// at most this long.
const LEASE_SECS: i64 = 15;
const LEASE_RENEW_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

impl UploadLocks {
    pub fn new(storage: Arc<dyn Storage>) -> Self {
        UploadLocks {
            held: Mutex::new(HashSet::new()),
            storage,
            process: uuid::Uuid::new_v4().to_string(),
        }
    }

    pub async fn try_lock(self: &Arc<Self>, id: PhotoId) -> Result<Option<UploadLock>, Error> {
        if !self
            .held
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id)
        {
            return Ok(None);
        }
        // From here the set holds `id`; `Unheld` takes it out again unless the lease is taken.
        let unheld = Unheld(self, id);
        let token = uuid::Uuid::new_v4().to_string();
        let now = now_unix();
        if !self
            .storage
            .lease_upload(id, &self.process, &token, now, now + LEASE_SECS)
            .await?
        {
            return Ok(None);
        }
        std::mem::forget(unheld);
        let renewing = tokio::spawn({
            let (storage, token) = (self.storage.clone(), token.clone());
            async move {
                loop {
                    tokio::time::sleep(LEASE_RENEW_EVERY).await;
                    let until = now_unix() + LEASE_SECS;
                    match storage.renew_upload_lease(id, &token, until).await {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::error!(photo_id = %id, "upload lease lost while held");
                            return;
                        }
                        Err(e) => {
                            tracing::warn!(photo_id = %id, error = %e, "renewing an upload lease failed")
                        }
                    }
                }
            }
        });
        Ok(Some(UploadLock {
            locks: self.clone(),
            id,
            token,
            renewing,
        }))
    }
}

/// Takes an upload out of the in-memory set when a lease was not taken after all.
struct Unheld<'a>(&'a UploadLocks, PhotoId);

impl Drop for Unheld<'_> {
    fn drop(&mut self) {
        self.0
            .held
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.1);
    }
}

impl UploadLocks {
    /// Waits up to `patience` for the lock: finishing an upload takes moments, so a HEAD that
    /// finds one being finished waits for the answer rather than being told to come back.
    pub async fn lock_within(
        self: &Arc<Self>,
        id: PhotoId,
        patience: std::time::Duration,
    ) -> Result<Option<UploadLock>, Error> {
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            if let Some(lock) = self.try_lock(id).await? {
                return Ok(Some(lock));
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

impl UploadLock {
    /// Gives the lease back now, before the answer goes out: the client's next request may reach
    /// another process at once, and must not find this one still holding the upload.
    pub async fn release(mut self) {
        self.renewing.abort();
        let token = std::mem::take(&mut self.token);
        if let Err(e) = self.locks.storage.release_upload(self.id, &token).await {
            tracing::warn!(photo_id = %self.id, error = %e, "giving an upload lease back failed; it runs out by itself");
        }
        // Drop takes it out of the in-memory set; with no token left it asks the database nothing.
    }

    /// Whether this request still holds the upload (its lease did not run out and pass to
    /// another process): checked before an offset is recorded.
    async fn still_held(&self) -> Result<bool, Error> {
        let until = now_unix() + LEASE_SECS;
        Ok(self
            .locks
            .storage
            .renew_upload_lease(self.id, &self.token, until)
            .await?)
    }
}

/// How long a request waits for an upload that another request is finishing.
const FINISH_PATIENCE: std::time::Duration = std::time::Duration::from_secs(5);

impl Drop for UploadLock {
    fn drop(&mut self) {
        self.renewing.abort();
        self.locks
            .held
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.id);
        // This process's next request for the upload may take the lease before this release
        // runs: it gets a token of its own, so the release then gives back nothing.
        let (storage, id, token) = (
            self.locks.storage.clone(),
            self.id,
            std::mem::take(&mut self.token),
        );
        if token.is_empty() {
            return; // released already
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = storage.release_upload(id, &token).await {
                    tracing::warn!(photo_id = %id, error = %e, "giving an upload lease back failed; it runs out by itself");
                }
            });
        }
    }
}

fn tus_headers(response: &mut Response) {
    response
        .headers_mut()
        .insert(h("tus-resumable"), HeaderValue::from_static(TUS_VERSION));
}

fn with_tus(status: StatusCode, headers: Vec<(HeaderName, HeaderValue)>) -> Response {
    let mut response = status.into_response();
    for (name, v) in headers {
        response.headers_mut().insert(name, v);
    }
    tus_headers(&mut response);
    response
}

fn check_version(headers: &HeaderMap) -> Result<(), Error> {
    match headers.get("tus-resumable").and_then(|v| v.to_str().ok()) {
        Some(TUS_VERSION) => Ok(()),
        _ => Err(Error::UnsupportedTusVersion),
    }
}

fn expires_header(upload: &Upload) -> Option<(HeaderName, HeaderValue)> {
    let at = std::time::UNIX_EPOCH
        + std::time::Duration::from_secs(u64::try_from(upload.expires_at).ok()?);
    (!upload.completed).then(|| (h("upload-expires"), value(httpdate::fmt_http_date(at))))
}

#[utoipa::path(
    options,
    path = "/api/v1/uploads/",
    tag = "uploads",
    responses((status = 204, description = "tus capabilities", headers(
        ("Tus-Resumable" = TusResumable, description = "1.0.0"),
        ("Tus-Version" = String, description = "1.0.0"),
        ("Tus-Extension" = String, description = "creation,creation-with-upload,checksum,expiration,termination"),
        ("Tus-Max-Size" = u64, description = "The largest photo accepted, in bytes"),
        ("Tus-Checksum-Algorithm" = String, description = "sha1,sha256"),
    )))
)]
pub async fn options(State(state): State<AppState>) -> Response {
    let mut response = with_tus(
        StatusCode::NO_CONTENT,
        vec![
            (h("tus-version"), HeaderValue::from_static(TUS_VERSION)),
            (h("tus-extension"), HeaderValue::from_static(TUS_EXTENSIONS)),
            (h("tus-max-size"), value(state.max_upload_bytes)),
            (
                h("tus-checksum-algorithm"),
                HeaderValue::from_static(TUS_CHECKSUMS),
            ),
        ],
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The metadata a photo upload must carry.
struct PhotoMetadata {
    photo_id: PhotoId,
    case_id: CaseId,
    sha256: String,
    content_type: String,
    sealed: Option<SealedUpload>,
}

/// `key base64,key base64`; keys without values are allowed by tus and ignored here.
fn parse_metadata(raw: &str) -> Result<PhotoMetadata, Error> {
    let mut pairs = HashMap::new();
    for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (key, encoded) = item.split_once(' ').unwrap_or((item, ""));
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map_err(|_| Error::BadMetadata("a value is not base64"))?;
        let text =
            String::from_utf8(decoded).map_err(|_| Error::BadMetadata("a value is not UTF-8"))?;
        pairs.insert(key.to_owned(), text);
    }
    let get = |key: &'static str| pairs.get(key).ok_or(Error::BadMetadata(key));
    let content_type = get("content_type")?.clone();
    if !is_photo_content_type(&content_type) {
        return Err(Error::UnsupportedMediaType);
    }
    let sha256 = get("sha256")?.to_ascii_lowercase();
    if !is_sha256_hex(&sha256) {
        return Err(Error::BadMetadata("sha256"));
    }
    let sealed = match (pairs.get("sealed_key"), pairs.get("sealed_enc")) {
        (None, None) => None,
        (Some(key_id), Some(enc)) => {
            let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(enc);
            if key_id.is_empty() || decoded.map_or(true, |k| k.len() != 32) {
                return Err(Error::BadMetadata("sealed_enc"));
            }
            Some(SealedUpload {
                key_id: key_id.clone(),
                enc: enc.clone(),
            })
        }
        (None, Some(_)) => return Err(Error::BadMetadata("sealed_key")),
        (Some(_), None) => return Err(Error::BadMetadata("sealed_enc")),
    };
    Ok(PhotoMetadata {
        photo_id: get("photo_id")?
            .parse()
            .map_err(|_| Error::BadMetadata("photo_id"))?,
        case_id: get("case_id")?
            .parse()
            .map_err(|_| Error::BadMetadata("case_id"))?,
        sha256,
        content_type,
        sealed,
    })
}

fn header_u64(headers: &HeaderMap, name: &str) -> Result<Option<u64>, Error> {
    match headers.get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .map(Some)
            .ok_or(Error::BadHeader(name.to_owned())),
    }
}

fn is_offset_stream(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() == OFFSET_CONTENT_TYPE)
}

#[utoipa::path(
    post,
    path = "/api/v1/uploads/",
    tag = "uploads",
    security(("device_token" = [])),
    params(
        ("Tus-Resumable" = TusResumable, Header, description = "The tus version: 1.0.0"),
        ("Upload-Length" = u64, Header, description = "Size of the photo in bytes"),
        ("Upload-Metadata" = String, Header, description = "`photo_id`, `case_id`, `sha256` (hex of the whole file), `content_type` (image/jpeg, image/png, image/webp), each base64; for a photo sealed for the organisation also `sealed_key` (a key ID of `GET /api/v1/keys`) and `sealed_enc` (the HPKE encapsulated key, base64url), and then the length, offsets and `sha256` count the sealed bytes"),
    ),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream", description = "Optional first bytes (creation-with-upload)"),
    responses(
        (status = 201, description = "Created, or the existing upload of this photo (a repeated creation finds it, and finishes it if every byte is there); an `Upload-Offset` equal to the length means the photo is stored", headers(
            ("Tus-Resumable" = TusResumable),
            ("Location" = String, description = "The upload's URL"),
            ("Upload-Offset" = u64, description = "Bytes the server holds"),
            ("Upload-Expires" = String, description = "When an unfinished upload that stops moving is removed (HTTP date)"),
        )),
        (status = 400, description = "`bad_request`: missing or malformed header or metadata; `unknown_key`: sealed to a key this server does not hold", body = protocol::api::ErrorBody),
        (status = 401, description = "`unauthorized`: no valid device token (`Authorization: Bearer`)", body = protocol::api::ErrorBody),
        (status = 409, description = "`upload_conflict`: this photo ID was created with different content", body = protocol::api::ErrorBody),
        (status = 412, description = "`unsupported_tus_version`", body = protocol::api::ErrorBody, headers(("Tus-Version" = String))),
        (status = 413, description = "`payload_too_large`: over `Tus-Max-Size`", body = protocol::api::ErrorBody),
        (status = 415, description = "`unsupported_media_type`: not an image type", body = protocol::api::ErrorBody),
        (status = 429, description = "`upload_quota_exceeded`: this device has too many unfinished uploads open; `Retry-After`", body = protocol::api::ErrorBody, headers(("Retry-After" = u64))),
        (status = 460, description = "`checksum_mismatch` on the first bytes", body = protocol::api::ErrorBody),
        (status = 503, description = "`unavailable`: the upload is being finished by another request; `Retry-After`", body = protocol::api::ErrorBody, headers(("Retry-After" = u64))),
        (status = 507, description = "`insufficient_storage`: the server's disk is full; nothing was kept; `Retry-After`", body = protocol::api::ErrorBody, headers(("Retry-After" = u64))),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    device: Option<axum::Extension<SendingDevice>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Error> {
    check_version(&headers)?;
    if headers.contains_key("upload-defer-length") {
        return Err(Error::BadHeader(
            "upload-defer-length is not supported".into(),
        ));
    }
    let length =
        header_u64(&headers, "upload-length")?.ok_or(Error::BadHeader("upload-length".into()))?;
    if length > state.max_upload_bytes {
        return Err(Error::PayloadTooLarge);
    }
    if length == 0 {
        return Err(Error::BadHeader("upload-length".into()));
    }
    let raw_metadata = headers
        .get("upload-metadata")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let meta = parse_metadata(&raw_metadata)?;
    if let Some(sealed) = &meta.sealed {
        state.keys.learn(&sealed.key_id).await;
        if !state.keys.knows(&sealed.key_id) {
            return Err(Error::UnknownKey);
        }
    }
    let device_id = device.map(|d| d.0 .0);
    if let Some(device_id) = device_id {
        check_device_cap(&state, device_id, meta.photo_id, length).await?;
    }
    let upload = Upload {
        photo_id: meta.photo_id,
        case_id: meta.case_id,
        length,
        offset: 0,
        sha256: meta.sha256,
        content_type: meta.content_type,
        metadata: raw_metadata,
        expires_at: state.upload_expiry_from_now(),
        completed: false,
        device_id,
        sealed: meta.sealed,
        opened: None,
    };
    let mut upload = match state.storage.create_upload(upload).await? {
        CreateOutcome::Created(u) => {
            tracing::info!(photo_id = %u.photo_id, length, "upload created");
            u
        }
        CreateOutcome::Existing(u) => {
            tracing::info!(photo_id = %u.photo_id, offset = u.offset, "upload creation repeated");
            u
        }
        CreateOutcome::Conflict => return Err(Error::UploadConflict),
    };
    if upload.is_full() && !upload.completed {
        upload = finish_now(&state, upload).await?;
    }
    // creation-with-upload: the body is the first PATCH. A repeated creation whose upload already
    // moved on, or that another request is writing right now, ignores its body (the client
    // learns the real offset from Upload-Offset) but reads it: answering before the body is in
    // makes the kernel reset the connection and the client never sees the answer.
    let lock = if is_offset_stream(&headers) && !upload.completed && upload.offset == 0 {
        state.upload_locks.try_lock(upload.photo_id).await?
    } else {
        None
    };
    match lock {
        Some(lock) => {
            upload = write_chunk(&state, lock, upload.photo_id, 0, &headers, body).await?;
        }
        None => super::body::drain(body, state.max_upload_bytes).await,
    }
    let mut headers_out = vec![
        (
            header::LOCATION,
            value(format!("/api/v1/uploads/{}", upload.photo_id)),
        ),
        (h("upload-offset"), value(upload.offset)),
    ];
    headers_out.extend(expires_header(&upload));
    Ok(with_tus(StatusCode::CREATED, headers_out))
}

/// One device may keep only so many bytes of unfinished uploads open.
async fn check_device_cap(
    state: &AppState,
    device_id: uuid::Uuid,
    photo_id: PhotoId,
    length: u64,
) -> Result<(), Error> {
    if state.storage.upload(photo_id).await?.is_some() {
        return Ok(()); // a repeated creation adds nothing
    }
    let open = state.storage.unfinished_upload_bytes(device_id).await?;
    if open.saturating_add(length) > state.device_unfinished_upload_bytes {
        tracing::warn!(%device_id, open, length, "device upload cap reached");
        return Err(Error::UploadQuotaExceeded(UPLOAD_QUOTA_RETRY_SECS));
    }
    Ok(())
}

/// How soon a device over its cap may try again: its other uploads finish or expire meanwhile.
const UPLOAD_QUOTA_RETRY_SECS: u64 = 600;

fn parse_id(id: &str) -> Result<PhotoId, Error> {
    id.parse().map_err(|_| Error::NotFound)
}

/// The upload, or 404; an unfinished one past its time is 410 (and cleaned up). One that every
/// byte reached is finished first, so what is reported is what is stored.
async fn live_upload(state: &AppState, id: PhotoId) -> Result<Upload, Error> {
    let upload = state.storage.upload(id).await?.ok_or(Error::NotFound)?;
    let now = now_unix();
    if !upload.completed && upload.expires_at < now {
        // A request moving it right now holds the lock: then it is not expired after all.
        if let Some(lock) = state.upload_locks.try_lock(id).await? {
            if state.storage.delete_upload_if_expired(id, now).await? {
                state.blobs.remove(id).await.map_err(Error::io)?;
            }
            lock.release().await;
            return Err(Error::Gone);
        }
    }
    if upload.is_full() && !upload.completed {
        return finish_now(state, upload).await;
    }
    Ok(upload)
}

#[utoipa::path(
    head,
    path = "/api/v1/uploads/{photo_id}",
    tag = "uploads",
    security(("device_token" = [])),
    params(
        ("photo_id" = String, Path, format = Uuid),
        ("Tus-Resumable" = TusResumable, Header, description = "The tus version: 1.0.0"),
    ),
    responses(
        (status = 200, description = "Where the upload stands; never cached. An upload every byte reached is finished first, so an `Upload-Offset` equal to `Upload-Length` means the photo is stored", headers(
            ("Tus-Resumable" = TusResumable),
            ("Upload-Offset" = u64),
            ("Upload-Length" = u64),
            ("Upload-Metadata" = String),
        )),
        (status = 401, description = "`unauthorized`: no valid device token"),
        (status = 404, description = "No such upload: create it again with the same photo ID"),
        (status = 410, description = "The upload expired: create it again"),
        (status = 412, description = "`unsupported_tus_version`", headers(("Tus-Version" = String))),
        (status = 503, description = "The upload is being finished by another request; `Retry-After`", headers(("Retry-After" = u64))),
        (status = 507, description = "The disk is full, so the upload cannot be finished yet; `Retry-After`", headers(("Retry-After" = u64))),
    )
)]
pub async fn head(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    check_version(&headers)?;
    let upload = live_upload(&state, parse_id(&id)?).await?;
    let mut out = vec![
        (h("upload-offset"), value(upload.offset)),
        (h("upload-length"), value(upload.length)),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ];
    if !upload.metadata.is_empty() {
        out.push((h("upload-metadata"), value(&upload.metadata)));
    }
    out.extend(expires_header(&upload));
    Ok(with_tus(StatusCode::OK, out))
}

#[utoipa::path(
    patch,
    path = "/api/v1/uploads/{photo_id}",
    tag = "uploads",
    security(("device_token" = [])),
    params(
        ("photo_id" = String, Path, format = Uuid),
        ("Tus-Resumable" = TusResumable, Header, description = "The tus version: 1.0.0"),
        ("Upload-Offset" = u64, Header, description = "Where these bytes start; must equal the server's offset"),
        ("Upload-Checksum" = Option<String>, Header, description = "`sha1 <base64>` or `sha256 <base64>` of this chunk"),
    ),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    responses(
        (status = 204, description = "Stored; `Upload-Offset` is the new offset. The last chunk also checks the whole file's SHA-256 and puts the photo in place", headers(
            ("Tus-Resumable" = TusResumable),
            ("Upload-Offset" = u64),
            ("Upload-Expires" = String),
        )),
        (status = 400, description = "`bad_request` / `unsupported_checksum`, or the body broke off (what arrived without a checksum is kept)", body = protocol::api::ErrorBody),
        (status = 401, description = "`unauthorized`: no valid device token (`Authorization: Bearer`)", body = protocol::api::ErrorBody),
        (status = 404, description = "No such upload", body = protocol::api::ErrorBody),
        (status = 408, description = "`timeout`: the body stopped arriving; what arrived without a checksum is kept", body = protocol::api::ErrorBody),
        (status = 409, description = "`upload_conflict` (wrong offset; nothing changed) or `upload_locked` (another request is writing)", body = protocol::api::ErrorBody),
        (status = 410, description = "`gone`: expired", body = protocol::api::ErrorBody),
        (status = 412, description = "`unsupported_tus_version`", body = protocol::api::ErrorBody, headers(("Tus-Version" = String))),
        (status = 413, description = "`payload_too_large`: more bytes than `Upload-Length`", body = protocol::api::ErrorBody),
        (status = 415, description = "`unsupported_media_type`: not application/offset+octet-stream", body = protocol::api::ErrorBody),
        (status = 460, description = "`checksum_mismatch`: the chunk was discarded (or, on the last chunk, the whole file did not match its SHA-256 and the upload starts over)", body = protocol::api::ErrorBody),
        (status = 503, description = "`unavailable`: the upload is being finished by another request; `Retry-After`", body = protocol::api::ErrorBody, headers(("Retry-After" = u64))),
        (status = 507, description = "`insufficient_storage`: the server's disk is full; nothing of this chunk was kept; `Retry-After`", body = protocol::api::ErrorBody, headers(("Retry-After" = u64))),
    )
)]
pub async fn patch(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Error> {
    check_version(&headers)?;
    if !is_offset_stream(&headers) {
        return Err(Error::UnsupportedMediaType);
    }
    let offset =
        header_u64(&headers, "upload-offset")?.ok_or(Error::BadHeader("upload-offset".into()))?;
    let id = parse_id(&id)?;
    let upload = live_upload(&state, id).await?;
    if offset != upload.offset || upload.completed {
        return Err(Error::UploadConflict);
    }
    let lock = state
        .upload_locks
        .try_lock(id)
        .await?
        .ok_or(Error::UploadLocked)?;
    let upload = write_chunk(&state, lock, id, offset, &headers, body).await?;
    let mut out = vec![(h("upload-offset"), value(upload.offset))];
    out.extend(expires_header(&upload));
    Ok(with_tus(StatusCode::NO_CONTENT, out))
}

enum Checksum {
    Sha1(sha1::Sha1, Vec<u8>),
    Sha256(sha2::Sha256, Vec<u8>),
}

fn parse_checksum(headers: &HeaderMap) -> Result<Option<Checksum>, Error> {
    let Some(raw) = headers.get("upload-checksum") else {
        return Ok(None);
    };
    let raw = raw
        .to_str()
        .map_err(|_| Error::BadHeader("upload-checksum".into()))?;
    let (algorithm, encoded) = raw
        .trim()
        .split_once(' ')
        .ok_or(Error::BadHeader("upload-checksum".into()))?;
    let expected = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| Error::BadHeader("upload-checksum".into()))?;
    match algorithm {
        "sha1" => Ok(Some(Checksum::Sha1(sha1::Sha1::new(), expected))),
        "sha256" => Ok(Some(Checksum::Sha256(sha2::Sha256::new(), expected))),
        _ => Err(Error::UnsupportedChecksum),
    }
}

impl Checksum {
    fn update(&mut self, bytes: &[u8]) {
        match self {
            Checksum::Sha1(h, _) => h.update(bytes),
            Checksum::Sha256(h, _) => h.update(bytes),
        }
    }

    fn matches(self) -> bool {
        match self {
            Checksum::Sha1(h, expected) => h.finalize().as_slice() == expected.as_slice(),
            Checksum::Sha256(h, expected) => h.finalize().as_slice() == expected.as_slice(),
        }
    }
}

/// Appends `body` at `expected` (the offset the client named) under the upload's lock, records
/// the new offset and, on the last byte, finishes the upload.
async fn write_chunk(
    state: &AppState,
    lock: UploadLock,
    id: PhotoId,
    expected: u64,
    headers: &HeaderMap,
    body: Body,
) -> Result<Upload, Error> {
    let mut checksum = parse_checksum(headers)?;
    // Re-read under the lock: another request may have moved the offset since it was checked.
    let upload = state.storage.upload(id).await?.ok_or(Error::NotFound)?;
    if upload.completed || upload.offset != expected {
        return Err(Error::UploadConflict);
    }
    let room = upload.length - upload.offset;
    if header_u64(headers, "content-length")?.is_some_and(|n| n > room) {
        return Err(Error::PayloadTooLarge);
    }
    let mut part = state
        .blobs
        .open_part(id, upload.offset)
        .await
        .map_err(Error::io)?;
    let mut stream = body.into_data_stream();
    let mut cut = None;
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(e) => {
                // A body that stopped arriving is a 408; one that broke off is a cut.
                cut = Some(if super::body::is_timeout(&e) {
                    Error::Timeout
                } else {
                    Error::BodyCut
                });
                break;
            }
        };
        if part.written() + chunk.len() as u64 > room {
            part.rollback().await.map_err(Error::io)?;
            return Err(Error::PayloadTooLarge);
        }
        if let Some(c) = checksum.as_mut() {
            c.update(&chunk);
        }
        part.write(&chunk).await.map_err(Error::io)?;
    }
    // The body is in. What follows must run to its end even if the client hangs up now (which
    // cancels this handler): it runs as its own task, holding the lock.
    let state2 = state.clone();
    state
        .background
        .spawn(async move {
            let settled = settle_chunk(&state2, &lock, upload, part, checksum, cut).await;
            lock.release().await;
            settled
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "finishing a chunk failed");
            Error::Internal
        })?
}

/// Keeps or drops what one PATCH wrote, records the offset, and finishes a full upload.
async fn settle_chunk(
    state: &AppState,
    lock: &UploadLock,
    mut upload: Upload,
    part: Box<dyn PartWriter>,
    checksum: Option<Checksum>,
    cut: Option<Error>,
) -> Result<Upload, Error> {
    // A chunk that carried a checksum is kept only whole and verified; one without keeps
    // whatever arrived before a cut, so the client resumes right after it.
    if let (Some(_), Some(cut)) = (&checksum, cut.as_ref()) {
        part.rollback().await.map_err(Error::io)?;
        return Err(match cut {
            Error::Timeout => Error::Timeout,
            _ => Error::BodyCut,
        });
    }
    if let Some(c) = checksum {
        if !c.matches() {
            part.rollback().await.map_err(Error::io)?;
            tracing::warn!(photo_id = %upload.photo_id, "chunk checksum mismatch");
            return Err(Error::ChecksumMismatch);
        }
    }
    // A lease that ran out (this process stalled longer than it lasts) may be another's now.
    if !lock.still_held().await? {
        part.rollback().await.map_err(Error::io)?;
        return Err(Error::UploadLocked);
    }
    let new_offset = part.commit().await.map_err(Error::io)?;
    state
        .storage
        .set_upload_offset(upload.photo_id, new_offset, state.upload_expiry_from_now())
        .await?;
    upload.offset = new_offset;
    if upload.is_full() && finish(state, &mut upload).await? == Finished::StartedOver {
        return Err(Error::ChecksumMismatch);
    }
    if let Some(cut) = cut {
        // The client is gone (or stalled); what arrived is kept and will be reported by HEAD.
        return Err(cut);
    }
    Ok(upload)
}

#[derive(Debug, PartialEq, Eq)]
enum Finished {
    Stored,
    /// The bytes did not match the photo's SHA-256: they were dropped and the upload starts over.
    StartedOver,
}

/// Finishes a full upload: checks the whole file's SHA-256, opens a sealed one, moves the photo
/// into place and marks it stored. Safe to run again at any point after a crash or a failure
/// (each step is recognised by the hash of what is where). The caller holds the lock.
async fn finish(state: &AppState, upload: &mut Upload) -> Result<Finished, Error> {
    let id = upload.photo_id;
    let io = Error::io;
    match state.blobs.stored_sha256(id).await.map_err(io)? {
        Some(hash) if hash == upload.photo_sha256() => return complete(state, upload).await,
        Some(_) => {}
        None => {
            if let Some(opened) = upload.opened.clone() {
                if staged_sha256(state, id, opened.length).await?.as_deref()
                    == Some(opened.sha256.as_str())
                {
                    state.blobs.promote(id).await.map_err(io)?;
                    return complete(state, upload).await;
                }
            }
            if staged_sha256(state, id, upload.length).await?.as_deref()
                == Some(upload.sha256.as_str())
            {
                if let Some(sealed) = upload.sealed.clone() {
                    if let Err(e) = open_staged(state, upload, &sealed).await {
                        start_over(state, upload).await?;
                        return Err(e);
                    }
                }
                state.blobs.promote(id).await.map_err(io)?;
                return complete(state, upload).await;
            }
        }
    }
    tracing::warn!(photo_id = %id, "photo hash mismatch; upload starts over");
    start_over(state, upload).await?;
    Ok(Finished::StartedOver)
}

/// SHA-256 of the first `length` staged bytes; `None` when nothing is staged.
async fn staged_sha256(
    state: &AppState,
    id: PhotoId,
    length: u64,
) -> Result<Option<String>, Error> {
    match state.blobs.part_sha256(id, length).await {
        Ok(hash) => Ok(Some(hash)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(e)),
    }
}

/// Opens a sealed upload's staged bytes and stages the opened photo in their place, recording
/// what it opened to first.
async fn open_staged(
    state: &AppState,
    upload: &mut Upload,
    sealed: &SealedUpload,
) -> Result<(), Error> {
    let id = upload.photo_id;
    let ciphertext = state
        .blobs
        .read_part(id, upload.length)
        .await
        .map_err(Error::io)?;
    let (keys, case_id, sealed) = (state.keys.clone(), upload.case_id, sealed.clone());
    let opened = tokio::task::spawn_blocking(move || {
        keys.open_photo(case_id, id, &sealed.key_id, &sealed.enc, &ciphertext)
    })
    .await
    .map_err(|_| Error::Internal)?;
    let photo = match opened {
        None => return Err(Error::UnknownKey),
        Some(Err(_)) => {
            tracing::warn!(photo_id = %id, "a sealed photo does not open");
            return Err(Error::SealedUnreadable);
        }
        Some(Ok(photo)) => photo,
    };
    let opened = OpenedPhoto {
        length: photo.len() as u64,
        sha256: hex::encode(sha2::Sha256::digest(&photo)),
    };
    state.storage.set_upload_opened(id, Some(&opened)).await?;
    let mut part = state.blobs.open_part(id, 0).await.map_err(Error::io)?;
    part.write(&photo).await.map_err(Error::io)?;
    part.commit().await.map_err(Error::io)?;
    upload.opened = Some(opened);
    Ok(())
}

async fn complete(state: &AppState, upload: &mut Upload) -> Result<Finished, Error> {
    let id = upload.photo_id;
    state
        .storage
        .complete_upload(id, state.upload_expiry_from_now())
        .await?;
    upload.completed = true;
    tracing::info!(photo_id = %id, case_id = %upload.case_id, sealed = upload.sealed.is_some(), "photo stored");
    Ok(Finished::Stored)
}

/// Drops whatever is staged or stored, so the client sends the photo again from the start.
async fn start_over(state: &AppState, upload: &mut Upload) -> Result<(), Error> {
    let id = upload.photo_id;
    state.blobs.remove(id).await.map_err(Error::io)?;
    state
        .blobs
        .open_part(id, 0)
        .await
        .map_err(Error::io)?
        .rollback()
        .await
        .map_err(Error::io)?;
    if upload.opened.take().is_some() {
        state.storage.set_upload_opened(id, None).await?;
    }
    state
        .storage
        .set_upload_offset(id, 0, state.upload_expiry_from_now())
        .await?;
    upload.offset = 0;
    Ok(())
}

/// Finishes a full upload found by HEAD, a repeated creation or start-up, and returns it as it
/// now stands. When another request holds the upload for long, 503 with `Retry-After`.
async fn finish_now(state: &AppState, upload: Upload) -> Result<Upload, Error> {
    let id = upload.photo_id;
    let lock = state
        .upload_locks
        .lock_within(id, FINISH_PATIENCE)
        .await?
        .ok_or(Error::RetryLater(1))?;
    let state2 = state.clone();
    state
        .background
        .spawn(async move {
            let finished = async {
                let mut upload = state2.storage.upload(id).await?.ok_or(Error::NotFound)?;
                if upload.is_full() && !upload.completed {
                    finish(&state2, &mut upload).await?;
                }
                Ok(upload)
            }
            .await;
            lock.release().await;
            finished
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "finishing an upload failed");
            Error::Internal
        })?
}

/// At start-up: finishes every upload whose bytes all arrived before the server stopped.
pub async fn recover(state: &AppState) -> Result<usize, Error> {
    let full = state.storage.full_uploads().await?;
    let mut finished = 0;
    for upload in full {
        let id = upload.photo_id;
        match finish_now(state, upload).await {
            Ok(u) if u.completed => finished += 1,
            Ok(_) => {}
            Err(e) => tracing::error!(photo_id = %id, error = %e, "could not finish an upload"),
        }
    }
    if finished > 0 {
        tracing::info!(
            count = finished,
            "finished uploads left full at the last stop"
        );
    }
    Ok(finished)
}

#[utoipa::path(
    delete,
    path = "/api/v1/uploads/{photo_id}",
    tag = "uploads",
    security(("device_token" = [])),
    params(
        ("photo_id" = String, Path, format = Uuid),
        ("Tus-Resumable" = TusResumable, Header, description = "The tus version: 1.0.0"),
    ),
    responses(
        (status = 204, description = "Terminated: the unfinished upload and its bytes are gone", headers(("Tus-Resumable" = TusResumable))),
        (status = 401, description = "`unauthorized`: no valid device token", body = protocol::api::ErrorBody),
        (status = 404, description = "No such upload", body = protocol::api::ErrorBody),
        (status = 409, description = "`upload_conflict`: a stored photo is not deleted this way; `upload_locked`: another request is writing it", body = protocol::api::ErrorBody),
        (status = 412, description = "`unsupported_tus_version`", body = protocol::api::ErrorBody, headers(("Tus-Version" = String))),
    )
)]
pub async fn terminate(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    check_version(&headers)?;
    let id = parse_id(&id)?;
    let lock = state
        .upload_locks
        .try_lock(id)
        .await?
        .ok_or(Error::UploadLocked)?;
    let upload = state.storage.upload(id).await?.ok_or(Error::NotFound)?;
    if upload.completed {
        return Err(Error::UploadConflict);
    }
    state.storage.delete_upload(id).await?;
    state.blobs.remove(id).await.map_err(Error::io)?;
    lock.release().await;
    Ok(with_tus(StatusCode::NO_CONTENT, vec![]))
}

/// Deletes uploads whose time ran out — unfinished ones that stopped moving, finished ones no
/// case names — leaving alone any that a request is moving right now; returns how many.
pub async fn remove_expired(state: &AppState) -> Result<usize, Error> {
    let now = now_unix();
    let mut removed = 0;
    for id in state.storage.expired_uploads(now).await? {
        let Some(_lock) = state.upload_locks.try_lock(id).await? else {
            continue;
        };
        // Only if a case did not claim it (or it did not move) since it was listed.
        if state.storage.delete_upload_if_expired(id, now).await? {
            state.blobs.remove(id).await.map_err(Error::io)?;
            removed += 1;
        }
    }
    if removed > 0 {
        tracing::info!(count = removed, "expired uploads removed");
    }
    Ok(removed)
}

/// Every response on the tus routes carries `Tus-Resumable`, errors included.
pub async fn tus_resumable_header(mut response: Response) -> Response {
    tus_headers(&mut response);
    if response.status() == StatusCode::PRECONDITION_FAILED {
        response
            .headers_mut()
            .insert(h("tus-version"), HeaderValue::from_static(TUS_VERSION));
    }
    response
}
