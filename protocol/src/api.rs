//! What the HTTP API answers: receipts, health, and one error shape for every failure.

use serde::{Deserialize, Serialize};

use crate::case::CaseId;
use crate::receipt::ReceiptCode;
use crate::validation::FieldError;

/// Every request from the app carries its build version here so the server can refuse a client
/// it no longer understands instead of misreading its data.
pub const CLIENT_VERSION_HEADER: &str = "x-resguardo-client";
/// The oldest client version (`major.minor`) this protocol accepts.
pub const MIN_CLIENT_VERSION: (u32, u32) = (0, 1);

/// `"0.1.0"` → `Some((0, 1))`.
pub fn parse_client_version(v: &str) -> Option<(u32, u32)> {
    let mut parts = v.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// The server's answer to an accepted case: the same on every replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseReceipt {
    pub case_id: CaseId,
    pub receipt_code: ReceiptCode,
    /// When the server committed the case (RFC 3339, UTC).
    #[cfg_attr(feature = "openapi", schema(example = "2026-11-29T15:04:05Z"))]
    pub received_at: String,
    /// How many people (applicant and members) the receipt covers.
    pub people: u32,
    /// The household's appointment as it stands now, for everyone in the case; `null` when
    /// none was free (staff will give one). A replay answers the same.
    #[serde(default)]
    pub appointment: Option<crate::appointment::Appointment>,
}

/// A published form version, as `GET /api/v1/forms` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormSummary {
    #[cfg_attr(feature = "openapi", schema(example = "household-intake"))]
    pub form_id: String,
    #[cfg_attr(feature = "openapi", schema(example = 1))]
    pub version: u32,
    /// The title in each of the form's languages.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<String, String>))]
    pub title: std::collections::BTreeMap<String, String>,
}

/// `GET /api/v1/forms`: every published version, by form then version. A device starts new
/// cases on the newest version of a form and keeps older ones for drafts begun on them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormList {
    pub forms: Vec<FormSummary>,
}

/// Seconds an open case on a shared tablet waits untouched before it locks itself, unless the
/// organisation sets another figure.
pub const DEFAULT_LOCK_AFTER_SECS: u32 = 120;

/// How the organisation wants a device to run: in the registration answer and at
/// `GET /api/v1/devices/me` (so a change reaches devices that registered before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceSettings {
    /// A shared tablet (registered with a shared enrolment code): each case is locked behind
    /// its family's PIN and the home screen names nobody.
    pub shared: bool,
    /// On a shared tablet, seconds without a touch before an open case locks itself.
    #[cfg_attr(feature = "openapi", schema(example = 120))]
    pub lock_after_secs: u32,
}

impl Default for DeviceSettings {
    fn default() -> Self {
        DeviceSettings {
            shared: false,
            lock_after_secs: DEFAULT_LOCK_AFTER_SECS,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    #[cfg_attr(feature = "openapi", schema(example = "ok"))]
    pub status: String,
    #[cfg_attr(feature = "openapi", schema(example = "0.1.0"))]
    pub version: String,
}

/// Stable, machine-readable error codes. Clients branch on these, never on messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    InvalidId,
    MalformedJson,
    ValidationFailed,
    CaseConflict,
    /// The case names photos the server does not hold (yet); upload them and retry.
    PhotosMissing,
    UploadConflict,
    UploadLocked,
    /// This device has too many unfinished uploads open; wait for `Retry-After` seconds.
    UploadQuotaExceeded,
    ChecksumMismatch,
    UnsupportedChecksum,
    UnsupportedTusVersion,
    Gone,
    /// No valid device token: register (again) and retry; nothing was lost.
    Unauthorized,
    EnrolmentRequired,
    EnrolmentInvalid,
    /// Too many attempts; wait for `Retry-After` seconds.
    RateLimited,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
    ClientUnsupported,
    Timeout,
    Internal,
    Unavailable,
    /// The server's disk is full; nothing was kept; retry later.
    InsufficientStorage,
    /// A sealed case names a key this server does not hold.
    UnknownKey,
    /// A sealed case does not open: altered, or sealed for another case ID.
    SealedUnreadable,
    /// Opening a locked case for its family needs a staff member signed in on this device.
    StaffSignInNeeded,
}

/// `{"error": {...}}`: the body of every 4xx and 5xx.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    pub code: ErrorCode,
    /// For people (English); clients show their own translated text for `code`.
    #[cfg_attr(feature = "openapi", schema(example = "the case has invalid fields"))]
    pub message: String,
    /// With `validation_failed`: every bad field and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// With `photos_missing`: the photos to upload before the case can be accepted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_photos: Vec<crate::case::PhotoId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_versions() {
        assert_eq!(parse_client_version("0.1.0"), Some((0, 1)));
        assert_eq!(parse_client_version("2.10"), Some((2, 10)));
        assert_eq!(parse_client_version("two"), None);
        assert_eq!(parse_client_version(""), None);
    }

    #[test]
    fn error_codes_are_snake_case_on_the_wire() {
        let body = ErrorBody {
            error: ErrorDetail {
                code: ErrorCode::PayloadTooLarge,
                message: "m".into(),
                fields: vec![],
                missing_photos: vec![],
            },
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"error":{"code":"payload_too_large","message":"m"}}"#
        );
    }
}
