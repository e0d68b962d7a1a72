//! Thin wrappers over browser APIs the rest of the app needs: time, randomness, page lifecycle
//! events, the Web Locks API, cross-tab messages, storage persistence and the service worker.
//! What the sync worker uses (time, `online`, locks, channels) works in a worker as in a page.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

pub fn random_unit() -> f64 {
    js_sys::Math::random()
}

/// The delivery engine's chance: `Math.random` for backoff jitter, `crypto.getRandomValues` (in
/// the page and in workers alike) for what must not be guessed.
#[derive(Clone, Copy)]
pub struct BrowserRandom;

impl delivery::env::Random for BrowserRandom {
    fn unit(&self) -> f64 {
        random_unit()
    }

    fn fill_secret(&self, out: &mut [u8]) -> bool {
        js_sys::Reflect::get(&js_sys::global(), &"crypto".into())
            .ok()
            .and_then(|c| c.dyn_into::<web_sys::Crypto>().ok())
            .is_some_and(|crypto| crypto.get_random_values_with_u8_array(out).is_ok())
    }
}

pub fn window() -> web_sys::Window {
    web_sys::window().expect("the app runs in a window")
}

/// Whether the browser believes it is online; `true` where it cannot say.
pub fn is_online() -> bool {
    get(&js_sys::global(), "navigator")
        .and_then(|n| get(&n, "onLine"))
        .and_then(|v| v.as_bool())
        .unwrap_or(true)
}

fn navigator() -> Option<JsValue> {
    get(&js_sys::global(), "navigator")
}

fn get(target: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// Adds a listener that lives as long as the page.
pub fn on_event(
    target: &web_sys::EventTarget,
    event: &str,
    handler: impl FnMut(web_sys::Event) + 'static,
) {
    // Boxed first: one closure type for every listener, so its glue is in the wasm once.
    let handler: Box<dyn FnMut(web_sys::Event)> = Box::new(handler);
    let closure = Closure::wrap(handler);
    let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    closure.forget();
}

pub fn on_window(event: &str, handler: impl FnMut(web_sys::Event) + 'static) {
    on_event(&window(), event, handler);
}

/// A listener on the global scope: the window in a page, the worker's scope in a worker.
pub fn on_global(event: &str, handler: impl FnMut(web_sys::Event) + 'static) {
    on_event(js_sys::global().unchecked_ref(), event, handler);
}

pub fn on_document(event: &str, handler: impl FnMut(web_sys::Event) + 'static) {
    if let Some(doc) = window().document() {
        on_event(&doc, event, handler);
    }
}

pub fn page_is_hidden() -> bool {
    window()
        .document()
        .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden)
}

/// Runs `job` while holding the exclusive Web Lock `name`, for the life of this page or worker:
/// of all the app's tabs, exactly one holds it and the next one takes over when it closes.
/// Browsers without Web Locks run `job` at once.
pub fn hold_lock_while_alive(name: &str, job: impl FnOnce() + 'static) {
    let locks = navigator().and_then(|n| get(&n, "locks"));
    let request = locks
        .as_ref()
        .and_then(|l| get(l, "request"))
        .and_then(|f| f.dyn_into::<Function>().ok());
    let (Some(locks), Some(request)) = (locks, request) else {
        job();
        return;
    };
    let granted = Closure::once_into_js(move |_lock: JsValue| -> Promise {
        job();
        // Never settles: the lock is released when the page (or worker) goes away.
        Promise::new(&mut |_, _| {})
    });
    let _ = request.call2(&locks, &JsValue::from_str(name), &granted);
}

/// A `BroadcastChannel` between the app's tabs.
pub struct Channel(web_sys::BroadcastChannel);

impl Channel {
    pub fn open(name: &str) -> Option<Channel> {
        web_sys::BroadcastChannel::new(name).ok().map(Channel)
    }

    pub fn post(&self, message: &str) {
        let _ = self.0.post_message(&JsValue::from_str(message));
    }

    pub fn on_message(&self, mut handler: impl FnMut(String) + 'static) {
        on_event(&self.0, "message", move |event| {
            if let Some(text) = event
                .dyn_ref::<web_sys::MessageEvent>()
                .and_then(|m| m.data().as_string())
            {
                handler(text);
            }
        });
    }
}

