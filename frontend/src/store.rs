//! The one owner of the device's IndexedDB. Nothing else in the app touches IndexedDB, so the
//! library underneath (rexie today) stays cheap to change.
//!
//! Object stores (version 1):
//! - `cases`: one [`CaseRecord`] per form, keyed by its case ID: the answers and the step shown.
//! - `outbox`: one [`OutboxItem`] per submitted case: where its delivery stands, the problem if
//!   any, and the server's receipt once it has one. A case with no outbox item is a draft.
//! - `photos` (version 2): one [`Photo`] per document photo, keyed by photo ID and indexed by
//!   case: the picture as taken (until processed), the processed JPEG and its thumbnail as Blobs,
//!   and how far its upload got.
//! - `meta`: small settings by key.
//!
//! Every write is one transaction and tells [`Store::subscribe`]rs afterwards, so the UI can
//! re-read what changed.

use std::cell::RefCell;

use js_sys::Reflect;
use protocol::api::{CaseReceipt, ErrorCode};
use protocol::outbox::OutboxState;
use protocol::{CaseId, CaseSubmission, FieldError, MemberId, PhotoId, PhotoRef};
use rexie::{ObjectStore, Rexie, TransactionMode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

pub const DB_NAME: &str = "resguardo";
const DB_VERSION: u32 = 2;
const CASES: &str = "cases";
const OUTBOX: &str = "outbox";
const META: &str = "meta";
const PHOTOS: &str = "photos";
const PHOTOS_BY_CASE: &str = "case_id";
/// The Blob-valued fields of a photo entry (serde cannot carry Blobs; they ride beside it).
const BLOB_FIELDS: [&str; 3] = ["raw", "photo", "thumbnail"];

/// A form as the device keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    pub id: CaseId,
    /// Milliseconds since the epoch.
    pub created_at: f64,
    pub updated_at: f64,
    /// The step the person was on (1-based), restored when the form reopens.
    pub step: u8,
    pub submission: CaseSubmission,
}

impl CaseRecord {
    pub fn new(now: f64) -> Self {
        CaseRecord {
            id: CaseId::new_random(),
            created_at: now,
            updated_at: now,
            step: 1,
            submission: CaseSubmission::default(),
        }
    }
}

/// Why a delivery stopped: what the server (or the network) said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// `None` when no response arrived at all.
    pub status: Option<u16>,
    pub code: Option<ErrorCode>,
    pub message: String,
    #[serde(default)]
    pub fields: Vec<FieldError>,
}

/// The delivery record of one submitted case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxItem {
    pub case_id: CaseId,
    pub state: OutboxState,
    /// Failed attempts since the last success or `online` event (drives the backoff).
    pub attempts: u32,
    /// When the worker may try again (ms since the epoch).
    pub next_attempt_at: f64,
    pub updated_at: f64,
    pub problem: Option<Problem>,
    /// Kept for good once the server has answered, even if the answers are later removed.
    pub receipt: Option<CaseReceipt>,
}

impl OutboxItem {
    pub fn queued(case_id: CaseId, now: f64) -> Self {
        OutboxItem {
            case_id,
            state: OutboxState::Queued,
            attempts: 0,
            next_attempt_at: now,
            updated_at: now,
            problem: None,
            receipt: None,
        }
    }
}

/// What processing made of a photo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Processed {
    pub size: u64,
    pub sha256: String,
    pub content_type: String,
    pub width: u32,
    pub height: u32,
}

/// How far a photo's upload got.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UploadProgress {
    /// The tus upload URL, saved before the first PATCH.
    pub url: Option<String>,
    /// Bytes the server has confirmed.
    pub sent: u64,
    /// The server holds the whole photo.
    pub done: bool,
}

/// A document photo's details (everything but the Blobs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoRecord {
    pub photo_id: PhotoId,
    pub case_id: CaseId,
    /// `None` for the applicant.
    pub member_id: Option<MemberId>,
    pub kind: String,
    pub created_at: f64,
    /// `None` until processed (only the picture as taken is stored then).
    pub processed: Option<Processed>,
    #[serde(default)]
    pub upload: UploadProgress,
    /// Processing failed: the file is not a picture the browser can read. The person retakes or
    /// deletes it.
    #[serde(default)]
    pub unreadable: bool,
}

impl PhotoRecord {
    /// What the case sends about this photo, once processed.
    pub fn as_ref_for_case(&self) -> Option<PhotoRef> {
        let p = self.processed.as_ref()?;
        Some(PhotoRef {
            photo_id: self.photo_id,
            member_id: self.member_id,
            kind: self.kind.clone(),
            size: p.size,
            sha256: p.sha256.clone(),
            content_type: p.content_type.clone(),
        })
    }
}

