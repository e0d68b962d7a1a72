//! The built app as the server serves it: hashed assets cached for good, the page, manifest and
//! service worker revalidated, routes of the single-page app answered with the page, compression.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn app_with_dist() -> (common::TestApp, tempfile::TempDir) {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!DOCTYPE html><title>Resguardo</title>",
    )
    .unwrap();
    std::fs::write(
        dist.path().join("sw.js"),
        "self.addEventListener('fetch', () => {});",
    )
    .unwrap();
    std::fs::write(dist.path().join("manifest.webmanifest"), "{}").unwrap();
    std::fs::write(
        dist.path().join("frontend-0123456789abcdef_bg.wasm"),
        vec![0u8; 4096],
    )
    .unwrap();
    std::fs::write(
        dist.path().join("styles-fedcba9876543210.css"),
        "body{}".repeat(500),
    )
    .unwrap();
    let dir = dist.path().to_owned();
    let app = common::app_with(move |c| c.static_dir = dir).await;
    (app, dist)
}

async fn get(
    app: &common::TestApp,
    path: &str,
    accept_encoding: Option<&str>,
) -> axum::response::Response {
    let mut request = Request::get(path);
    if let Some(enc) = accept_encoding {
        request = request.header("accept-encoding", enc);
    }
    app.router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_the_shell_is_revalidated() {
    let (app, _dist) = app_with_dist().await;
    for path in [
        "/frontend-0123456789abcdef_bg.wasm",
        "/styles-fedcba9876543210.css",
    ] {
        let response = get(&app, path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=31536000, immutable",
            "{path}"
        );
    }
    for path in ["/", "/index.html", "/sw.js", "/manifest.webmanifest"] {
        let response = get(&app, path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-cache", "{path}");
    }
    let wasm = get(&app, "/frontend-0123456789abcdef_bg.wasm", None).await;
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
}

#[tokio::test]
async fn app_routes_get_the_page_but_api_paths_do_not() {
    let (app, _dist) = app_with_dist().await;
    let page = get(&app, "/case/6f1c2b7e-1d2a-4c3b-9a8f-1e2d3c4b5a69", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let body = page.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&body).contains("<title>Resguardo</title>"));

    let api = app
        .send(
            Request::get("/api/v2/anything")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.json["error"]["code"], "not_found");
}

#[tokio::test]
async fn responses_are_compressed_when_the_browser_accepts_it() {
    let (app, _dist) = app_with_dist().await;
    let br = get(&app, "/styles-fedcba9876543210.css", Some("br")).await;
    assert_eq!(br.headers()["content-encoding"], "br");
    let gzip = get(&app, "/frontend-0123456789abcdef_bg.wasm", Some("gzip")).await;
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    let compressed = gzip.into_body().collect().await.unwrap().to_bytes();
    assert!(compressed.len() < 4096);
}

#[tokio::test]
async fn the_builds_own_brotli_and_gzip_files_are_sent_as_they_are() {
    let (app, dist) = app_with_dist().await;
    // What post_build.sh writes beside a file (these bytes are not real Brotli: only the server's
    // choice of file is tested).
    std::fs::write(
        dist.path().join("styles-fedcba9876543210.css.br"),
        b"precompressed br",
    )
    .unwrap();
    std::fs::write(
        dist.path().join("styles-fedcba9876543210.css.gz"),
        b"precompressed gz",
    )
    .unwrap();
    std::fs::write(dist.path().join("index.html.br"), b"page br").unwrap();
    let body = |r: axum::response::Response| async move {
        r.into_body().collect().await.unwrap().to_bytes()
    };

    let br = get(
        &app,
        "/styles-fedcba9876543210.css",
        Some("gzip, deflate, br, zstd"),
    )
    .await;
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["content-type"], "text/css");
    assert_eq!(
        br.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(br.headers()["vary"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase()
        .contains("accept-encoding"));
    assert_eq!(
        body(br).await.as_ref(),
        b"precompressed br",
        "sent as built, not compressed again"
    );

    let gz = get(&app, "/styles-fedcba9876543210.css", Some("gzip")).await;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_eq!(body(gz).await.as_ref(), b"precompressed gz");

    let plain = get(&app, "/styles-fedcba9876543210.css", None).await;
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(body(plain).await, "body{}".repeat(500).as_bytes());

    // The page, also where a route of the app stands for it.
    for path in [
        "/",
        "/index.html",
        "/case/6f1c2b7e-1d2a-4c3b-9a8f-1e2d3c4b5a69",
    ] {
        let page = get(&app, path, Some("br")).await;
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        assert_eq!(page.headers()["content-encoding"], "br", "{path}");
        assert_eq!(page.headers()["cache-control"], "no-cache", "{path}");
        assert_eq!(body(page).await.as_ref(), b"page br", "{path}");
    }
    // A file the build did not precompress is compressed on the fly as before.
    let wasm = get(&app, "/frontend-0123456789abcdef_bg.wasm", Some("br")).await;
    assert_eq!(wasm.headers()["content-encoding"], "br");
}

#[tokio::test]
async fn every_response_has_security_headers_and_the_csp_allows_the_loader_by_hash() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), "<!DOCTYPE html>").unwrap();
    std::fs::write(
        dist.path().join("csp-script-hashes.txt"),
        "'sha256-abc123='",
    )
    .unwrap();
    let dir = dist.path().to_owned();
    let app = common::app_with(move |c| c.static_dir = dir).await;
    for path in ["/", "/api/v1/health", "/api/v1/nothing"] {
        let response = get(&app, path, None).await;
        let h = response.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc123='"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-frame-options"], "DENY");
    }
}
