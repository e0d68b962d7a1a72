//! One schedule: from a seed, a run of person actions, worker runs (some cut short by a crash
//! at a random await point), time passing and faults, interleaved; then the world heals and the
//! person follows every screen's way forward; then [`crate::check`] judges the outcome.

use delivery::{DeviceStore, Worker};
use protocol::CaseId;

use crate::check::{self, Verdict};
use crate::world::World;

/// How a worker run ended.
enum Run {
    Finished(Option<f64>),
    StoreFailed(String),
    Crashed,
}

impl World {
    /// Runs the real worker once over the crash-pointed store and the faulty network; with
    /// `crash_after` it dies after that many calls, as a killed page does.
    async fn run_worker(&self, crash_after: Option<u32>) -> Run {
        let store = self.crashing_store();
        let network = self.network();
        let worker = Worker::new(&store, network, &self.clock, &self.rng);
        if let Some(n) = crash_after {
            self.crash.arm(n);
        }
        let run = worker.run_due();
        let outcome = tokio::select! {
            biased;
            () = self.crash.fired() => Run::Crashed,
            result = run => match result {
                Ok(next) => Run::Finished(next),
                Err(e) => Run::StoreFailed(e.to_string()),
            },
        };
        self.crash.disarm();
        outcome
    }

    /// The browser's `online` event: backoff reset, then a run.
    async fn come_online(&self) {
        self.net.offline.set(false);
        self.log("network: online");
        let store = self.crashing_store();
        let worker = Worker::new(&store, self.network(), &self.clock, &self.rng);
        if let Err(e) = worker.reset_backoff().await {
            self.log(format!("reset backoff failed ({e})"));
        }
    }

    async fn worker_step(&self) {
        let crash = self.rng.chance(0.25).then(|| self.rng.below(30) as u32);
        match self.run_worker(crash).await {
            Run::Finished(next) => {
                if let Some(next) = next {
                    self.log(format!(
                        "worker: next due in {:.1}s",
                        (next - delivery::env::Clock::now_ms(&self.clock)) / 1000.0
                    ));
                }
            }
            Run::StoreFailed(e) => self.log(format!("worker: store failed ({e})")),
            Run::Crashed => {
                crate::world::Stats::count(&self.stats.crashes);
                self.log(format!(
                    "CRASH (after {crash:?} calls): the page dies mid-sync"
                ));
                self.reload().await;
            }
        }
    }

    async fn device_id(&self) -> Option<uuid::Uuid> {
        let auth = self.store.device_auth().await.ok()?;
        auth.credentials?.device_id.parse().ok()
    }

    async fn step(&self) {
        let weights = [
            6,  // 0 type
            2,  // 1 add member
            1,  // 2 remove member
            3,  // 3 take photo
            4,  // 4 processing finishes
            1,  // 5 retake
            1,  // 6 delete photo
            3,  // 7 autosave flush
            3,  // 8 send
            2,  // 9 correct everything
            1,  // 10 new case
            1,  // 11 open a draft
            2,  // 12 follow the status screens
            1,  // 13 page reload
            10, // 14 worker run
            4,  // 15 time passes
            1,  // 16 offline / online
            1,  // 17 server restart
            1,  // 18 server faults
            1,  // 19 token expires or is revoked
            1,  // 20 device storage full / freed
            1,  // 21 a week passes on the server
            1,  // 22 fault rate changes
            1,  // 23 choose appointment slots
            1,  // 24 staff move or cancel a household's appointment
            2,  // 25 the app asks about its delivered cases
        ];
        match self.rng.weighted(&weights) {
            23 => self.choose_slots().await,
            24 => self.staff_change_appointment().await,
            25 => {
                // Sometimes the page dies while it asks.
                if self.rng.chance(0.25) {
                    self.crash.arm(self.rng.below(6) as u32);
                }
                self.ask_statuses().await;
            }
            0 => self.type_something(),
            1 => self.add_member(),
            2 => self.remove_member().await,
            3 => {
                self.take_photo().await;
            }
            4 => self.finish_processing(),
            5 => self.retake_photo().await,
            6 => self.delete_photo().await,
            7 => self.flush().await,
            8 => self.send_determined().await,
            9 => self.correct_everything().await,
            10 => self.new_case().await,
            11 => self.open_draft().await,
            12 => self.follow_status_screens().await,
            13 => self.reload().await,
            14 => self.worker_step().await,
            15 => {
                let ms = self.rng.below(600_000) as f64;
                self.clock.advance(ms);
                self.log(format!("time passes ({:.0}s)", ms / 1000.0));
            }
            16 => {
                if self.net.offline.get() {
                    self.come_online().await;
                } else {
                    self.net.offline.set(true);
                    self.log("network: offline");
                }
            }
            17 => {
                crate::world::Stats::count(&self.stats.restarts);
                self.log("server restarts");
                self.server.borrow_mut().restart().await;
            }
            18 => {
                let server = self.server.borrow();
                if self.rng.chance(0.5) {
                    server.blobs.fail_promotes(1);
                    self.log("server: the next move into place will fail");
                } else {
                    let full = !server.blobs.armed();
                    server.blobs.set_disk_full(full);
                    self.log(format!("server: disk full {full}"));
                }
            }
            19 => {
                if let Some(device) = self.device_id().await {
                    let server = self.server.borrow();
                    if self.rng.chance(0.5) {
                        self.log("server: the device's token expires");
                        server.expire_device(device).await;
                    } else {
                        self.log("server: staff revoke the device");
                        server.revoke_device(device).await;
                    }
                }
            }
            20 => {
                let full = self.rng.chance(0.5);
                self.store.set_full(full);
                self.log(format!("device storage full {full}"));
            }
            21 => {
                let removed = self.server.borrow().a_week_passes().await;
                self.log(format!(
                    "a week passes on the server: {removed} uploads cleaned up"
                ));
            }
            _ => {
                let rate = *self.rng.pick(&[0.0, 0.05, 0.2, 0.5]).unwrap_or(&0.1);
                self.net.fault_rate.set(rate);
                self.log(format!("network: fault rate {rate}"));
            }
        }
    }

