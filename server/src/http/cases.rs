//! `PUT /api/v1/cases/{case_id}`: a household case, stored exactly once.
//!
//! The device makes the ID before its first save, so the ID is the idempotency key: a replay of
//! the same case gets the stored receipt (200), different content under the same ID is a conflict
//! (409), and nothing is stored until the whole case validates.

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use protocol::api::{
    parse_client_version, CaseReceipt, ErrorBody, CLIENT_VERSION_HEADER, MIN_CLIENT_VERSION,
};
use protocol::date::Date;
use protocol::definition::{answers, household};
use protocol::validation::{FieldCode, FieldError};
use protocol::{CaseId, CaseSubmission, Submission};

use super::body::read_limited;
use super::devices::SendingDevice;
use super::{AppState, Error};
use crate::storage::{ClaimedPhoto, NewCase, PutOutcome};

#[utoipa::path(
    put,
    path = "/api/v1/cases/{case_id}",
    tag = "cases",
    params(
        ("case_id" = String, Path, format = Uuid, description = "Made by the device before its first save; the idempotency key"),
        ("x-resguardo-client" = Option<String>, Header, description = "The app's build version, e.g. `0.1.0`"),
    ),
    security(("device_token" = [])),
    request_body(content = CaseBody, content_type = "application/json",
        description = "A `Submission` (answers keyed by the fields' names) for any published form; a household case in the shape devices sent before forms were definitions (`applicant`, `members`) is still accepted; either may come sealed to one of the organisation's keys (`{\"sealed\": {key_id, enc, ciphertext}}`, HPKE with the case ID as associated data)"),
    responses(
        (status = 201, description = "Stored and committed; keep the receipt. `appointment` is the one slot booked for the whole household in the same transaction (the first of `appointment_preferences` with room for everyone, else the earliest open slot in the booking window with room), or `null` when none had room", body = CaseReceipt),
        (status = 200, description = "The same case was already stored; the same receipt, with the appointment as it stands now", body = CaseReceipt),
        (status = 400, description = "`invalid_id` (also for a path that is not UTF-8), `malformed_json`, `bad_request` for a body that broke off; for a sealed body, `unknown_key` (not one of `GET /api/v1/keys`) or `sealed_unreadable` (altered, or sealed for another case ID)", body = ErrorBody),
        (status = 401, description = "`unauthorized`: no valid device token (`Authorization: Bearer`); register or sign in again", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 409, description = "`case_conflict`: this ID holds a different case; nothing changed. `photos_missing`: upload the photos in `missing_photos`, then retry", body = ErrorBody),
        (status = 408, description = "`timeout`: the body stopped arriving, or the request took too long; nothing was stored, retry", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: over the server's JSON limit (1 MiB by default)", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = ErrorBody),
        (status = 422, description = "`validation_failed`, with every bad field and its code", body = ErrorBody),
        (status = 426, description = "`client_unsupported`: the app must update first", body = ErrorBody),
        (status = 500, description = "`internal`: nothing was stored; retry", body = ErrorBody),
    )
)]
pub async fn put_case(
    State(state): State<AppState>,
    case_id: Result<Path<String>, PathRejection>,
    axum::Extension(device): axum::Extension<SendingDevice>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<CaseReceipt>), Error> {
    // A path that is not even UTF-8 is no UUID either.
    let case_id: CaseId = case_id
        .ok()
        .and_then(|Path(id)| id.parse().ok())
        .ok_or(Error::InvalidId)?;
    check_client_version(&headers)?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
        });
    if !is_json {
        return Err(Error::UnsupportedMediaType);
    }
    let body = read_limited(body, state.max_json_bytes).await?;
    let (body, sealed) = unseal(&state, case_id, body).await?;
    let case = parse_case(&body)?;
    let Some(definition) = state
        .forms
        .published(&case.form_id, case.form_version)
        .await?
    else {
        return Err(Error::Validation(vec![FieldError {
            field: "form_id".into(),
            code: FieldCode::UnsupportedForm,
        }]));
    };
    let problems = answers::validate(&definition, &case, today());
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }
    let case = answers::canonical(&definition, &case);

    let problems = protocol::appointment::check_preferences(&case.appointment_preferences);
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }

    let missing = missing_photos(&state, case_id, &case).await?;
    if !missing.is_empty() {
        return Err(Error::PhotosMissing(missing));
    }

    let new = NewCase {
        case_id,
        fingerprint: case.fingerprint(),
        body: case.canonical_json(),
        form_id: case.form_id.clone(),
        form_version: case.form_version,
        people: u32::try_from(people(&definition, &case)).unwrap_or(u32::MAX),
        device_id: Some(device.0),
        preferences: case.appointment_preferences.clone(),
        booking: Some(state.booking_window()),
        photos: case
            .photos
            .iter()
            .map(|p| ClaimedPhoto {
                photo_id: p.photo_id,
                length: p.size,
                sha256: p.sha256.clone(),
                content_type: p.content_type.clone(),
            })
            .collect(),
    };
    match state.storage.put_case(new).await? {
        PutOutcome::Created(receipt) => {
            tracing::info!(%case_id, people = receipt.people, sealed, "case stored");
            Ok((StatusCode::CREATED, Json(receipt)))
        }
        PutOutcome::Replayed(receipt) => {
            tracing::info!(%case_id, "case replayed");
            Ok((StatusCode::OK, Json(receipt)))
        }
        PutOutcome::Conflict => {
            tracing::warn!(%case_id, "case conflict");
            Err(Error::CaseConflict)
        }
        // A photo went (cleaned up as an orphan) between the check above and the commit.
        PutOutcome::PhotosMissing(ids) => Err(Error::PhotosMissing(ids)),
    }
}

