//! What the device keeps about each case, its delivery and its photos. These are the shapes the
//! store persists (IndexedDB in the browser, memory under the simulator), so changes must stay
//! readable from records written by older builds (`#[serde(default)]` on every new field).

use protocol::api::{CaseReceipt, ErrorCode};
use protocol::appointment::{Appointment, CaseStatus};
use protocol::definition::Submission;
use protocol::outbox::OutboxState;
use protocol::{CaseId, CaseSubmission, FieldError, MemberId, PhotoId, PhotoRef};
use serde::{Deserialize, Serialize};

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
    /// What the server said when it refused this case, kept when the person takes it back to
    /// correct it, so the form can point at what to fix even where the device saw nothing wrong.
    #[serde(default)]
    pub last_problem: Option<Problem>,
    /// A case on a form the organisation defined: its version and answers. `None` for the
    /// household form's own screens, whose answers are `submission`.
    #[serde(default)]
    pub form: Option<FormAnswers>,
}

/// The answers of a case on a form definition, keyed by the fields' names as they travel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormAnswers {
    pub form_id: String,
    pub form_version: u32,
    pub answers: serde_json::Map<String, serde_json::Value>,
    /// The appointment slots chosen, in order (as the household form keeps them in its
    /// submission).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub appointment_preferences: Vec<protocol::SlotId>,
}

/// What the outbox sends: a submission on a form definition, or a household case in its own
/// shape (what the household screens make, and every item queued by older builds). Kept in an
/// [`OutboxItem`] as one of two fields, so reading it back needs no guessing between shapes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Outgoing {
    Form(Submission),
    Household(CaseSubmission),
}

impl Outgoing {
    pub fn photos(&self) -> &[PhotoRef] {
        match self {
            Outgoing::Form(s) => &s.photos,
            Outgoing::Household(s) => &s.photos,
        }
    }

    /// The body of `PUT /api/v1/cases/{case_id}`.
    pub fn json(&self) -> Vec<u8> {
        match self {
            Outgoing::Form(s) => s.canonical_json(),
            Outgoing::Household(s) => s.canonical_json(),
        }
    }
}

impl From<CaseSubmission> for Outgoing {
    fn from(s: CaseSubmission) -> Self {
        Outgoing::Household(s)
    }
}

impl From<Submission> for Outgoing {
    fn from(s: Submission) -> Self {
        Outgoing::Form(s)
    }
}

impl CaseRecord {
    pub fn new(id: CaseId, now: f64) -> Self {
        CaseRecord {
            id,
            created_at: now,
            updated_at: now,
            step: 1,
            submission: CaseSubmission::default(),
            last_problem: None,
            form: None,
        }
    }

