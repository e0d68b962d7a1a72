//! Helpers shared by the server's integration tests.
#![allow(dead_code)]

pub mod tus;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use server::storage::blobs::{BlobStore, FaultyBlobs};
use server::storage::Database;
use server::{http, Config};
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    /// A registered device's token; `send` adds it unless the request has its own.
    pub token: String,
    pub state: http::AppState,
    pub storage: Arc<dyn Database>,
    /// The photo store, with switches for its faults.
    pub blobs: Arc<FaultyBlobs>,
    pub config: Config,
    pub dir: tempfile::TempDir,
}

pub async fn app() -> TestApp {
    app_with(|_| {}).await
}

/// Where the tests' databases live: SQLite in each test's directory, or, when
/// `RESGUARDO_TEST_DATABASE_URL` names a PostgreSQL server (as `make test` does for its second
/// run), a database of its own there for each test.
pub async fn test_database_url() -> Option<String> {
    let admin = std::env::var("RESGUARDO_TEST_DATABASE_URL").ok()?;
    use sqlx::Connection;
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    Some(format!("{base}/{name}"))
}

/// The tests' photo store: the test's directory, or, when `RESGUARDO_TEST_BLOB_URL` names an
/// S3 bucket (as `make test` does for its second run), a prefix of its own there for each test.
pub fn test_blob_url() -> Option<String> {
    let base = std::env::var("RESGUARDO_TEST_BLOB_URL").ok()?;
    Some(format!(
        "{}/{}",
        base.trim_end_matches('/'),
        uuid::Uuid::new_v4().simple()
    ))
}

pub fn on_postgres(config: &Config) -> bool {
    config
        .database_url
        .as_deref()
        .is_some_and(|u| u.starts_with("postgres"))
}

async fn open(config: &Config) -> (Arc<dyn Database>, Arc<FaultyBlobs>, http::AppState) {
    let storage = config.location().open().await.unwrap();
    let inner: Arc<dyn BlobStore> = config.location().open_blobs().await.unwrap();
    let blobs = Arc::new(FaultyBlobs::new(inner));
    let shared = storage.clone();
    // The keys where `server::run` keeps them: the data directory, or the shared database.
    let keys = server::open_keys(&config.location(), storage.clone())
        .await
        .unwrap();
    let state = http::AppState::new(
        shared.clone(),
        shared.clone(),
        shared,
        blobs.clone(),
        config,
    )
    .with_keys(Arc::new(keys));
    (storage, blobs, state)
}

pub async fn app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_data_dir(dir.path());
    config.database_url = test_database_url().await;
    config.blob_url = test_blob_url();
    tweak(&mut config);
    let (storage, blobs, state) = open(&config).await;
    let router = http::router(state.clone());
    let mut app = TestApp {
        router,
        state,
        storage,
        blobs,
        config,
        dir,
        token: String::new(),
    };
    app.token = app.register(serde_json::json!({})).await.json["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    app
}

/// A value for [`TestApp::execute`].
pub enum SqlArg {
    Int(i64),
    Text(String),
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub json: Value,
}

impl TestApp {
    /// Another server process on the same database, photo store and data directory, running
    /// beside this one (its own pools, upload locks and keyring): what a second process behind a
    /// load balancer is.
    pub async fn second_process(&self) -> Router {
        let (_storage, _blobs, state) = open(&self.config).await;
        http::router(state)
    }

    /// A new server process on the same data directory, as after a crash: storage reopened and
    /// the start-up recovery run. The device token stays valid.
    pub async fn restart(&mut self) {
        let (storage, blobs, state) = open(&self.config).await;
        server::http::uploads::recover(&state).await.unwrap();
        self.router = http::router(state.clone());
        (self.storage, self.blobs, self.state) = (storage, blobs, state);
    }

    /// Sends as the registered device (adds its bearer token unless one is set).
    pub async fn send(&self, mut request: Request<Body>) -> Answer {
        if !request.headers().contains_key("authorization") && !self.token.is_empty() {
            let value = format!("Bearer {}", self.token).parse().unwrap();
            request.headers_mut().insert("authorization", value);
        }
        self.send_anonymous(request).await
    }

    pub async fn register(&self, body: Value) -> Answer {
        self.send_anonymous(
            Request::post("/api/v1/devices")
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    /// Sends exactly `request`, with no token added.
    pub async fn send_anonymous(&self, request: Request<Body>) -> Answer {
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
        self.storage.list_cases().await.unwrap().len() as i64
    }

    /// Runs one statement straight on the database (`$1`... placeholders, read by both).
    pub async fn execute(&self, sql: &'static str, args: &[SqlArg]) {
        let url = self.config.database_url.clone();
        match url.filter(|u| u.starts_with("postgres")) {
            Some(url) => {
                let pool = sqlx::PgPool::connect(&url).await.unwrap();
                let mut q = sqlx::query(sql);
                for a in args {
                    q = match a {
                        SqlArg::Int(n) => q.bind(*n),
                        SqlArg::Text(t) => q.bind(t.clone()),
                    };
                }
                q.execute(&pool).await.unwrap();
            }
            None => {
                let file = self
                    .config
                    .data_dir
                    .join(server::storage::sqlite::DATABASE_FILE);
                let pool = sqlx::SqlitePool::connect_with(
                    sqlx::sqlite::SqliteConnectOptions::new().filename(file),
                )
                .await
                .unwrap();
                let mut q = sqlx::query(sql);
                for a in args {
                    q = match a {
                        SqlArg::Int(n) => q.bind(*n),
                        SqlArg::Text(t) => q.bind(t.clone()),
                    };
                }
                q.execute(&pool).await.unwrap();
            }
        }
    }

    pub fn on_postgres(&self) -> bool {
        on_postgres(&self.config)
    }

    /// Photos in a bucket, not in the data directory: tests that look at files skip those looks.
    pub fn on_s3(&self) -> bool {
        self.config.blob_url.is_some()
    }
}

/// A valid household (applicant and one child) as the app sends it.
pub fn household() -> Value {
    serde_json::to_value(server::http::openapi::example_case()).unwrap()
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
