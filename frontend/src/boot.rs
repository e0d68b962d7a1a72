//! Opening the device once per page: the store and change notices between tabs (and the sync
//! worker); then, once the page is shown, the sync worker and the manifest. The UI asks for this once and from then on talks to
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
    Ok(store)
}

/// What can wait until the person sees the app, so that a first visit on a slow link is usable
/// sooner: the sync worker (its own download; nothing is due to be sent in the first second)
/// and the manifest (with the icon the browser fetches for it). The service worker's install
/// (the whole shell again, from the HTTP cache) waits for the app's other parts
/// (`ui::lazy`), so that it finds them there too.
pub const BACKGROUND_DELAY_MS: u32 = 500;

pub fn start_background() {
    gloo_timers::callback::Timeout::new(BACKGROUND_DELAY_MS, move || {
        if let Err(e) = crate::sync::start_worker(STORE_CHANNEL) {
            web_sys::console::error_1(&format!("sync: {e}").into());
        }
        platform::link_manifest();
    })
    .forget();
}
