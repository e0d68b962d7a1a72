//! What devices ask about appointments: `GET /api/v1/slots` (the open slots they may prefer,
//! cached for offline use) and `GET /api/v1/cases/{case_id}/status` (a sent case's receipt,
//! review state and appointment as it stands now, for the device that sent it only).

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::Json;
use protocol::appointment::{CaseStatus, Slot, SlotList};
use protocol::CaseId;

use super::devices::SendingDevice;
use super::{AppState, Error};
use crate::storage::now_rfc3339;

#[utoipa::path(
    get,
    path = "/api/v1/slots",
    tag = "appointments",
    security(("device_token" = [])),
    responses(
        (status = 200, description = "Open slots with room, in the booking window, earliest first", body = SlotList),
        (status = 401, description = "`unauthorized`: no valid device token", body = protocol::api::ErrorBody),
    )
)]
pub async fn slots(State(state): State<AppState>) -> Result<Json<SlotList>, Error> {
    let slots = state
        .appointments
        .open_slots(state.booking_window())
        .await?
        .into_iter()
        .map(|s| Slot {
            people_free: s.people_free(),
            slot_id: s.slot_id,
            starts_at: s.starts_at,
            minutes: s.minutes,
            place: s.place,
        })
        .collect();
    Ok(Json(SlotList {
        as_of: now_rfc3339(),
        window_days: state.booking_days(),
        slots,
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/cases/{case_id}/status",
    tag = "appointments",
    params(("case_id" = String, Path, format = Uuid, description = "A case this device sent")),
    security(("device_token" = [])),
    responses(
        (status = 200, description = "The receipt (with the appointment as it stands now), the review state, and what staff said when they last changed the appointment", body = CaseStatus),
        (status = 400, description = "`invalid_id`", body = protocol::api::ErrorBody),
        (status = 401, description = "`unauthorized`: no valid device token", body = protocol::api::ErrorBody),
        (status = 404, description = "`not_found`: no such case, or another device sent it", body = protocol::api::ErrorBody),
    )
)]
pub async fn case_status(
    State(state): State<AppState>,
    case_id: Result<Path<String>, PathRejection>,
    axum::Extension(device): axum::Extension<SendingDevice>,
) -> Result<Json<CaseStatus>, Error> {
    let case_id: CaseId = case_id
        .ok()
        .and_then(|Path(id)| id.parse().ok())
        .ok_or(Error::InvalidId)?;
    match state.appointments.case_status(case_id).await? {
        // Another device's case is as unknown as one that does not exist.
        Some(sent) if sent.device_id == Some(device.0) => Ok(Json(sent.status)),
        _ => Err(Error::NotFound),
    }
}