    /// A new case on a form definition.
    pub fn on_form(id: CaseId, form_id: &str, form_version: u32, now: f64) -> Self {
        CaseRecord {
            form: Some(FormAnswers {
                form_id: form_id.to_owned(),
                form_version,
                answers: serde_json::Map::new(),
                appointment_preferences: Vec::new(),
            }),
            ..CaseRecord::new(id, now)
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
    /// With `photos_missing`: the photos the server asked for.
    #[serde(default)]
    pub missing_photos: Vec<PhotoId>,
}

impl Problem {
    /// A problem found on the device itself (no HTTP exchange).
    pub fn on_device(message: impl Into<String>) -> Self {
        Problem {
            status: None,
            code: None,
            message: message.into(),
            fields: Vec::new(),
            missing_photos: Vec::new(),
        }
    }
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
    /// Exactly what is sent, photos included, frozen (and validated) when the person pressed
    /// Send. Items queued by builds before this field existed carry none; the worker then builds
    /// it from the case and its photos as those builds did.
    #[serde(default)]
    pub submission: Option<CaseSubmission>,
    /// The same, for a case on a form definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_submission: Option<Submission>,
    /// On a shared tablet, instead of either: the case sealed for the organisation at Send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<SealedOutgoing>,
    /// What the server last said of the case once delivered (`GET /api/v1/cases/{id}/status`);
    /// the appointment as it stands now is in [`Self::receipt`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusSeen>,
}

/// What a device last heard of a delivered case, beyond its receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusSeen {
    /// `new` or `reviewed`.
    pub review_state: String,
    /// What staff said when they last moved or cancelled the appointment.
    #[serde(default)]
    pub appointment_note: Option<String>,
    /// When staff last changed the appointment (RFC 3339, UTC).
    #[serde(default)]
    pub appointment_changed_at: Option<String>,
    /// The appointment the device showed before staff's latest change, so the person is told
    /// plainly what moved (`None`: there was none, or nothing changed since delivery).
    #[serde(default)]
    pub previous_appointment: Option<Appointment>,
    /// Whether staff have changed the appointment since it was delivered.
    #[serde(default)]
    pub changed_by_staff: bool,
}

/// A case as a shared tablet's outbox keeps it once sent: sealed for the organisation when the
/// family pressed Send, so the worker delivers it with nobody's PIN and nobody on the tablet can
/// read it back. The seal is sent as it is on every attempt (the server judges the case inside,
/// so every attempt gets the same receipt).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SealedOutgoing {
    pub sealed: protocol::sealed::Sealed,
    /// Its photos, as their uploads need them (IDs, kinds, sizes, digests: no answers).
    pub photos: Vec<PhotoRef>,
}

impl OutboxItem {
    pub fn queued(case_id: CaseId, submission: impl Into<Outgoing>, now: f64) -> Self {
        OutboxItem {
            case_id,
            state: OutboxState::Queued,
            attempts: 0,
            next_attempt_at: now,
            updated_at: now,
            problem: None,
            receipt: None,
            submission: None,
            form_submission: None,
            sealed: None,
            status: None,
        }
        .freezing(submission.into())
    }

    /// Queued sealed (a shared tablet): nothing of the answers in the clear.
    pub fn queued_sealed(case_id: CaseId, sealed: SealedOutgoing, now: f64) -> Self {
        OutboxItem {
            case_id,
            state: OutboxState::Queued,
            attempts: 0,
            next_attempt_at: now,
            updated_at: now,
            problem: None,
            receipt: None,
            submission: None,
            form_submission: None,
            sealed: Some(sealed),
            status: None,
        }
    }

    /// The photos sent with the case, if what is sent was frozen at Send (sealed or not).
    pub fn photos_sent(&self) -> Option<Vec<PhotoRef>> {
        match (&self.sealed, self.outgoing()) {
            (Some(s), _) => Some(s.photos.clone()),
            (None, Some(o)) => Some(o.photos().to_vec()),
            (None, None) => None,
        }
    }

    fn freezing(mut self, outgoing: Outgoing) -> Self {
        match outgoing {
            Outgoing::Household(s) => self.submission = Some(s),
            Outgoing::Form(s) => self.form_submission = Some(s),
        }
        self
    }

    /// This delivered item as the server now describes it: the receipt as it stands (staff may
    /// have moved the appointment) and the review state, remembering the appointment shown
    /// before a change. `None` unless the item is delivered under the same receipt code: a
    /// status never makes a case delivered, nor swaps one receipt for another.
    pub fn with_status(&self, status: &CaseStatus) -> Option<OutboxItem> {
        let held = self.receipt.as_ref()?;
        if self.state != OutboxState::Delivered
            || held.case_id != status.receipt.case_id
            || held.receipt_code != status.receipt.receipt_code
        {
            return None;
        }
        let before = self.status.as_ref();
        let moved = held.appointment != status.receipt.appointment;
        let mut item = self.clone();
        item.status = Some(StatusSeen {
            review_state: status.review_state.clone(),
            appointment_note: status.appointment_note.clone(),
            appointment_changed_at: status.appointment_changed_at.clone(),
            previous_appointment: if moved {
                held.appointment.clone()
            } else {
                before.and_then(|b| b.previous_appointment.clone())
            },
            changed_by_staff: moved
                || before.is_some_and(|b| b.changed_by_staff)
                || status.appointment_changed_at.is_some(),
        });
        item.receipt = Some(status.receipt.clone());
        Some(item)
    }

