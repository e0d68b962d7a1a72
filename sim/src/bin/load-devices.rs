//! `load-devices`: the devices of the load bench (`bench/load-bench.mjs`). Each of `--devices`
//! devices registers and sends one household with `--photos` photos of about `--photo-bytes`,
//! all at once, through the real delivery engine over real HTTP, and reports when its case was
//! delivered. Writes `{wall_ms, cases: [{case_id, receipt_code, delivered_ms, photos}]}`.
//!
//! The clock is the wall clock: delivery times are what a phone on a good link would see.

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
#[command(about = "Devices that each send one household with photos, all at once")]
struct Args {
    /// The server, or the balancer in front of several.
    #[arg(long)]
    url: String,
    #[arg(long, default_value_t = 20)]
    devices: u32,
    #[arg(long, default_value_t = 3)]
    photos: u32,
    #[arg(long, default_value_t = 400_000)]
    photo_bytes: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Give up on cases not delivered after this many seconds.
    #[arg(long, default_value_t = 600)]
    deadline_secs: u64,
    /// Where to write the report (JSON).
    #[arg(long)]
    out: std::path::PathBuf,
}

#[derive(serde::Serialize)]
struct Sent {
    case_id: CaseId,
    receipt_code: Option<String>,
    /// From the moment the person pressed Send; `None` if never delivered.
    delivered_ms: Option<u64>,
    photos: Vec<(PhotoId, String)>,
}

fn household(store: &MemoryStore, rng: &Rng, args: &Args, now: f64) -> CaseRecord {
    let mut record = CaseRecord::new(CaseId(rng.uuid()), now);
    let a = &mut record.submission.applicant;
    a.name = "María José Pérez".into();
    a.date_of_birth = "1991-04-17".into();
    a.country_of_origin = "HN".into();
    a.languages = vec!["es".into()];
    record.submission.members.push(Member {
        member_id: MemberId(rng.uuid()),
        name: "Luis Pérez".into(),
        date_of_birth: "2016-09-02".into(),
        relationship: "child".into(),
    });
    for i in 0..args.photos {
        let photo = PhotoRecord::new(
            PhotoId(rng.uuid()),
            record.id,
            None,
            "id_document",
            now + f64::from(i),
        );
        let bytes = rng.bytes(args.photo_bytes);
        let details = processed(&bytes);
        let _ = store.put_photo(&photo, vec![1, 2, 3]);
        let _ = store.finish_processing(photo.photo_id, bytes, details);
    }
    record
}

async fn device(n: u32, args: Rc<Args>, http: Rc<Http>, sent: Rc<RefCell<Vec<Sent>>>) {
    let rng = Rng::new(args.seed.wrapping_mul(1_000_003) + u64::from(n));
    let clock = FastClock::new(1.0);
    let store = MemoryStore::new();
    let today = protocol::date::Date {
        year: 2026,
        month: 11,
        day: 30,
    };
    let record = household(&store, &rng, &args, clock.now_ms());
    let _ = store.save_draft(&record).await;
    let pressed = Instant::now();
    if !matches!(
        actions::submit(&store, &record, today, clock.now_ms()).await,
        Ok(SubmitOutcome::Queued(_))
    ) {
        eprintln!("device {n}: the case was not queued");
        return;
    }
    let deadline = pressed + Duration::from_secs(args.deadline_secs);
    let mut delivered_ms = None;
    while Instant::now() < deadline {
        let worker = Worker::new(&store, &*http, &clock, &rng);
        let next = worker.run_due().await;
        let items = store.outbox().await.unwrap_or_default();
        if items.iter().all(|i| i.state == OutboxState::Delivered) {
            delivered_ms = Some(pressed.elapsed().as_millis() as u64);
            break;
        }
        let wait_ms = match next {
            Ok(Some(due)) => (due - clock.now_ms()).clamp(5.0, 2_000.0),
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
        sent.borrow_mut().push(Sent {
            case_id: item.case_id,
            receipt_code: item.receipt.map(|r| r.receipt_code.to_string()),
            delivered_ms,
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
    let http = Rc::new(Http::new(&args.url));
    let sent = Rc::new(RefCell::new(Vec::new()));
    let local = tokio::task::LocalSet::new();
    let started = Instant::now();
    for n in 0..args.devices {
        local.spawn_local(device(n, args.clone(), http.clone(), sent.clone()));
    }
    runtime.block_on(local);
    let report = serde_json::json!({
        "wall_ms": started.elapsed().as_millis() as u64,
        "cases": &*sent.borrow(),
    });
    if let Err(e) = std::fs::write(&args.out, report.to_string()) {
        eprintln!("could not write {}: {e}", args.out.display());
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}
