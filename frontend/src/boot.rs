//! Opening the device once per page: the store, change notices between tabs (and the sync
//! worker), any photo a page left half-processed; then, once the page is shown, the sync worker
//! and the service worker. The UI asks for this once and from then on talks to
//! the store only.

use std::rc::Rc;

use crate::platform;
use crate::store::{Store, StoreError};

/// Every tab and the sync worker announce their store writes here, so the others re-read and
/// the sync worker wakes.
pub const STORE_CHANNEL: &str = "resguardo-store";

/// Opens the store; `on_change` runs after every write, in this tab or another.
pub async fn open(on_change: impl Fn() + Clone + 'static) -> Result<Rc<Store>, StoreError> {
    let store = Rc::new(Store::open().await?);
    let channel = platform::Channel::open(STORE_CHANNEL);
    if let Some(channel) = &channel {
        let on_change = on_change.clone();
        channel.on_message(move |_| on_change());
    }
    store.subscribe(move || {
        on_change();
        if let Some(channel) = &channel {
            channel.post("changed");
        }
    });
    // Photos a page left unprocessed when it died are finished now.
    let pending = store.clone();
    wasm_bindgen_futures::spawn_local(
        async move { crate::photos::process_pending(&pending).await },
    );
    Ok(store)
}

/// What can wait until the person sees the app, so that a first visit on a slow link is usable
/// sooner: the sync worker (its own download; nothing is due to be sent in the first second),
/// the service worker's install (the whole shell again, mostly from the HTTP cache) and the
/// manifest (with the icon the browser fetches for it).
pub const BACKGROUND_DELAY_MS: u32 = 500;

pub fn start_background(on_update_ready: impl Fn() + Clone + 'static) {
    gloo_timers::callback::Timeout::new(BACKGROUND_DELAY_MS, move || {
        if let Err(e) = crate::sync::start_worker(STORE_CHANNEL) {
            web_sys::console::error_1(&format!("sync: {e}").into());
        }
        platform::register_service_worker(on_update_ready);
        platform::link_manifest();
    })
    .forget();
}
