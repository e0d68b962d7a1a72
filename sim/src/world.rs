//! One schedule's world: the device (its store and the person's screen), the network between it
//! and the server, the server, a virtual clock and the trace of everything that happened.
//!
//! The device reaches the store through [`CrashingStore`] and the server through [`Network`];
//! both pass a crash point before each call, so a worker run can be cut at any await point, as a
//! page killed mid-sync would be. The network injects the faults a weak connection and a
//! struggling server produce.

use std::cell::{Cell, RefCell};

use axum::body::Body;
use bytes::Bytes;
use delivery::autosave::Autosave;
use delivery::env::Clock;
use delivery::memory::MemoryStore;
use delivery::records::{CaseRecord, DeviceAuth, OutboxItem, PhotoRecord, UploadProgress};
use delivery::transport::{Exchange, Method, READ_HEADERS};
use delivery::{DeviceStore, HttpAnswer, HttpRequest, NetworkError, StoreError, Transport};
use http_body_util::BodyExt;
use protocol::{CaseId, PhotoId};

use crate::rng::Rng;
use crate::server::SimServer;

pub struct SimClock(pub Cell<f64>);

impl Clock for SimClock {
    fn now_ms(&self) -> f64 {
        self.0.get()
    }
}

impl SimClock {
    pub fn advance(&self, ms: f64) {
        self.0.set(self.0.get() + ms);
    }
}

/// Cuts a worker run at a chosen await point: after `budget` more store or network calls, the
/// next one never returns and the driver drops the run, as a killed page would.
#[derive(Default)]
pub struct Crash {
    budget: Cell<Option<u32>>,
    fired: tokio::sync::Notify,
}

impl Crash {
    pub fn arm(&self, calls: u32) {
        self.budget.set(Some(calls));
    }

    pub fn disarm(&self) {
        self.budget.set(None);
    }

    pub async fn point(&self) {
        match self.budget.get() {
            Some(0) => {
                self.fired.notify_one();
                std::future::pending::<()>().await;
            }
            Some(n) => self.budget.set(Some(n - 1)),
            None => {}
        }
    }

    pub async fn fired(&self) {
        self.fired.notified().await;
    }
}

/// What the network does to requests now.
#[derive(Default)]
pub struct NetState {
    pub offline: Cell<bool>,
    /// The chance that any one request meets a fault.
    pub fault_rate: Cell<f64>,
}

/// The person at the device and what they are looking at.
#[derive(Default)]
pub struct Person {
    /// The form on screen (the UI's signal), if a draft is open.
    pub open: Option<CaseRecord>,
    /// One autosaver per case for the life of the page: a change that could not be written
    /// keeps being tried after the person left its form.
    pub autosaves: std::collections::BTreeMap<CaseId, Autosave>,
    /// Cases the person pressed Send on and saw queued, with what was frozen then.
    pub sent: std::collections::BTreeMap<CaseId, delivery::Outgoing>,
    /// Photos taken whose processing has not finished yet.
    pub processing: Vec<PhotoId>,
}

pub struct World {
    pub seed: u64,
    /// A shared tablet (odd seeds): cases are sealed for the organisation at Send.
    pub shared: bool,
    pub rng: Rng,
    pub clock: SimClock,
    pub store: MemoryStore,
    pub person: RefCell<Person>,
    pub server: RefCell<SimServer>,
    pub net: NetState,
    pub crash: Crash,
    /// Every action, fault and outcome, in order, for replaying a failure by eye.
    pub trace: RefCell<Vec<String>>,
    /// Things that must never happen even on the way (a 5xx nobody injected, a refusal of a
    /// case the device validated).
    pub violations: RefCell<Vec<String>>,
    pub stats: Stats,
}

