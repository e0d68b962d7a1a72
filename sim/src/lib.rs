//! The delivery simulator (the FoundationDB-simulator / TigerBeetle-VOPR idea): the real
//! delivery engine (`delivery`: outbox worker, tus client, registration) runs natively against
//! the real server router over real SQLite files, and one seed decides everything that happens
//! — what the person does, when the page dies, what the network and the server do wrong — so a
//! failing schedule replays exactly from its seed.
//!
//! - [`rng`]: the seeded generator every choice comes from.
//! - [`server`]: the real server in process, restartable from its data directory, with faults.
//! - [`world`]: one schedule's world: the device's store (with crash points), the faulty
//!   network, the person's screen, a virtual clock, the trace.
//! - [`person`]: what the person does, through the app's own actions; [`form_case`]: the same
//!   on a case of a form the organisation published (so schedules mix two definitions).
//! - [`schedule`]: the interleaving of actions, worker runs, faults and time; then healing.
//! - [`check`]: the verdict: lost, duplicated, stuck, corrupted, and violations on the way.
//! - [`http_device`]: the engine's clock and transport over real HTTP, for the devices of the
//!   real-process soak and of the load bench.

// A schedule runs strictly one step at a time on one thread: the world's cells are borrowed only
// by the step in progress, so holding one across an await cannot meet another borrow.
#![allow(clippy::await_holding_refcell_ref)]

pub mod check;
pub mod form_case;
pub mod http_device;
pub mod person;
pub mod rng;
pub mod schedule;
pub mod server;
pub mod world;

pub use check::Verdict;

/// Runs one schedule on a fresh single-threaded runtime (what makes it deterministic: one
/// request at a time, in an order the seed decides).
pub fn run_one(seed: u64, steps: u32) -> (Verdict, Vec<String>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(schedule::run(seed, steps))
}
