//! What a staff member signed in on a shared tablet does there, through the app (JSON answers,
//! not pages); each is audited and ends that staff session, so no staff sign-in is left behind.
//!
//! A family forgot the PIN of its locked case: a staff member signs in on that tablet, and the
//! app sends the case key it keeps sealed for the organisation (`protocol::sealed::seal_case_key`)
//! to `POST /staff/recovery`. The server opens it for the signed-in staff member only, writes the
//! unlock to the audit log and ends the session; the app opens the case with the key and the
//! family chooses a new PIN. `POST /staff/tablet-view` opens the tablet's volunteer
//! screen by a staff sign-in instead of the tablet's enrolment code.
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

/// A staff member signed in on a registered device, asking from the app: the checks every
/// request here makes (JSON, the device's token, a live staff session).
async fn staff_on_device(
    state: &AppState,
    staff: Result<Staff, StaffError>,
    headers: &HeaderMap,
) -> Result<(Staff, crate::storage::Device), Error> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().starts_with("application/json"));
    if !is_json {
        return Err(Error::UnsupportedMediaType);
    }
    let token = crate::http::devices::bearer(headers);
    let device = crate::http::devices::valid_device(state, token.as_deref())
        .await?
        .ok_or(Error::Unauthorized)?;
    match staff {
        Ok(staff) => Ok((staff, device)),
        Err(StaffError::Internal(e)) => Err(e),
        Err(_) => Err(Error::StaffSignInNeeded),
    }
}

/// What was done, for the audit log.
struct Done<'a> {
    action: &'a str,
    case_id: Option<CaseId>,
    detail: String,
}

/// Audits what the staff member did on the tablet, then ends their session there (the answer
/// clears the cookie): a staff sign-in is not left on a shared tablet for the next family.
async fn audit_and_sign_out(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    done: Done<'_>,
    mut response: Response,
) -> Result<Response, Error> {
    staff
        .audit(state, done.action, done.case_id, &done.detail)
        .await
        .map_err(|e| match e {
            StaffError::Internal(e) => e,
            _ => Error::Internal,
        })?;
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        state
            .staff
            .delete_session(&crate::secrets::token_hash(&token))
            .await?;
    }
    let out = response.headers_mut();
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    if let Ok(clear) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/staff; HttpOnly; SameSite=Strict; Max-Age=0{secure}"
    )) {
        out.insert(header::SET_COOKIE, clear);
    }
    Ok(response)
}

/// `POST /staff/recovery`: the case key of a locked case whose PIN was forgotten.
pub async fn recover(
    State(state): State<AppState>,
    staff: Result<Staff, StaffError>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Error> {
    let (staff, device) = staff_on_device(&state, staff, &headers).await?;
    let request: RecoveryRequest = serde_json::from_slice(&body)
        .map_err(|e| Error::MalformedJson(format!("line {}, column {}", e.line(), e.column())))?;
    state.keys.learn(&request.recovery.key_id).await;
    let case_key = match state.keys.open_case_key(request.case_id, &request.recovery) {
        None => return Err(Error::UnknownKey),
        Some(Err(_)) => return Err(Error::SealedUnreadable),
        Some(Ok(key)) if key.len() == 32 => key,
        Some(Ok(_)) => return Err(Error::SealedUnreadable),
    };
    tracing::info!(case_id = %request.case_id, device_id = %device.device_id, staff = %staff.username, "locked case opened by staff");
    let response = Json(RecoveredKey {
        case_key: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(case_key),
    })
    .into_response();
    let done = Done {
        action: "unlock_case",
        case_id: Some(request.case_id),
        detail: format!(
            "locked case opened for its family on device {}",
            device.device_id
        ),
    };
    audit_and_sign_out(&state, &staff, &headers, done, response).await
}

/// Who opened the volunteer screen.
#[derive(Debug, Serialize, Deserialize)]
pub struct TabletViewer {
    pub username: String,
}

/// `POST /staff/tablet-view`: the volunteer screen of a shared tablet, opened by a staff
/// member's sign-in instead of the tablet's enrolment code (audited; the session ends).
pub async fn tablet_view(
    State(state): State<AppState>,
    staff: Result<Staff, StaffError>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let (staff, device) = staff_on_device(&state, staff, &headers).await?;
    let response = Json(TabletViewer {
        username: staff.username.clone(),
    })
    .into_response();
    let done = Done {
        action: "view_tablet",
        case_id: None,
        detail: format!("volunteer screen of device {}", device.device_id),
    };
    audit_and_sign_out(&state, &staff, &headers, done, response).await
}
