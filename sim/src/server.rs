//! The real server, in process: the real router over real SQLite files and real photo files in a
//! temporary data directory, with the blob store's fault switches. Restarting opens the same
//! directory afresh and runs the start-up recovery, as a new process would.

use std::sync::Arc;

use axum::body::Body;
use axum::Router;
use protocol::{CaseId, PhotoId};
use server::storage::appointments::{parse_starts_at, AppointmentStorage, NewSlot, StoredSlot};
use server::storage::blobs::{BlobStore, FaultyBlobs, FsBlobs};
use server::storage::sqlite::SqliteStorage;
use server::storage::{Storage, Upload};
use server::{http, Config};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

pub struct SimServer {
    dir: tempfile::TempDir,
    config: Config,
    storage: SqliteStorage,
    pub blobs: Arc<FaultyBlobs>,
    state: http::AppState,
    router: Router,
    /// The appointment slots published at the start (small, so households compete for them).
    pub slots: Vec<protocol::SlotId>,
}

/// A stored case as the checks read it.
pub struct StoredCase {
    pub receipt_code: String,
    /// As stored: the form's canonical submission.
    pub case: protocol::Submission,
}

/// Slots from a day to a few days after the real now (the server books by its own clock),
/// one beyond the booking window; capacities small enough that households are turned away.
async fn publish_slots(storage: &SqliteStorage) -> Vec<protocol::SlotId> {
    let mut ids = Vec::new();
    for (days, capacity) in [(1, 1), (2, 2), (3, 3), (30, 20)] {
        let at =
            time::OffsetDateTime::from_unix_timestamp(server::storage::now_unix() + days * 86_400)
                .expect("a time");
        let text = at
            .format(&time::format_description::well_known::Rfc3339)
            .expect("formats");
        let (starts_at, starts_unix) = parse_starts_at(&text).expect("parses");
        let slot = storage
            .create_slot(NewSlot {
                place: "Casa".into(),
                starts_at,
                starts_unix,
                minutes: 30,
                capacity,
            })
            .await
            .expect("a slot");
        ids.push(slot.slot_id);
    }
    ids
}

/// A stored photo with the SHA-256 of the file actually on disk.
pub struct StoredPhoto {
    pub upload: Upload,
    pub file_sha256: Option<String>,
}

async fn open(config: &Config) -> (SqliteStorage, Arc<FaultyBlobs>, http::AppState) {
    let storage = SqliteStorage::open(&config.data_dir)
        .await
        .expect("the simulator's database opens");
    let fs: Arc<dyn BlobStore> = Arc::new(
        FsBlobs::open(&config.data_dir)
            .await
            .expect("the simulator's photo folders open"),
    );
    let blobs = Arc::new(FaultyBlobs::new(fs));
    let shared = Arc::new(storage.clone());
    // The data directory's keys, kept across restarts as a real server keeps them. (Their bytes
    // come from the OS, not the seed: nothing in a schedule turns on them.)
    let keys = server::keys::Keyring::open_or_create(&config.data_dir)
        .expect("the simulator's sealing keys");
    let state = http::AppState::new(
        shared.clone(),
        shared.clone(),
        shared,
        blobs.clone(),
        config,
    )
    .with_keys(Arc::new(keys));
    (storage, blobs, state)
}

impl SimServer {
    pub async fn start() -> SimServer {
        // tmpfs when there is one: fsync there costs nothing, and the simulator checks logic, not
        // disks (tests/crash_safety.rs kills a real server on a real disk).
        let shm = std::path::Path::new("/dev/shm");
        let dir = if shm.is_dir() {
            tempfile::Builder::new()
                .prefix("resguardo-sim-")
                .tempdir_in(shm)
        } else {
            tempfile::Builder::new().prefix("resguardo-sim-").tempdir()
        }
        .expect("a temporary data directory");
        let mut config = Config::for_data_dir(dir.path());
        // Many sign-ins in a few real milliseconds are the simulator's normal, not an attack.
        config.registrations_per_minute = 1_000_000;
        let (storage, blobs, state) = open(&config).await;
        let child_protection = serde_json::from_str(crate::form_case::CHILD_PROTECTION)
            .expect("the child-protection fixture parses");
        state
            .forms
            .publish_definition(&child_protection)
            .await
            .expect("the child-protection form publishes");
        let slots = publish_slots(&storage).await;
        let router = http::router(state.clone());
        SimServer {
            dir,
            config,
            storage,
            blobs,
            state,
            router,
            slots,
        }
    }

    /// Each slot as stored, with the people of the cases booked into it.
    pub async fn bookings(&self) -> Vec<(StoredSlot, u32)> {
        let mut out = Vec::new();
        for id in &self.slots {
            let slot = self
                .storage
                .slot(*id)
                .await
                .expect("slot reads")
                .expect("slot kept");
            let people = self
                .storage
                .bookings(*id)
                .await
                .expect("bookings read")
                .iter()
                .map(|b| b.people)
                .sum();
            out.push((slot, people));
        }
        out
    }

