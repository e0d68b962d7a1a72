//! Resguardo's server: receives household cases exactly once and serves the installable app.
//!
//! A request travels through these parts:
//!
//! - [`http`]: the axum router. One file per resource (`cases`, `appointments` for slots and a
//!   sent case's status, `devices`, `health`, `openapi`, `uploads` for tus, `staff` for the
//!   staff pages), `body` for reading and refusing bodies within
//!   bounds, the static app files and the one [`http::Error`] type that every failure becomes,
//!   answered as `{"error":{"code","message"}}` with a stable code.
//! - [`storage`]: the [`storage::Storage`] trait the handlers talk to (with
//!   [`storage::appointments`] for slots and bookings, booked in the transaction that stores the
//!   case, and [`storage::staff`]), implemented once in [`storage::sql`] for the embedded default
//!   [`storage::sqlite`] (SQLite in WAL mode under the data directory, no set-up) and for
//!   [`storage::postgres`] (many processes); photo bytes behind [`storage::blobs::BlobStore`], in
//!   the data directory or in an S3 bucket ([`storage::s3`]).
//! - [`keys`]: the organisation's key pairs in the data directory; sealed cases open with them.
//! - [`config`]: command line and environment settings; [`admin`]: the `enrolment`, `devices`,
//!   `forms` and `slots` commands; [`migrate`]: `server migrate`, from SQLite and files to
//!   PostgreSQL and S3.
//!
//! - `serve`: the accept loop (header-read timeout, lingering close, shutdown deadline).
//!
//! [`run`] takes its listener and a shutdown signal so tests drive a real server on a random port;
//! [`http::router`] builds the same app for tests that call it without a socket.

pub mod admin;
pub mod config;
pub mod forms;
pub mod http;
pub mod keys;
pub mod migrate;
pub mod secrets;
mod serve;
pub mod storage;

use std::future::Future;
use std::sync::Arc;

use tokio::net::TcpListener;

pub use config::Config;

/// Opens storage where `config` says, then serves until `shutdown` resolves, letting requests
/// in flight finish for at most `config.shutdown_grace_secs`.
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let at = config.location();
    let storage = at.open().await?;
    let blobs = at.open_blobs().await?;
    let keys = Arc::new(open_keys(&at, storage.clone()).await?);
    let key_refresher = keys.in_database().then(|| {
        let keys = keys.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                keys.refresh_from_database().await;
            }
        })
    });
    let state = http::AppState::new(storage.clone(), storage.clone(), storage, blobs, &config)
        .with_keys(keys);
    // Uploads that were full when the server last stopped are finished before anyone asks.
    if let Err(e) = http::uploads::recover(&state).await {
        tracing::error!(error = %e, "finishing uploads left full failed");
    }
    let cleaner = tokio::spawn(clean_up_expired_uploads(
        state.clone(),
        config.upload_expiry_secs,
    ));
    let app = http::router(state);
    tracing::info!(addr = %listener.local_addr()?, "listening");
    serve::serve(
        listener,
        app,
        config.header_read_timeout(),
        config.shutdown_grace(),
        shutdown,
    )
    .await;
    cleaner.abort();
    if let Some(task) = key_refresher {
        task.abort();
    }
    tracing::info!("stopped");
    Ok(())
}

/// The organisation's keys: in the database when it is PostgreSQL (shared by every process),
/// else in the data directory.
pub async fn open_keys(
    at: &storage::Location,
    storage: Arc<dyn storage::Database>,
) -> Result<keys::Keyring, StartError> {
    if at.shares_database() {
        Ok(keys::Keyring::open_or_create_in(storage, &at.data_dir).await?)
    } else {
        Ok(keys::Keyring::open_or_create(&at.data_dir)?)
    }
}

/// Removes expired uploads and old rate-limit counts now and then, for as long as the server runs.
async fn clean_up_expired_uploads(state: http::AppState, expiry_secs: u64) {
    let every = std::time::Duration::from_secs(expiry_secs.clamp(1, 3600));
    loop {
        if let Err(e) = http::uploads::remove_expired(&state).await {
            tracing::error!(error = %e, "cleaning up expired uploads failed");
        }
        // Rate limits read the current and the previous window; a day back is long past both.
        let day_ago_ms = (storage::now_unix() - 86_400).saturating_mul(1000);
        if let Err(e) = state.storage.forget_rate_windows(day_ago_ms).await {
            tracing::error!(error = %e, "forgetting old rate-limit windows failed");
        }
        tokio::time::sleep(every).await;
    }
}

/// Writes every stored photo as a JSON array of `{photo_id, case_id, size, sha256, content_type, path}`.
pub async fn dump_photos(
    at: &storage::Location,
    out: &mut impl std::io::Write,
) -> Result<(), StartError> {
    let storage = at.open().await?;
    let blobs = at.open_blobs().await?;
    let photos: Vec<serde_json::Value> = storage
        .photos()
        .await?
        .into_iter()
        .map(|p| {
            let path = blobs.location(p.photo_id);
            serde_json::json!({
                "photo_id": p.photo_id, "case_id": p.case_id, "size": p.photo_length(), "sha256": p.photo_sha256(),
                "content_type": p.content_type, "path": path,
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &photos).map_err(std::io::Error::other)?;
    writeln!(out)?;
    Ok(())
}

/// Reads every stored photo back from the photo store and checks its SHA-256 against what the
/// database says was stored; writes `{"photos": N, "verified": N, "problems": [...]}` and fails
/// when any photo is missing or differs (after a restore or `server migrate`, or any time).
pub async fn verify_photos(
    at: &storage::Location,
    out: &mut impl std::io::Write,
) -> Result<(), StartError> {
    let storage = at.open().await?;
    let blobs = at.open_blobs().await?;
    let photos = storage.photos().await?;
    let mut problems = Vec::new();
    for p in &photos {
        let why = match blobs.stored_sha256(p.photo_id).await {
            Ok(Some(hash)) if hash == p.photo_sha256() => continue,
            Ok(Some(hash)) => format!("stored bytes hash to {hash}, not {}", p.photo_sha256()),
            Ok(None) => "not in the photo store".to_owned(),
            Err(e) => format!("could not be read: {e}"),
        };
        problems.push(serde_json::json!({ "photo_id": p.photo_id, "problem": why }));
    }
    let report = serde_json::json!({
        "photos": photos.len(),
        "verified": photos.len() - problems.len(),
        "problems": problems,
    });
    serde_json::to_writer_pretty(&mut *out, &report).map_err(std::io::Error::other)?;
    writeln!(out)?;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StartError::Io(std::io::Error::other(format!(
            "{} of {} photos are not stored as recorded",
            problems.len(),
            photos.len()
        ))))
    }
}

/// Writes every stored case as a JSON array of `{case_id, receipt_code, received_at, people, case}`.
pub async fn dump_cases(
    at: &storage::Location,
    out: &mut impl std::io::Write,
) -> Result<(), StartError> {
    let storage = at.open().await?;
    let mut cases = Vec::new();
    for stored in storage.list_cases().await? {
        let mut entry = serde_json::to_value(&stored.receipt).map_err(std::io::Error::other)?;
        entry["case"] = serde_json::from_slice(&stored.body).map_err(std::io::Error::other)?;
        cases.push(entry);
    }
    serde_json::to_writer_pretty(&mut *out, &cases).map_err(std::io::Error::other)?;
    writeln!(out)?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("could not open storage: {0}")]
    Storage(#[from] storage::StorageError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("the sealing keys: {0}")]
    Keys(#[from] keys::KeyError),
    #[error("migration: {0}")]
    Migrate(#[from] migrate::MigrateError),
}
