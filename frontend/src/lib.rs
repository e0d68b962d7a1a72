//! Resguardo's app: a household intake form that works offline and delivers each case exactly once.
//!
//! Data flows one way, and the layout follows it:
//!
//! - [`ui`]: pages and components (Leptos). Reads state only from the store, reactively; writes
//!   drafts through its autosaver and submits into the outbox.
//! - [`store`]: the one owner of IndexedDB: cases, outbox items, settings.
//! - [`photos`]: document photos kept the instant they are taken, then processed in a worker.
//! - [`sync`]: the outbox worker that delivers queued cases to the server (one tab at a time)
//!   and writes the receipt back into the store; [`upload`] is its tus client for photos.
//! - [`i18n`]: every user-facing word, per language.
//! - [`platform`]: thin wrappers over browser APIs (time, locks, events, service worker).

pub mod i18n;
pub mod photos;
pub mod platform;
pub mod store;
pub mod sync;
pub mod ui;
pub mod upload;

/// Mounts the app on the page.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(ui::App);
}