    /// Exactly what is sent, if it was frozen at Send.
    pub fn outgoing(&self) -> Option<Outgoing> {
        match (&self.form_submission, &self.submission) {
            (Some(s), _) => Some(Outgoing::Form(s.clone())),
            (None, Some(s)) => Some(Outgoing::Household(s.clone())),
            (None, None) => None,
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
    /// What the device measured of the picture; `None` for photos processed by older builds.
    #[serde(default)]
    pub quality: Option<PhotoQuality>,
}

/// Whether a photo may be hard to read, as measured on the device (never any face or identity
/// check): the person is told and may retake it; sending is never blocked.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct PhotoQuality {
    pub dark: bool,
    pub blurry: bool,
}

impl PhotoQuality {
    pub fn hard_to_read(self) -> bool {
        self.dark || self.blurry
    }
}

/// How far a photo's upload got.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UploadProgress {
    /// The tus upload URL, saved before the first PATCH.
    pub url: Option<String>,
    /// Bytes the server has confirmed.
    pub sent: u64,
    /// The server holds the whole photo (it answered an offset equal to the length, which it
    /// does only once the photo is stored).
    pub done: bool,
}

/// A document photo's details (its bytes are kept beside it by the store).
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
    /// Sealed for the organisation at Send (shared tablets): the store keeps the sealed bytes
    /// beside the photo, and they are what travels.
    #[serde(default)]
    pub sealed: Option<PhotoSeal>,
}

/// A photo's seal for the organisation: what the upload declares and its metadata carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoSeal {
    pub key_id: String,
    /// The encapsulated key (base64url).
    pub enc: String,
    /// Length and SHA-256 (hex) of the sealed bytes.
    pub size: u64,
    pub sha256: String,
    /// The SHA-256 of the photo it seals: a photo processed again is sealed again.
    pub seals: String,
}

impl PhotoRecord {
    /// The seal kept for the photo as it is now, if any.
    pub fn current_seal(&self) -> Option<&PhotoSeal> {
        let processed = self.processed.as_ref()?;
        self.sealed.as_ref().filter(|s| s.seals == processed.sha256)
    }
}

impl PhotoRecord {
    pub fn new(
        photo_id: PhotoId,
        case_id: CaseId,
        member_id: Option<MemberId>,
        kind: &str,
        now: f64,
    ) -> Self {
        PhotoRecord {
            photo_id,
            case_id,
            member_id,
            kind: kind.to_owned(),
            created_at: now,
            processed: None,
            upload: UploadProgress::default(),
            unreadable: false,
            sealed: None,
        }
    }

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

/// What the server gave this device when it registered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceCredentials {
    pub device_id: String,
    pub token: String,
}

/// Where this device stands with the server, kept in the store so every tab (and a restarted
/// page) agrees.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceAuth {
    /// The current credentials, once registered.
    pub credentials: Option<DeviceCredentials>,
    /// The server refused the token: nothing is sent until the person signs in again.
    pub sign_in_needed: bool,
    /// Why, as the server said (an enrolment code may be what is missing).
    pub problem: Option<Problem>,
    /// An enrolment code from the install link or typed, for the next registration.
    pub enrolment_code: Option<String>,
    /// How the organisation said this device is to run (at registration and from
    /// `GET /api/v1/devices/me`). Kept when the token is dropped, so a shared tablet stays one
    /// while it signs in again; `None` until the server has said.
    #[serde(default)]
    pub settings: Option<protocol::api::DeviceSettings>,
    /// The credentials the server last refused, offered once for renewal
    /// (`POST /api/v1/devices/renew`) so an expired token keeps the same device, and with it
    /// the status of every case it sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<DeviceCredentials>,
}

impl DeviceAuth {
    /// A shared tablet: each case is locked behind its family's PIN.
    pub fn is_shared(&self) -> bool {
        self.settings.is_some_and(|s| s.shared)
    }
}
