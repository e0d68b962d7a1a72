//! A family forgot the PIN of its locked case on a shared tablet: a staff member signs in on that
//! tablet, and the app sends the case key it keeps sealed for the organisation
//! (`protocol::sealed::seal_case_key`) to `POST /staff/recovery`. The server opens it for the
//! signed-in staff member only, writes the unlock to the audit log, and ends that staff session
//! (a staff sign-in is not left behind on a shared tablet); the app opens the case with the key
//! and the family chooses a new PIN. Answers are JSON for the app, not pages.
//!
//! Only the app on the same origin can ask: the staff cookie is `SameSite=Strict` with
//! `Path=/staff`, the body must be `application/json` (a cross-site form cannot send it without a
//! preflight this server never allows), and the device's own token must come with it.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use protocol::sealed::Sealed;
use protocol::CaseId;
use serde::{Deserialize, Serialize};

use super::{cookie, Staff, StaffError, SESSION_COOKIE};
use crate::http::{AppState, Error};

/// What the app sends.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryRequest {
    pub case_id: CaseId,
    pub recovery: Sealed,
}

/// What it gets back: the case key (base64url of its 32 bytes).
#[derive(Debug, Serialize, Deserialize)]
pub struct RecoveredKey {
    pub case_key: String,
}

pub async fn recover(
    State(state): State<AppState>,
    staff: Result<Staff, StaffError>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Error> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().starts_with("application/json"));
    if !is_json {
        return Err(Error::UnsupportedMediaType);
    }
    let device = crate::http::devices::valid_device(
        &state,
        crate::http::devices::bearer(&headers).as_deref(),
    )
    .await?
    .ok_or(Error::Unauthorized)?;
    let staff = match staff {
        Ok(staff) => staff,
        Err(StaffError::Internal(e)) => return Err(e),
        Err(_) => return Err(Error::StaffSignInNeeded),
    };
    let request: RecoveryRequest = serde_json::from_slice(&body)
        .map_err(|e| Error::MalformedJson(format!("line {}, column {}", e.line(), e.column())))?;
    let case_key = match state.keys.open_case_key(request.case_id, &request.recovery) {
        None => return Err(Error::UnknownKey),
        Some(Err(_)) => return Err(Error::SealedUnreadable),
        Some(Ok(key)) if key.len() == 32 => key,
        Some(Ok(_)) => return Err(Error::SealedUnreadable),
    };
    let detail = format!(
        "locked case opened for its family on device {}",
        device.device_id
    );
    staff
        .audit(&state, "unlock_case", Some(request.case_id), &detail)
        .await
        .map_err(|e| match e {
            StaffError::Internal(e) => e,
            _ => Error::Internal,
        })?;
    tracing::info!(case_id = %request.case_id, device_id = %device.device_id, staff = %staff.username, "locked case opened by staff");
    // The staff sign-in ends here: it is not left on a shared tablet for the next family.
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state
            .staff
            .delete_session(&crate::secrets::token_hash(&token))
            .await?;
    }
    let mut response = Json(RecoveredKey {
        case_key: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(case_key),
    })
    .into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    if let Ok(clear) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/staff; HttpOnly; SameSite=Strict; Max-Age=0{secure}"
    )) {
        headers.insert(header::SET_COOKIE, clear);
    }
    Ok(response)
}
