//! The one owner of the device's IndexedDB. Nothing else in the app touches IndexedDB; the
//! thin layer underneath (`idb`) is ours.
//!
//! Object stores (version 1):
//! - `cases`: one [`CaseRecord`] per form, keyed by its case ID: the answers and the step shown.
//! - `outbox`: one [`OutboxItem`] per submitted case: where its delivery stands, the problem if
//!   any, and the server's receipt once it has one. A case with no outbox item is a draft.
//! - `photos` (version 2): one [`Photo`] per document photo, keyed by photo ID and indexed by
//!   case: the picture as taken (until processed), the processed photo and its thumbnail as Blobs
//!   (as their bytes and type where IndexedDB refuses Blobs), how far its upload got, and on a
//!   shared tablet the photo sealed for the organisation at Send.
//! - `meta`: small settings by key (the device's registration, the organisation's keys, the
//!   open appointment slots as last fetched).
//! - `forms` (version 3): the published form definitions the device holds, keyed by
//!   `form_id@version`.
//! - `locked` (version 4): cases on a shared tablet, each encrypted with its own key behind its
//!   family's PIN ([`locked`]); such a case is never in `cases`. Once delivered it is erased
//!   with its photos, and only its outbox item (the receipt) stays.
//!
//! Every write is one transaction and tells [`Store::subscribe`]rs afterwards, so the UI can
//! re-read what changed and the sync worker can wake. The delivery engine sees this store through
//! [`delivery::DeviceStore`]; the rules it keeps are held to the engine's conformance suite in
//! `tests/store_and_sync.rs`.

use std::cell::{Cell, RefCell};

use delivery::records::DeviceCredentials;
use idb::{Mode, Tx};
use js_sys::Reflect;
use protocol::outbox::OutboxState;
use protocol::{CaseId, PhotoId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

pub use delivery::records::{
    CaseRecord, DeviceAuth, OutboxItem, PhotoQuality, PhotoRecord, Problem, Processed,
    UploadProgress,
};
pub use delivery::store::{DeviceStore, StoreError};

mod idb;
pub mod locked;

pub const DB_NAME: &str = "resguardo";
const DB_VERSION: u32 = 4;
const CASES: &str = "cases";
const OUTBOX: &str = "outbox";
const META: &str = "meta";
const PHOTOS: &str = "photos";
const FORMS: &str = "forms";
const LOCKED: &str = "locked";
const PHOTOS_BY_CASE: &str = "case_id";
/// The Blob-valued fields of a photo entry (serde cannot carry Blobs; they ride beside it).
const BLOB_FIELDS: [&str; 4] = ["raw", "photo", "thumbnail", "sealed_bytes"];
/// Where this device stands with the server ([`DeviceAuth`]).
const DEVICE_AUTH: &str = "device_auth";
/// What builds before [`DEVICE_AUTH`] kept instead: the credentials and the enrolment code.
const LEGACY_DEVICE: &str = "device";
const LEGACY_ENROLMENT: &str = "enrolment_code";

/// A photo entry with its Blobs.
#[derive(Debug, Clone)]
pub struct Photo {
    pub record: PhotoRecord,
    /// The picture as taken; dropped once processed.
    pub raw: Option<web_sys::Blob>,
    /// The processed JPEG that is uploaded.
    pub photo: Option<web_sys::Blob>,
    pub thumbnail: Option<web_sys::Blob>,
    /// The processed JPEG sealed for the organisation at Send (shared tablets): what is
    /// uploaded once there ([`PhotoRecord::current_seal`]).
    pub sealed: Option<web_sys::Blob>,
}

impl Photo {
    /// The entry as stored: the details, and each Blob field as [`Store::storable`] made it.
    fn entry(record: &PhotoRecord, blobs: [JsValue; 4]) -> Result<JsValue, StoreError> {
        let value = to_js(record)?;
        for (name, v) in BLOB_FIELDS.iter().zip(blobs) {
            Reflect::set(&value, &JsValue::from_str(name), &v)
                .map_err(|_| StoreError::Corrupt("photo".into()))?;
        }
        Ok(value)
    }

    /// The stored Blob fields, as they are, and the details without them.
    fn split(value: JsValue) -> Result<(PhotoRecord, [JsValue; 4]), StoreError> {
        let fields = BLOB_FIELDS.map(|name| {
            let name = JsValue::from_str(name);
            let v = Reflect::get(&value, &name).unwrap_or(JsValue::UNDEFINED);
            let _ = Reflect::delete_property(value.unchecked_ref::<js_sys::Object>(), &name);
            v
        });
        Ok((from_js(value)?, fields))
    }

    fn from_js(value: JsValue) -> Result<StoredPhoto, StoreError> {
        let (record, fields) = Self::split(value)?;
        Ok(StoredPhoto { record, fields })
    }
}

/// A photo entry as read inside a transaction: its details, and its Blob fields as stored
/// (decrypted, when they are encrypted, only after the transaction: see [`Store::open_photo`]).
struct StoredPhoto {
    record: PhotoRecord,
    fields: [JsValue; 4],
}

/// The Blob fields of a shared tablet's photos are kept encrypted with their case's key, as
/// `{bytes: iv ‖ ciphertext, type, encrypted: true}`; the sealed bytes (already unreadable on
/// the tablet) are not.
const ENCRYPTED: &str = "encrypted";
const ENCRYPTED_FIELDS: [bool; 4] = [true, true, true, false];

/// What binds an encrypted Blob to its place: its case, its photo and its field.
fn photo_aad(case_id: CaseId, photo_id: PhotoId, field: &str) -> Vec<u8> {
    format!("{case_id}/{photo_id}/{field}").into_bytes()
}

fn is_encrypted(v: &JsValue) -> bool {
    v.is_object() && Reflect::get(v, &JsValue::from_str(ENCRYPTED)).is_ok_and(|e| e.is_truthy())
}

/// Where IndexedDB refuses Blobs (WebKit's private sessions: Safari's private browsing, and every
/// WebKitWebDriver session), a Blob field holds `{bytes: ArrayBuffer, type}` instead.
const BYTES: &str = "bytes";
const TYPE: &str = "type";

/// A stored Blob field back as a Blob, whichever way it was kept.
fn blob_from_stored(v: JsValue) -> Result<Option<web_sys::Blob>, StoreError> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if let Some(blob) = v.dyn_ref::<web_sys::Blob>() {
        return Ok(Some(blob.clone()));
    }
    let corrupt = || StoreError::Corrupt("a photo's bytes".into());
    let bytes = Reflect::get(&v, &JsValue::from_str(BYTES)).map_err(|_| corrupt())?;
    if !bytes.is_instance_of::<js_sys::ArrayBuffer>() {
        return Err(corrupt());
    }
    let kind = Reflect::get(&v, &JsValue::from_str(TYPE))
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or_default();
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(&kind);
    web_sys::Blob::new_with_buffer_source_sequence_and_options(
        &js_sys::Array::of1(&bytes),
        &options,
    )
    .map(Some)
    .map_err(|_| corrupt())
}