/// What a schedule did, to show it did something.
#[derive(Default)]
pub struct Stats {
    pub requests: Cell<u64>,
    /// Case bodies that went sealed for the organisation.
    pub sealed: Cell<u64>,
    /// Cases sealed at Send (shared tablets), whose outbox item held only the seal.
    pub sealed_at_send: Cell<u64>,
    pub faults: Cell<u64>,
    pub crashes: Cell<u64>,
    pub restarts: Cell<u64>,
}

impl Stats {
    pub fn count(cell: &Cell<u64>) {
        cell.set(cell.get() + 1);
    }
}

/// The first day the simulated device believes it is; dates typed are before it.
pub const TODAY: protocol::date::Date = protocol::date::Date {
    year: 2026,
    month: 11,
    day: 30,
};

impl World {
    pub async fn new(seed: u64) -> World {
        World {
            seed,
            shared: seed % 2 == 1,
            rng: Rng::new(seed),
            clock: SimClock(Cell::new(1_796_000_000_000.0)),
            store: MemoryStore::new(),
            person: RefCell::new(Person::default()),
            server: RefCell::new(SimServer::start().await),
            net: NetState::default(),
            crash: Crash::default(),
            trace: RefCell::new(Vec::new()),
            violations: RefCell::new(Vec::new()),
            stats: Stats::default(),
        }
    }

    pub fn log(&self, line: impl Into<String>) {
        let t = (self.clock.now_ms() - 1_796_000_000_000.0) / 1000.0;
        self.trace
            .borrow_mut()
            .push(format!("{t:>9.1}s  {}", line.into()));
    }

    pub fn violation(&self, what: impl Into<String>) {
        let what = what.into();
        self.log(format!("VIOLATION {what}"));
        self.violations.borrow_mut().push(what);
    }

    pub fn uuid(&self) -> uuid::Uuid {
        self.rng.uuid()
    }

    /// The store as the worker sees it: with a crash point before every call.
    pub fn crashing_store(&self) -> CrashingStore<'_> {
        CrashingStore { world: self }
    }

    pub fn network(&self) -> Network<'_> {
        Network { world: self }
    }
}

pub struct CrashingStore<'a> {
    world: &'a World,
}

impl CrashingStore<'_> {
    async fn point(&self) {
        self.world.crash.point().await;
    }

    fn inner(&self) -> &MemoryStore {
        &self.world.store
    }
}

