//! The browser's side of delivery: [`delivery::Worker`] over IndexedDB and `fetch`, woken by
//! what matters (start, `online`, the app becoming visible, any store write in any tab, a timer),
//! and run by one tab at a time (Web Locks) so two tabs never send the same item.
//!
//! It runs in a dedicated web worker of its own (the `sync-worker` binary), started by each page
//! with [`start_worker`]: the page's download then carries no HTTP, tus or JSON code, the work of
//! sending never competes with typing, and the worker ends with its page, as the lock requires.
//!
//! Nobody calls in here to make something happen: the UI writes to the store and the worker,
//! notified on the store channel, notices. The page also says there what a worker cannot see
//! for itself: the page coming back into view, and the `online` event where workers lack it.

use std::rc::Rc;

use delivery::env::FnSource;
use delivery::transport::{Exchange, Method, READ_HEADERS};
use delivery::{HttpAnswer, HttpRequest, NetworkError, Transport, Worker};
use futures::channel::mpsc;
use futures::StreamExt;
use js_sys::Uint8Array;

use crate::platform;
use crate::store::Store;

/// `fetch` to this origin's API.
pub struct HttpTransport;

/// A request that hangs is abandoned after this long and retried (a 2 MiB chunk on a slow link
/// needs a while).
const REQUEST_TIMEOUT_MS: u32 = 120_000;