/// A Blob of `bytes` with the MIME type `kind`.
fn blob_of(bytes: &[u8], kind: &str) -> Result<web_sys::Blob, StoreError> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(kind);
    let array = js_sys::Uint8Array::from(bytes);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&js_sys::Array::of1(&array), &options)
        .map_err(|_| StoreError::Failed("making a Blob".into()))
}

type Listener = Box<dyn Fn()>;

pub struct Store {
    db: web_sys::IdbDatabase,
    listeners: RefCell<Vec<Listener>>,
    /// Whether IndexedDB here keeps Blobs, found out on the first photo written.
    keeps_blobs: Cell<Option<bool>>,
    /// The keys of the locked cases open in this page ([`locked`]); memory only.
    keys: RefCell<std::collections::HashMap<CaseId, crate::vault::CaseKey>>,
}

/// A draft's record made ready for a write transaction (encrypted first when the case is a
/// locked one, since WebCrypto cannot be awaited inside the transaction).
enum Prepared {
    Clear(JsValue),
    Locked { record: String, updated_at: f64 },
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

fn photo_key(id: PhotoId) -> JsValue {
    JsValue::from_str(&id.to_string())
}

impl Store {
    /// The case if it is kept unlocked (not behind a PIN); `None` for a locked or unknown one.
    pub async fn unlocked_case(&self, id: CaseId) -> Result<Option<CaseRecord>, StoreError> {
        self.get(CASES, &key(id)).await
    }

    pub async fn open() -> Result<Store, StoreError> {
        Self::open_named(DB_NAME).await
    }

    /// Opens (creating or upgrading) the database `name`; tests use their own names.
    pub async fn open_named(name: &str) -> Result<Store, StoreError> {
        // Whatever version a device has (none, 1, 2, 3 or 4), what is missing is created;
        // nothing already there is touched.
        let db = idb::open(name, DB_VERSION, |db, tx| {
            idb::ensure_store(db, tx, LOCKED, "id")?;
            idb::ensure_store(db, tx, FORMS, "key")?;
            idb::ensure_store(db, tx, CASES, "id")?;
            idb::ensure_store(db, tx, OUTBOX, "case_id")?;
            idb::ensure_store(db, tx, META, "key")?;
            let photos = idb::ensure_store(db, tx, PHOTOS, "photo_id")?;
            idb::ensure_index(&photos, PHOTOS_BY_CASE, "case_id")
        })
        .await?;
        Ok(Store {
            db,
            listeners: RefCell::new(Vec::new()),
            keeps_blobs: Cell::new(None),
            keys: RefCell::new(std::collections::HashMap::new()),
        })
    }

    /// Closes the connection (what a closed tab does).
    pub fn close(self) {
        self.db.close();
    }

