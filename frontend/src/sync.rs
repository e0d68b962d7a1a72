//! The browser's side of delivery: [`delivery::Worker`] over IndexedDB and `fetch`, woken by
//! what matters (start, `online`, the app becoming visible, any store write in any tab, a timer),
//! and run by one tab at a time (Web Locks) so two tabs never send the same item.
//!
//! Nobody calls in here to make something happen: the UI writes to the store and the worker,
//! subscribed to the store, notices.

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

#[derive(Debug, Clone, Copy, PartialEq)]
enum Wake {
    Look,
    Online,
}

/// Starts the delivery loop in this tab once it holds the sync lock. `store_channel` is the
/// channel on which every tab announces its store writes.
pub fn start(store: Rc<Store>, store_channel: &str) {
    let (tx, rx) = mpsc::unbounded();
    let on_write = tx.clone();
    store.subscribe(move || {
        let _ = on_write.unbounded_send(Wake::Look);
    });
    if let Some(channel) = platform::Channel::open(store_channel) {
        let from_other_tabs = tx.clone();
        channel.on_message(move |_| {
            let _ = from_other_tabs.unbounded_send(Wake::Look);
        });
        std::mem::forget(channel);
    }
    let online = tx.clone();
    platform::on_window("online", move |_| {
        let _ = online.unbounded_send(Wake::Online);
    });
    platform::on_document("visibilitychange", move |_| {
        if !platform::page_is_hidden() {
            let _ = tx.unbounded_send(Wake::Look);
        }
    });
    platform::hold_lock_for_page(LOCK_NAME, move || {
        wasm_bindgen_futures::spawn_local(run_loop(store, rx));
    });
}

async fn run_loop(store: Rc<Store>, mut wakes: mpsc::UnboundedReceiver<Wake>) {
    let worker = Worker::new(
        &*store,
        HttpTransport,
        FnSource(platform::now_ms),
        FnSource(platform::random_unit),
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
        let mut woken = match futures::future::select(wakes.next(), timer).await {
            futures::future::Either::Left((Some(wake), _)) => vec![wake],
            _ => Vec::new(),
        };
        // The worker's own writes wake it too: take every wake queued meanwhile at once.
        while let Ok(more) = wakes.try_recv() {
            woken.push(more);
        }
        if woken.contains(&Wake::Online) {
            if let Err(e) = worker.reset_backoff().await {
                web_sys::console::error_1(&format!("outbox: {e}").into());
            }
        }
    }
}