/// Asks the browser not to evict our data under storage pressure. Returns whether it agreed.
pub async fn persist_storage() -> bool {
    let Ok(storage) = Reflect::get(&window().navigator(), &JsValue::from_str("storage")) else {
        return false;
    };
    let Some(storage) = storage.dyn_ref::<web_sys::StorageManager>() else {
        return false;
    };
    if let Ok(p) = storage.persisted() {
        if JsFuture::from(p).await.ok().and_then(|v| v.as_bool()) == Some(true) {
            return true;
        }
    }
    match storage.persist() {
        Ok(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        Err(_) => false,
    }
}

/// (bytes used, bytes available to the app), when the browser says.
pub async fn storage_estimate() -> Option<(f64, f64)> {
    let storage = Reflect::get(&window().navigator(), &JsValue::from_str("storage")).ok()?;
    let storage = storage.dyn_ref::<web_sys::StorageManager>()?;
    let estimate = JsFuture::from(storage.estimate().ok()?).await.ok()?;
    let used = get(&estimate, "usage")?.as_f64()?;
    let quota = get(&estimate, "quota")?.as_f64()?;
    Some((used, quota))
}

/// `localStorage`, for the few settings needed before IndexedDB has opened (the language).
pub fn local_setting(name: &str) -> Option<String> {
    window()
        .local_storage()
        .ok()
        .flatten()?
        .get_item(name)
        .ok()
        .flatten()
}

pub fn set_local_setting(name: &str, value: &str) {
    if let Some(storage) = window().local_storage().ok().flatten() {
        let _ = storage.set_item(name, value);
    }
}

pub fn browser_languages() -> Vec<String> {
    let navigator = window().navigator();
    let mut out: Vec<String> = navigator
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    if let Some(lang) = navigator.language() {
        out.push(lang);
    }
    out
}

/// The static screen `index.html` shows until the app has loaded.
pub fn remove_boot_screen() {
    if let Some(boot) = window()
        .document()
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
}

/// Links the web app manifest, which `index.html` leaves out: linked from the start, the browser
/// fetches it and an icon before the app on a first visit, though only installing needs them.
pub fn link_manifest() {
    let Some(doc) = window().document() else {
        return;
    };
    let (Some(head), Ok(link)) = (doc.head(), doc.create_element("link")) else {
        return;
    };
    let _ = link.set_attribute("rel", "manifest");
    let _ = link.set_attribute("href", "/manifest.webmanifest");
    let _ = head.append_child(&link);
}

pub fn set_document_language(code: &str, rtl: bool) {
    if let Some(root) = window().document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", code);
        let _ = root.set_attribute("dir", if rtl { "rtl" } else { "ltr" });
    }
}

/// A place or language name in `lang` through `Intl.DisplayNames` (`kind` is "region" or
/// "language"); `None` when the browser cannot name it.
pub fn display_name(lang: &str, kind: &str, code: &str) -> Option<String> {
    let intl = get(&js_sys::global(), "Intl")?;
    let ctor = get(&intl, "DisplayNames")?.dyn_into::<Function>().ok()?;
    let options = js_sys::Object::new();
    Reflect::set(&options, &"type".into(), &kind.into()).ok()?;
    Reflect::set(&options, &"fallback".into(), &"none".into()).ok()?;
    let locales = js_sys::Array::of1(&lang.into());
    let names = Reflect::construct(&ctor, &js_sys::Array::of2(&locales, &options)).ok()?;
    let of = get(&names, "of")?.dyn_into::<Function>().ok()?;
    of.call1(&names, &code.into()).ok()?.as_string()
}

/// `n` written the way `lang` writes numbers (`2,5` in French, `٢٫٥` in Arabic), with at most one
/// decimal; with `unit` (a unit `Intl` knows, e.g. "megabyte"), followed by its short name.
pub fn format_number(lang: &str, n: f64, unit: Option<&str>) -> String {
    let options = js_sys::Object::new();
    let _ = Reflect::set(&options, &"maximumFractionDigits".into(), &1.into());
    if let Some(unit) = unit {
        let _ = Reflect::set(&options, &"style".into(), &"unit".into());
        let _ = Reflect::set(&options, &"unit".into(), &unit.into());
        let _ = Reflect::set(&options, &"unitDisplay".into(), &"short".into());
    }
    let format = js_sys::Intl::NumberFormat::new(&js_sys::Array::of1(&lang.into()), &options);
    format
        .format()
        .call1(&format, &n.into())
        .ok()
        .and_then(|s| s.as_string())
        // A browser without Intl units: the digits and the unit's code.
        .unwrap_or_else(|| {
            format!("{} {}", n.round() as i64, unit.unwrap_or(""))
                .trim_end()
                .to_owned()
        })
}