    pub async fn delete_database(name: &str) -> Result<(), StoreError> {
        idb::delete(name).await
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

    fn transaction(&self, stores: &[&str], mode: Mode) -> Result<Tx, StoreError> {
        Tx::new(&self.db, stores, mode)
    }

    async fn get<T: DeserializeOwned>(
        &self,
        store: &str,
        key: &JsValue,
    ) -> Result<Option<T>, StoreError> {
        let tx = self.transaction(&[store], Mode::Readonly)?;
        let value = tx.store(store)?.get(key).await?;
        tx.done().await?;
        value.map(from_js).transpose()
    }

    async fn get_all<T: DeserializeOwned>(&self, store: &str) -> Result<Vec<T>, StoreError> {
        let tx = self.transaction(&[store], Mode::Readonly)?;
        let values = tx.store(store)?.get_all().await?;
        tx.done().await?;
        values.into_iter().map(from_js).collect()
    }

    async fn put<T: Serialize>(&self, store: &str, value: &T) -> Result<(), StoreError> {
        let js = to_js(value)?;
        let tx = self.transaction(&[store], Mode::Readwrite)?;
        tx.store(store)?.put(&js).await?;
        tx.done().await?;
        self.changed();
        Ok(())
    }

    /// A read-write transaction over `stores` (which include the outbox) for changing a draft:
    /// refused, with nothing written, once the case is in the outbox, so what was sent never
    /// changes under the worker's feet.
    async fn draft_transaction(&self, case_id: CaseId, stores: &[&str]) -> Result<Tx, StoreError> {
        let tx = self.transaction(stores, Mode::Readwrite)?;
        if tx.store(OUTBOX)?.has(&key(case_id)).await? {
            tx.abort();
            return Err(StoreError::AlreadySubmitted);
        }
        Ok(tx)
    }

    /// Every entry of a case's photos, oldest first, read in `tx`.
    async fn photo_entries(tx: &Tx, case_id: CaseId) -> Result<Vec<StoredPhoto>, StoreError> {
        let values = tx
            .store(PHOTOS)?
            .index(PHOTOS_BY_CASE)?
            .get_all(&key(case_id))
            .await?;
        let mut photos = values
            .into_iter()
            .map(Photo::from_js)
            .collect::<Result<Vec<_>, _>>()?;
        photos.sort_unstable_by(|a, b| {
            a.record
                .created_at
                .total_cmp(&b.record.created_at)
                .then(a.record.photo_id.cmp(&b.record.photo_id))
        });
        Ok(photos)
    }

    /// Encrypts an open locked case's record, or readies a clear one.
    async fn prepare(&self, case: &CaseRecord) -> Result<Prepared, StoreError> {
        match self.open_key(case.id) {
            Some(case_key) => Ok(Prepared::Locked {
                record: locked::encrypt_record(&case_key, case).await?,
                updated_at: case.updated_at,
            }),
            None => Ok(Prepared::Clear(to_js(case)?)),
        }
    }

    /// Writes a prepared record in `tx` (over `cases` and `locked`). A clear record for a case
    /// that is locked means the case was locked while the write waited: refused, so nothing of
    /// a locked case is ever written in the clear.
    async fn write_prepared(tx: &Tx, id: CaseId, prepared: Prepared) -> Result<(), StoreError> {
        let locked = tx.store(LOCKED)?;
        match prepared {
            Prepared::Clear(js) => {
                if locked.has(&key(id)).await? {
                    return Err(StoreError::Locked);
                }
                tx.store(CASES)?.put(&js).await
            }
            Prepared::Locked { record, updated_at } => {
                let Some(value) = locked.get(&key(id)).await? else {
                    return Err(StoreError::Locked);
                };
                let mut entry: locked::LockedCase = from_js(value)?;
                entry.record = record;
                entry.updated_at = updated_at;
                locked.put(&to_js(&entry)?).await
            }
        }
    }

    /// Newest first.
    pub async fn cases(&self) -> Result<Vec<CaseRecord>, StoreError> {
        let mut cases: Vec<CaseRecord> = self.get_all(CASES).await?;
        cases.sort_unstable_by(|a, b| b.created_at.total_cmp(&a.created_at).then(b.id.cmp(&a.id)));
        Ok(cases)
    }

    /// Saves a new photo (or replaces one) with its Blobs, encrypted when its case is a locked
    /// one. Refused once its case was submitted, and for a locked case that is not open.
    pub async fn put_photo(&self, photo: &Photo) -> Result<(), StoreError> {
        let record = &photo.record;
        let blobs = [
            photo.raw.clone(),
            photo.photo.clone(),
            photo.thumbnail.clone(),
            photo.sealed.clone(),
        ];
        let (blobs, encrypted) = self.storable_photo(record, blobs).await?;
        let value = Photo::entry(record, blobs)?;
        let tx = self
            .draft_transaction(record.case_id, &[OUTBOX, PHOTOS, LOCKED])
            .await?;
        if !encrypted && tx.store(LOCKED)?.has(&key(record.case_id)).await? {
            tx.abort();
            return Err(StoreError::Locked);
        }
        tx.store(PHOTOS)?.put(&value).await?;
        tx.done().await?;
        self.changed();
        Ok(())
    }

    /// A photo's details, without its Blobs.
    async fn photo_record(&self, id: PhotoId) -> Result<Option<PhotoRecord>, StoreError> {
        let tx = self.transaction(&[PHOTOS], Mode::Readonly)?;
        let value = tx.store(PHOTOS)?.get(&photo_key(id)).await?;
        tx.done().await?;
        value
            .map(|v| Photo::from_js(v).map(|p| p.record))
            .transpose()
    }

    /// A photo with its Blobs (an encrypted one's only while its case is open).
    pub async fn photo_with_blobs(&self, id: PhotoId) -> Result<Option<Photo>, StoreError> {
        let tx = self.transaction(&[PHOTOS], Mode::Readonly)?;
        let value = tx.store(PHOTOS)?.get(&photo_key(id)).await?;
        tx.done().await?;
        match value {
            Some(value) => Ok(Some(self.open_photo(Photo::from_js(value)?).await?)),
            None => Ok(None),
        }
    }

    /// A case's photos with their Blobs, oldest first.
    pub async fn photos_with_blobs(&self, case_id: CaseId) -> Result<Vec<Photo>, StoreError> {
        let tx = self.transaction(&[PHOTOS], Mode::Readonly)?;
        let stored = Self::photo_entries(&tx, case_id).await?;
        tx.done().await?;
        let mut photos = Vec::with_capacity(stored.len());
        for entry in stored {
            photos.push(self.open_photo(entry).await?);
        }
        Ok(photos)
    }

    /// A stored entry's Blobs as Blobs: encrypted ones decrypted with their case's open key, or
    /// left out while the case is locked.
    async fn open_photo(&self, stored: StoredPhoto) -> Result<Photo, StoreError> {
        let StoredPhoto { record, fields } = stored;
        let mut blobs: [Option<web_sys::Blob>; 4] = Default::default();
        for ((slot, value), name) in blobs.iter_mut().zip(fields).zip(BLOB_FIELDS) {
            *slot = self.open_field(&record, name, value).await?;
        }
        let [raw, photo, thumbnail, sealed] = blobs;
        Ok(Photo {
            record,
            raw,
            photo,
            thumbnail,
            sealed,
        })
    }

    /// One stored Blob field as a Blob (`None` when empty, or encrypted and its case locked).
    async fn open_field(
        &self,
        record: &PhotoRecord,
        name: &str,
        value: JsValue,
    ) -> Result<Option<web_sys::Blob>, StoreError> {
        if !is_encrypted(&value) {
            return blob_from_stored(value);
        }
        let Some(case_key) = self.open_key(record.case_id) else {
            return Ok(None);
        };
        let corrupt = || StoreError::Corrupt("an encrypted photo".into());
        let bytes = Reflect::get(&value, &JsValue::from_str(BYTES)).map_err(|_| corrupt())?;
        if !bytes.is_instance_of::<js_sys::ArrayBuffer>() {
            return Err(corrupt());
        }
        let plain = case_key
            .decrypt(
                &photo_aad(record.case_id, record.photo_id, name),
                &js_sys::Uint8Array::new(&bytes).to_vec(),
            )
            .await
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let kind = Reflect::get(&value, &JsValue::from_str(TYPE))
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default();
        blob_of(&plain, &kind).map(Some)
    }

    /// A photo's Blob fields made storable: encrypted with the case's key while it is open (a
    /// locked case's), else as [`Self::storable`] keeps them. `true` when encrypted.
    async fn storable_photo(
        &self,
        record: &PhotoRecord,
        blobs: [Option<web_sys::Blob>; 4],
    ) -> Result<([JsValue; 4], bool), StoreError> {
        let Some(case_key) = self.open_key(record.case_id) else {
            return Ok((self.storable(blobs).await?, false));
        };
        let mut stored: [JsValue; 4] = Default::default();
        for (((slot, blob), name), encrypt) in stored
            .iter_mut()
            .zip(blobs)
            .zip(BLOB_FIELDS)
            .zip(ENCRYPTED_FIELDS)
        {
            let Some(blob) = blob else { continue };
            if !encrypt {
                let [kept] = self.storable([Some(blob)]).await?;
                *slot = kept;
                continue;
            }
            let bytes = wasm_bindgen_futures::JsFuture::from(blob.array_buffer())
                .await
                .map_err(|_| StoreError::Failed("reading the photo".into()))?;
            let sealed = case_key
                .encrypt(
                    &photo_aad(record.case_id, record.photo_id, name),
                    &js_sys::Uint8Array::new(&bytes).to_vec(),
                )
                .await
                .map_err(|e| StoreError::Failed(e.to_string()))?;
            let entry = js_sys::Object::new();
            let set = |k: &str, v: &JsValue| Reflect::set(&entry, &JsValue::from_str(k), v);
            set(
                BYTES,
                &js_sys::Uint8Array::from(&sealed[..]).buffer().into(),
            )
            .and_then(|_| set(TYPE, &JsValue::from_str(&blob.type_())))
            .and_then(|_| set(ENCRYPTED, &JsValue::TRUE))
            .map_err(|_| StoreError::Corrupt("photo".into()))?;
            *slot = entry.into();
        }
        Ok((stored, true))
    }

    /// Photos still waiting to be processed (the page died while it was busy).
    pub async fn unprocessed_photos(&self) -> Result<Vec<PhotoId>, StoreError> {
        let tx = self.transaction(&[PHOTOS], Mode::Readonly)?;
        let values = tx.store(PHOTOS)?.get_all().await?;
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
        // Made storable (and encrypted) before the transaction: reading a Blob's bytes or
        // awaiting WebCrypto inside it would end it.
        let replacing = match blobs {
            Some((raw, processed, thumbnail)) => {
                let Some(record) = self.photo_record(id).await? else {
                    return Ok(false);
                };
                let blobs = [raw, processed, thumbnail, None];
                let (stored, encrypted) = self.storable_photo(&record, blobs).await?;
                Some((stored, encrypted, record.case_id))
            }
            None => None,
        };
        let tx = self.transaction(&[PHOTOS, LOCKED], Mode::Readwrite)?;
        if let Some((_, false, case_id)) = &replacing {
            // Locked while this waited: nothing of a locked case is written in the clear.
            if tx.store(LOCKED)?.has(&key(*case_id)).await? {
                tx.abort();
                return Err(StoreError::Locked);
            }
        }
        let store = tx.store(PHOTOS)?;
        let Some(value) = store.get(&photo_key(id)).await? else {
            tx.done().await?;
            return Ok(false);
        };
        let (mut record, kept) = Photo::split(value)?;
        change(&mut record);
        let blobs = match replacing {
            Some(([raw, processed, thumbnail, _], _, _)) => {
                let [_, _, _, sealed] = kept;
                [raw, processed, thumbnail, sealed]
            }
            None => kept,
        };
        let entry = Photo::entry(&record, blobs)?;
        store.put(&entry).await?;
        tx.done().await?;
        self.changed();
        Ok(true)
    }

    /// Blob fields as this device's IndexedDB keeps them: the Blobs themselves, or their bytes
    /// and type where Blobs are refused.
    async fn storable<const N: usize>(
        &self,
        blobs: [Option<web_sys::Blob>; N],
    ) -> Result<[JsValue; N], StoreError> {
        let keeps_blobs = self.keeps_blobs().await;
        let mut stored: [JsValue; N] = std::array::from_fn(|_| JsValue::UNDEFINED);
        for (slot, blob) in stored.iter_mut().zip(blobs) {
            let Some(blob) = blob else { continue };
            if keeps_blobs {
                *slot = blob.into();
                continue;
            }
            let bytes = wasm_bindgen_futures::JsFuture::from(blob.array_buffer())
                .await
                .map_err(|_| StoreError::Failed("reading the photo".into()))?;
            let entry = js_sys::Object::new();
            let set = |k: &str, v: &JsValue| Reflect::set(&entry, &JsValue::from_str(k), v);
            set(BYTES, &bytes)
                .and_then(|_| set(TYPE, &JsValue::from_str(&blob.type_())))
                .map_err(|_| StoreError::Corrupt("photo".into()))?;
            *slot = entry.into();
        }
        Ok(stored)
    }

    /// Whether a Blob can be written here; tried once.
    async fn keeps_blobs(&self) -> bool {
        if let Some(known) = self.keeps_blobs.get() {
            return known;
        }
        match self.write_probe_blob().await {
            // A full device says nothing about Blobs: ask again next time.
            Err(StoreError::QuotaExceeded) => true,
            written => {
                self.keeps_blobs.set(Some(written.is_ok()));
                written.is_ok()
            }
        }
    }

    /// Writes a one-byte Blob into a transaction that is then abandoned.
    async fn write_probe_blob(&self) -> Result<(), StoreError> {
        let unmade = |_| StoreError::Failed("making a test Blob".into());
        let bytes = js_sys::Uint8Array::from(&[0u8][..]);
        let blob = web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&bytes))
            .map_err(unmade)?;
        let probe = js_sys::Object::new();
        Reflect::set(&probe, &"key".into(), &"blob-probe".into()).map_err(unmade)?;
        Reflect::set(&probe, &"value".into(), &blob).map_err(unmade)?;
        let tx = self.transaction(&[META], Mode::Readwrite)?;
        let written = tx.store(META)?.put(&probe.into()).await;
        tx.abort();
        written
    }