impl DeviceStore for CrashingStore<'_> {
    async fn case(&self, id: CaseId) -> Result<Option<CaseRecord>, StoreError> {
        self.point().await;
        self.inner().case(id).await
    }

    async fn save_draft(&self, case: &CaseRecord) -> Result<(), StoreError> {
        self.point().await;
        self.inner().save_draft(case).await
    }

    async fn save_draft_deleting_photos(
        &self,
        case: &CaseRecord,
        photos: &[PhotoId],
    ) -> Result<(), StoreError> {
        self.point().await;
        self.inner().save_draft_deleting_photos(case, photos).await
    }

    async fn delete_draft(&self, id: CaseId) -> Result<(), StoreError> {
        self.point().await;
        self.inner().delete_draft(id).await
    }

    async fn enqueue(&self, case: &CaseRecord, item: &OutboxItem) -> Result<(), StoreError> {
        self.point().await;
        self.inner().enqueue(case, item).await
    }

    async fn erase_delivered(&self, item: &OutboxItem) -> Result<(), StoreError> {
        self.point().await;
        self.inner().erase_delivered(item).await
    }

    async fn reopen_rejected(&self, id: CaseId) -> Result<(), StoreError> {
        self.point().await;
        self.inner().reopen_rejected(id).await
    }

    async fn outbox(&self) -> Result<Vec<OutboxItem>, StoreError> {
        self.point().await;
        self.inner().outbox().await
    }

    async fn outbox_item(&self, id: CaseId) -> Result<Option<OutboxItem>, StoreError> {
        self.point().await;
        self.inner().outbox_item(id).await
    }

    async fn put_outbox(&self, item: &OutboxItem) -> Result<(), StoreError> {
        self.point().await;
        self.inner().put_outbox(item).await
    }

    async fn photos_of_case(&self, case_id: CaseId) -> Result<Vec<PhotoRecord>, StoreError> {
        self.point().await;
        self.inner().photos_of_case(case_id).await
    }

    async fn photo(&self, id: PhotoId) -> Result<Option<PhotoRecord>, StoreError> {
        self.point().await;
        self.inner().photo(id).await
    }

    async fn photo_bytes(
        &self,
        id: PhotoId,
        start: u64,
        end: u64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        self.point().await;
        self.inner().photo_bytes(id, start, end).await
    }

    async fn seal_photo(
        &self,
        id: PhotoId,
        seal: &delivery::records::PhotoSeal,
        sealed: Vec<u8>,
    ) -> Result<bool, StoreError> {
        self.point().await;
        self.inner().seal_photo(id, seal, sealed).await
    }

    async fn delete_photo(&self, id: PhotoId) -> Result<(), StoreError> {
        self.point().await;
        self.inner().delete_photo(id).await
    }

    async fn set_upload_progress(
        &self,
        id: PhotoId,
        progress: &UploadProgress,
    ) -> Result<bool, StoreError> {
        self.point().await;
        self.inner().set_upload_progress(id, progress).await
    }

    async fn device_auth(&self) -> Result<DeviceAuth, StoreError> {
        self.point().await;
        self.inner().device_auth().await
    }

    async fn set_device_auth(&self, auth: &DeviceAuth) -> Result<(), StoreError> {
        self.point().await;
        self.inner().set_device_auth(auth).await
    }

    async fn put_form_definition(
        &self,
        definition: &protocol::FormDefinition,
    ) -> Result<(), StoreError> {
        self.point().await;
        self.inner().put_form_definition(definition).await
    }

    async fn form_definition(
        &self,
        form_id: &str,
        version: u32,
    ) -> Result<Option<protocol::FormDefinition>, StoreError> {
        self.point().await;
        self.inner().form_definition(form_id, version).await
    }

    async fn form_definitions(&self) -> Result<Vec<protocol::FormDefinition>, StoreError> {
        self.point().await;
        self.inner().form_definitions().await
    }

    async fn set_sealing_keys(
        &self,
        keys: Option<&protocol::sealed::SealingKeys>,
    ) -> Result<(), StoreError> {
        self.point().await;
        self.inner().set_sealing_keys(keys).await
    }

    async fn sealing_keys(&self) -> Result<Option<protocol::sealed::SealingKeys>, StoreError> {
        self.point().await;
        self.inner().sealing_keys().await
    }

    async fn set_slots(&self, slots: &protocol::appointment::SlotList) -> Result<(), StoreError> {
        self.point().await;
        self.inner().set_slots(slots).await
    }

    async fn slots(&self) -> Result<Option<protocol::appointment::SlotList>, StoreError> {
        self.point().await;
        self.inner().slots().await
    }

    async fn record_status(
        &self,
        status: &protocol::appointment::CaseStatus,
    ) -> Result<bool, StoreError> {
        self.point().await;
        self.inner().record_status(status).await
    }
}

/// What can happen to one request on its way.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    /// It never reaches the server.
    LoseRequest,
    /// The server handles it, commits, answers; the answer never arrives.
    LoseResponse,
    /// The connection resets part-way through the body; the server sees the cut.
    CutBody(f64),
    /// The client hangs up while the server is still on it (the handler is cancelled).
    HangUp(u32),
    /// A proxy or an overloaded server answers this instead.
    Status(u16),
    /// Too many requests: wait this many seconds.
    TooMany(u32),
    /// The server handles it, then a proxy replaces the answer with a 502.
    ReplacedAfterCommit,
    /// The request crawls (the clock moves this many ms), then goes through.
    Delay(f64),
}

pub struct Network<'a> {
    world: &'a World,
}

