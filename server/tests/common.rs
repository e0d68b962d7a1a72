//! Helpers shared by the server's integration tests.
#![allow(dead_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use server::storage::sqlite::SqliteStorage;
use server::{http, Config};
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    pub state: http::AppState,
    pub storage: SqliteStorage,
    pub dir: tempfile::TempDir,
}

pub async fn app() -> TestApp {
    app_with(|_| {}).await
}

pub async fn app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_data_dir(dir.path());
    tweak(&mut config);
    let storage = SqliteStorage::open(&config.data_dir).await.unwrap();
    let blobs = server::storage::blobs::BlobStore::open(&config.data_dir)
        .await
        .unwrap();
    let state = http::AppState::new(Arc::new(storage.clone()), blobs, &config);
    let router = http::router(state.clone());
    TestApp {
        router,
        state,
        storage,
        dir,
    }
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub json: Value,
}

impl TestApp {
    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            json,
        }
    }

    pub async fn put_case(&self, case_id: &str, body: &Value) -> Answer {
        self.send(
            Request::put(format!("/api/v1/cases/{case_id}"))
                .header("content-type", "application/json")
                .header("x-resguardo-client", "0.1.0")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    pub async fn count_cases(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM cases")
            .fetch_one(self.storage.pool())
            .await
            .unwrap()
    }
}

/// A valid household (applicant and one child) as the app sends it.
pub fn household() -> Value {
    serde_json::to_value(server::http::openapi::example_case()).unwrap()
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
