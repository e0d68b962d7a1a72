//! Resguardo's shared vocabulary, compiled into both the wasm front end and the native server so
//! every rule lives once.
//!
//! - [`case`]: the household case as it travels (`PUT /api/v1/cases/{case_id}`) and is stored.
//! - [`form`]: the intake form's choices and limits (countries, languages, needs, relationships).
//! - [`definition`]: forms the organisation defines, their checks, and the one interpreter that
//!   validates answers and puts them in canonical form (the household form is the default).
//! - [`validation`]: the rules the form shows inline and the server enforces, as stable codes.
//! - [`date`]: the calendar dates the form uses, without a clock.
//! - [`receipt`]: receipt codes a person can read aloud (Crockford base32 plus check symbol).
//! - [`sealed`]: cases sealed for the organisation (HPKE), opened only by the server.
//! - [`appointment`]: slots, a household's booking and what a device asks about its case;
//!   [`calendar`] writes the booking as an `.ics` file for the phone's calendar.
//! - [`api`]: response bodies, error codes and headers of the HTTP API.
//! - [`outbox`]: the client's delivery state machine and backoff, kept free of I/O so it is tested
//!   natively.
//!
//! Nothing here does I/O or reads a clock or a random source: callers pass those in.

pub mod api;
pub mod appointment;
pub mod calendar;
pub mod case;
pub mod date;
pub mod definition;
pub mod form;
pub mod outbox;
pub mod receipt;
pub mod sealed;
pub mod validation;

pub use case::{Applicant, CaseId, CaseSubmission, Member, MemberId, PhotoId, PhotoRef, SlotId};
pub use definition::{FormDefinition, Submission};
pub use receipt::ReceiptCode;
pub use validation::{FieldCode, FieldError};
