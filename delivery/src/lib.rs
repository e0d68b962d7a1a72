//! The delivery engine: everything between the person pressing Send and the receipt arriving
//! that does not depend on the browser, so the same code runs in the app (wasm) and natively
//! under the deterministic simulator against the real server.
//!
//! The data path, in the order a case travels:
//!
//! - [`actions`]: what a person does (send, remove a family member, correct, sign in again);
//!   writes to the store only. [`autosave`] keeps the newest unsaved draft until it is written.
//! - [`store`]: the [`DeviceStore`] trait, the device's storage as the engine sees it;
//!   [`memory`] implements it in memory for the simulator and tests ([`conformance`] holds every
//!   implementation to the same rules). The shapes kept are in [`records`].
//! - [`worker`]: the outbox worker's state machine; [`tus`] is its photo uploader and
//!   [`register`] its device registration.
//! - [`transport`]: one HTTP exchange, as the engine asks for it; [`env`]: the clock and the
//!   random source.
//! - [`forms`]: keeps the published form definitions on the device for offline use;
//!   [`appointments`] keeps the open slots for choosing offline, and the appointment of each
//!   delivered case as the server says it stands now.
//!
//! Nothing here blocks, spawns, sleeps or reads a clock: callers pass those in and decide when
//! to run the worker again.

pub mod actions;
pub mod appointments;
pub mod autosave;
#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
pub mod env;
pub mod forms;
pub mod keys;
pub mod memory;
pub mod records;
pub mod register;
pub mod store;
pub mod transport;
pub mod tus;
pub mod worker;

pub use records::{
    CaseRecord, DeviceAuth, FormAnswers, OutboxItem, Outgoing, PhotoRecord, Problem, Processed,
    StatusSeen, UploadProgress,
};
pub use store::{DeviceStore, StoreError};
pub use transport::{HttpAnswer, HttpRequest, NetworkError, Transport};
pub use worker::Worker;