/// A byte count for people in `lang` ("3.2 MB", "3,2 Mo").
pub fn human_bytes(lang: &str, bytes: f64) -> String {
    const UNITS: [&str; 4] = ["byte", "kilobyte", "megabyte", "gigabyte"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format_number(lang, value, Some(UNITS[unit]))
}

/// An RFC 3339 moment as ms since the epoch (`None` when the browser cannot read it).
pub fn parse_ms(rfc3339: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(rfc3339);
    (!ms.is_nan()).then_some(ms)
}

/// A local date-time for a receipt (`received_at` is RFC 3339).
pub fn local_datetime(rfc3339: &str, lang: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    date.to_locale_string(lang, &JsValue::UNDEFINED)
        .as_string()
        .unwrap_or_else(|| rfc3339.to_owned())
}

/// An appointment's start as the place's own weekday, date and time in `lang`, whatever zone
/// the phone is set to: the start's local part (RFC 3339 with the place's offset) is read as if
/// it were UTC and written in UTC (every browser knows UTC; not every one takes an offset as a
/// time zone).
pub fn place_datetime(starts_at: &str, lang: &str) -> String {
    let local = starts_at.get(..19).unwrap_or(starts_at);
    let date = js_sys::Date::new(&JsValue::from_str(&format!("{local}Z")));
    if date.get_time().is_nan() {
        return starts_at.to_owned();
    }
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| {
        let _ = Reflect::set(&options, &k.into(), &v.into());
    };
    set("timeZone", "UTC");
    set("weekday", "long");
    set("day", "numeric");
    set("month", "long");
    set("year", "numeric");
    set("hour", "numeric");
    set("minute", "2-digit");
    date.to_locale_string(lang, &options)
        .as_string()
        .unwrap_or_else(|| starts_at.to_owned())
}

/// A moment (ms since the epoch) as a weekday and time in `lang` ("Tuesday 10:31"), with the
/// date when it is not within the last six days.
pub fn weekday_time(ms: f64, lang: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms));
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| {
        let _ = Reflect::set(&options, &k.into(), &v.into());
    };
    set("weekday", "long");
    set("hour", "numeric");
    set("minute", "2-digit");
    if now_ms() - ms > 6.0 * 24.0 * 3600.0 * 1000.0 {
        set("day", "numeric");
        set("month", "long");
    }
    date.to_locale_string(lang, &options)
        .as_string()
        .unwrap_or_default()
}

thread_local! {
    static UPDATE_ACCEPTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn has_controller() -> bool {
    window().navigator().service_worker().controller().is_some()
}

/// Registers `/sw.js` and calls `on_update_ready` when a newer version is installed and waiting.
/// A worker that installs while no worker controls the page is the first install, not an
/// update: it just takes control.
pub fn register_service_worker(on_update_ready: impl Fn() + Clone + 'static) {
    let navigator = window().navigator();
    if get(&navigator, "serviceWorker").is_none() {
        return;
    }
    let container = navigator.service_worker();
    // Once the person accepts an update, the new worker takes over: load the new app.
    on_event(&container, "controllerchange", move |_| {
        if UPDATE_ACCEPTED.with(|a| a.get()) {
            let _ = window().location().reload();
        }
    });
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(registration) = JsFuture::from(container.register("/sw.js")).await else {
            return;
        };
        let Ok(registration) = registration.dyn_into::<web_sys::ServiceWorkerRegistration>() else {
            return;
        };
        if registration.waiting().is_some() && has_controller() {
            on_update_ready();
        }
        let reg = registration.clone();
        on_event(&registration, "updatefound", move |_| {
            let Some(installing) = reg.installing() else {
                return;
            };
            let watched = installing.clone();
            let ready = on_update_ready.clone();
            on_event(&installing, "statechange", move |_| {
                if watched.state() == web_sys::ServiceWorkerState::Installed && has_controller() {
                    ready();
                }
            });
        });
    });
}

/// Tells the waiting service worker to take over; `controllerchange` then reloads the page.
pub fn activate_waiting_service_worker() {
    UPDATE_ACCEPTED.with(|a| a.set(true));
    wasm_bindgen_futures::spawn_local(async {
        let container = window().navigator().service_worker();
        let Ok(reg) = JsFuture::from(container.get_registration()).await else {
            return;
        };
        let Ok(reg) = reg.dyn_into::<web_sys::ServiceWorkerRegistration>() else {
            return;
        };
        if let Some(waiting) = reg.waiting() {
            let message = js_sys::Object::new();
            let _ = Reflect::set(&message, &"type".into(), &"SKIP_WAITING".into());
            let _ = waiting.post_message(&message);
        }
    });
}
