//! The HTTP face of the server: routes, the layers every request passes, and the app's files.

mod appointments;
pub mod body;
mod cases;
pub mod devices;
mod error;
mod forms;
mod health;
mod keys;
pub mod openapi;
pub mod rate_limit;
mod security;
pub mod staff;
mod static_files;
pub mod uploads;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, head, options, post, put};
use axum::{middleware, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate};
use tower_http::compression::{CompressionLayer, DefaultPredicate};
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use error::Error;

use crate::config::Config;
use crate::storage::blobs::BlobStore;
use crate::storage::now_unix;
use crate::storage::Storage;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    /// The definitions cases are validated against.
    pub forms: Arc<crate::forms::FormRegistry>,
    /// The organisation's key pairs: sealed cases open with these.
    pub keys: Arc<crate::keys::Keyring>,
    pub blobs: Arc<dyn BlobStore>,
    upload_locks: Arc<uploads::UploadLocks>,
    /// Work that must not be cancelled with the request that started it (finishing a chunk).
    pub background: tokio_util::task::TaskTracker,
    device_unfinished_upload_bytes: u64,
    registrations: Arc<rate_limit::RateLimiter>,
    pub staff: Arc<dyn crate::storage::staff::StaffStorage>,
    pub appointments: Arc<dyn crate::storage::appointments::AppointmentStorage>,
    booking_days: u32,
    /// `/r/{code}` lookups per client address: codes cannot be tried at speed.
    receipt_lookups: Arc<rate_limit::RateLimiter>,
    logins_by_ip: Arc<rate_limit::RateLimiter>,
    logins_by_account: Arc<rate_limit::RateLimiter>,
    staff_session_secs: u64,
    secure_cookies: bool,
    lockout_after: u32,
    csp: axum::http::HeaderValue,
    require_enrolment: bool,
    shared_lock_after_secs: u32,
    token_lifetime_secs: u64,
    static_dir: Option<std::path::PathBuf>,
    max_json_bytes: usize,
    max_upload_bytes: u64,
    upload_expiry_secs: u64,
    request_timeout: std::time::Duration,
    body_idle_timeout: std::time::Duration,
    /// Proxies whose `X-Forwarded-For` names the client (`--trust-proxy`).
    trusted_proxies: Arc<[std::net::IpAddr]>,
}

impl AppState {
    pub fn new(
        storage: Arc<dyn Storage>,
        staff: Arc<dyn crate::storage::staff::StaffStorage>,
        appointments: Arc<dyn crate::storage::appointments::AppointmentStorage>,
        blobs: Arc<dyn BlobStore>,
        config: &Config,
    ) -> Self {
        let store = storage.clone();
        AppState {
            forms: Arc::new(crate::forms::FormRegistry::new(storage.clone())),
            // Held in memory until `with_keys` gives the data directory's (see `run`).
            keys: Arc::new(
                crate::keys::Keyring::in_memory()
                    .unwrap_or_else(|e| panic!("the system's random source failed: {e}")),
            ),
            storage,
            blobs,
            upload_locks: Arc::new(uploads::UploadLocks::new(store.clone())),
            background: tokio_util::task::TaskTracker::new(),
            device_unfinished_upload_bytes: config.device_unfinished_upload_bytes,
            registrations: Arc::new(rate_limit::RateLimiter::new(
                store.clone(),
                "registrations",
                config.registrations_per_minute,
                std::time::Duration::from_secs(60),
            )),
            require_enrolment: config.require_enrolment,
            shared_lock_after_secs: config.shared_lock_after_secs,
            staff,
            appointments,
            booking_days: config.booking_days,
            receipt_lookups: Arc::new(rate_limit::RateLimiter::new(
                store.clone(),
                "receipt_lookups",
                config.receipt_lookups_per_minute,
                std::time::Duration::from_secs(60),
            )),
            logins_by_ip: Arc::new(rate_limit::RateLimiter::new(
                store.clone(),
                "logins_by_ip",
                config.logins_per_minute,
                std::time::Duration::from_secs(60),
            )),
            // Per account too, so many addresses cannot guess one password quickly.
            logins_by_account: Arc::new(rate_limit::RateLimiter::new(
                store.clone(),
                "logins_by_account",
                config.logins_per_minute,
                std::time::Duration::from_secs(60),
            )),
            staff_session_secs: config.staff_session_secs,
            secure_cookies: config.secure_cookies,
            lockout_after: config.lockout_after,
            csp: security::content_security_policy(Some(&config.static_dir)),
            token_lifetime_secs: config.token_lifetime_secs,
            static_dir: config
                .static_dir
                .join("index.html")
                .is_file()
                .then(|| config.static_dir.clone()),
            max_json_bytes: config.max_json_bytes,
            max_upload_bytes: config.max_upload_bytes,
            upload_expiry_secs: config.upload_expiry_secs,
            request_timeout: config.request_timeout(),
            trusted_proxies: config
                .trust_proxy
                .iter()
                .map(|ip| ip.to_canonical())
                .collect(),
            body_idle_timeout: config.body_idle_timeout(),
        }
    }
}

impl AppState {
    /// With these key pairs for sealed cases instead of a fresh one in memory.
    pub fn with_keys(mut self, keys: Arc<crate::keys::Keyring>) -> Self {
        self.keys = keys;
        self
    }

