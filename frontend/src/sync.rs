//! The outbox worker: takes submitted cases from the store and delivers each exactly once.
//!
//! [`Worker::run_due`] is the state machine (DESIGN.md, "Outbox state machine"): it writes every
//! state to IndexedDB before acting on it, so a page killed mid-request leaves a `sending` item
//! that the next run sends again; the server's idempotency turns that into the same receipt.
//! [`start`] wires the worker to its triggers (start, `online`, becoming visible, enqueue, a
//! timer) and makes sure only one tab runs it (Web Locks).

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::mpsc;
use futures::StreamExt;
use js_sys::Uint8Array;
use protocol::api::{CaseReceipt, ErrorBody, ErrorCode, CLIENT_VERSION_HEADER};
use protocol::outbox::{
    backoff_ms, disposition, parse_retry_after_seconds, Disposition, OutboxState,
};
use protocol::{CaseId, CaseSubmission};
use serde::{Deserialize, Serialize};

use crate::platform;
use crate::store::{OutboxItem, Problem, Store, StoreError};
use crate::upload::{self, Step};

/// How soon to look again at a case whose photos are still being processed.
const PROCESSING_RECHECK_MS: f64 = 2_000.0;

/// One HTTP request the worker makes.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    pub method: &'static str,
    /// Same-origin path, or an absolute URL the server gave (tus `Location`).
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<Vec<u8>>,
}

/// What came back from one HTTP exchange.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HttpAnswer {
    pub status: u16,
    pub body: String,
    /// The response headers the protocol reads (lowercase names).
    pub headers: Vec<(String, String)>,
}

impl HttpAnswer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn retry_after_ms(&self) -> Option<f64> {
        self.header("retry-after")
            .and_then(parse_retry_after_seconds)
    }
}

/// No HTTP answer at all: offline, reset, timed out.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("network: {0}")]
pub struct NetworkError(pub String);

/// How the worker reaches the server; tests put a scripted one here.
#[allow(async_fn_in_trait)]
pub trait Transport {
    async fn send(&self, request: HttpRequest) -> Result<HttpAnswer, NetworkError>;
}

pub struct Worker<T> {
    store: Rc<Store>,
    transport: T,
    clock: fn() -> f64,
    random: fn() -> f64,
}

impl<T: Transport> Worker<T> {
    pub fn new(store: Rc<Store>, transport: T, clock: fn() -> f64, random: fn() -> f64) -> Self {
        Worker {
            store,
            transport,
            clock,
            random,
        }
    }

    /// Delivers every item whose time has come, one at a time, and returns when the next one
    /// will be due (ms since the epoch), if any is waiting.
    pub async fn run_due(&self) -> Result<Option<f64>, StoreError> {
        let mut items = self.store.outbox().await?;
        items.retain(|i| i.state.is_pending());
        items.sort_by(|a, b| a.next_attempt_at.total_cmp(&b.next_attempt_at));
        let mut next_due: Option<f64> = None;
        let now = (self.clock)();
        if !items.iter().any(|i| i.next_attempt_at <= now) {
            return Ok(items.iter().map(|i| i.next_attempt_at).reduce(f64::min));
        }
        // Every request carries this device's token; the first sync registers the device.
        let token = match ensure_token(&self.transport, &self.store).await? {
            Ok(token) => token,
            Err(answer) => return self.registration_failed(items, &answer).await,
        };
        for item in items {
            let item = if item.next_attempt_at <= (self.clock)() {
                self.deliver(item, &token).await?
            } else {
                item
            };
            if item.state.is_pending() {
                next_due =
                    Some(next_due.map_or(item.next_attempt_at, |n| n.min(item.next_attempt_at)));
            }
        }
        Ok(next_due)
    }

    /// The connection is back: everything waiting for the network may go now.
    pub async fn reset_backoff(&self) -> Result<(), StoreError> {
        let now = (self.clock)();
        for mut item in self.store.outbox().await? {
            if item.state == OutboxState::WaitingNetwork {
                item.attempts = 0;
                item.next_attempt_at = now;
                self.store.put_outbox(&item).await?;
            }
        }
        Ok(())
    }

