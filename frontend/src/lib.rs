//! Resguardo's app: a household intake form that works offline and delivers each case exactly once.
//!
//! Data flows one way, and the layout follows it:
//!
//! - [`ui`]: pages and components (Leptos). Reads state only from the store, reactively; writes
//!   drafts through its autosaver and acts through `delivery::actions` (send, correct, sign in
//!   again), which write to the store only.
//! - [`store`]: the one owner of IndexedDB: cases, outbox items, photos, settings; the delivery
//!   engine's `DeviceStore` in the browser.
//! - [`photos`]: document photos kept the instant they are taken, then processed in a worker.
//! - [`sync`]: runs the delivery engine's worker (`delivery::Worker`: outbox, tus, registration)
//!   in one tab at a time over `fetch`, woken by store writes and the network.
//! - [`boot`]: opens the store once and starts the worker.
//! - [`i18n`]: every user-facing word, per language.
//! - [`platform`]: thin wrappers over browser APIs (time, locks, events, service worker).

pub mod boot;
pub mod i18n;
pub mod photos;
pub mod platform;
pub mod store;
pub mod sync;
pub mod ui;

/// Mounts the app on the page.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(ui::App);
}
