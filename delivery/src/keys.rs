//! The organisation's public keys on the device (`GET /api/v1/keys`, no token needed), fetched
//! when the worker is about to send and holds none, refreshed with the forms, and forgotten when
//! the server says it no longer knows the one a case was sealed to. A case is sealed to the
//! current key (`protocol::sealed`) whenever one is known; with none yet, it goes as before.

use protocol::sealed::SealingKeys;

use crate::store::{DeviceStore, StoreError};
use crate::transport::{client_version, HttpRequest, Method, Transport};

pub const KEYS_PATH: &str = "/api/v1/keys";

/// Fetches the keys and keeps them; `None` when the server could not be asked or answered
/// something else (the keys held, if any, stay).
pub async fn refresh(
    store: &impl DeviceStore,
    transport: &impl Transport,
) -> Result<Option<SealingKeys>, StoreError> {
    let answer = transport
        .send(HttpRequest {
            method: Method::Get,
            url: KEYS_PATH.into(),
            headers: vec![client_version()],
            body: None,
        })
        .await;
    let keys = answer
        .ok()
        .filter(|a| a.status == 200)
        .and_then(|a| serde_json::from_str::<SealingKeys>(&a.body).ok())
        .filter(|k| k.current().is_some());
    if let Some(keys) = &keys {
        store.set_sealing_keys(Some(keys)).await?;
    }
    Ok(keys)
}

/// The keys held, or fetched now when there are none.
pub async fn held_or_fetched(
    store: &impl DeviceStore,
    transport: &impl Transport,
) -> Result<Option<SealingKeys>, StoreError> {
    match store.sealing_keys().await? {
        Some(keys) => Ok(Some(keys)),
        None => refresh(store, transport).await,
    }
}