impl Network<'_> {
    fn choose_fault(&self, request: &HttpRequest) -> Option<Fault> {
        let w = self.world;
        if !w.rng.chance(w.net.fault_rate.get()) {
            return None;
        }
        let has_body = request.body.as_ref().is_some_and(|b| !b.is_empty());
        let weights = [3, 3, if has_body { 3 } else { 0 }, 2, 3, 2, 1, 3];
        Some(match w.rng.weighted(&weights) {
            0 => Fault::LoseRequest,
            1 => Fault::LoseResponse,
            2 => Fault::CutBody(w.rng.unit()),
            3 => Fault::HangUp(1 + w.rng.below(12) as u32),
            4 => Fault::Status(*w.rng.pick(&[500u16, 502, 503, 504]).unwrap_or(&503)),
            5 => Fault::TooMany(1 + w.rng.below(120) as u32),
            6 => Fault::ReplacedAfterCommit,
            _ => Fault::Delay(500.0 + w.rng.below(60_000) as f64),
        })
    }

    fn build(request: &HttpRequest, body: Body) -> axum::http::Request<Body> {
        let mut builder = axum::http::Request::builder()
            .method(request.method.as_str())
            .uri(request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(*name, value.as_str());
        }
        if let Some(bytes) = &request.body {
            builder = builder.header("content-length", bytes.len().to_string());
        }
        builder.body(body).unwrap_or_else(|e| {
            panic!("the engine built a request axum refuses ({e}): {request:?}")
        })
    }

    async fn answer_of(response: axum::response::Response) -> Result<HttpAnswer, NetworkError> {
        let status = response.status().as_u16();
        let headers = READ_HEADERS
            .iter()
            .filter_map(|name| {
                response
                    .headers()
                    .get(*name)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| ((*name).to_owned(), v.to_owned()))
            })
            .collect();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| NetworkError(format!("body: {e}")))?
            .to_bytes();
        Ok(HttpAnswer {
            status,
            body: String::from_utf8_lossy(&body).into_owned(),
            headers,
        })
    }

    /// Checks an answer the real server gave to a request nobody tampered with.
    fn audit(&self, request: &HttpRequest, answer: &HttpAnswer, server_fault: bool) {
        let w = self.world;
        let what = format!("{} {}", request.method.as_str(), request.url);
        if answer.status >= 500 && !server_fault {
            w.violation(format!(
                "{what} answered {} with no fault injected: {}",
                answer.status, answer.body
            ));
        }
        if answer.status == 422 || answer.status == 400 {
            w.violation(format!(
                "{what} answered {}: the device sent something it should have caught: {}",
                answer.status, answer.body
            ));
        }
        if request.method == Method::Put
            && answer.status == 409
            && answer.body.contains("case_conflict")
        {
            w.violation(format!("{what}: a case conflict: {}", answer.body));
        }
    }
}

/// A body that yields its first `keep` bytes and then fails, as a connection reset would.
fn cut_body(bytes: Vec<u8>, keep: usize) -> Body {
    let head = Bytes::from(bytes).slice(..keep);
    let parts: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(head),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection reset by peer",
        )),
    ];
    Body::from_stream(futures::stream::iter(parts))
}