/// A photo entry with its Blobs.
#[derive(Debug, Clone)]
pub struct Photo {
    pub record: PhotoRecord,
    /// The picture as taken; dropped once processed.
    pub raw: Option<web_sys::Blob>,
    /// The processed JPEG that is uploaded.
    pub photo: Option<web_sys::Blob>,
    pub thumbnail: Option<web_sys::Blob>,
}

impl Photo {
    fn to_js(&self) -> Result<JsValue, StoreError> {
        let value = to_js(&self.record)?;
        for (name, blob) in BLOB_FIELDS
            .iter()
            .zip([&self.raw, &self.photo, &self.thumbnail])
        {
            let v = blob
                .as_ref()
                .map_or(JsValue::UNDEFINED, |b| b.clone().into());
            Reflect::set(&value, &JsValue::from_str(name), &v)
                .map_err(|_| StoreError::Corrupt("photo".into()))?;
        }
        Ok(value)
    }

    fn from_js(value: JsValue) -> Result<Photo, StoreError> {
        let blob = |name: &str| {
            Reflect::get(&value, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.dyn_into::<web_sys::Blob>().ok())
        };
        let (raw, photo, thumbnail) = (blob("raw"), blob("photo"), blob("thumbnail"));
        for name in BLOB_FIELDS {
            let _ = Reflect::delete_property(
                value.unchecked_ref::<js_sys::Object>(),
                &JsValue::from_str(name),
            );
        }
        Ok(Photo {
            record: from_js(value)?,
            raw,
            photo,
            thumbnail,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("the device is out of storage space")]
    QuotaExceeded,
    #[error("IndexedDB is not available in this browser")]
    Unavailable,
    #[error("IndexedDB failed: {0}")]
    Failed(String),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    #[error("this form was already sent and cannot change")]
    AlreadySubmitted,
}

impl From<rexie::Error> for StoreError {
    fn from(e: rexie::Error) -> Self {
        let text = format!("{e} {e:?}");
        if text.contains("QuotaExceeded") {
            StoreError::QuotaExceeded
        } else {
            StoreError::Failed(text)
        }
    }
}

type Listener = Box<dyn Fn()>;

pub struct Store {
    db: Rexie,
    listeners: RefCell<Vec<Listener>>,
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, StoreError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, StoreError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn key(id: CaseId) -> JsValue {
    JsValue::from_str(&id.to_string())
}

impl Store {
    pub async fn open() -> Result<Store, StoreError> {
        Self::open_named(DB_NAME).await
    }

    /// Opens (creating or upgrading) the database `name`; tests use their own names.
    pub async fn open_named(name: &str) -> Result<Store, StoreError> {
        let has_idb = web_sys::window()
            .and_then(|w| Reflect::get(&w, &JsValue::from_str("indexedDB")).ok())
            .is_some_and(|v| !v.is_undefined() && !v.is_null());
        if !has_idb {
            return Err(StoreError::Unavailable);
        }
        let db = Rexie::builder(name)
            .version(DB_VERSION)
            .add_object_store(ObjectStore::new(CASES).key_path("id"))
            .add_object_store(ObjectStore::new(OUTBOX).key_path("case_id"))
            .add_object_store(ObjectStore::new(META).key_path("key"))
            .add_object_store(
                ObjectStore::new(PHOTOS)
                    .key_path("photo_id")
                    .add_index(rexie::Index::new(PHOTOS_BY_CASE, "case_id")),
            )
            .build()
            .await?;
        Ok(Store {
            db,
            listeners: RefCell::new(Vec::new()),
        })
    }

    /// Closes the connection (what a closed tab does).
    pub fn close(self) {
        self.db.close();
    }

    pub async fn delete_database(name: &str) -> Result<(), StoreError> {
        Rexie::delete(name).await.map_err(Into::into)
    }

    /// Calls `listener` after every write this handle makes.
    pub fn subscribe(&self, listener: impl Fn() + 'static) {
        self.listeners.borrow_mut().push(Box::new(listener));
    }

    fn changed(&self) {
        for listener in self.listeners.borrow().iter() {
            listener();
        }
    }

    async fn get<T: DeserializeOwned>(
        &self,
        store: &str,
        key: JsValue,
    ) -> Result<Option<T>, StoreError> {
        let tx = self.db.transaction(&[store], TransactionMode::ReadOnly)?;
        let value = tx.store(store)?.get(key).await?;
        tx.done().await?;
        value.map(from_js).transpose()
    }

    async fn get_all<T: DeserializeOwned>(&self, store: &str) -> Result<Vec<T>, StoreError> {
        let tx = self.db.transaction(&[store], TransactionMode::ReadOnly)?;
        let values = tx.store(store)?.get_all(None, None).await?;
        tx.done().await?;
        values.into_iter().map(from_js).collect()
    }

    async fn put<T: Serialize>(&self, store: &str, value: &T) -> Result<(), StoreError> {
        let js = to_js(value)?;
        let tx = self.db.transaction(&[store], TransactionMode::ReadWrite)?;
        tx.store(store)?.put(&js, None).await?;
        tx.done().await?;
        self.changed();
        Ok(())
    }

    /// A read-write transaction over `stores` (which include the outbox) for changing a draft:
    /// refused, with nothing written, once the case is in the outbox, so what was sent never
    /// changes under the worker's feet.
    async fn draft_transaction(
        &self,
        case_id: CaseId,
        stores: &[&str],
    ) -> Result<rexie::Transaction, StoreError> {
        let tx = self.db.transaction(stores, TransactionMode::ReadWrite)?;
        if tx.store(OUTBOX)?.key_exists(key(case_id)).await? {
            tx.abort().await?;
            return Err(StoreError::AlreadySubmitted);
        }
        Ok(tx)
    }

    pub async fn case(&self, id: CaseId) -> Result<Option<CaseRecord>, StoreError> {
        self.get(CASES, key(id)).await
    }

    /// Newest first.
    pub async fn cases(&self) -> Result<Vec<CaseRecord>, StoreError> {
        let mut cases: Vec<CaseRecord> = self.get_all(CASES).await?;
        cases.sort_by(|a, b| b.created_at.total_cmp(&a.created_at));
        Ok(cases)
    }

    /// Saves a draft. Refused once the case is in the outbox, so what was sent never changes
    /// under the worker's feet.
    pub async fn save_draft(&self, case: &CaseRecord) -> Result<(), StoreError> {
        let js = to_js(case)?;
        let tx = self.draft_transaction(case.id, &[CASES, OUTBOX]).await?;
        tx.store(CASES)?.put(&js, None).await?;
        tx.done().await?;
        self.changed();
        Ok(())
    }

    /// Deletes a draft (never a submitted case).
    pub async fn delete_draft(&self, id: CaseId) -> Result<(), StoreError> {
        let tx = self.draft_transaction(id, &[CASES, OUTBOX, PHOTOS]).await?;
        tx.store(CASES)?.delete(key(id)).await?;
        let photos = tx.store(PHOTOS)?;
        let range = rexie::KeyRange::only(&key(id)).map_err(rexie::Error::from)?;
        for photo_id in photos
            .index(PHOTOS_BY_CASE)?
            .get_all_keys(Some(range), None)
            .await?
        {
            photos.delete(photo_id).await?;
        }
        tx.done().await?;
        self.changed();
        Ok(())
    }

    /// Submits: the final answers and a queued outbox item, in one transaction.
    pub async fn enqueue(&self, case: &CaseRecord, now: f64) -> Result<OutboxItem, StoreError> {
        let item = OutboxItem::queued(case.id, now);
        let (case_js, item_js) = (to_js(case)?, to_js(&item)?);
        let tx = self.draft_transaction(case.id, &[CASES, OUTBOX]).await?;
        tx.store(CASES)?.put(&case_js, None).await?;
        tx.store(OUTBOX)?.put(&item_js, None).await?;
        tx.done().await?;
        self.changed();
        Ok(item)
    }

    /// Takes a rejected case back to draft so the person can correct it; the server stored
    /// nothing for it, so the same ID is sent again.
    pub async fn reopen_rejected(&self, id: CaseId) -> Result<(), StoreError> {
        let tx = self.db.transaction(&[OUTBOX], TransactionMode::ReadWrite)?;
        let store = tx.store(OUTBOX)?;
        let Some(value) = store.get(key(id)).await? else {
            tx.done().await?;
            return Ok(());
        };
        let item: OutboxItem = from_js(value)?;
        if item.state != OutboxState::Rejected {
            tx.abort().await?;
            return Err(StoreError::AlreadySubmitted);
        }
        store.delete(key(id)).await?;
        tx.done().await?;
        self.changed();
        Ok(())
    }

    pub async fn outbox_item(&self, id: CaseId) -> Result<Option<OutboxItem>, StoreError> {
        self.get(OUTBOX, key(id)).await
    }

    pub async fn outbox(&self) -> Result<Vec<OutboxItem>, StoreError> {
        self.get_all(OUTBOX).await
    }

    /// Records a delivery state; the worker calls this before acting on the state.
    pub async fn put_outbox(&self, item: &OutboxItem) -> Result<(), StoreError> {
        self.put(OUTBOX, item).await
    }

    /// Saves a new photo (or replaces one) with its Blobs. Refused once its case was submitted.
    pub async fn put_photo(&self, photo: &Photo) -> Result<(), StoreError> {
        let value = photo.to_js()?;
        let tx = self
            .draft_transaction(photo.record.case_id, &[OUTBOX, PHOTOS])
            .await?;
        tx.store(PHOTOS)?.put(&value, None).await?;
        tx.done().await?;
        self.changed();
        Ok(())
    }

    pub async fn photo(&self, id: PhotoId) -> Result<Option<Photo>, StoreError> {
        let tx = self.db.transaction(&[PHOTOS], TransactionMode::ReadOnly)?;
        let value = tx
            .store(PHOTOS)?
            .get(JsValue::from_str(&id.to_string()))
            .await?;
        tx.done().await?;
        value.map(Photo::from_js).transpose()
    }

    /// A case's photos, oldest first.
    pub async fn photos_of_case(&self, case_id: CaseId) -> Result<Vec<Photo>, StoreError> {
        let tx = self.db.transaction(&[PHOTOS], TransactionMode::ReadOnly)?;
        let range = rexie::KeyRange::only(&key(case_id)).map_err(rexie::Error::from)?;
        let values = tx
            .store(PHOTOS)?
            .index(PHOTOS_BY_CASE)?
            .get_all(Some(range), None)
            .await?;
        tx.done().await?;
        let mut photos = values
            .into_iter()
            .map(Photo::from_js)
            .collect::<Result<Vec<_>, _>>()?;
        photos.sort_by(|a, b| a.record.created_at.total_cmp(&b.record.created_at));
        Ok(photos)
    }

    /// Photos still waiting to be processed (the page died while it was busy).
    pub async fn unprocessed_photos(&self) -> Result<Vec<PhotoId>, StoreError> {
        let tx = self.db.transaction(&[PHOTOS], TransactionMode::ReadOnly)?;
        let values = tx.store(PHOTOS)?.get_all(None, None).await?;
        tx.done().await?;
        let mut ids = Vec::new();
        for value in values {
            let photo = Photo::from_js(value)?;
            if photo.record.processed.is_none() && !photo.record.unreadable {
                ids.push(photo.record.photo_id);
            }
        }
        Ok(ids)
    }

    /// Changes a photo's details in one transaction, keeping its Blobs unless `blobs` replaces
    /// them. Returns `false` when the photo is gone (deleted meanwhile).
    pub async fn update_photo(
        &self,
        id: PhotoId,
        change: impl FnOnce(&mut PhotoRecord),
        blobs: Option<(
            Option<web_sys::Blob>,
            Option<web_sys::Blob>,
            Option<web_sys::Blob>,
        )>,
    ) -> Result<bool, StoreError> {
        let tx = self.db.transaction(&[PHOTOS], TransactionMode::ReadWrite)?;
        let store = tx.store(PHOTOS)?;
        let Some(value) = store.get(JsValue::from_str(&id.to_string())).await? else {
            tx.done().await?;
            return Ok(false);
        };
        let mut photo = Photo::from_js(value)?;
        change(&mut photo.record);
        if let Some((raw, processed, thumbnail)) = blobs {
            (photo.raw, photo.photo, photo.thumbnail) = (raw, processed, thumbnail);
        }
        store.put(&photo.to_js()?, None).await?;
        tx.done().await?;
        self.changed();
        Ok(true)
    }

    /// Deletes a photo of a draft.
    pub async fn delete_photo(&self, id: PhotoId) -> Result<(), StoreError> {
        let Some(photo) = self.photo(id).await? else {
            return Ok(());
        };
        let tx = self
            .draft_transaction(photo.record.case_id, &[OUTBOX, PHOTOS])
            .await?;
        tx.store(PHOTOS)?
            .delete(JsValue::from_str(&id.to_string()))
            .await?;
        tx.done().await?;
        self.changed();
        Ok(())
    }

    pub async fn meta<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, StoreError> {
        let entry: Option<MetaEntry<T>> = self.get(META, JsValue::from_str(name)).await?;
        Ok(entry.map(|e| e.value))
    }

    pub async fn set_meta<T: Serialize>(&self, name: &str, value: &T) -> Result<(), StoreError> {
        self.put(META, &MetaEntryRef { key: name, value }).await
    }
}

#[derive(Deserialize)]
struct MetaEntry<T> {
    value: T,
}

#[derive(Serialize)]
struct MetaEntryRef<'a, T> {
    key: &'a str,
    value: &'a T,
}