impl Transport for HttpTransport {
    async fn send(&self, request: HttpRequest) -> Exchange {
        let net = |e: gloo_net::Error| NetworkError(e.to_string());
        let abort = web_sys::AbortController::new()
            .map_err(|_| NetworkError("no AbortController".into()))?;
        let signal = abort.signal();
        let _timeout =
            gloo_timers::callback::Timeout::new(REQUEST_TIMEOUT_MS, move || abort.abort());
        let method = match request.method {
            Method::Get => gloo_net::http::Method::GET,
            Method::Head => gloo_net::http::Method::HEAD,
            Method::Post => gloo_net::http::Method::POST,
            Method::Put => gloo_net::http::Method::PUT,
            Method::Patch => gloo_net::http::Method::PATCH,
            Method::Delete => gloo_net::http::Method::DELETE,
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
/// Even with nothing due, look again now and then (a write in another tab may have gone
/// unannounced).
const IDLE_RECHECK_MS: f64 = 30_000.0;
/// How often the device asks which forms are published, and how soon it tries again when it
/// could not ask.
const FORMS_RECHECK_MS: f64 = 30.0 * 60_000.0;
const FORMS_RETRY_MS: f64 = 60_000.0;
/// How often the open slots and the delivered cases' appointments are asked for while the app
/// stays open; opening it, coming online and being looked at again ask sooner (but not more
/// than once a minute for looking).
const APPOINTMENTS_RECHECK_MS: f64 = 10.0 * 60_000.0;
const APPOINTMENTS_SOONEST_MS: f64 = 60_000.0;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Wake {
    Look,
    Online,
    Visible,
}

/// What a page says on the store channel when the network came back (any other message means
/// "look again").
pub const ONLINE_MESSAGE: &str = "online";
/// What a page says when it comes back into view.
pub const VISIBLE_MESSAGE: &str = "visible";

/// The address of the worker's script, which the page's boot script names (the build gives it a
/// content-hashed name).
const WORKER_URL_GLOBAL: &str = "__resguardoSyncWorker";

thread_local! {
    static WORKER: std::cell::RefCell<Option<web_sys::Worker>> = const { std::cell::RefCell::new(None) };
}

/// Starts this page's sync worker, and tells it on `store_channel` what only a page sees.
pub fn start_worker(store_channel: &str) -> Result<(), SyncError> {
    let url = js_sys::Reflect::get(&js_sys::global(), &WORKER_URL_GLOBAL.into())
        .ok()
        .and_then(|v| v.as_string())
        .ok_or(SyncError::NoWorkerScript)?;
    let worker = web_sys::Worker::new(&url).map_err(|_| SyncError::NoWorker)?;
    platform::on_event(&worker, "error", |_| {
        web_sys::console::error_1(&"the sync worker failed to start or stopped".into());
    });
    WORKER.with(|w| *w.borrow_mut() = Some(worker));
    let channel = platform::Channel::open(store_channel).ok_or(SyncError::NoChannel)?;
    let channel = Rc::new(channel);
    let on_online = channel.clone();
    platform::on_global("online", move |_| on_online.post(ONLINE_MESSAGE));
    platform::on_document("visibilitychange", move |_| {
        if !platform::page_is_hidden() {
            channel.post(VISIBLE_MESSAGE);
        }
    });
    Ok(())
}

/// Why a page could not start its sync worker: nothing would be sent.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("the page does not name the sync worker's script (window.{WORKER_URL_GLOBAL})")]
    NoWorkerScript,
    #[error("this browser would not start the sync worker")]
    NoWorker,
    #[error("this browser has no BroadcastChannel")]
    NoChannel,
}

/// The sync worker's life: opens the store, announces its own writes to the pages, and runs the
/// delivery loop once it holds the sync lock.
pub async fn run_worker(store_channel: &'static str) {
    let store = match Store::open().await {
        Ok(store) => Rc::new(store),
        Err(e) => {
            web_sys::console::error_1(&format!("sync worker: opening IndexedDB: {e}").into());
            return;
        }
    };
    let (tx, rx) = mpsc::unbounded();
    let channel = platform::Channel::open(store_channel).map(Rc::new);
    let on_write = tx.clone();
    let announce = channel.clone();
    store.subscribe(move || {
        let _ = on_write.unbounded_send(Wake::Look);
        if let Some(channel) = &announce {
            channel.post("changed");
        }
    });
    if let Some(channel) = &channel {
        let from_pages = tx.clone();
        channel.on_message(move |message| {
            let wake = match message.as_str() {
                ONLINE_MESSAGE => Wake::Online,
                VISIBLE_MESSAGE => Wake::Visible,
                _ => Wake::Look,
            };
            let _ = from_pages.unbounded_send(wake);
        });
    }
    platform::on_global("online", move |_| {
        let _ = tx.unbounded_send(Wake::Online);
    });
    platform::hold_lock_while_alive(LOCK_NAME, move || {
        wasm_bindgen_futures::spawn_local(run_loop(store, rx));
    });
}

async fn run_loop(store: Rc<Store>, mut wakes: mpsc::UnboundedReceiver<Wake>) {
    let worker = Worker::new(
        &*store,
        HttpTransport,
        FnSource(platform::now_ms),
        platform::BrowserRandom,
    );
    // When to ask again which forms are published, and the organisation's keys (ms since the
    // epoch): at once, after each `online`, then every half hour; a minute after a refresh that
    // did not get through.
    let mut forms_due = 0.0;
    // And the open slots and what staff did with this device's delivered cases: at once, then
    // as the constants above say.
    let mut appointments_due = 0.0;
    let mut appointments_asked = f64::NEG_INFINITY;
    loop {
        if platform::is_online() && platform::now_ms() >= forms_due {
            // The organisation's keys too, so a rotation reaches the device with the forms.
            if let Err(e) = delivery::keys::refresh(&*store, &HttpTransport).await {
                web_sys::console::error_1(&format!("keys: {e}").into());
            }
            // And how the organisation wants this device to run (shared tablet, idle lock).
            if let Err(e) = delivery::register::refresh_settings(&HttpTransport, &*store).await {
                web_sys::console::error_1(&format!("device settings: {e}").into());
            }
            forms_due = match delivery::forms::refresh(&*store, &HttpTransport).await {
                Ok(delivery::forms::Refresh::Done(_)) => platform::now_ms() + FORMS_RECHECK_MS,
                Ok(_) => platform::now_ms() + FORMS_RETRY_MS,
                Err(e) => {
                    web_sys::console::error_1(&format!("forms: {e}").into());
                    platform::now_ms() + FORMS_RETRY_MS
                }
            };
        }
        if platform::is_online() && platform::now_ms() >= appointments_due {
            appointments_asked = platform::now_ms();
            appointments_due = refresh_appointments(&store).await;
        }
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
        let wait = next_due
            .map_or(IDLE_RECHECK_MS, |t| {
                (t - platform::now_ms()).clamp(0.0, IDLE_RECHECK_MS)
            })
            .min((forms_due.min(appointments_due) - platform::now_ms()).max(0.0));
        let timer = gloo_timers::future::TimeoutFuture::new(wait as u32);
        let mut woken = match futures::future::select(wakes.next(), timer).await {
            futures::future::Either::Left((Some(wake), _)) => vec![wake],
            _ => Vec::new(),
        };
        // The worker's own writes wake it too: take every wake queued meanwhile at once.
        while let Ok(more) = wakes.try_recv() {
            woken.push(more);
        }
        if woken.contains(&Wake::Visible) {
            appointments_due = appointments_due.min(appointments_asked + APPOINTMENTS_SOONEST_MS);
        }
        if woken.contains(&Wake::Online) {
            forms_due = 0.0;
            appointments_due = 0.0;
            if let Err(e) = worker.reset_backoff().await {
                web_sys::console::error_1(&format!("outbox: {e}").into());
            }
        }
    }
}

/// Fetches the open slots and asks about the delivered cases; returns when to ask again.
async fn refresh_appointments(store: &Store) -> f64 {
    use delivery::appointments::{refresh_slots, refresh_statuses, Refresh};
    let slots = refresh_slots(store, &HttpTransport).await;
    let statuses = refresh_statuses(store, &HttpTransport, platform::now_ms()).await;
    let mut all_through = true;
    for (what, outcome) in [("slots", slots), ("appointments", statuses)] {
        match outcome {
            Ok(Refresh::Done(_) | Refresh::Skipped) => {}
            Ok(other) => {
                all_through = false;
                web_sys::console::warn_1(&format!("{what}: {other:?}").into());
            }
            Err(e) => {
                all_through = false;
                web_sys::console::error_1(&format!("{what}: {e}").into());
            }
        }
    }
    platform::now_ms()
        + if all_through {
            APPOINTMENTS_RECHECK_MS
        } else {
            FORMS_RETRY_MS
        }
}
