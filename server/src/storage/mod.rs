//! Where accepted cases live. Handlers see only the [`Storage`] trait (and [`staff`]'s and
//! [`appointments`]' for their parts); [`sql`] implements them all once for both databases: the
//! embedded default [`sqlite`] and [`postgres`] for many processes. A back end answers only after
//! its commit is durable. Photo bytes live apart, behind [`blobs::BlobStore`]: in the data
//! directory ([`blobs::FsBlobs`]) or in an S3 bucket ([`s3::S3Blobs`]).

pub mod appointments;
pub mod blobs;
pub mod postgres;
pub mod s3;
pub mod sql;
pub mod sqlite;
pub mod staff;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use protocol::api::CaseReceipt;
use protocol::{CaseId, PhotoId};

/// A validated case ready to store.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub case_id: CaseId,
    /// SHA-256 of `body`; equal fingerprints mean the same submission.
    pub fingerprint: String,
    /// Canonical JSON of the submission.
    pub body: Vec<u8>,
    pub form_id: String,
    pub form_version: u32,
    pub people: u32,
    /// The device that sent it (only it may ask for the case's status).
    pub device_id: Option<uuid::Uuid>,
    /// The slots the household would like, in order.
    pub preferences: Vec<protocol::SlotId>,
    /// When booking is open; `None` books nothing.
    pub booking: Option<appointments::BookingWindow>,
    /// The photos it names, each of which must be stored exactly so; they are claimed by the case
    /// in the same transaction, so clean-up can never remove them afterwards.
    pub photos: Vec<ClaimedPhoto>,
}

/// A photo a case names, as it must be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedPhoto {
    pub photo_id: PhotoId,
    pub length: u64,
    pub sha256: String,
    pub content_type: String,
}

/// A case as stored, with the receipt it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCase {
    pub receipt: CaseReceipt,
    /// Canonical JSON of the submission.
    pub body: Vec<u8>,
}

/// What storing a case came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutOutcome {
    /// First time: stored and committed under a new receipt.
    Created(CaseReceipt),
    /// The same case again: the receipt it got the first time.
    Replayed(CaseReceipt),
    /// The ID is taken by a different submission; nothing was changed.
    Conflict,
    /// These photos are not stored as the case names them (any more); nothing was changed.
    PhotosMissing(Vec<PhotoId>),
}

/// A document photo's tus upload; the photo counts as stored once `completed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub photo_id: PhotoId,
    pub case_id: CaseId,
    /// `Upload-Length`.
    pub length: u64,
    /// Bytes durably received so far.
    pub offset: u64,
    /// Expected SHA-256 of the whole file (lowercase hex).
    pub sha256: String,
    pub content_type: String,
    /// The raw `Upload-Metadata`, echoed on `HEAD`.
    pub metadata: String,
    /// Unix seconds after which the upload is removed unless it moved (an unfinished one) or a
    /// case named it (a finished one) meanwhile: the last activity plus the expiry.
    pub expires_at: i64,
    pub completed: bool,
    /// The device that created it (`None` for uploads made before devices were recorded).
    pub device_id: Option<uuid::Uuid>,
    /// Sealed for the organisation: the bytes that travel are sealed, and are opened when the
    /// upload is full.
    pub sealed: Option<SealedUpload>,
    /// What a sealed upload opened to, once opened (recorded before the opened bytes replace
    /// the staged ones, so finishing can resume after a crash at any point).
    pub opened: Option<OpenedPhoto>,
}

/// How a sealed upload was sealed, from its metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedUpload {
    pub key_id: String,
    /// The encapsulated key (base64url).
    pub enc: String,
}

/// A sealed upload's photo as opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedPhoto {
    pub length: u64,
    pub sha256: String,
}

impl Upload {
    /// Every byte arrived; it still needs its hash checked and to be put in place.
    pub fn is_full(&self) -> bool {
        self.offset == self.length
    }

    /// Same photo, same bytes: a repeated creation, not a different upload.
    pub fn same_content(&self, other: &Upload) -> bool {
        self.case_id == other.case_id
            && self.length == other.length
            && self.sha256 == other.sha256
            && self.content_type == other.content_type
            && self.sealed == other.sealed
    }

    /// The stored photo's length: the opened bytes' for a sealed upload.
    pub fn photo_length(&self) -> u64 {
        self.opened.as_ref().map_or(self.length, |o| o.length)
    }

    /// The stored photo's SHA-256: the opened bytes' for a sealed upload.
    pub fn photo_sha256(&self) -> &str {
        self.opened.as_ref().map_or(&self.sha256, |o| &o.sha256)
    }

