//! What the engine needs of the device's storage. The browser implements it on IndexedDB
//! (`frontend::store`), the simulator and native tests on [`crate::memory::MemoryStore`].
//!
//! Every method is one transaction: it happens whole or not at all, and a page that dies between
//! two calls leaves the store as the first call left it. The engine writes each delivery state
//! before it acts on it, so that is all a crash can cost.

use protocol::appointment::{CaseStatus, SlotList};
use protocol::sealed::SealingKeys;
use protocol::{CaseId, FormDefinition, PhotoId};

use crate::records::{CaseRecord, DeviceAuth, OutboxItem, PhotoRecord, PhotoSeal, UploadProgress};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("the device is out of storage space")]
    QuotaExceeded,
    #[error("the device's storage is not available in this browser")]
    Unavailable,
    #[error("storage failed: {0}")]
    Failed(String),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    #[error("this form was already sent and cannot change")]
    AlreadySubmitted,
    /// A case locked behind its family's PIN (shared tablets) that is not open now: it is
    /// neither read nor written until it is opened again.
    #[error("this case is locked: open it with its PIN first")]
    Locked,
    /// The photos changed between checking the case and queueing it (another tab, say).
    #[error("the photos of this form changed while it was being sent; check it and send again")]
    PhotosChanged,
}

/// The device's storage as the delivery engine and the person's actions use it.
#[allow(async_fn_in_trait)]
pub trait DeviceStore {
    async fn case(&self, id: CaseId) -> Result<Option<CaseRecord>, StoreError>;

    /// Saves a draft; refused with [`StoreError::AlreadySubmitted`] once it is in the outbox,
    /// so what was sent never changes under the worker's feet.
    async fn save_draft(&self, case: &CaseRecord) -> Result<(), StoreError>;

    /// Saves a draft and deletes some of its photos in one transaction (a family member removed
    /// with their documents). Refused like [`Self::save_draft`].
    async fn save_draft_deleting_photos(
        &self,
        case: &CaseRecord,
        photos: &[PhotoId],
    ) -> Result<(), StoreError>;

    /// Deletes a draft and its photos (never a submitted case).
    async fn delete_draft(&self, id: CaseId) -> Result<(), StoreError>;

    /// Submits: the final answers and a queued outbox item, in one transaction. Refused when the
    /// case is already in the outbox, and with [`StoreError::PhotosChanged`] unless the case's
    /// photos in the store are exactly (by ID and SHA-256) the ones `item` will send.
    async fn enqueue(&self, case: &CaseRecord, item: &OutboxItem) -> Result<(), StoreError>;

    /// Takes a rejected case back to draft so the person can correct it, keeping the server's
    /// problem on the case; the server stored nothing for it, so the same ID is sent again.
    /// Refused unless the case is rejected.
    async fn reopen_rejected(&self, id: CaseId) -> Result<(), StoreError>;

    /// A case sealed at Send (a shared tablet) has its receipt: in one write, `item` (delivered,
    /// its seal dropped) is kept and everything else of the case — its answers, locked or not,
    /// and its photos — is erased from the device.
    async fn erase_delivered(&self, item: &OutboxItem) -> Result<(), StoreError>;

    async fn outbox(&self) -> Result<Vec<OutboxItem>, StoreError>;

    async fn outbox_item(&self, id: CaseId) -> Result<Option<OutboxItem>, StoreError>;

    /// Records a delivery state (the worker calls this before acting on the state).
    async fn put_outbox(&self, item: &OutboxItem) -> Result<(), StoreError>;

    /// A case's photos (details only), oldest first.
    async fn photos_of_case(&self, case_id: CaseId) -> Result<Vec<PhotoRecord>, StoreError>;

    async fn photo(&self, id: PhotoId) -> Result<Option<PhotoRecord>, StoreError>;

    /// Bytes `start..end` of what a photo sends: its sealed bytes once it has a current seal
    /// ([`PhotoRecord::current_seal`]), else the processed photo; `None` when there is no such
    /// photo (or it is not processed).
    async fn photo_bytes(
        &self,
        id: PhotoId,
        start: u64,
        end: u64,
    ) -> Result<Option<Vec<u8>>, StoreError>;

    /// Keeps a photo's seal and its sealed bytes beside it (replacing any earlier seal). Refused
    /// once its case was submitted; `false` when the photo is gone.
    async fn seal_photo(
        &self,
        id: PhotoId,
        seal: &PhotoSeal,
        sealed: Vec<u8>,
    ) -> Result<bool, StoreError>;

    /// Deletes a photo of a draft (refused once its case was submitted).
    async fn delete_photo(&self, id: PhotoId) -> Result<(), StoreError>;

    /// Records how far a photo's upload got; `false` when the photo is gone.
    async fn set_upload_progress(
        &self,
        id: PhotoId,
        progress: &UploadProgress,
    ) -> Result<bool, StoreError>;

    async fn device_auth(&self) -> Result<DeviceAuth, StoreError>;

    async fn set_device_auth(&self, auth: &DeviceAuth) -> Result<(), StoreError>;

    /// Keeps a published form definition for offline use (replacing the same version: a
    /// published version never changes, so it is the same).
    async fn put_form_definition(&self, definition: &FormDefinition) -> Result<(), StoreError>;

    async fn form_definition(
        &self,
        form_id: &str,
        version: u32,
    ) -> Result<Option<FormDefinition>, StoreError>;

    /// Every definition kept, by form then version.
    async fn form_definitions(&self) -> Result<Vec<FormDefinition>, StoreError>;

    /// The organisation's public keys as last fetched (`None` forgets them, to fetch again).
    async fn set_sealing_keys(&self, keys: Option<&SealingKeys>) -> Result<(), StoreError>;

    async fn sealing_keys(&self) -> Result<Option<SealingKeys>, StoreError>;

    /// Keeps the open appointment slots as last fetched, replacing the list before, so a
    /// person can choose among them offline.
    async fn set_slots(&self, slots: &SlotList) -> Result<(), StoreError>;

    async fn slots(&self) -> Result<Option<SlotList>, StoreError>;

    /// Records what the server says now of a delivered case, in one read and write of its
    /// outbox item ([`OutboxItem::with_status`]); `false`, with nothing written, when there is
    /// no such delivered item under that receipt or nothing changed (so pages are not woken).
    async fn record_status(&self, status: &CaseStatus) -> Result<bool, StoreError>;
}
