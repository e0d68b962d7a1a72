//! A [`DeviceStore`] in memory, with the transaction semantics of the IndexedDB one: each method
//! happens whole or not at all (nothing is awaited while it runs), and records go through a
//! serde round trip on the way in, as IndexedDB's structured clone of our JSON does. The
//! simulator and the native tests use it; [`crate::conformance`] holds both stores to the same
//! rules.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use protocol::appointment::{CaseStatus, SlotList};
use protocol::outbox::OutboxState;
use protocol::sealed::SealingKeys;
use protocol::{CaseId, FormDefinition, PhotoId};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::records::{
    CaseRecord, DeviceAuth, OutboxItem, PhotoRecord, PhotoSeal, Processed, UploadProgress,
};
use crate::store::{DeviceStore, StoreError};

#[derive(Default, Clone)]
struct Photo {
    record: Option<PhotoRecord>,
    /// The picture as taken, until processed.
    raw: Option<Vec<u8>>,
    /// The processed picture.
    processed: Option<Vec<u8>>,
    /// The processed picture sealed for the organisation (what is uploaded once there).
    sealed: Option<Vec<u8>>,
}

#[derive(Default, Clone)]
struct Data {
    cases: BTreeMap<CaseId, CaseRecord>,
    outbox: BTreeMap<CaseId, OutboxItem>,
    photos: BTreeMap<PhotoId, Photo>,
    auth: DeviceAuth,
    forms: BTreeMap<(String, u32), FormDefinition>,
    sealing_keys: Option<SealingKeys>,
    slots: Option<SlotList>,
}

#[derive(Default)]
pub struct MemoryStore {
    data: RefCell<Data>,
    /// While set, every write fails as a full device's would.
    full: Cell<bool>,
    writes: Cell<u64>,
}

fn roundtrip<T: Serialize + DeserializeOwned>(value: &T) -> Result<T, StoreError> {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes every write fail with [`StoreError::QuotaExceeded`] (or stop failing).
    pub fn set_full(&self, full: bool) {
        self.full.set(full);
    }

    /// Successful writes so far (the simulator uses it to pick crash points).
    pub fn writes(&self) -> u64 {
        self.writes.get()
    }

    /// Runs `change` on a copy and keeps the copy only if it succeeds: a transaction.
    fn write<T>(
        &self,
        change: impl FnOnce(&mut Data) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if self.full.get() {
            return Err(StoreError::QuotaExceeded);
        }
        let mut copy = self.data.borrow().clone();
        let out = change(&mut copy)?;
        *self.data.borrow_mut() = copy;
        self.writes.set(self.writes.get() + 1);
        Ok(out)
    }

    fn read<T>(&self, f: impl FnOnce(&Data) -> T) -> T {
        f(&self.data.borrow())
    }

    /// Keeps a picture as taken (refused once its case was submitted).
    pub fn put_photo(&self, record: &PhotoRecord, raw: Vec<u8>) -> Result<(), StoreError> {
        let record = roundtrip(record)?;
        self.write(|d| {
            guard_draft(d, record.case_id)?;
            d.photos.insert(
                record.photo_id,
                Photo {
                    record: Some(record),
                    raw: Some(raw),
                    processed: None,
                    sealed: None,
                },
            );
            Ok(())
        })
    }

    /// What the photo worker does in the browser: the processed picture replaces the original.
    /// `false` when the photo is gone (deleted meanwhile) or already processed.
    pub fn finish_processing(
        &self,
        id: PhotoId,
        processed: Vec<u8>,
        details: Processed,
    ) -> Result<bool, StoreError> {
        self.write(|d| {
            let Some(photo) = d.photos.get_mut(&id) else {
                return Ok(false);
            };
            let Some(record) = photo.record.as_mut() else {
                return Ok(false);
            };
            if record.processed.is_some() {
                return Ok(false);
            }
            record.processed = Some(details);
            photo.raw = None;
            photo.processed = Some(processed);
            Ok(true)
        })
    }

    /// Processing failed: the picture cannot be read.
    pub fn mark_unreadable(&self, id: PhotoId) -> Result<bool, StoreError> {
        self.write(|d| {
            let Some(record) = d.photos.get_mut(&id).and_then(|p| p.record.as_mut()) else {
                return Ok(false);
            };
            record.unreadable = true;
            Ok(true)
        })
    }

    /// Every case on the device, oldest first.
    pub fn cases(&self) -> Vec<CaseRecord> {
        let mut cases: Vec<CaseRecord> = self.read(|d| d.cases.values().cloned().collect());
        cases.sort_by(|a, b| a.created_at.total_cmp(&b.created_at));
        cases
    }

    /// The sealed bytes kept beside a photo, whole.
    pub fn sealed_bytes(&self, id: PhotoId) -> Option<Vec<u8>> {
        self.read(|d| d.photos.get(&id).and_then(|p| p.sealed.clone()))
    }

    /// The processed bytes of a photo, whole.
    pub fn processed_bytes(&self, id: PhotoId) -> Option<Vec<u8>> {
        self.read(|d| d.photos.get(&id).and_then(|p| p.processed.clone()))
    }
}