    /// Registration did not work: wait for the network, or for a person (enrolment code).
    async fn registration_failed(
        &self,
        items: Vec<OutboxItem>,
        answer: &Result<HttpAnswer, NetworkError>,
    ) -> Result<Option<f64>, StoreError> {
        let now = (self.clock)();
        let mut next_due: Option<f64> = None;
        let retry = disposition(answer.as_ref().ok().map(|a| a.status)) == Disposition::Retry;
        let retry_after = answer.as_ref().ok().and_then(HttpAnswer::retry_after_ms);
        for mut item in items.into_iter().filter(|i| i.next_attempt_at <= now) {
            item.updated_at = now;
            if retry {
                self.schedule_retry(&mut item, now, retry_after, problem_of(answer));
                next_due =
                    Some(next_due.map_or(item.next_attempt_at, |n| n.min(item.next_attempt_at)));
            } else {
                item.state = OutboxState::WaitingAuth;
                item.problem = Some(problem_of(answer));
            }
            self.store.put_outbox(&item).await?;
        }
        Ok(next_due)
    }

    async fn deliver(&self, mut item: OutboxItem, token: &str) -> Result<OutboxItem, StoreError> {
        let Some(case) = self.store.case(item.case_id).await? else {
            item.state = OutboxState::Rejected;
            item.problem = Some(Problem {
                status: None,
                code: None,
                message: "case missing on device".into(),
                fields: vec![],
            });
            self.store.put_outbox(&item).await?;
            return Ok(item);
        };
        item.state = OutboxState::Sending;
        item.updated_at = (self.clock)();
        self.store.put_outbox(&item).await?;

        // The photos first: the server accepts the case only once it holds every one of them.
        let photos = self.store.photos_of_case(item.case_id).await?;
        if photos.iter().any(|p| p.record.processed.is_none()) {
            // A page died while processing; the app processes it again on start.
            item.state = OutboxState::WaitingNetwork;
            item.next_attempt_at = (self.clock)() + PROCESSING_RECHECK_MS;
            self.store.put_outbox(&item).await?;
            return Ok(item);
        }
        let mut progressed = false;
        for photo in photos.iter().filter(|p| !p.record.upload.done) {
            let step = upload::upload(&self.transport, &self.store, photo, token).await?;
            let now = (self.clock)();
            item.updated_at = now;
            match step {
                Step::Done => progressed = true,
                Step::Retry {
                    progressed: moved,
                    retry_after_ms,
                    problem,
                } => {
                    // Bytes moved: the connection works, just badly; come back soon.
                    if moved || progressed {
                        item.attempts = 0;
                    }
                    self.schedule_retry(&mut item, now, retry_after_ms, problem);
                    self.store.put_outbox(&item).await?;
                    return Ok(item);
                }
                Step::WaitForAuth(problem) => {
                    forget_token(&self.store).await?;
                    item.state = OutboxState::WaitingAuth;
                    item.problem = Some(problem);
                    self.store.put_outbox(&item).await?;
                    return Ok(item);
                }
                Step::Reject(problem) => {
                    item.state = OutboxState::Rejected;
                    item.problem = Some(problem);
                    self.store.put_outbox(&item).await?;
                    return Ok(item);
                }
            }
        }

        let mut submission = case.submission.clone();
        submission.photos = photos
            .iter()
            .filter_map(|p| p.record.as_ref_for_case())
            .collect();
        let answer = self.put_case(item.case_id, &submission, token).await;
        let now = (self.clock)();
        item.updated_at = now;
        let status = answer.as_ref().ok().map(|a| a.status);
        let receipt = answer
            .as_ref()
            .ok()
            .and_then(|a| serde_json::from_str::<CaseReceipt>(&a.body).ok())
            .filter(|r| r.case_id == item.case_id);
        let problem = problem_of(&answer);
        match (disposition(status), receipt) {
            (Disposition::Delivered, Some(receipt)) => {
                item.state = OutboxState::Delivered;
                item.receipt = Some(receipt);
                item.problem = None;
                item.attempts = 0;
            }
            // A 2xx without a readable receipt (a broken proxy, say) is treated like a lost
            // answer: ask again, the server replays the receipt.
            (Disposition::Delivered, None) | (Disposition::Retry, _) => {
                let retry_after = answer.as_ref().ok().and_then(HttpAnswer::retry_after_ms);
                self.schedule_retry(&mut item, now, retry_after, problem);
            }
            // The server lost (or never finished) some photos: upload them again, then resend.
            (Disposition::Reject, _) if problem.code == Some(ErrorCode::PhotosMissing) => {
                let missing = answer
                    .as_ref()
                    .ok()
                    .and_then(|a| serde_json::from_str::<ErrorBody>(&a.body).ok())
                    .map(|b| b.error.missing_photos)
                    .unwrap_or_default();
                for id in missing {
                    self.store
                        .update_photo(id, |r| r.upload.done = false, None)
                        .await?;
                }
                self.schedule_retry(&mut item, now, None, problem);
            }
            (Disposition::WaitForAuth, _) => {
                forget_token(&self.store).await?;
                item.state = OutboxState::WaitingAuth;
                item.problem = Some(problem);
            }
            (Disposition::Reject, _) => {
                item.state = OutboxState::Rejected;
                item.problem = Some(problem);
            }
        }
        self.store.put_outbox(&item).await?;
        Ok(item)
    }
}