    /// Whether the photo stored for this upload is what a case names.
    pub fn stores(&self, case_id: CaseId, photo: &protocol::PhotoRef) -> bool {
        self.completed
            && self.case_id == case_id
            && self.photo_length() == photo.size
            && self.photo_sha256() == photo.sha256
            && self.content_type == photo.content_type
    }
}

/// A registered device. Its token is known only by its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub device_id: uuid::Uuid,
    pub token_hash: String,
    pub created_at: String,
    /// Unix seconds.
    pub expires_at: i64,
    pub revoked: bool,
    pub enrolment_code: Option<String>,
    /// Registered with a shared-tablet code: the app locks each case behind its family's PIN.
    pub shared: bool,
}

/// A code the organisation hands out so that only its people's devices can register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentCode {
    pub code: String,
    pub label: String,
    pub created_at: String,
    /// Unix seconds; `None` never expires.
    pub expires_at: Option<i64>,
    pub revoked: bool,
    pub uses: i64,
    /// For shared tablets: devices that register with it are shared tablets.
    pub shared: bool,
}

impl EnrolmentCode {
    pub fn usable_at(&self, now: i64) -> bool {
        !self.revoked && self.expires_at.is_none_or(|t| t > now)
    }

    /// `active`, `expired` or `revoked`, as the staff see it.
    pub fn status_at(&self, now: i64) -> &'static str {
        if self.revoked {
            "revoked"
        } else if self.usable_at(now) {
            "active"
        } else {
            "expired"
        }
    }
}

impl Device {
    /// `active`, `expired` or `revoked`, as the staff see it.
    pub fn status_at(&self, now: i64) -> &'static str {
        if self.revoked {
            "revoked"
        } else if self.expires_at <= now {
            "expired"
        } else {
            "active"
        }
    }
}

/// One version of a form definition as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredForm {
    pub form_id: String,
    pub version: u32,
    /// In the form's first language, for lists.
    pub title: String,
    /// The definition's JSON.
    pub definition: Vec<u8>,
    pub created_at: String,
    /// `None` while a draft.
    pub published_at: Option<String>,
}

/// What saving a draft came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftOutcome {
    Created,
    /// A draft of that version was there; it is replaced.
    Replaced,
    /// That version is published (it cannot change); nothing was written.
    Published,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateOutcome {
    Created(Upload),
    /// The photo ID was already known with the same content: continue that upload.
    Existing(Upload),
    /// The photo ID is taken by different content; nothing changed.
    Conflict,
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("{0}: not a database URL this server knows (sqlite://PATH or postgres://...)")]
    UnknownDatabaseUrl(String),
}

/// Every storage trait, as each SQL back end implements them all.
pub trait Database:
    Storage + staff::StaffStorage + appointments::AppointmentStorage + std::fmt::Debug
{
}
impl<T> Database for T where
    T: Storage + staff::StaffStorage + appointments::AppointmentStorage + std::fmt::Debug
{
}

/// Where the server keeps what it stores (`--data-dir`, `--database-url`, `--blob-url`).
#[derive(Debug, Clone)]
pub struct Location {
    pub data_dir: PathBuf,
    /// `None`: SQLite in the data directory.
    pub database_url: Option<String>,
    /// `None`: photos in the data directory.
    pub blob_url: Option<String>,
}

impl Location {
    pub fn data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Location {
            data_dir: data_dir.into(),
            database_url: None,
            blob_url: None,
        }
    }

    /// Opens the database, creating or upgrading its schema.
    pub async fn open(&self) -> Result<Arc<dyn Database>, StorageError> {
        open_database(self.database_url.as_deref(), &self.data_dir).await
    }

    /// Whether the database is one that several processes share (PostgreSQL): then the
    /// organisation's keys live in it too.
    pub fn shares_database(&self) -> bool {
        self.database_url
            .as_deref()
            .is_some_and(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"))
    }

    /// Opens the photo store.
    pub async fn open_blobs(&self) -> Result<Arc<dyn blobs::BlobStore>, StorageError> {
        Ok(match self.blob_url.as_deref() {
            None => Arc::new(blobs::FsBlobs::open(&self.data_dir).await?),
            Some(url) => Arc::new(s3::S3Blobs::from_url(url)?),
        })
    }
}

/// Opens the database `url` names, or SQLite in `data_dir` when it names none.
pub async fn open_database(
    url: Option<&str>,
    data_dir: &Path,
) -> Result<Arc<dyn Database>, StorageError> {
    let Some(url) = url else {
        return Ok(Arc::new(sqlite::SqliteStorage::open(data_dir).await?));
    };
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Arc::new(postgres::PgStorage::connect(url).await?));
    }
    if let Some(path) = url.strip_prefix("sqlite://") {
        let path = Path::new(path);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent).await?;
        }
        return Ok(Arc::new(sqlite::SqliteStorage::open_file(path).await?));
    }
    // Never echo a URL that might carry a password.
    let scheme = url.split_once(':').map_or("(no scheme)", |(s, _)| s);
    Err(StorageError::UnknownDatabaseUrl(scheme.to_owned()))
}

