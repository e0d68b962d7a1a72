//! The one error type of the HTTP layer. Each variant has a status and a stable code; internal
//! causes are logged here and never sent to the client.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use protocol::api::{ErrorBody, ErrorCode, ErrorDetail};
use protocol::FieldError;

use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the path has an ID that is not a UUID")]
    InvalidId,
    /// Holds only where the parser stopped: its own words can quote the body.
    #[error("the body is not valid JSON for this endpoint ({0})")]
    MalformedJson(String),
    #[error("the body must be JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    #[error("the case has invalid fields")]
    Validation(Vec<FieldError>),
    #[error("a different case was already received under this ID")]
    CaseConflict,
    #[error("the case names photos the server does not hold yet; upload them first")]
    PhotosMissing(Vec<protocol::PhotoId>),
    #[error("the request could not be read: {0}")]
    BadRequest(&'static str),
    #[error("missing or malformed header: {0}")]
    BadHeader(String),
    #[error("missing or malformed upload metadata: {0}")]
    BadMetadata(&'static str),
    #[error("this server speaks tus 1.0.0 (Tus-Resumable: 1.0.0)")]
    UnsupportedTusVersion,
    #[error("the upload does not match: wrong offset, or this photo ID holds different content")]
    UploadConflict,
    #[error("another request is writing to this upload right now")]
    UploadLocked,
    #[error("this device has too many unfinished uploads open; finish them or try again later")]
    UploadQuotaExceeded(u64),
    #[error("the request body was cut off before its end")]
    BodyCut,
    #[error("this upload is being finished right now; try again in a moment")]
    RetryLater(u64),
    #[error("the server's disk is full; nothing was kept; try again later")]
    InsufficientStorage,
    #[error("the checksum does not match; the bytes were discarded")]
    ChecksumMismatch,
    #[error("unsupported checksum algorithm; use sha1 or sha256")]
    UnsupportedChecksum,
    #[error("this upload has expired; create it again")]
    Gone,
    #[error("sign in again: this device's token is missing, expired or revoked")]
    Unauthorized,
    #[error("an enrolment code is needed to register this device")]
    EnrolmentRequired,
    #[error("this enrolment code is not valid (unknown, expired or revoked)")]
    EnrolmentInvalid,
    #[error("too many attempts; try again later")]
    RateLimited(u64),
    #[error("this version of the app is too old for the server; update the app")]
    ClientUnsupported,
    #[error("nothing here")]
    NotFound,
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("the request took too long")]
    Timeout,
    #[error("the server is not ready; try again shortly")]
    Unavailable,
    #[error("something went wrong on the server; nothing was stored")]
    Storage(#[from] StorageError),
    #[error("something went wrong on the server")]
    Internal,
    #[error("the case is sealed to a key this server does not hold")]
    UnknownKey,
    #[error("the sealed case does not open: altered, or sealed for another case ID")]
    SealedUnreadable,
    #[error("a staff member must sign in on this device first")]
    StaffSignInNeeded,
}

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Error::InvalidId
            | Error::MalformedJson(_)
            | Error::BadRequest(_)
            | Error::BadHeader(_)
            | Error::BadMetadata(_)
            | Error::UnsupportedChecksum
            | Error::UnknownKey
            | Error::SealedUnreadable
            | Error::BodyCut => StatusCode::BAD_REQUEST,
            Error::PhotosMissing(_) | Error::UploadConflict | Error::UploadLocked => {
                StatusCode::CONFLICT
            }
            Error::UnsupportedTusVersion => StatusCode::PRECONDITION_FAILED,
            Error::ChecksumMismatch => StatusCode::from_u16(460).unwrap_or(StatusCode::BAD_REQUEST),
            Error::Gone => StatusCode::GONE,
            Error::Unauthorized | Error::StaffSignInNeeded => StatusCode::UNAUTHORIZED,
            Error::EnrolmentRequired | Error::EnrolmentInvalid => StatusCode::FORBIDDEN,
            Error::RateLimited(_) | Error::UploadQuotaExceeded(_) => StatusCode::TOO_MANY_REQUESTS,
            Error::RetryLater(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::InsufficientStorage => StatusCode::INSUFFICIENT_STORAGE,
            Error::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::CaseConflict => StatusCode::CONFLICT,
            Error::ClientUnsupported => StatusCode::UPGRADE_REQUIRED,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Error::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Timeout => StatusCode::REQUEST_TIMEOUT,
            Error::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Error::Storage(_) | Error::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::InvalidId => ErrorCode::InvalidId,
            Error::BadRequest(_) | Error::BadHeader(_) | Error::BadMetadata(_) | Error::BodyCut => {
                ErrorCode::BadRequest
            }
            Error::UploadQuotaExceeded(_) => ErrorCode::UploadQuotaExceeded,
            Error::RetryLater(_) => ErrorCode::Unavailable,
            Error::InsufficientStorage => ErrorCode::InsufficientStorage,
            Error::PhotosMissing(_) => ErrorCode::PhotosMissing,
            Error::UnsupportedTusVersion => ErrorCode::UnsupportedTusVersion,
            Error::UploadConflict => ErrorCode::UploadConflict,
            Error::UploadLocked => ErrorCode::UploadLocked,
            Error::ChecksumMismatch => ErrorCode::ChecksumMismatch,
            Error::UnsupportedChecksum => ErrorCode::UnsupportedChecksum,
            Error::Gone => ErrorCode::Gone,
            Error::Unauthorized => ErrorCode::Unauthorized,
            Error::EnrolmentRequired => ErrorCode::EnrolmentRequired,
            Error::EnrolmentInvalid => ErrorCode::EnrolmentInvalid,
            Error::RateLimited(_) => ErrorCode::RateLimited,
            Error::MalformedJson(_) => ErrorCode::MalformedJson,
            Error::UnknownKey => ErrorCode::UnknownKey,
            Error::SealedUnreadable => ErrorCode::SealedUnreadable,
            Error::StaffSignInNeeded => ErrorCode::StaffSignInNeeded,
            Error::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            Error::Validation(_) => ErrorCode::ValidationFailed,
            Error::CaseConflict => ErrorCode::CaseConflict,
            Error::ClientUnsupported => ErrorCode::ClientUnsupported,
            Error::NotFound => ErrorCode::NotFound,
            Error::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            Error::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            Error::Timeout => ErrorCode::Timeout,
            Error::Unavailable => ErrorCode::Unavailable,
            Error::Storage(_) | Error::Internal => ErrorCode::Internal,
        }
    }

    /// The error a bare status (from a layer outside our handlers) stands for.
    pub fn from_status(status: StatusCode) -> Option<Error> {
        Some(match status {
            StatusCode::BAD_REQUEST => Error::BadRequest("its path, query or body is malformed"),
            StatusCode::NOT_FOUND => Error::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => Error::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge,
            StatusCode::REQUEST_TIMEOUT => Error::Timeout,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::UnsupportedMediaType,
            StatusCode::SERVICE_UNAVAILABLE => Error::Unavailable,
            StatusCode::INTERNAL_SERVER_ERROR => Error::Internal,
            StatusCode::GONE => Error::Gone,
            _ => return None,
        })
    }
}

impl Error {
    /// A file-system failure in the storage layer; a full disk is said so (507, retry later).
    pub fn io(e: std::io::Error) -> Error {
        if e.kind() == std::io::ErrorKind::StorageFull {
            tracing::error!(error = %e, "the disk is full");
            return Error::InsufficientStorage;
        }
        Error::Storage(StorageError::Io(e))
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let code = self.code();
        if let Error::Storage(cause) = &self {
            tracing::error!(error = %cause, "storage failed");
        }
        let message = self.to_string();
        let retry_after = match &self {
            Error::RateLimited(seconds)
            | Error::UploadQuotaExceeded(seconds)
            | Error::RetryLater(seconds) => Some(*seconds),
            Error::InsufficientStorage => Some(60),
            _ => None,
        };
        let (fields, missing_photos) = match self {
            Error::Validation(fields) => (fields, Vec::new()),
            Error::PhotosMissing(ids) => (Vec::new(), ids),
            _ => (Vec::new(), Vec::new()),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code,
                message,
                fields,
                missing_photos,
            },
        };
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(seconds) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            // The rest of the body is never read, so this connection cannot carry another request.
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