impl<T: Transport> Worker<T> {
    fn schedule_retry(
        &self,
        item: &mut OutboxItem,
        now: f64,
        retry_after_ms: Option<f64>,
        problem: Problem,
    ) {
        item.state = OutboxState::WaitingNetwork;
        item.next_attempt_at = now + backoff_ms(item.attempts, (self.random)(), retry_after_ms);
        item.attempts = item.attempts.saturating_add(1);
        item.problem = Some(problem);
    }

    async fn put_case(
        &self,
        id: CaseId,
        case: &CaseSubmission,
        token: &str,
    ) -> Result<HttpAnswer, NetworkError> {
        let body = serde_json::to_vec(case).map_err(|e| NetworkError(e.to_string()))?;
        self.transport
            .send(HttpRequest {
                method: "PUT",
                url: format!("/api/v1/cases/{id}"),
                headers: vec![
                    bearer(token),
                    ("content-type", "application/json".into()),
                    (CLIENT_VERSION_HEADER, env!("CARGO_PKG_VERSION").into()),
                ],
                body: Some(body),
            })
            .await
    }
}

const DEVICE_KEY: &str = "device";
const ENROLMENT_KEY: &str = "enrolment_code";

/// What the server gave this device when it registered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceCredentials {
    pub device_id: String,
    pub token: String,
}

pub fn bearer(token: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {token}"))
}

/// This device's token, registering first if it has none. `Err` carries the failed answer.
pub async fn ensure_token(
    transport: &impl Transport,
    store: &Store,
) -> Result<Result<String, Result<HttpAnswer, NetworkError>>, StoreError> {
    if let Some(device) = store
        .meta::<Option<DeviceCredentials>>(DEVICE_KEY)
        .await?
        .flatten()
    {
        return Ok(Ok(device.token));
    }
    let code: Option<String> = store.meta::<Option<String>>(ENROLMENT_KEY).await?.flatten();
    let body = match &code {
        Some(code) => serde_json::json!({ "enrolment_code": code }),
        None => serde_json::json!({}),
    };
    let answer = transport
        .send(HttpRequest {
            method: "POST",
            url: "/api/v1/devices".into(),
            headers: vec![
                ("content-type", "application/json".into()),
                (CLIENT_VERSION_HEADER, env!("CARGO_PKG_VERSION").into()),
            ],
            body: Some(body.to_string().into_bytes()),
        })
        .await;
    let device = answer
        .as_ref()
        .ok()
        .filter(|a| a.status == 201)
        .and_then(|a| serde_json::from_str::<DeviceCredentials>(&a.body).ok());
    match device {
        Some(device) => {
            store.set_meta(DEVICE_KEY, &Some(device.clone())).await?;
            Ok(Ok(device.token))
        }
        None => Ok(Err(answer)),
    }
}