    /// Keeps photos' bytes as where Blobs are refused, for tests of that path in any browser.
    #[doc(hidden)]
    pub fn keep_blobs_as_bytes(&self) {
        self.keeps_blobs.set(Some(false));
    }

    pub async fn meta<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, StoreError> {
        let entry: Option<MetaEntry<T>> = self.get(META, &JsValue::from_str(name)).await?;
        Ok(entry.map(|e| e.value))
    }

    pub async fn set_meta<T: Serialize>(&self, name: &str, value: &T) -> Result<(), StoreError> {
        self.put(META, &MetaEntryRef { key: name, value }).await
    }
}

impl DeviceStore for Store {
    async fn case(&self, id: CaseId) -> Result<Option<CaseRecord>, StoreError> {
        match self.get(CASES, &key(id)).await? {
            Some(case) => Ok(Some(case)),
            None => self.read_locked(id).await,
        }
    }

    async fn save_draft(&self, case: &CaseRecord) -> Result<(), StoreError> {
        let prepared = self.prepare(case).await?;
        let tx = self
            .draft_transaction(case.id, &[CASES, OUTBOX, LOCKED])
            .await?;
        if let Err(e) = Self::write_prepared(&tx, case.id, prepared).await {
            tx.abort();
            return Err(e);
        }
        tx.done().await?;
        self.changed();
        Ok(())
    }

