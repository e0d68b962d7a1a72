//! `server migrate`: moves an embedded installation (SQLite and photos in a data directory) to
//! PostgreSQL, and its photos to S3 if asked, without losing anything: cases with their receipts
//! and appointments, uploads, photos, devices, enrolment codes, staff and their sessions, the
//! audit log and forms.
//!
//! Rows are copied table by table in the order their references need, each keeping its
//! `rowid` (the order it was stored in), with `ON CONFLICT DO NOTHING`: a second run copies only
//! what the first did not, so it is safe to run again after an interruption. Photos are copied
//! only where the target lacks them with the right SHA-256; the organisation's sealing keys go
//! into the database, where every process reads them. At the end every table is counted on
//! both sides and every stored photo is read back from the target and hashed; any difference
//! fails the command. Stop the embedded server first: rows it writes during the copy may be
//! missed (a second run after stopping it picks them up).

use std::sync::Arc;

use sqlx::{PgPool, Row, SqlitePool};
use tokio::io::AsyncReadExt;

use crate::storage::blobs::{BlobStore, FsBlobs};
use crate::storage::postgres::PgStorage;
use crate::storage::sqlite::SqliteStorage;
use crate::storage::{Storage, StorageError};

#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    Int,
    Bool,
}

/// The tables that hold an installation, in the order their references need; each column with
/// the type it is copied as. Leases and rate-limit counts are not worth moving.
const TABLES: &[(&str, &[(&str, Kind)])] = {
    use Kind::{Bool, Int, Text};
    &[
        (
            "slots",
            &[
                ("rowid", Int),
                ("slot_id", Text),
                ("place", Text),
                ("starts_at", Text),
                ("starts_unix", Int),
                ("minutes", Int),
                ("capacity", Int),
                ("booked", Int),
                ("state", Text),
                ("created_at", Text),
            ],
        ),
        (
            "cases",
            &[
                ("rowid", Int),
                ("case_id", Text),
                ("receipt_code", Text),
                ("fingerprint", Text),
                ("body", Text),
                ("form_id", Text),
                ("form_version", Int),
                ("people", Int),
                ("received_at", Text),
                ("review_state", Text),
                ("reviewed_by", Text),
                ("reviewed_at", Text),
                ("review_note", Text),
                ("device_id", Text),
                ("slot_id", Text),
                ("appointment_note", Text),
                ("appointment_changed_at", Text),
            ],
        ),
        (
            "uploads",
            &[
                ("rowid", Int),
                ("photo_id", Text),
                ("case_id", Text),
                ("length", Int),
                ("\"offset\"", Int),
                ("sha256", Text),
                ("content_type", Text),
                ("metadata", Text),
                ("created_at", Text),
                ("expires_at", Int),
                ("completed_at", Text),
                ("device_id", Text),
                ("claimed", Bool),
                ("sealed_key_id", Text),
                ("sealed_enc", Text),
                ("photo_length", Int),
                ("photo_sha256", Text),
            ],
        ),
        (
            "enrolment_codes",
            &[
                ("rowid", Int),
                ("code", Text),
                ("label", Text),
                ("created_at", Text),
                ("expires_at", Int),
                ("revoked_at", Text),
                ("uses", Int),
                ("shared", Bool),
            ],
        ),
        (
            "devices",
            &[
                ("rowid", Int),
                ("device_id", Text),
                ("token_hash", Text),
                ("created_at", Text),
                ("expires_at", Int),
                ("revoked_at", Text),
                ("enrolment_code", Text),
                ("shared", Bool),
            ],
        ),
        (
            "staff_users",
            &[
                ("username", Text),
                ("password_hash", Text),
                ("role", Text),
                ("failed_logins", Int),
                ("locked_until", Int),
                ("created_at", Text),
            ],
        ),
        (
            "staff_sessions",
            &[
                ("session_hash", Text),
                ("username", Text),
                ("csrf_token", Text),
                ("created_at", Text),
                ("expires_at", Int),
            ],
        ),
        (
            "audit_log",
            &[
                ("id", Int),
                ("at", Text),
                ("username", Text),
                ("action", Text),
                ("case_id", Text),
                ("detail", Text),
            ],
        ),
        (
            "forms",
            &[
                ("form_id", Text),
                ("version", Int),
                ("title", Text),
                ("definition", Text),
                ("created_at", Text),
                ("published_at", Text),
            ],
        ),
    ]
};