    /// Staff move a delivered household to another slot, or cancel its appointment. Not on a
    /// shared tablet, which asks for no statuses (its families look at `/r/{code}`), so the
    /// check that the device shows the server's booking holds there as it is.
    async fn staff_change_appointment(&self) {
        if self.shared {
            return;
        }
        let delivered: Vec<CaseId> = self.person.borrow().sent.keys().copied().collect();
        let Some(id) = self.rng.pick(&delivered).copied() else {
            return;
        };
        let server = self.server.borrow();
        let to = if self.rng.chance(0.25) {
            None
        } else {
            self.rng.pick(&server.slots).copied()
        };
        let outcome = server.staff_change_appointment(id, to).await;
        self.log(format!(
            "server: staff change case {}'s appointment to {to:?}: {outcome}",
            crate::person::short(id)
        ));
    }

    /// Network and server healthy, device space free: what is left to do is the person's (the
    /// ways forward the screens show) and the worker's.
    async fn heal(&self) {
        self.log("--- heal: network, server and device healthy from now on");
        self.net.fault_rate.set(0.0);
        self.store.set_full(false);
        {
            let mut server = self.server.borrow_mut();
            server.blobs.set_disk_full(false);
            server.blobs.fail_promotes(0);
            server.restart().await;
        }
        self.come_online().await;
        self.flush().await;
        for round in 0..12 {
            self.follow_status_screens().await;
            self.resend_reopened().await;
            for _ in 0..60 {
                match self.run_worker(None).await {
                    Run::Finished(Some(next)) => {
                        let now = delivery::env::Clock::now_ms(&self.clock);
                        self.clock.advance((next - now).max(0.0) + 1.0);
                    }
                    Run::Finished(None) => break,
                    Run::StoreFailed(e) => self.log(format!("worker: store failed ({e})")),
                    Run::Crashed => unreachable!("no crash is armed while healing"),
                }
            }
            let sent: Vec<_> = self.person.borrow().sent.keys().copied().collect();
            let mut all = true;
            for id in sent {
                all &= self.delivered(id).await;
            }
            if all {
                // The person opens the app once more: it asks what staff did meanwhile.
                self.ask_statuses().await;
                self.log(format!("--- healed after {} rounds", round + 1));
                return;
            }
        }
    }
}

/// Runs the schedule of `seed` with `steps` steps and judges it.
pub async fn run(seed: u64, steps: u32) -> (Verdict, Vec<String>) {
    let world = World::new(seed).await;
    world.log(format!("seed {seed}"));
    world.new_case().await;
    for _ in 0..steps {
        world.step().await;
    }
    world.heal().await;
    let verdict = check::judge(&world).await;
    let trace = world.trace.take();
    (verdict, trace)
}
