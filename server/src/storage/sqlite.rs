//! The embedded back end: one SQLite file in WAL mode under the data directory, no set-up.
//!
//! `synchronous = FULL` makes every commit reach the disk before `put_case` returns, so a 201 is
//! never answered for a case a crash could take back.

use std::path::Path;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};

use super::sql::SqlStorage;
use super::StorageError;

pub const DATABASE_FILE: &str = "resguardo.sqlite3";

pub type SqliteStorage = SqlStorage<Sqlite>;

impl SqlStorage<Sqlite> {
    /// Creates `data_dir` and the database if needed, and brings its schema up to date.
    pub async fn open(data_dir: &Path) -> Result<Self, StorageError> {
        tokio::fs::create_dir_all(data_dir).await?;
        Self::open_file(&data_dir.join(DATABASE_FILE)).await
    }

    /// The database in the file `path` (a `sqlite://` URL's path), created if missing.
    pub async fn open_file(path: &Path) -> Result<Self, StorageError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        upgrade_household_cases(&pool).await?;
        // Leases are for processes sharing a database; a SQLite file has one server at a time,
        // and any lease in it is from before this one started (a crash).
        sqlx::query("DELETE FROM upload_leases")
            .execute(&pool)
            .await?;
        Ok(SqlStorage::new(pool))
    }
}

/// Cases stored before forms were definitions hold the household case's own shape
/// (`applicant`, `members` at the top): rewrite each as a submission with canonical answers,
/// and its fingerprint with it, so a device replaying such a case now gets its receipt and
/// not a conflict. Each row once, in one transaction; a second run finds nothing to do. (Only
/// SQLite installations are that old.)
async fn upgrade_household_cases(pool: &SqlitePool) -> Result<(), StorageError> {
    let mut tx = pool.begin().await?;
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT case_id, body FROM cases WHERE json_type(body, '$.answers') IS NULL",
    )
    .fetch_all(&mut *tx)
    .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let definition = protocol::definition::household::definition();
    for (case_id, body) in &rows {
        let old: protocol::CaseSubmission = serde_json::from_str(body)
            .map_err(|e| StorageError::Corrupt(format!("case {case_id}: {e}")))?;
        let new = protocol::definition::answers::canonical(
            definition,
            &protocol::definition::household::from_legacy(&old),
        );
        sqlx::query("UPDATE cases SET body = ?, fingerprint = ? WHERE case_id = ?")
            .bind(String::from_utf8_lossy(&new.canonical_json()).into_owned())
            .bind(new.fingerprint())
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    tracing::info!(
        cases = rows.len(),
        "stored household cases rewritten as submissions"
    );
    Ok(())
}