/// The server refused the token: the next sign-in registers afresh.
async fn forget_token(store: &Store) -> Result<(), StoreError> {
    store
        .set_meta::<Option<DeviceCredentials>>(DEVICE_KEY, &None)
        .await
}

/// Keeps an enrolment code (from the install link or typed) for the next registration.
pub async fn remember_enrolment_code(store: &Store, code: &str) -> Result<(), StoreError> {
    let code = code.trim();
    store
        .set_meta(ENROLMENT_KEY, &(!code.is_empty()).then(|| code.to_owned()))
        .await
}

/// What the person pressed "Sign in again" for: registers now and, if that works, puts every
/// case that waited for it back in the queue (their uploads continue from where they stopped).
pub async fn sign_in_again(
    store: &Store,
    code: Option<&str>,
) -> Result<Result<(), Problem>, StoreError> {
    if let Some(code) = code {
        remember_enrolment_code(store, code).await?;
    }
    forget_token(store).await?;
    match ensure_token(&HttpTransport, store).await? {
        Err(answer) => {
            // Kept on the waiting cases, so the panel can ask for a code when that is why.
            let problem = problem_of(&answer);
            for mut item in store.outbox().await? {
                if item.state == OutboxState::WaitingAuth {
                    item.problem = Some(problem.clone());
                    store.put_outbox(&item).await?;
                }
            }
            Ok(Err(problem))
        }
        Ok(_) => {
            let now = platform::now_ms();
            for mut item in store.outbox().await? {
                if item.state == OutboxState::WaitingAuth {
                    item.state = OutboxState::Queued;
                    item.attempts = 0;
                    item.next_attempt_at = now;
                    item.problem = None;
                    store.put_outbox(&item).await?;
                }
            }
            kick();
            Ok(Ok(()))
        }
    }
}

/// What a failed exchange tells a person (and the log).
pub(crate) fn problem_of(answer: &Result<HttpAnswer, NetworkError>) -> Problem {
    match answer {
        Err(e) => Problem {
            status: None,
            code: None,
            message: e.0.clone(),
            fields: vec![],
        },
        Ok(a) => match serde_json::from_str::<ErrorBody>(&a.body) {
            Ok(body) => Problem {
                status: Some(a.status),
                code: Some(body.error.code),
                message: body.error.message,
                fields: body.error.fields,
            },
            Err(_) => Problem {
                status: Some(a.status),
                code: None,
                message: format!("HTTP {}", a.status),
                fields: vec![],
            },
        },
    }
}

/// `fetch` to this origin's API.
pub struct HttpTransport;

/// A request that hangs is abandoned after this long and retried (a 2 MiB chunk on a slow link
/// needs a while).
const REQUEST_TIMEOUT_MS: u32 = 120_000;
/// Response headers the protocol reads.
const READ_HEADERS: [&str; 3] = ["retry-after", "location", "upload-offset"];