/// Tables whose identity column gets its values from the copy, so the sequence must move past.
const IDENTITIES: &[(&str, &str)] = &[
    ("slots", "rowid"),
    ("cases", "rowid"),
    ("uploads", "rowid"),
    ("enrolment_codes", "rowid"),
    ("devices", "rowid"),
    ("audit_log", "id"),
];

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("--from must be sqlite://DATA_DIR (an embedded installation)")]
    BadSource,
    #[error("--to must be postgres://...")]
    BadTarget,
    #[error("after the copy, {0}")]
    Mismatch(String),
    #[error(transparent)]
    Keys(#[from] crate::keys::KeyError),
}

impl From<sqlx::Error> for MigrateError {
    fn from(e: sqlx::Error) -> Self {
        MigrateError::Storage(e.into())
    }
}

/// What a migration did and found.
#[derive(Debug, serde::Serialize)]
pub struct Report {
    /// Per table: rows in the source, rows in the target after, rows this run copied.
    pub tables: Vec<TableReport>,
    pub photos: usize,
    pub photos_copied: usize,
    pub photos_verified: usize,
    /// The organisation's sealing keys now in the target database (every process uses them).
    pub keys: Vec<String>,
}

#[derive(Debug, serde::Serialize)]
pub struct TableReport {
    pub table: &'static str,
    pub source: i64,
    pub target: i64,
    pub copied: u64,
}