    async fn save_draft_deleting_photos(
        &self,
        case: &CaseRecord,
        photos: &[PhotoId],
    ) -> Result<(), StoreError> {
        let prepared = self.prepare(case).await?;
        let tx = self
            .draft_transaction(case.id, &[CASES, OUTBOX, PHOTOS, LOCKED])
            .await?;
        let store = tx.store(PHOTOS)?;
        for id in photos {
            if let Some(value) = store.get(&photo_key(*id)).await? {
                if Photo::from_js(value)?.record.case_id == case.id {
                    store.delete(&photo_key(*id)).await?;
                }
            }
        }
        if let Err(e) = Self::write_prepared(&tx, case.id, prepared).await {
            tx.abort();
            return Err(e);
        }
        tx.done().await?;
        self.changed();
        Ok(())
    }

    async fn delete_draft(&self, id: CaseId) -> Result<(), StoreError> {
        let tx = self
            .draft_transaction(id, &[CASES, OUTBOX, PHOTOS, LOCKED])
            .await?;
        tx.store(CASES)?.delete(&key(id)).await?;
        tx.store(LOCKED)?.delete(&key(id)).await?;
        let photos = tx.store(PHOTOS)?;
        for photo_id in photos.index(PHOTOS_BY_CASE)?.get_all_keys(&key(id)).await? {
            photos.delete(&photo_id).await?;
        }
        tx.done().await?;
        self.keys.borrow_mut().remove(&id);
        self.changed();
        Ok(())
    }

