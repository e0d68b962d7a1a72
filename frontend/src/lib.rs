//! Resguardo's app: a household intake form that works offline and delivers each case exactly once.
//!
//! Data flows one way, and the layout follows it:
//!
//! - [`ui`]: pages and components (Leptos). Reads state only from the store, reactively; writes
//!   drafts through its autosaver and acts through `delivery::actions` (send, correct, sign in
//!   again), which write to the store only.
//! - [`vault`]: encryption at rest for shared tablets (a key per case, wrapped by the family's
//!   PIN, with WebCrypto); the store encrypts a locked case's answers with it.
//! - [`store`]: the one owner of IndexedDB (over a thin layer of our own, `store::idb`): cases,
//!   outbox items, photos, settings; the delivery engine's `DeviceStore` in the browser.
//! - [`photos`]: document photos kept the instant they are taken, then processed in a worker.
//! - [`sync`]: runs the delivery engine's worker (`delivery::Worker`: outbox, tus, registration)
//!   over `fetch` in a web worker of its own (the `sync-worker` binary), for one tab at a time,
//!   woken by store writes and the network.
//! - [`boot`]: opens the store once; once the page is shown, starts the sync worker and the
//!   service worker.
//! - [`i18n`]: every user-facing word, per language (from `locales/`, one catalog downloaded).
//! - [`platform`]: thin wrappers over browser APIs (time, locks, events, service worker).

pub mod boot;
pub mod i18n;
pub mod photos;
pub mod platform;
pub mod store;
pub mod sync;
pub mod ui;
pub mod vault;

/// Loads the person's language (the page's boot script has usually started fetching it), then
/// mounts the app on the page in place of the boot screen.
pub fn start() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        let mut lang = ui::initial_lang();
        if let Err(e) = i18n::load(lang).await {
            web_sys::console::error_1(&e.to_string().into());
            lang = i18n::Lang::english();
            if let Err(e) = i18n::load(lang).await {
                web_sys::console::error_1(&e.to_string().into());
            }
        }
        platform::remove_boot_screen();
        leptos::mount::mount_to_body(move || leptos::view! { <ui::App initial=lang /> });
    });
}