#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// Stores `case` once. Concurrent calls with one ID store one row; the loser sees
    /// `Replayed` or `Conflict`.
    async fn put_case(&self, case: NewCase) -> Result<PutOutcome, StorageError>;

    /// The canonical JSON of a stored case.
    async fn case_body(&self, case_id: CaseId) -> Result<Option<Vec<u8>>, StorageError>;

    /// Every stored case, oldest first.
    async fn list_cases(&self) -> Result<Vec<StoredCase>, StorageError>;

    /// Records a new upload, or finds the one already made for this photo.
    async fn create_upload(&self, upload: Upload) -> Result<CreateOutcome, StorageError>;

    async fn upload(&self, photo_id: PhotoId) -> Result<Option<Upload>, StorageError>;

    /// Records that the bytes up to `offset` are durably staged, and that the upload moved
    /// (its expiry starts again from now: `expires_at`).
    async fn set_upload_offset(
        &self,
        photo_id: PhotoId,
        offset: u64,
        expires_at: i64,
    ) -> Result<(), StorageError>;

    /// Records what a sealed upload opened to (before its opened bytes are staged); `None`
    /// when it starts over.
    async fn set_upload_opened(
        &self,
        photo_id: PhotoId,
        opened: Option<&OpenedPhoto>,
    ) -> Result<(), StorageError>;

    /// Marks the photo stored (its whole-file hash has been checked and it is in place); unless a
    /// case names it before `expires_at`, it is then removed as an orphan.
    async fn complete_upload(&self, photo_id: PhotoId, expires_at: i64)
        -> Result<(), StorageError>;

    async fn delete_upload(&self, photo_id: PhotoId) -> Result<(), StorageError>;

    /// Uploads whose time ran out before `now` (unix seconds): unfinished ones that stopped
    /// moving, and finished ones that no case names.
    async fn expired_uploads(&self, now: i64) -> Result<Vec<PhotoId>, StorageError>;

    /// Deletes the upload only if it is still expired at `now` and no case names it; `true`
    /// when it was deleted (so its bytes may go too).
    async fn delete_upload_if_expired(
        &self,
        photo_id: PhotoId,
        now: i64,
    ) -> Result<bool, StorageError>;

    /// Uploads whose every byte arrived but that are not marked stored (a crash or a failed
    /// move between the two): start-up finishes them.
    async fn full_uploads(&self) -> Result<Vec<Upload>, StorageError>;

    /// The bytes of unfinished uploads this device has open (what its cap counts).
    async fn unfinished_upload_bytes(&self, device_id: uuid::Uuid) -> Result<u64, StorageError>;

    /// Every stored (completed) photo.
    async fn photos(&self) -> Result<Vec<Upload>, StorageError>;

    /// Records a new device (and counts a use of its enrolment code).
    async fn add_device(&self, device: Device) -> Result<(), StorageError>;

    async fn device_by_token_hash(&self, token_hash: &str) -> Result<Option<Device>, StorageError>;

    /// Makes a device's token stop working now (tests and the simulator age tokens this way).
    async fn expire_device(&self, device_id: uuid::Uuid) -> Result<bool, StorageError>;

    /// Gives an unrevoked device a new token (expired or not), if `old_token_hash` is its
    /// current one: the same device, so what it sent stays its own. `None` otherwise.
    async fn renew_device(
        &self,
        device_id: uuid::Uuid,
        old_token_hash: &str,
        new_token_hash: &str,
        expires_at: i64,
    ) -> Result<Option<Device>, StorageError>;

    /// Every device, newest first.
    async fn devices(&self) -> Result<Vec<Device>, StorageError>;

    /// Revokes a device; `false` if there is no such device.
    async fn revoke_device(&self, device_id: uuid::Uuid) -> Result<bool, StorageError>;

    async fn add_enrolment_code(&self, code: EnrolmentCode) -> Result<(), StorageError>;

    async fn enrolment_code(&self, code: &str) -> Result<Option<EnrolmentCode>, StorageError>;

    /// Every code, newest first.
    async fn enrolment_codes(&self) -> Result<Vec<EnrolmentCode>, StorageError>;

    /// Revokes a code (devices already registered with it stay); `false` if unknown.
    async fn revoke_enrolment_code(&self, code: &str) -> Result<bool, StorageError>;

    /// Saves a form version as a draft, unless that version is already published.
    async fn save_form_draft(&self, form: StoredForm) -> Result<DraftOutcome, StorageError>;

    /// Publishes a draft; `false` if there is no such draft (missing or already published).
    async fn publish_form(&self, form_id: &str, version: u32) -> Result<bool, StorageError>;

    async fn form(&self, form_id: &str, version: u32) -> Result<Option<StoredForm>, StorageError>;

    /// Every stored version of every form, by form ID then version.
    async fn forms(&self) -> Result<Vec<StoredForm>, StorageError>;

    /// Gives the lease on writing this upload to the request `token` of process `holder` until
    /// `until`, unless another process's lease is still running at `now` (a process keeps its
    /// own requests apart itself): `true` when taken. One conditional statement, so of two
    /// processes asking at once one wins.
    async fn lease_upload(
        &self,
        photo_id: PhotoId,
        holder: &str,
        token: &str,
        now: i64,
        until: i64,
    ) -> Result<bool, StorageError>;

    /// Extends the lease `token` holds until `until`; `false` when it no longer holds it.
    async fn renew_upload_lease(
        &self,
        photo_id: PhotoId,
        token: &str,
        until: i64,
    ) -> Result<bool, StorageError>;

    /// Gives the lease back, if `token` still holds it.
    async fn release_upload(&self, photo_id: PhotoId, token: &str) -> Result<(), StorageError>;

    /// Events counted for a rate limit's key in the window starting at `window_start`.
    async fn rate_events(
        &self,
        scope: &str,
        key: &str,
        window_start: i64,
    ) -> Result<i64, StorageError>;

    /// Counts one event in the window starting at `window_start` if fewer than `room` are
    /// counted there yet; `true` when counted. One conditional upsert: of many processes racing
    /// for the last place, one gets it.
    async fn count_rate_event(
        &self,
        scope: &str,
        key: &str,
        window_start: i64,
        room: i64,
    ) -> Result<bool, StorageError>;

    /// Forgets rate-limit windows that started before `before`.
    async fn forget_rate_windows(&self, before: i64) -> Result<(), StorageError>;

    /// The organisation's key document (the JSON of `org-keys.json`), if the database holds one.
    async fn org_keys(&self) -> Result<Option<String>, StorageError>;

    /// Writes the key document if the one stored is still `previous` (`None`: there is none
    /// yet): a compare-and-swap, so of two processes making or rotating keys at once one wins
    /// and the other reads the winner's. `true` when written.
    async fn put_org_keys(
        &self,
        previous: Option<&str>,
        document: &str,
    ) -> Result<bool, StorageError>;

    /// Cheap check that the back end answers (for `/api/v1/health`).
    async fn ping(&self) -> Result<(), StorageError>;
}