impl Transport for Network<'_> {
    async fn send(&self, request: HttpRequest) -> Exchange {
        let w = self.world;
        w.crash.point().await;
        // Every exchange takes a little while on a phone's connection.
        w.clock.advance(50.0 + w.rng.below(450) as f64);
        let label = format!(
            "{} {}",
            request.method.as_str(),
            request.url.trim_start_matches("/api/v1/")
        );
        if w.net.offline.get() {
            w.log(format!("  {label} -> offline"));
            return Err(NetworkError("offline".into()));
        }
        let fault = self.choose_fault(&request);
        Stats::count(&w.stats.requests);
        if request
            .body
            .as_deref()
            .is_some_and(|b| b.starts_with(br#"{"sealed":"#))
        {
            Stats::count(&w.stats.sealed);
        }
        if fault.is_some() {
            Stats::count(&w.stats.faults);
        }
        let (router, state) = {
            let server = w.server.borrow();
            (server.router(), server.state())
        };
        // A 5xx while a server fault is armed is the fault's, not a bug.
        let server_fault = w.server.borrow().blobs.armed();
        let body = || Body::from(request.body.clone().unwrap_or_default());
        let outcome: Exchange = match fault {
            Some(Fault::LoseRequest) => Err(NetworkError("request lost".into())),
            Some(Fault::Status(status)) => Ok(HttpAnswer {
                status,
                body: r#"{"error":{"code":"unavailable","message":"injected"}}"#.into(),
                headers: vec![],
            }),
            Some(Fault::TooMany(seconds)) => Ok(HttpAnswer {
                status: 429,
                body: r#"{"error":{"code":"rate_limited","message":"injected"}}"#.into(),
                headers: vec![("retry-after".into(), seconds.to_string())],
            }),
            Some(Fault::LoseResponse) => {
                let response = SimServer::call(router, &state, Self::build(&request, body())).await;
                let status = response.status();
                let _ = Self::answer_of(response).await;
                w.log(format!("  {label} (server answered {status})"));
                Err(NetworkError("response lost".into()))
            }
            Some(Fault::ReplacedAfterCommit) => {
                let response = SimServer::call(router, &state, Self::build(&request, body())).await;
                w.log(format!("  {label} (server answered {})", response.status()));
                Ok(HttpAnswer {
                    status: 502,
                    body: String::new(),
                    headers: vec![],
                })
            }
            Some(Fault::CutBody(fraction)) => {
                let bytes = request.body.clone().unwrap_or_default();
                let keep = ((bytes.len() as f64) * fraction) as usize;
                let response =
                    SimServer::call(router, &state, Self::build(&request, cut_body(bytes, keep)))
                        .await;
                w.log(format!(
                    "  {label} cut after {keep} bytes (server answered {})",
                    response.status()
                ));
                Err(NetworkError("connection reset".into()))
            }
            Some(Fault::HangUp(polls)) => {
                let mut call = Box::pin(tower::ServiceExt::oneshot(
                    router,
                    Self::build(&request, body()),
                ));
                let mut done = false;
                for _ in 0..polls {
                    if futures::poll!(call.as_mut()).is_ready() {
                        done = true;
                        break;
                    }
                    tokio::task::yield_now().await;
                }
                // Dropped, as hyper drops the handler of a connection that closed.
                drop(call);
                state.settled().await;
                w.log(format!(
                    "  {label} hung up after {polls} polls (finished: {done})"
                ));
                Err(NetworkError("the client hung up".into()))
            }
            Some(Fault::Delay(ms)) => {
                w.clock.advance(ms);
                self.pass(router, &state, &request, body(), server_fault)
                    .await
            }
            None => {
                self.pass(router, &state, &request, body(), server_fault)
                    .await
            }
        };
        match (&fault, &outcome) {
            (Some(f), Ok(a)) => w.log(format!("  {label} -> {} ({f:?})", a.status)),
            (Some(f), Err(e)) => w.log(format!("  {label} -> {} ({f:?})", e.0)),
            (None, Ok(a)) => w.log(format!("  {label} -> {}", a.status)),
            (None, Err(e)) => w.log(format!("  {label} -> {}", e.0)),
        }
        // The answer arrived; the page may still die before it is recorded.
        w.crash.point().await;
        outcome
    }
}

impl Network<'_> {
    async fn pass(
        &self,
        router: axum::Router,
        state: &server::http::AppState,
        request: &HttpRequest,
        body: Body,
        server_fault: bool,
    ) -> Exchange {
        let response = SimServer::call(router, state, Self::build(request, body)).await;
        let answer = Self::answer_of(response).await?;
        self.audit(request, &answer, server_fault);
        Ok(answer)
    }
}