/// The body as a submission: one with `answers`, or a household case in the shape devices saved
/// before forms were definitions.
/// A sealed body's case JSON (a plain body as it is): what follows never sees the difference, so
/// validation, the fingerprint and exactly-once are those of the case itself.
async fn unseal(
    state: &AppState,
    case_id: CaseId,
    body: bytes::Bytes,
) -> Result<(bytes::Bytes, bool), Error> {
    let Ok(sealed) = serde_json::from_slice::<protocol::sealed::SealedBody>(&body) else {
        return Ok((body, false));
    };
    state.keys.learn(&sealed.sealed.key_id).await;
    match state.keys.open(case_id, &sealed.sealed) {
        None => Err(Error::UnknownKey),
        Some(Err(_)) => Err(Error::SealedUnreadable),
        Some(Ok(plain)) => Ok((plain.into(), true)),
    }
}

fn parse_case(body: &[u8]) -> Result<Submission, Error> {
    let malformed = |e: serde_json::Error| {
        Error::MalformedJson(format!("line {}, column {}", e.line(), e.column()))
    };
    let value: serde_json::Value = serde_json::from_slice(body).map_err(malformed)?;
    if value.get("answers").is_some() {
        serde_json::from_value(value).map_err(|e| Error::MalformedJson(e.to_string()))
    } else {
        let legacy: CaseSubmission =
            serde_json::from_value(value).map_err(|e| Error::MalformedJson(e.to_string()))?;
        Ok(household::from_legacy(&legacy))
    }
}

/// The people a case covers: the person filling it in and each entry of the household repeat.
pub fn people(definition: &protocol::FormDefinition, case: &Submission) -> usize {
    let members = definition
        .roles
        .household
        .as_ref()
        .and_then(|h| case.answers.get(h))
        .and_then(|m| m.as_array())
        .map_or(0, Vec::len);
    1 + members
}

/// The photos the case names that are not stored here exactly as named (same case, size and
/// SHA-256): the client uploads them and sends the case again.
async fn missing_photos(
    state: &AppState,
    case_id: CaseId,
    case: &Submission,
) -> Result<Vec<protocol::PhotoId>, Error> {
    let mut missing = Vec::new();
    for photo in &case.photos {
        let stored = state.storage.upload(photo.photo_id).await?;
        if !stored.is_some_and(|u| u.stores(case_id, photo)) {
            missing.push(photo.photo_id);
        }
    }
    Ok(missing)
}

/// The request body's schema: either shape, or either sealed for the organisation.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum CaseBody {
    Submission(Submission),
    Household(CaseSubmission),
    Sealed(protocol::sealed::SealedBody),
}

/// A missing header is accepted (curl, scripts); a present one must be new enough to trust.
fn check_client_version(headers: &HeaderMap) -> Result<(), Error> {
    let Some(value) = headers.get(CLIENT_VERSION_HEADER) else {
        return Ok(());
    };
    match value.to_str().ok().and_then(parse_client_version) {
        Some(version) if version >= MIN_CLIENT_VERSION => Ok(()),
        _ => Err(Error::ClientUnsupported),
    }
}

/// Today in UTC: birth dates after it are refused. A device a day ahead in another time zone is
/// within a day of UTC, so allow one day of slack.
pub(crate) fn today() -> Date {
    let tomorrow = time::OffsetDateTime::now_utc() + time::Duration::days(1);
    Date::new(
        tomorrow.year() as u16,
        tomorrow.month() as u8,
        tomorrow.day(),
    )
    .unwrap_or(Date {
        year: 9999,
        month: 12,
        day: 31,
    })
}