    /// The appointment the server holds for a case now.
    pub async fn appointment(&self, id: CaseId) -> Option<protocol::appointment::Appointment> {
        self.storage
            .case_status(id)
            .await
            .expect("status reads")
            .and_then(|s| s.status.receipt.appointment)
    }

    /// What staff do on the case page: move the household to `to`, or (`None`) cancel its
    /// appointment, with a note; how it went, for the trace.
    pub async fn staff_change_appointment(
        &self,
        id: CaseId,
        to: Option<protocol::SlotId>,
    ) -> String {
        match to {
            Some(slot) => match self
                .storage
                .move_appointment(id, slot, "sim-staff", "moved by the simulator")
                .await
            {
                Ok(outcome) => format!("{outcome:?}"),
                Err(e) => format!("failed ({e})"),
            },
            None => match self
                .storage
                .cancel_appointment(id, "sim-staff", "cancelled by the simulator")
                .await
            {
                Ok(done) => format!("cancelled: {done}"),
                Err(e) => format!("failed ({e})"),
            },
        }
    }

    /// The device that sent a case.
    pub async fn case_device(&self, id: CaseId) -> Option<uuid::Uuid> {
        self.storage
            .case_status(id)
            .await
            .expect("status reads")
            .and_then(|s| s.device_id)
    }

    /// Whether staff have changed a case's appointment since it was booked.
    pub async fn appointment_changed(&self, id: CaseId) -> bool {
        self.storage
            .case_status(id)
            .await
            .expect("status reads")
            .is_some_and(|s| s.status.appointment_changed_at.is_some())
    }

    /// A new process on the same data directory: faults cleared, recovery run.
    pub async fn restart(&mut self) {
        self.state.settled().await;
        let (storage, blobs, state) = open(&self.config).await;
        server::http::uploads::recover(&state)
            .await
            .expect("start-up recovery runs");
        self.router = http::router(state.clone());
        let old = std::mem::replace(&mut self.storage, storage);
        old.pool().close().await;
        self.blobs = blobs;
        self.state = state;
    }

    pub fn router(&self) -> Router {
        self.router.clone()
    }

    pub fn state(&self) -> http::AppState {
        self.state.clone()
    }

    /// Sends `request` and waits until the server has settled (no background work left), so
    /// the next step starts from a fixed state.
    pub async fn call(
        router: Router,
        state: &http::AppState,
        request: axum::http::Request<Body>,
    ) -> axum::response::Response {
        let response = match router.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        state.settled().await;
        response
    }

    pub async fn cases(&self) -> Vec<(CaseId, StoredCase)> {
        self.storage
            .list_cases()
            .await
            .expect("cases list")
            .into_iter()
            .map(|c| {
                let case = serde_json::from_slice(&c.body).expect("a stored case parses");
                (
                    c.receipt.case_id,
                    StoredCase {
                        receipt_code: c.receipt.receipt_code.to_string(),
                        case,
                    },
                )
            })
            .collect()
    }

    pub async fn photo(&self, id: PhotoId) -> Option<StoredPhoto> {
        let upload = self.storage.upload(id).await.expect("upload reads")?;
        let file_sha256 = server::storage::blobs::read_photo(self.blobs.as_ref(), id)
            .await
            .ok()
            .map(|bytes| hex::encode(Sha256::digest(bytes)));
        Some(StoredPhoto {
            upload,
            file_sha256,
        })
    }

    /// Uploads whose every byte arrived but that are not stored: there must be none once the
    /// server has recovered.
    pub async fn full_but_unstored(&self) -> usize {
        self.storage
            .full_uploads()
            .await
            .expect("full uploads list")
            .len()
    }

    /// The device's token stops working (expired, as thirty days later).
    pub async fn expire_device(&self, device_id: uuid::Uuid) {
        self.storage
            .expire_device(device_id)
            .await
            .expect("device expires");
    }

    pub async fn revoke_device(&self, device_id: uuid::Uuid) {
        self.storage
            .revoke_device(device_id)
            .await
            .expect("device revoked");
    }

    /// A week passes on the server: every upload that no case names is past its expiry, and the
    /// clean-up runs.
    pub async fn a_week_passes(&self) -> usize {
        sqlx::query("UPDATE uploads SET expires_at = 0 WHERE claimed = 0")
            .execute(self.storage.pool())
            .await
            .expect("uploads age");
        server::http::uploads::remove_expired(&self.state)
            .await
            .expect("clean-up runs")
    }

    pub fn data_dir(&self) -> &std::path::Path {
        self.dir.path()
    }
}