/// Copies the installation at `from` (`sqlite://DATA_DIR`) into `to` (`postgres://...`), and its
/// photos into `blob_to` (`s3://...`) when given (else they stay in the data directory, which
/// the migrated server then keeps using), then verifies the copy.
pub async fn run(from: &str, to: &str, blob_to: Option<&str>) -> Result<Report, MigrateError> {
    let data_dir = std::path::PathBuf::from(
        from.strip_prefix("sqlite://")
            .ok_or(MigrateError::BadSource)?,
    );
    if !data_dir
        .join(crate::storage::sqlite::DATABASE_FILE)
        .is_file()
    {
        return Err(MigrateError::BadSource);
    }
    if !(to.starts_with("postgres://") || to.starts_with("postgresql://")) {
        return Err(MigrateError::BadTarget);
    }
    // Opening both brings each schema up to date first (the source's own upgrades included).
    let source = SqliteStorage::open(&data_dir).await?;
    let target = PgStorage::connect(to).await?;
    let (src, dst) = (source.pool(), target.pool());

    let mut tables = Vec::new();
    for (table, columns) in TABLES {
        let copied = copy_table(src, dst, table, columns).await?;
        tables.push(TableReport {
            table,
            source: count(src, table).await?,
            target: 0,
            copied,
        });
    }
    for (table, column) in IDENTITIES {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), \
             GREATEST((SELECT COALESCE(MAX({column}), 0) FROM {table}), 1))"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(dst).await?;
    }
    for t in &mut tables {
        t.target = count_pg(dst, t.table).await?;
    }

    // The keys: the data directory's go into the database (kept if they are there already),
    // so that no process, on whatever machine, ever makes keys of its own.
    let file_keys = crate::keys::Keyring::open_or_create(&data_dir)?;
    let shared =
        crate::keys::Keyring::open_or_create_in(Arc::new(target.clone()), &data_dir).await?;
    let keys: Vec<String> = shared.list().into_iter().map(|k| k.key_id).collect();
    if let Some(missing) = file_keys
        .list()
        .into_iter()
        .find(|k| !keys.contains(&k.key_id))
    {
        return Err(MigrateError::Mismatch(format!(
            "the database holds other sealing keys than {}: key {} is missing there",
            data_dir.join("org-keys.json").display(),
            missing.key_id
        )));
    }

    let from_blobs = FsBlobs::open(&data_dir).await?;
    let to_blobs: Arc<dyn BlobStore> = match blob_to {
        Some(url) => Arc::new(crate::storage::s3::S3Blobs::from_url(url)?),
        None => Arc::new(from_blobs.clone()),
    };
    let photos = target.photos().await?;
    let mut photos_copied = 0;
    if blob_to.is_some() {
        // Unfinished uploads' staged bytes stay behind: their devices resume from the start.
        sqlx::query(r#"UPDATE uploads SET "offset" = 0 WHERE completed_at IS NULL"#)
            .execute(dst)
            .await?;
        for p in &photos {
            if to_blobs.stored_sha256(p.photo_id).await?.as_deref() == Some(p.photo_sha256()) {
                continue;
            }
            let mut bytes = Vec::new();
            from_blobs
                .open_photo(p.photo_id)
                .await?
                .read_to_end(&mut bytes)
                .await?;
            let mut part = to_blobs.open_part(p.photo_id, 0).await?;
            part.write(&bytes).await?;
            part.commit().await?;
            to_blobs.promote(p.photo_id).await?;
            photos_copied += 1;
        }
    }

    // Verified by counts and by every photo's bytes, read back from where they now live.
    let short: Vec<String> = tables
        .iter()
        .filter(|t| t.target < t.source)
        .map(|t| format!("{}: {} of {} rows", t.table, t.target, t.source))
        .collect();
    if !short.is_empty() {
        return Err(MigrateError::Mismatch(format!(
            "the target lacks rows: {}",
            short.join(", ")
        )));
    }
    let mut photos_verified = 0;
    for p in &photos {
        match to_blobs.stored_sha256(p.photo_id).await? {
            Some(hash) if hash == p.photo_sha256() => photos_verified += 1,
            _ => {
                return Err(MigrateError::Mismatch(format!(
                    "photo {} is not in the target photo store as recorded",
                    p.photo_id
                )))
            }
        }
    }
    Ok(Report {
        tables,
        photos: photos.len(),
        photos_copied,
        photos_verified,
        keys,
    })
}

async fn count(pool: &SqlitePool, table: &str) -> Result<i64, MigrateError> {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(pool)
        .await?)
}

async fn count_pg(pool: &PgPool, table: &str) -> Result<i64, MigrateError> {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(pool)
        .await?)
}

/// Copies every row of `table` the target does not hold yet; returns how many were copied.
async fn copy_table(
    src: &SqlitePool,
    dst: &PgPool,
    table: &str,
    columns: &[(&str, Kind)],
) -> Result<u64, MigrateError> {
    let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
    let list = names.join(", ");
    let order = if names.contains(&"rowid") {
        "rowid"
    } else {
        "1"
    };
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {list} FROM {table} ORDER BY {order}"
    )))
    .fetch_all(src)
    .await?;
    let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
    let insert = format!(
        "INSERT INTO {table} ({list}) VALUES ({}) ON CONFLICT DO NOTHING",
        placeholders.join(", ")
    );
    let mut copied = 0;
    let mut tx = dst.begin().await?;
    for row in &rows {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(insert.clone()));
        for (i, (_, kind)) in columns.iter().enumerate() {
            q = match kind {
                Kind::Text => q.bind(row.try_get::<Option<String>, _>(i)?),
                Kind::Int => q.bind(row.try_get::<Option<i64>, _>(i)?),
                Kind::Bool => q.bind(row.try_get::<Option<bool>, _>(i)?),
            };
        }
        copied += q.execute(&mut *tx).await?.rows_affected();
    }
    tx.commit().await?;
    Ok(copied)
}
