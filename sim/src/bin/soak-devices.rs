//! `soak-devices`: many simulated devices sending households with photos over real HTTP, each
//! running the real delivery engine on its own in-memory store. The real-process soak
//! (`tests/soak/real-process.mjs`) points them at the fault proxy in front of the real server
//! binary, kills that server with SIGKILL at random moments, and afterwards compares what the
//! server holds (`dump-cases`, `dump-photos`) with what these devices wrote out.
//!
//! Time runs `--speed` times faster than the wall clock for the engine (its backoff reaches
//! five minutes), so a soak of a minute covers hours of a phone's retries.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use clap::Parser;
use delivery::actions::{self, SubmitOutcome};
use delivery::conformance::processed;
use delivery::env::Clock;
use delivery::memory::MemoryStore;
use delivery::records::{CaseRecord, PhotoRecord};
use delivery::{DeviceStore, Worker};
use protocol::outbox::OutboxState;
use protocol::{CaseId, Member, MemberId, PhotoId};
use sim::http_device::{FastClock, Http};
use sim::rng::Rng;

#[derive(Parser)]
#[command(about = "Simulated devices for the real-process soak")]
struct Args {
    /// The server (or the fault proxy in front of it).
    #[arg(long)]
    url: String,
    #[arg(long, default_value_t = 6)]
    devices: u32,
    /// Households each device sends at most; they keep coming, a few seconds apart, until
    /// standard input closes (the driver's signal that the faults are over).
    #[arg(long, default_value_t = 50)]
    cases: u32,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How much faster than the wall clock the engine's clock runs.
    #[arg(long, default_value_t = 20.0)]
    speed: f64,
    /// After standard input closes, give up (and report what is undelivered) after this many
    /// real seconds.
    #[arg(long, default_value_t = 300)]
    deadline_secs: u64,
    /// Where to write what the devices hold (JSON).
    #[arg(long)]
    out: std::path::PathBuf,
}

/// A valid household with 0–3 members and 0–3 photos, kept on the device.
fn household(store: &MemoryStore, rng: &Rng, now: f64) -> CaseRecord {
    let mut record = CaseRecord::new(CaseId(rng.uuid()), now);
    let a = &mut record.submission.applicant;
    a.name = "María José Pérez".into();
    a.date_of_birth = "1991-04-17".into();
    a.country_of_origin = "HN".into();
    a.languages = vec!["es".into()];
    for _ in 0..rng.below(4) {
        record.submission.members.push(Member {
            member_id: MemberId(rng.uuid()),
            name: "Luis Pérez".into(),
            date_of_birth: "2016-09-02".into(),
            relationship: "child".into(),
        });
    }
    let people: Vec<Option<MemberId>> = std::iter::once(None)
        .chain(record.submission.members.iter().map(|m| Some(m.member_id)))
        .collect();
    for i in 0..rng.below(4) {
        let owner = *rng.pick(&people).unwrap_or(&None);
        let photo = PhotoRecord::new(
            PhotoId(rng.uuid()),
            record.id,
            owner,
            "id_document",
            now + i as f64,
        );
        let bytes = rng.bytes(50_000 + rng.below(350_000) as usize);
        let details = processed(&bytes);
        let _ = store.put_photo(&photo, vec![1, 2, 3]);
        let _ = store.finish_processing(photo.photo_id, bytes, details);
    }
    record
}

#[derive(serde::Serialize)]
struct Held {
    device: u32,
    case_id: CaseId,
    state: String,
    receipt_code: Option<String>,
    submission: Option<delivery::Outgoing>,
    photos: Vec<(PhotoId, String)>,
}

async fn device(
    n: u32,
    args: Rc<Args>,
    http: Rc<Http>,
    held: Rc<RefCell<Vec<Held>>>,
    stop: Rc<std::cell::Cell<Option<Instant>>>,
) {
    let rng = Rng::new(args.seed.wrapping_mul(1_000_003) + u64::from(n));
    let clock = FastClock::new(args.speed);
    let store = MemoryStore::new();
    let today = protocol::date::Date::new(2026, 11, 30).unwrap_or(protocol::date::Date {
        year: 2026,
        month: 11,
        day: 30,
    });
    let mut sent = 0;
    loop {
        let stopped = stop.get();
        if stopped.is_none() && sent < args.cases && rng.chance(0.06) {
            let record = household(&store, &rng, clock.now_ms());
            let _ = store.save_draft(&record).await;
            match actions::submit(&store, &record, today, clock.now_ms()).await {
                Ok(SubmitOutcome::Queued(_)) => sent += 1,
                other => eprintln!("device {n}: could not send: {other:?}"),
            }
        }
        let worker = Worker::new(&store, &*http, &clock, &rng);
        // Now and then the page dies mid-sync: the run is dropped wherever it is.
        let run = worker.run_due();
        let next = if rng.chance(0.15) {
            let cut = Duration::from_millis(rng.below(400));
            tokio::time::timeout(cut, run).await.ok()
        } else {
            Some(run.await)
        };
        let items = store.outbox().await.unwrap_or_default();
        let all_delivered = items.iter().all(|i| i.state == OutboxState::Delivered);
        let deadline = stopped.map(|t| t + Duration::from_secs(args.deadline_secs));
        if stopped.is_some() && all_delivered || deadline.is_some_and(|d| Instant::now() > d) {
            break;
        }
        if items.iter().any(|i| i.state == OutboxState::WaitingAuth) {
            let _ = actions::sign_in_again(&store, None, clock.now_ms()).await;
        }
        let wait_ms = match next {
            Some(Ok(Some(due))) => ((due - clock.now_ms()) / args.speed).clamp(5.0, 500.0),
            _ => 50.0,
        };
        tokio::time::sleep(Duration::from_millis(wait_ms as u64)).await;
    }
    for item in store.outbox().await.unwrap_or_default() {
        let photos = store
            .photos_of_case(item.case_id)
            .await
            .unwrap_or_default()
            .iter()
            .filter_map(|p| p.processed.as_ref().map(|x| (p.photo_id, x.sha256.clone())))
            .collect();
        let submission = item.outgoing();
        held.borrow_mut().push(Held {
            device: n,
            case_id: item.case_id,
            state: item.state.as_str().to_owned(),
            receipt_code: item.receipt.map(|r| r.receipt_code.to_string()),
            submission,
            photos,
        });
    }
}

fn main() -> std::process::ExitCode {
    let args = Rc::new(Args::parse());
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("no runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let held = Rc::new(RefCell::new(Vec::new()));
    let http = Rc::new(Http::new(&args.url));
    let stop = Rc::new(std::cell::Cell::new(None));
    let local = tokio::task::LocalSet::new();
    let stopper = stop.clone();
    local.spawn_local(async move {
        use tokio::io::AsyncReadExt;
        let mut sink = Vec::new();
        let _ = tokio::io::stdin().read_to_end(&mut sink).await;
        stopper.set(Some(Instant::now()));
    });
    for n in 0..args.devices {
        local.spawn_local(device(
            n,
            args.clone(),
            http.clone(),
            held.clone(),
            stop.clone(),
        ));
    }
    runtime.block_on(local);
    let held = held.take();
    let undelivered = held.iter().filter(|h| h.state != "delivered").count();
    let json = serde_json::to_string_pretty(&held).unwrap_or_default();
    if let Err(e) = std::fs::write(&args.out, json) {
        eprintln!("could not write {}: {e}", args.out.display());
        return std::process::ExitCode::FAILURE;
    }
    eprintln!(
        "{} devices hold {} cases, {undelivered} not delivered",
        args.devices,
        held.len()
    );
    std::process::ExitCode::SUCCESS
}