impl Transport for HttpTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpAnswer, NetworkError> {
        let net = |e: gloo_net::Error| NetworkError(e.to_string());
        let abort = web_sys::AbortController::new()
            .map_err(|_| NetworkError("no AbortController".into()))?;
        let signal = abort.signal();
        let _timeout =
            gloo_timers::callback::Timeout::new(REQUEST_TIMEOUT_MS, move || abort.abort());
        let method = match request.method {
            "POST" => gloo_net::http::Method::POST,
            "PUT" => gloo_net::http::Method::PUT,
            "PATCH" => gloo_net::http::Method::PATCH,
            "HEAD" => gloo_net::http::Method::HEAD,
            "DELETE" => gloo_net::http::Method::DELETE,
            _ => gloo_net::http::Method::GET,
        };
        let mut builder = gloo_net::http::RequestBuilder::new(&request.url)
            .method(method)
            .cache(web_sys::RequestCache::NoStore)
            .abort_signal(Some(&signal));
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let built = match request.body {
            Some(bytes) => builder
                .body(Uint8Array::from(bytes.as_slice()))
                .map_err(net)?,
            None => builder.build().map_err(net)?,
        };
        let response = built.send().await.map_err(net)?;
        let headers = READ_HEADERS
            .iter()
            .filter_map(|name| {
                response
                    .headers()
                    .get(name)
                    .map(|v| ((*name).to_owned(), v))
            })
            .collect();
        let status = response.status();
        // A body cut off mid-way is no answer at all.
        let body = response.text().await.map_err(net)?;
        Ok(HttpAnswer {
            status,
            body,
            headers,
        })
    }
}

const LOCK_NAME: &str = "resguardo-sync";
const CHANNEL_NAME: &str = "resguardo-sync";
/// Even with nothing due, look again now and then (another tab may have enqueued while its
/// message was lost).
const IDLE_RECHECK_MS: f64 = 30_000.0;

thread_local! {
    static WAKE: RefCell<Option<mpsc::UnboundedSender<Wake>>> = const { RefCell::new(None) };
    static CHANNEL: RefCell<Option<platform::Channel>> = const { RefCell::new(None) };
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Wake {
    Look,
    Online,
}

/// Asks the worker (in whichever tab runs it) to look at the outbox now.
pub fn kick() {
    wake(Wake::Look);
    CHANNEL.with(|c| {
        if let Some(c) = c.borrow().as_ref() {
            c.post("kick");
        }
    });
}

fn wake(reason: Wake) {
    WAKE.with(|w| {
        if let Some(tx) = w.borrow().as_ref() {
            let _ = tx.unbounded_send(reason);
        }
    });
}

/// Starts the delivery loop in this tab once it holds the sync lock.
pub fn start(store: Rc<Store>) {
    let (tx, rx) = mpsc::unbounded();
    WAKE.with(|w| *w.borrow_mut() = Some(tx));
    if let Some(channel) = platform::Channel::open(CHANNEL_NAME) {
        channel.on_message(|_| wake(Wake::Look));
        CHANNEL.with(|c| *c.borrow_mut() = Some(channel));
    }
    platform::on_window("online", |_| wake(Wake::Online));
    platform::on_document("visibilitychange", |_| {
        if !platform::page_is_hidden() {
            wake(Wake::Look);
        }
    });
    platform::hold_lock_for_page(LOCK_NAME, move || {
        wasm_bindgen_futures::spawn_local(run_loop(store, rx));
    });
}

async fn run_loop(store: Rc<Store>, mut wakes: mpsc::UnboundedReceiver<Wake>) {
    let worker = Worker::new(
        store,
        HttpTransport,
        platform::now_ms,
        platform::random_unit,
    );
    loop {
        // When the browser knows it is offline, every request would fail: leave items queued
        // ("saved on this device") and wait for the `online` event.
        let next_due = if !platform::is_online() {
            Ok(None)
        } else {
            worker.run_due().await
        };
        let next_due = match next_due {
            Ok(next) => next,
            Err(e) => {
                web_sys::console::error_1(&format!("outbox: {e}").into());
                Some(platform::now_ms() + IDLE_RECHECK_MS)
            }
        };
        let wait = next_due.map_or(IDLE_RECHECK_MS, |t| {
            (t - platform::now_ms()).clamp(0.0, IDLE_RECHECK_MS)
        });
        let timer = gloo_timers::future::TimeoutFuture::new(wait as u32);
        let woken = futures::future::select(wakes.next(), timer).await;
        if let futures::future::Either::Left((Some(Wake::Online), _)) = woken {
            if let Err(e) = worker.reset_backoff().await {
                web_sys::console::error_1(&format!("outbox: {e}").into());
            }
        }
    }
}