/// Drafts may change; submitted cases may not.
fn guard_draft(d: &Data, case_id: CaseId) -> Result<(), StoreError> {
    if d.outbox.contains_key(&case_id) {
        Err(StoreError::AlreadySubmitted)
    } else {
        Ok(())
    }
}

fn photos_of(d: &Data, case_id: CaseId) -> Vec<PhotoRecord> {
    let mut photos: Vec<PhotoRecord> = d
        .photos
        .values()
        .filter_map(|p| p.record.clone())
        .filter(|r| r.case_id == case_id)
        .collect();
    photos.sort_by(|a, b| {
        a.created_at
            .total_cmp(&b.created_at)
            .then(a.photo_id.cmp(&b.photo_id))
    });
    photos
}

impl DeviceStore for MemoryStore {
    async fn case(&self, id: CaseId) -> Result<Option<CaseRecord>, StoreError> {
        Ok(self.read(|d| d.cases.get(&id).cloned()))
    }

    async fn save_draft(&self, case: &CaseRecord) -> Result<(), StoreError> {
        let case = roundtrip(case)?;
        self.write(|d| {
            guard_draft(d, case.id)?;
            d.cases.insert(case.id, case);
            Ok(())
        })
    }

    async fn save_draft_deleting_photos(
        &self,
        case: &CaseRecord,
        photos: &[PhotoId],
    ) -> Result<(), StoreError> {
        let case = roundtrip(case)?;
        self.write(|d| {
            guard_draft(d, case.id)?;
            for id in photos {
                if d.photos
                    .get(id)
                    .and_then(|p| p.record.as_ref())
                    .is_some_and(|r| r.case_id == case.id)
                {
                    d.photos.remove(id);
                }
            }
            d.cases.insert(case.id, case);
            Ok(())
        })
    }

    async fn delete_draft(&self, id: CaseId) -> Result<(), StoreError> {
        self.write(|d| {
            guard_draft(d, id)?;
            d.cases.remove(&id);
            d.photos
                .retain(|_, p| p.record.as_ref().is_none_or(|r| r.case_id != id));
            Ok(())
        })
    }

    async fn erase_delivered(&self, item: &OutboxItem) -> Result<(), StoreError> {
        let item = roundtrip(item)?;
        self.write(|d| {
            let id = item.case_id;
            d.cases.remove(&id);
            d.photos
                .retain(|_, p| p.record.as_ref().is_none_or(|r| r.case_id != id));
            d.outbox.insert(id, item);
            Ok(())
        })
    }

    async fn enqueue(&self, case: &CaseRecord, item: &OutboxItem) -> Result<(), StoreError> {
        let (case, item) = (roundtrip(case)?, roundtrip(item)?);
        self.write(|d| {
            guard_draft(d, case.id)?;
            let outgoing = item.photos_sent();
            let sending: Vec<(PhotoId, String)> = outgoing
                .iter()
                .flatten()
                .map(|p| (p.photo_id, p.sha256.clone()))
                .collect();
            let stored: Vec<(PhotoId, String)> = photos_of(d, case.id)
                .iter()
                .map(|p| {
                    let sha = p
                        .processed
                        .as_ref()
                        .map(|x| x.sha256.clone())
                        .unwrap_or_default();
                    (p.photo_id, sha)
                })
                .collect();
            if outgoing.is_some() && sending != stored {
                return Err(StoreError::PhotosChanged);
            }
            d.cases.insert(case.id, case);
            d.outbox.insert(item.case_id, item);
            Ok(())
        })
    }

