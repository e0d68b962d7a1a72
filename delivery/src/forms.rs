//! Keeps the organisation's published forms on the device: when online, asks which versions are
//! published and fetches those the device does not hold yet, so a new case can start, and a draft
//! be checked, with no connection. Published versions never change, so one fetch is enough.

use protocol::api::FormList;
use protocol::FormDefinition;

use crate::register::{self, Token};
use crate::store::{DeviceStore, StoreError};
use crate::transport::{get, Transport};

/// What a refresh came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refresh {
    /// The device holds every published version; this many were new.
    Done(usize),
    /// No answer (offline, cut off): try again when online.
    Offline,
    /// No token to ask with (the person must sign in again, or registration failed).
    NoToken,
    /// The server answered something else (its status).
    Refused(u16),
}

/// Fetches the published versions this device does not hold.
pub async fn refresh(
    store: &impl DeviceStore,
    transport: &impl Transport,
) -> Result<Refresh, StoreError> {
    let token = match register::ensure_token(transport, store).await? {
        Token::Ready(token) => token,
        Token::SignInNeeded(_) | Token::Failed(_) => return Ok(Refresh::NoToken),
    };
    let Ok((status, body)) = get(transport, "/api/v1/forms".into(), &token).await else {
        return Ok(Refresh::Offline);
    };
    if status != 200 {
        return Ok(Refresh::Refused(status));
    }
    let Ok(list) = serde_json::from_str::<FormList>(&body) else {
        return Ok(Refresh::Refused(status));
    };
    let mut fetched = 0;
    for summary in list.forms {
        // The household form's first version is the app's own screens: nothing to fetch.
        let built_in = summary.form_id == protocol::form::FORM_ID
            && summary.version == protocol::form::FORM_VERSION;
        if built_in
            || store
                .form_definition(&summary.form_id, summary.version)
                .await?
                .is_some()
        {
            continue;
        }
        let url = format!("/api/v1/forms/{}/{}", summary.form_id, summary.version);
        let Ok((status, body)) = get(transport, url, &token).await else {
            return Ok(Refresh::Offline);
        };
        let definition = match serde_json::from_str::<FormDefinition>(&body) {
            Ok(d)
                if status == 200
                    && d.form_id == summary.form_id
                    && d.version == summary.version =>
            {
                d
            }
            _ => return Ok(Refresh::Refused(status)),
        };
        store.put_form_definition(&definition).await?;
        fetched += 1;
    }
    Ok(Refresh::Done(fetched))
}

/// The newest version of each form the device holds: what a new case starts on.
pub async fn newest(store: &impl DeviceStore) -> Result<Vec<FormDefinition>, StoreError> {
    let mut newest: Vec<FormDefinition> = Vec::new();
    for def in store.form_definitions().await? {
        match newest.iter_mut().find(|d| d.form_id == def.form_id) {
            Some(d) if d.version < def.version => *d = def,
            Some(_) => {}
            None => newest.push(def),
        }
    }
    Ok(newest)
}
