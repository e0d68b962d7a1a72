//! Security headers on every response. The Content-Security-Policy allows scripts only from this
//! origin plus the one inline loader Trunk writes into `index.html`, by its hash (recorded by
//! `scripts/post_build.sh` in `csp-script-hashes.txt`), and WebAssembly compilation.

use std::path::Path;

use axum::http::{header, HeaderName, HeaderValue};
use axum::response::Response;

/// The policy for this build of the app.
pub fn content_security_policy(static_dir: Option<&Path>) -> HeaderValue {
    let hashes = static_dir
        .and_then(|dir| std::fs::read_to_string(dir.join("csp-script-hashes.txt")).ok())
        .unwrap_or_default();
    let hashes: Vec<&str> = hashes
        .split_whitespace()
        .filter(|h| h.starts_with("'sha256-") && h.ends_with('\''))
        .collect();
    let policy = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{}{}; style-src 'self'; img-src 'self' blob: data:; \
         connect-src 'self'; worker-src 'self'; manifest-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        if hashes.is_empty() { "" } else { " " },
        hashes.join(" ")
    );
    HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static(
        "default-src 'self'; frame-ancestors 'none'",
    ))
}

pub fn add_headers(response: &mut Response, csp: &HeaderValue) {
    let headers = response.headers_mut();
    // A response may bring a narrower policy of its own (a photo opened on its own).
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert_with(|| csp.clone());
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("geolocation=(), microphone=(), payment=()"),
    );
}