    async fn enqueue(&self, case: &CaseRecord, item: &OutboxItem) -> Result<(), StoreError> {
        let (prepared, item_js) = (self.prepare(case).await?, to_js(item)?);
        let tx = self
            .draft_transaction(case.id, &[CASES, OUTBOX, PHOTOS, LOCKED])
            .await?;
        if let Some(photos) = item.photos_sent() {
            let sending: Vec<(PhotoId, &str)> = photos
                .iter()
                .map(|p| (p.photo_id, p.sha256.as_str()))
                .collect();
            let stored = Self::photo_entries(&tx, case.id).await?;
            let stored: Vec<(PhotoId, &str)> = stored
                .iter()
                .map(|p| {
                    let sha = p
                        .record
                        .processed
                        .as_ref()
                        .map_or("", |x| x.sha256.as_str());
                    (p.record.photo_id, sha)
                })
                .collect();
            if sending != stored {
                tx.abort();
                return Err(StoreError::PhotosChanged);
            }
        }
        if let Err(e) = Self::write_prepared(&tx, case.id, prepared).await {
            tx.abort();
            return Err(e);
        }
        tx.store(OUTBOX)?.put(&item_js).await?;
        tx.done().await?;
        self.changed();
        Ok(())
    }

    async fn erase_delivered(&self, item: &OutboxItem) -> Result<(), StoreError> {
        let js = to_js(item)?;
        let id = item.case_id;
        let tx = self.transaction(&[CASES, LOCKED, PHOTOS, OUTBOX], Mode::Readwrite)?;
        tx.store(CASES)?.delete(&key(id)).await?;
        tx.store(LOCKED)?.delete(&key(id)).await?;
        let photos = tx.store(PHOTOS)?;
        for photo_id in photos.index(PHOTOS_BY_CASE)?.get_all_keys(&key(id)).await? {
            photos.delete(&photo_id).await?;
        }
        tx.store(OUTBOX)?.put(&js).await?;
        tx.done().await?;
        self.keys.borrow_mut().remove(&id);
        self.changed();
        Ok(())
    }