    /// When an upload that moves now expires unless it moves again (or a case names it).
    pub fn upload_expiry_from_now(&self) -> i64 {
        now_unix().saturating_add(i64::try_from(self.upload_expiry_secs).unwrap_or(i64::MAX / 2))
    }

    /// When booking is open now: slots starting from now to `booking_days` ahead.
    pub fn booking_window(&self) -> crate::storage::appointments::BookingWindow {
        let now = now_unix();
        crate::storage::appointments::BookingWindow {
            now,
            until: now.saturating_add(i64::from(self.booking_days) * 86_400),
        }
    }

    pub fn booking_days(&self) -> u32 {
        self.booking_days
    }

    /// Waits until no background work started by requests is still running (tests and the
    /// simulator use it to see the server settle).
    pub async fn settled(&self) {
        self.background.close();
        self.background.wait().await;
        self.background.reopen();
    }
}

/// The whole app: `/api/v1/...` plus, when a built app exists, its files.
pub fn router(state: AppState) -> Router {
    let device_only = middleware::from_fn_with_state(state.clone(), devices::require_device);
    let api = Router::new()
        .route("/api/v1/health", get(health::health))
        .route("/api/v1/health/live", get(health::live))
        .route("/api/v1/health/ready", get(health::ready))
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/v1/devices", post(devices::register))
        .route("/api/v1/devices/renew", post(devices::renew))
        .route("/api/v1/keys", get(keys::keys))
        .route(
            "/api/v1/devices/me",
            get(devices::settings).route_layer(device_only.clone()),
        )
        .route(
            "/api/v1/cases/{case_id}",
            put(cases::put_case).route_layer(device_only.clone()),
        )
        .route(
            "/api/v1/cases/{case_id}/status",
            get(appointments::case_status).route_layer(device_only.clone()),
        )
        .route(
            "/api/v1/slots",
            get(appointments::slots).route_layer(device_only.clone()),
        )
        .route(
            "/api/v1/forms",
            get(forms::list).route_layer(device_only.clone()),
        )
        .route(
            "/api/v1/forms/{form_id}/{version}",
            get(forms::definition).route_layer(device_only.clone()),
        )
        .route("/api", any(not_found))
        .route("/api/{*rest}", any(not_found))
        // axum's own 2 MB limit would answer before ours; ours is the one that is configured
        // (declared lengths here, the rest as the handlers read).
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn({
            let limit = state.max_json_bytes;
            move |request, next| body::refuse_oversized(limit, request, next)
        }))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.request_timeout,
        ));

    // Photo chunks on slow connections may take long; their size is bounded by Upload-Length.
    let tus = Router::new()
        .route(
            "/api/v1/uploads",
            options(uploads::options).post(uploads::create),
        )
        .route(
            "/api/v1/uploads/",
            options(uploads::options).post(uploads::create),
        )
        .route(
            "/api/v1/uploads/{photo_id}",
            head(uploads::head)
                .patch(uploads::patch)
                .delete(uploads::terminate),
        )
        .route_layer(device_only)
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::map_response(uploads::tus_resumable_header));

    let app = api
        .merge(tus)
        .merge(staff::router(state.request_timeout))
        .layer(middleware::map_response(no_store));
    let app = match &state.static_dir {
        Some(dir) => app.merge(static_files::router(dir)),
        None => app.fallback(not_found),
    };

    let csp = state.csp.clone();
    // Every body, photo chunks included, ends with an error once it sends nothing for a while.
    let app = app.layer(RequestBodyTimeoutLayer::new(state.body_idle_timeout));
    app.layer(middleware::map_response(errors_as_json))
        .layer(middleware::map_response(move |mut response: Response| {
            let csp = csp.clone();
            async move {
                security::add_headers(&mut response, &csp);
                response
            }
        }))
        // ZIPs and images are compressed already.
        .layer(CompressionLayer::new().compress_when(
            DefaultPredicate::new().and(NotForContentType::const_new("application/zip")),
        ))
        .layer(CatchPanicLayer::new())
        .layer(
            TraceLayer::new_for_http()
                // Only the route template: paths and query strings can carry personal data.
                .make_span_with(|req: &Request| {
                    let route = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map_or("static", |p| p.as_str());
                    tracing::info_span!("request", method = %req.method(), route)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

async fn not_found() -> Error {
    Error::NotFound
}

/// API answers are about one moment; no cache may keep them.
async fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// Failures made by layers and extractors (400 for a path that is not UTF-8, 405, 413, 408,
/// panics) arrive as plain text or empty; give them our JSON body so every failure has the same
/// shape. Staff pages answer with their own HTML page, which stays.
async fn errors_as_json(response: Response) -> Response {
    let status = response.status();
    let ours = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || ours {
        return response;
    }
    match Error::from_status(status) {
        Some(error) => {
            let mut replaced = error.into_response();
            for name in [header::ALLOW, header::RETRY_AFTER, header::CONNECTION] {
                if let Some(v) = response.headers().get(&name) {
                    replaced.headers_mut().insert(name, v.clone());
                }
            }
            replaced
        }
        None => response,
    }
}