/// A fresh receipt code from the operating system's random source.
pub(crate) fn new_receipt_code() -> Result<protocol::ReceiptCode, StorageError> {
    loop {
        let bits = u64::from_le_bytes(crate::secrets::random_bytes::<8>()?);
        if let Some(code) = protocol::ReceiptCode::from_random(bits) {
            return Ok(code);
        }
    }
}

/// Now, in unix seconds.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Now, as RFC 3339 UTC with second precision.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::blobs::BlobStore;
    use super::*;

    #[tokio::test]
    async fn a_database_url_names_a_known_database_or_says_plainly_that_it_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let err = open_database(Some("mysql://root:secret@db/x"), dir.path())
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("mysql") && text.contains("sqlite://PATH or postgres://"),
            "{text}"
        );
        assert!(
            !text.contains("secret"),
            "a password is never echoed: {text}"
        );
        // A sqlite:// URL names the file; its folder is made.
        let file = dir.path().join("elsewhere").join("cases.sqlite3");
        let url = format!("sqlite://{}", file.display());
        open_database(Some(&url), dir.path()).await.unwrap();
        assert!(file.is_file());
        assert!(!dir.path().join(sqlite::DATABASE_FILE).exists());
    }

    #[test]
    fn a_blob_url_must_name_a_bucket() {
        for bad in ["s3://", "s3:///prefix", "file:///tmp/photos", "photos"] {
            let err = s3::S3Blobs::from_url(bad).unwrap_err();
            assert!(err.to_string().contains("s3://BUCKET"), "{bad}: {err}");
        }
        let ok = s3::S3Blobs::from_url("s3://resguardo/photos/").unwrap();
        assert_eq!(
            ok.location("0b7c3f0e-9a55-4c7e-8d1f-2f7a1d9e4b10".parse().unwrap()),
            "s3://resguardo/photos/photos/0b7c3f0e-9a55-4c7e-8d1f-2f7a1d9e4b10"
        );
    }
}