    async fn reopen_rejected(&self, id: CaseId) -> Result<(), StoreError> {
        // A locked case keeps what the server said inside its encrypted record: made ready
        // before the transaction (and only when the case is open: a locked one is not changed).
        let locked_record = match self.read_locked(id).await {
            Ok(Some(mut case)) => match self.outbox_item(id).await? {
                Some(item) if item.state == OutboxState::Rejected => {
                    case.last_problem = item.problem;
                    Some(self.prepare(&case).await?)
                }
                _ => None,
            },
            Ok(None) => None,
            Err(StoreError::Locked) => return Err(StoreError::Locked),
            Err(e) => return Err(e),
        };
        let tx = self.transaction(&[OUTBOX, CASES, LOCKED], Mode::Readwrite)?;
        let outbox = tx.store(OUTBOX)?;
        let Some(value) = outbox.get(&key(id)).await? else {
            tx.done().await?;
            return Ok(());
        };
        let item: OutboxItem = from_js(value)?;
        if item.state != OutboxState::Rejected {
            tx.abort();
            return Err(StoreError::AlreadySubmitted);
        }
        outbox.delete(&key(id)).await?;
        if let Some(prepared) = locked_record {
            if let Err(e) = Self::write_prepared(&tx, id, prepared).await {
                tx.abort();
                return Err(e);
            }
        }
        let cases = tx.store(CASES)?;
        if let Some(value) = cases.get(&key(id)).await? {
            let mut case: CaseRecord = from_js(value)?;
            case.last_problem = item.problem;
            cases.put(&to_js(&case)?).await?;
        }
        tx.done().await?;
        self.changed();
        Ok(())
    }

    async fn outbox(&self) -> Result<Vec<OutboxItem>, StoreError> {
        self.get_all(OUTBOX).await
    }

    async fn outbox_item(&self, id: CaseId) -> Result<Option<OutboxItem>, StoreError> {
        self.get(OUTBOX, &key(id)).await
    }

    async fn put_outbox(&self, item: &OutboxItem) -> Result<(), StoreError> {
        self.put(OUTBOX, item).await
    }

    async fn photos_of_case(&self, case_id: CaseId) -> Result<Vec<PhotoRecord>, StoreError> {
        let tx = self.transaction(&[PHOTOS], Mode::Readonly)?;
        let stored = Self::photo_entries(&tx, case_id).await?;
        tx.done().await?;
        Ok(stored.into_iter().map(|p| p.record).collect())
    }

    async fn photo(&self, id: PhotoId) -> Result<Option<PhotoRecord>, StoreError> {
        self.photo_record(id).await
    }

    async fn photo_bytes(
        &self,
        id: PhotoId,
        start: u64,
        end: u64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        // The Blob is read after its transaction ended: awaiting anything but IndexedDB inside
        // one would end it anyway.
        let tx = self.transaction(&[PHOTOS], Mode::Readonly)?;
        let value = tx.store(PHOTOS)?.get(&photo_key(id)).await?;
        tx.done().await?;
        let Some(StoredPhoto { record, fields }) = value.map(Photo::from_js).transpose()? else {
            return Ok(None);
        };
        // The sealed bytes once sealed, else the photo (decrypted only if that is what is read).
        let [_, photo, _, sealed] = fields;
        let (name, value) = match record.current_seal() {
            Some(_) => (BLOB_FIELDS[3], sealed),
            None => (BLOB_FIELDS[1], photo),
        };
        let Some(blob) = self.open_field(&record, name, value).await? else {
            return Ok(None);
        };
        let slice = blob
            .slice_with_f64_and_f64(start as f64, end as f64)
            .map_err(|_| StoreError::Failed("Blob.slice".into()))?;
        let buffer = wasm_bindgen_futures::JsFuture::from(slice.array_buffer())
            .await
            .map_err(|_| StoreError::Failed("reading the photo".into()))?;
        Ok(Some(js_sys::Uint8Array::new(&buffer).to_vec()))
    }

    async fn seal_photo(
        &self,
        id: PhotoId,
        seal: &delivery::records::PhotoSeal,
        sealed: Vec<u8>,
    ) -> Result<bool, StoreError> {
        let Some(photo) = DeviceStore::photo(self, id).await? else {
            return Ok(false);
        };
        let blob = blob_of(&sealed, "application/octet-stream")?;
        let [stored] = self.storable([Some(blob)]).await?;
        let tx = self
            .draft_transaction(photo.case_id, &[OUTBOX, PHOTOS])
            .await?;
        let store = tx.store(PHOTOS)?;
        let Some(value) = store.get(&photo_key(id)).await? else {
            tx.done().await?;
            return Ok(false);
        };
        let (mut record, [raw, processed, thumbnail, _]) = Photo::split(value)?;
        record.sealed = Some(seal.clone());
        store
            .put(&Photo::entry(&record, [raw, processed, thumbnail, stored])?)
            .await?;
        tx.done().await?;
        self.changed();
        Ok(true)
    }