    async fn reopen_rejected(&self, id: CaseId) -> Result<(), StoreError> {
        self.write(|d| {
            let Some(item) = d.outbox.get(&id) else {
                return Ok(());
            };
            if item.state != OutboxState::Rejected {
                return Err(StoreError::AlreadySubmitted);
            }
            let problem = item.problem.clone();
            d.outbox.remove(&id);
            if let Some(case) = d.cases.get_mut(&id) {
                case.last_problem = problem;
            }
            Ok(())
        })
    }

    async fn outbox(&self) -> Result<Vec<OutboxItem>, StoreError> {
        Ok(self.read(|d| d.outbox.values().cloned().collect()))
    }

    async fn outbox_item(&self, id: CaseId) -> Result<Option<OutboxItem>, StoreError> {
        Ok(self.read(|d| d.outbox.get(&id).cloned()))
    }

    async fn put_outbox(&self, item: &OutboxItem) -> Result<(), StoreError> {
        let item = roundtrip(item)?;
        self.write(|d| {
            d.outbox.insert(item.case_id, item);
            Ok(())
        })
    }

    async fn photos_of_case(&self, case_id: CaseId) -> Result<Vec<PhotoRecord>, StoreError> {
        Ok(self.read(|d| photos_of(d, case_id)))
    }

    async fn photo(&self, id: PhotoId) -> Result<Option<PhotoRecord>, StoreError> {
        Ok(self.read(|d| d.photos.get(&id).and_then(|p| p.record.clone())))
    }

