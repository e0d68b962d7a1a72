//! Request bodies within bounds: read whole up to a limit, or refused after a bounded drain.
//!
//! Every body already carries the router's idle timeout (`tower_http::timeout::TimeoutBody`):
//! a body that sends nothing for `--body-idle-timeout-secs` ends with an error, which
//! [`read_limited`] answers as 408 and the tus handlers treat as a cut connection.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

use super::Error;

/// The most of a refused body that is read before answering: enough for a small request to
/// end cleanly, too little to make refusing expensive.
pub const REFUSED_DRAIN_BYTES: u64 = 64 * 1024;
/// How long a refused body is read before answering anyway.
pub const REFUSED_DRAIN_TIME: Duration = Duration::from_secs(2);

/// An error answered without reading the whole body; the connection closes after it (the
/// accept loop's lingering close lets the client read it while it is still sending).
#[derive(Debug)]
pub struct Refused(pub Error);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let mut response = self.0.into_response();
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        response
    }
}

/// Reads at most [`REFUSED_DRAIN_BYTES`] of `body` for at most [`REFUSED_DRAIN_TIME`], then
/// gives `error` to answer: a slow or large refused body costs the server almost nothing.
pub async fn refuse(body: Body, error: Error) -> Refused {
    let _ = tokio::time::timeout(REFUSED_DRAIN_TIME, drain(body, REFUSED_DRAIN_BYTES)).await;
    Refused(error)
}

/// Reads and discards `body` until it ends, breaks or passes `limit` bytes.
pub async fn drain(body: Body, limit: u64) {
    let mut stream = body.into_data_stream();
    let mut seen = 0u64;
    while let Some(Ok(chunk)) = stream.next().await {
        seen += chunk.len() as u64;
        if seen > limit {
            break;
        }
    }
}

/// The whole body: 413 past `limit` bytes, 408 when it stopped sending (the idle timeout), 400
/// when it broke off.
pub async fn read_limited(body: Body, limit: usize) -> Result<Bytes, Error> {
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            if is_timeout(&e) {
                Error::Timeout
            } else {
                Error::BadRequest("the body broke off")
            }
        })?;
        if bytes.len() + chunk.len() > limit {
            return Err(Error::PayloadTooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(bytes))
}

/// Whether a body error is the idle timeout (rather than the client going away).
pub fn is_timeout(error: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = cause {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = e.source();
    }
    false
}

/// The declared `Content-Length` of a request, when it has one that parses.
fn declared_length(request: &Request) -> Option<u64> {
    request
        .headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Middleware: a body declared larger than `limit` is refused (413) before the handler runs.
/// Bodies without a length are bounded by the handler's own [`read_limited`].
pub async fn refuse_oversized(limit: usize, request: Request, next: Next) -> Response {
    if declared_length(&request).is_some_and(|n| n > limit as u64) {
        return refuse(request.into_body(), Error::PayloadTooLarge)
            .await
            .into_response();
    }
    next.run(request).await
}
