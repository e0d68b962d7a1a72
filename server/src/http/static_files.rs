//! The built app (Trunk's `dist/`). File names with a content hash never change, so browsers may
//! keep them for a year; the page, the manifest and the service worker must be revalidated every
//! time so an update is seen. Where the build wrote `<file>.br` and `<file>.gz` (Brotli at its
//! highest level, see `scripts/post_build.sh`), those are sent as they are to a browser that
//! takes them: smaller than compressing on the fly, and no work per request.

use std::path::Path;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

use super::AppState;

pub fn router(dir: &Path) -> Router<AppState> {
    // Any other path is a route inside the single-page app: answer with the page.
    let page = ServeFile::new(dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let files = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(page);
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_headers))
}

async fn cache_headers(request: Request, next: Next) -> Response {
    let immutable = is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() {
        let value = if immutable {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

/// Trunk names hashed outputs `name-<16 hex digits>.ext` (and `..._bg.wasm`).
pub fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn only_content_hashed_names_are_immutable() {
        assert!(is_hashed_asset("/frontend-3f2a9c01b4d5e6f7.js"));
        assert!(is_hashed_asset("/frontend-3f2a9c01b4d5e6f7_bg.wasm"));
        assert!(is_hashed_asset("/style-0123456789abcdef.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/sw.js"));
        assert!(!is_hashed_asset("/manifest.webmanifest"));
        assert!(!is_hashed_asset("/icons/icon-192.png"));
        assert!(!is_hashed_asset("/x-notahexnumber00.js"));
    }
}
