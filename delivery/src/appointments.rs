//! Keeps the household's appointment known on the device: the open slots, fetched when online
//! (`GET /api/v1/slots`) so a person can choose among them offline, and, for each case this
//! device delivered, what the server says of it now (`GET /api/v1/cases/{id}/status`), so a time
//! staff moved reaches the receipt the next time the app opens, comes online or is looked at.
//!
//! A token refused while asking is renewed for the same device when the server will
//! ([`register::token_refused`]): a device that registered anew could not ask about what the
//! old one sent. A shared tablet asks for no statuses: its families leave with their code, and
//! `/r/{code}` tells them what the tablet would otherwise keep of them for the next family to
//! read.

use protocol::appointment::{CaseStatus, SlotList};
use protocol::outbox::OutboxState;

use crate::register::{self, Token};
use crate::store::{DeviceStore, StoreError};
use crate::transport::{get, HttpAnswer, Transport};

pub const SLOTS_PATH: &str = "/api/v1/slots";

pub fn status_path(id: protocol::CaseId) -> String {
    format!("/api/v1/cases/{id}/status")
}

/// Statuses are asked only for cases delivered within this many days: past the booking window
/// and the appointment itself, nothing more will change that the device needs to show.
pub const STATUS_DAYS: f64 = 60.0;

const DAY_MS: f64 = 24.0 * 3600.0 * 1000.0;

/// What a refresh came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refresh {
    /// Done; this many records changed (the slot list counts as one).
    Done(usize),
    /// Not asked: a shared tablet asks for no statuses.
    Skipped,
    /// No answer (offline, cut off): try again when online.
    Offline,
    /// No token to ask with (the person must sign in again, or registration failed).
    NoToken,
    /// The server answered something else (its status).
    Refused(u16),
}

async fn token(
    store: &impl DeviceStore,
    transport: &impl Transport,
) -> Result<Option<String>, StoreError> {
    Ok(match register::ensure_token(transport, store).await? {
        Token::Ready(token) => Some(token),
        Token::SignInNeeded(_) | Token::Failed(_) => None,
    })
}

/// Fetches the open slots and keeps them (the list held stays when this fails).
pub async fn refresh_slots(
    store: &impl DeviceStore,
    transport: &impl Transport,
) -> Result<Refresh, StoreError> {
    let Some(token) = token(store, transport).await? else {
        return Ok(Refresh::NoToken);
    };
    let Ok((status, body)) = get(transport, SLOTS_PATH.into(), &token).await else {
        return Ok(Refresh::Offline);
    };
    match serde_json::from_str::<SlotList>(&body) {
        Ok(list) if status == 200 => {
            store.set_slots(&list).await?;
            Ok(Refresh::Done(1))
        }
        _ => Ok(Refresh::Refused(status)),
    }
}

/// Asks the server about every case this device delivered in the last [`STATUS_DAYS`] and keeps
/// what changed. A case the server no longer shows this device (404) keeps what it had.
pub async fn refresh_statuses(
    store: &impl DeviceStore,
    transport: &impl Transport,
    now_ms: f64,
) -> Result<Refresh, StoreError> {
    if store.device_auth().await?.is_shared() {
        return Ok(Refresh::Skipped);
    }
    let mut delivered: Vec<_> = store
        .outbox()
        .await?
        .into_iter()
        .filter(|i| {
            i.state == OutboxState::Delivered
                && i.receipt.is_some()
                && now_ms - i.updated_at <= STATUS_DAYS * DAY_MS
        })
        .collect();
    if delivered.is_empty() {
        return Ok(Refresh::Done(0));
    }
    // The newest first: the case a person just sent is the one they are looking at.
    delivered.sort_unstable_by(|a, b| {
        b.updated_at
            .total_cmp(&a.updated_at)
            .then(a.case_id.cmp(&b.case_id))
    });
    let Some(mut token) = token(store, transport).await? else {
        return Ok(Refresh::NoToken);
    };
    let mut changed = 0;
    for item in delivered {
        let mut renewed = false;
        let (status, body) = loop {
            let Ok((status, body)) = get(transport, status_path(item.case_id), &token).await else {
                return Ok(Refresh::Offline);
            };
            if status != 401 || renewed {
                break (status, body);
            }
            // An expired token is renewed for the same device (a new device could not ask).
            let refused = register::problem_of(&Ok(HttpAnswer {
                status,
                body,
                headers: vec![],
            }));
            match register::token_refused(transport, store, refused).await? {
                Some(new) => {
                    token = new;
                    renewed = true;
                }
                None => return Ok(Refresh::NoToken),
            }
        };
        match (status, serde_json::from_str::<CaseStatus>(&body)) {
            (200, Ok(seen)) if seen.receipt.case_id == item.case_id => {
                if store.record_status(&seen).await? {
                    changed += 1;
                }
            }
            (404, _) => {}
            (status, _) => return Ok(Refresh::Refused(status)),
        }
    }
    Ok(Refresh::Done(changed))
}