    async fn delete_photo(&self, id: PhotoId) -> Result<(), StoreError> {
        let Some(photo) = DeviceStore::photo(self, id).await? else {
            return Ok(());
        };
        let tx = self
            .draft_transaction(photo.case_id, &[OUTBOX, PHOTOS])
            .await?;
        tx.store(PHOTOS)?.delete(&photo_key(id)).await?;
        tx.done().await?;
        self.changed();
        Ok(())
    }

    async fn set_upload_progress(
        &self,
        id: PhotoId,
        progress: &UploadProgress,
    ) -> Result<bool, StoreError> {
        let progress = progress.clone();
        self.update_photo(id, |r| r.upload = progress, None).await
    }

    async fn device_auth(&self) -> Result<DeviceAuth, StoreError> {
        if let Some(auth) = self.meta::<DeviceAuth>(DEVICE_AUTH).await? {
            return Ok(auth);
        }
        // Kept by an older build: its token and code still count.
        let credentials = self
            .meta::<Option<DeviceCredentials>>(LEGACY_DEVICE)
            .await?
            .flatten();
        let enrolment_code = self
            .meta::<Option<String>>(LEGACY_ENROLMENT)
            .await?
            .flatten();
        Ok(DeviceAuth {
            credentials,
            enrolment_code,
            ..DeviceAuth::default()
        })
    }

    async fn set_device_auth(&self, auth: &DeviceAuth) -> Result<(), StoreError> {
        self.set_meta(DEVICE_AUTH, auth).await
    }

    async fn put_form_definition(
        &self,
        definition: &protocol::FormDefinition,
    ) -> Result<(), StoreError> {
        self.put(
            FORMS,
            &FormEntry {
                key: form_key(&definition.form_id, definition.version),
                definition: definition.clone(),
            },
        )
        .await
    }

    async fn form_definition(
        &self,
        form_id: &str,
        version: u32,
    ) -> Result<Option<protocol::FormDefinition>, StoreError> {
        let key = JsValue::from_str(&form_key(form_id, version));
        Ok(self
            .get::<FormEntry>(FORMS, &key)
            .await?
            .map(|e| e.definition))
    }

    async fn form_definitions(&self) -> Result<Vec<protocol::FormDefinition>, StoreError> {
        let mut all: Vec<protocol::FormDefinition> = self
            .get_all::<FormEntry>(FORMS)
            .await?
            .into_iter()
            .map(|e| e.definition)
            .collect();
        all.sort_unstable_by(|a, b| (&a.form_id, a.version).cmp(&(&b.form_id, b.version)));
        Ok(all)
    }

    async fn set_sealing_keys(
        &self,
        keys: Option<&protocol::sealed::SealingKeys>,
    ) -> Result<(), StoreError> {
        self.set_meta(SEALING_KEYS, &keys).await
    }

    async fn sealing_keys(&self) -> Result<Option<protocol::sealed::SealingKeys>, StoreError> {
        Ok(self
            .meta::<Option<protocol::sealed::SealingKeys>>(SEALING_KEYS)
            .await?
            .flatten())
    }

    async fn set_slots(&self, slots: &protocol::appointment::SlotList) -> Result<(), StoreError> {
        self.set_meta(SLOTS, slots).await
    }

    async fn slots(&self) -> Result<Option<protocol::appointment::SlotList>, StoreError> {
        self.meta(SLOTS).await
    }

    async fn record_status(
        &self,
        status: &protocol::appointment::CaseStatus,
    ) -> Result<bool, StoreError> {
        let id = status.receipt.case_id;
        let tx = self.transaction(&[OUTBOX], Mode::Readwrite)?;
        let outbox = tx.store(OUTBOX)?;
        let held: Option<OutboxItem> = outbox.get(&key(id)).await?.map(from_js).transpose()?;
        let updated = held
            .as_ref()
            .and_then(|h| h.with_status(status).filter(|new| new != h));
        let Some(item) = updated else {
            tx.done().await?;
            return Ok(false);
        };
        outbox.put(&to_js(&item)?).await?;
        tx.done().await?;
        self.changed();
        Ok(true)
    }
}

/// The meta entry holding the open appointment slots as last fetched.
const SLOTS: &str = "slots";

/// The meta entry holding the organisation's public keys (public: kept as they came).
const SEALING_KEYS: &str = "sealing_keys";

/// A definition as the `forms` store keeps it: as a plain object, so a page reads it without a
/// JSON parser of its own (only the sync worker, which fetches definitions, writes them).
#[derive(Serialize, Deserialize)]
struct FormEntry {
    key: String,
    definition: protocol::FormDefinition,
}

fn form_key(form_id: &str, version: u32) -> String {
    format!("{form_id}@{version}")
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