    async fn photo_bytes(
        &self,
        id: PhotoId,
        start: u64,
        end: u64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.read(|d| {
            let photo = d.photos.get(&id)?;
            let bytes = match photo.record.as_ref()?.current_seal() {
                Some(_) => photo.sealed.as_ref()?,
                None => photo.processed.as_ref()?,
            };
            let len = bytes.len() as u64;
            let (start, end) = (start.min(len) as usize, end.min(len) as usize);
            Some(bytes[start..end.max(start)].to_vec())
        }))
    }

    async fn seal_photo(
        &self,
        id: PhotoId,
        seal: &PhotoSeal,
        sealed: Vec<u8>,
    ) -> Result<bool, StoreError> {
        let seal = roundtrip(seal)?;
        self.write(|d| {
            let Some(case_id) = d
                .photos
                .get(&id)
                .and_then(|p| p.record.as_ref())
                .map(|r| r.case_id)
            else {
                return Ok(false);
            };
            guard_draft(d, case_id)?;
            let Some(photo) = d.photos.get_mut(&id) else {
                return Ok(false);
            };
            if let Some(record) = photo.record.as_mut() {
                record.sealed = Some(seal);
            }
            photo.sealed = Some(sealed);
            Ok(true)
        })
    }

    async fn delete_photo(&self, id: PhotoId) -> Result<(), StoreError> {
        self.write(|d| {
            let Some(case_id) = d
                .photos
                .get(&id)
                .and_then(|p| p.record.as_ref())
                .map(|r| r.case_id)
            else {
                return Ok(());
            };
            guard_draft(d, case_id)?;
            d.photos.remove(&id);
            Ok(())
        })
    }

    async fn set_upload_progress(
        &self,
        id: PhotoId,
        progress: &UploadProgress,
    ) -> Result<bool, StoreError> {
        let progress = roundtrip(progress)?;
        self.write(|d| {
            let Some(record) = d.photos.get_mut(&id).and_then(|p| p.record.as_mut()) else {
                return Ok(false);
            };
            record.upload = progress;
            Ok(true)
        })
    }

    async fn device_auth(&self) -> Result<DeviceAuth, StoreError> {
        Ok(self.read(|d| d.auth.clone()))
    }

    async fn set_device_auth(&self, auth: &DeviceAuth) -> Result<(), StoreError> {
        let auth = roundtrip(auth)?;
        self.write(|d| {
            d.auth = auth;
            Ok(())
        })
    }

    async fn put_form_definition(&self, definition: &FormDefinition) -> Result<(), StoreError> {
        let definition = roundtrip(definition)?;
        self.write(|d| {
            d.forms
                .insert((definition.form_id.clone(), definition.version), definition);
            Ok(())
        })
    }

    async fn form_definition(
        &self,
        form_id: &str,
        version: u32,
    ) -> Result<Option<FormDefinition>, StoreError> {
        self.read(|d| d.forms.get(&(form_id.to_owned(), version)).cloned())
            .map(|f| roundtrip(&f))
            .transpose()
    }

    async fn form_definitions(&self) -> Result<Vec<FormDefinition>, StoreError> {
        self.read(|d| d.forms.values().cloned().collect::<Vec<_>>())
            .iter()
            .map(roundtrip)
            .collect()
    }

    async fn set_sealing_keys(&self, keys: Option<&SealingKeys>) -> Result<(), StoreError> {
        let keys = keys.map(roundtrip).transpose()?;
        self.write(|d| {
            d.sealing_keys = keys;
            Ok(())
        })
    }

    async fn sealing_keys(&self) -> Result<Option<SealingKeys>, StoreError> {
        self.read(|d| d.sealing_keys.clone())
            .as_ref()
            .map(roundtrip)
            .transpose()
    }

    async fn set_slots(&self, slots: &SlotList) -> Result<(), StoreError> {
        let slots = roundtrip(slots)?;
        self.write(|d| {
            d.slots = Some(slots);
            Ok(())
        })
    }

    async fn slots(&self) -> Result<Option<SlotList>, StoreError> {
        self.read(|d| d.slots.clone())
            .as_ref()
            .map(roundtrip)
            .transpose()
    }

    async fn record_status(&self, status: &CaseStatus) -> Result<bool, StoreError> {
        let status = roundtrip(status)?;
        let id = status.receipt.case_id;
        let Some(item) = self.read(|d| {
            let held = d.outbox.get(&id)?;
            held.with_status(&status).filter(|new| new != held)
        }) else {
            return Ok(false);
        };
        let item = roundtrip(&item)?;
        self.write(|d| {
            d.outbox.insert(id, item);
            Ok(true)
        })
    }
}

/// Puts photos into a [`MemoryStore`] for the conformance suite.
#[cfg(any(test, feature = "conformance"))]
pub struct MemoryPhotos;

#[cfg(any(test, feature = "conformance"))]
impl crate::conformance::PhotoFixture<MemoryStore> for MemoryPhotos {
    async fn add_processed_photo(
        &self,
        store: &MemoryStore,
        record: &PhotoRecord,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        let details = record
            .processed
            .clone()
            .ok_or_else(|| StoreError::Failed("the fixture's photo is not processed".into()))?;
        let mut unprocessed = record.clone();
        unprocessed.processed = None;
        store.put_photo(&unprocessed, bytes.to_vec())?;
        store.finish_processing(record.photo_id, bytes.to_vec(), details)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_memory_store_keeps_the_store_rules() {
        futures::executor::block_on(crate::conformance::run_all(
            &super::MemoryStore::new(),
            &super::MemoryPhotos,
        ));
    }

    #[test]
    fn a_full_store_refuses_writes_and_keeps_what_it_had() {
        use crate::store::{DeviceStore, StoreError};
        let store = super::MemoryStore::new();
        let case = crate::records::CaseRecord::new(protocol::CaseId::new_random(), 1.0);
        futures::executor::block_on(async {
            store.save_draft(&case).await.unwrap();
            store.set_full(true);
            let mut changed = case.clone();
            changed.step = 2;
            assert_eq!(
                store.save_draft(&changed).await,
                Err(StoreError::QuotaExceeded)
            );
            assert_eq!(store.case(case.id).await.unwrap(), Some(case.clone()));
            store.set_full(false);
            store.save_draft(&changed).await.unwrap();
            assert_eq!(store.case(case.id).await.unwrap(), Some(changed));
        });
    }
}
