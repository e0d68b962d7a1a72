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
}

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Error::InvalidId | Error::MalformedJson(_) => StatusCode::BAD_REQUEST,
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
            Error::MalformedJson(_) => ErrorCode::MalformedJson,
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
            StatusCode::NOT_FOUND => Error::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => Error::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge,
            StatusCode::REQUEST_TIMEOUT => Error::Timeout,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::UnsupportedMediaType,
            StatusCode::SERVICE_UNAVAILABLE => Error::Unavailable,
            StatusCode::INTERNAL_SERVER_ERROR => Error::Internal,
            _ => return None,
        })
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
        let fields = match self {
            Error::Validation(fields) => fields,
            _ => Vec::new(),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code,
                message,
                fields,
            },
        };
        let mut response = (status, Json(body)).into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}
