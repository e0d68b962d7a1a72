//! The statements both SQL back ends run: [`SqlStorage`] over SQLite ([`super::sqlite`]) or
//! PostgreSQL ([`super::postgres`]), one implementation of every storage trait.
//!
//! The SQL is written once, in the part both dialects share: `$N` placeholders (SQLite reads them
//! too), `CASE` for `MIN`/`MAX` of two values, `TRUE`/`FALSE`, `BIGINT` casts, and a `rowid`
//! column (SQLite's own, a generated identity in PostgreSQL) wherever insertion order counts.
//! Every concurrent decision is one conditional statement or a transaction with row locks, so
//! it holds on SQLite's single writer and on PostgreSQL's `READ COMMITTED` alike.

use std::str::FromStr;

use async_trait::async_trait;
use protocol::api::CaseReceipt;
use protocol::{CaseId, PhotoId, ReceiptCode};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, Pool, Row, Type};

use super::{
    new_receipt_code, now_rfc3339, CreateOutcome, Device, DraftOutcome, EnrolmentCode, NewCase,
    PutOutcome, Storage, StorageError, StoredCase, StoredForm, Upload,
};

/// A database the statements here run on.
pub trait Backend:
    Database<QueryResult: RowsAffected, Arguments: sqlx::IntoArguments<Self>>
{
}
impl Backend for sqlx::Sqlite {}
impl Backend for sqlx::Postgres {}

/// sqlx has no common trait for it.
pub trait RowsAffected {
    fn rows(&self) -> u64;
}
impl RowsAffected for sqlx::sqlite::SqliteQueryResult {
    fn rows(&self) -> u64 {
        self.rows_affected()
    }
}
impl RowsAffected for sqlx::postgres::PgQueryResult {
    fn rows(&self) -> u64 {
        self.rows_affected()
    }
}

/// The columns [`upload_from_row`] reads, then `$rest` (static SQL, as sqlx requires).
macro_rules! select_uploads {
    ($rest:literal) => {
        concat!(
            r#"SELECT photo_id, case_id, length, "offset", sha256, content_type, metadata, expires_at,
               completed_at IS NOT NULL AS completed, device_id, sealed_key_id, sealed_enc,
               photo_length, photo_sha256 FROM uploads "#,
            $rest
        )
    };
}

macro_rules! select_devices {
    ($rest:literal) => {
        concat!(
            "SELECT device_id, token_hash, created_at, expires_at, revoked_at IS NOT NULL AS revoked, enrolment_code, shared FROM devices ",
            $rest
        )
    };
}

macro_rules! select_codes {
    ($rest:literal) => {
        concat!(
            "SELECT code, label, created_at, expires_at, revoked_at IS NOT NULL AS revoked, uses, shared FROM enrolment_codes ",
            $rest
        )
    };
}

/// Receipt codes are 45 random bits: a clash is rare, and a few redraws end it.
const RECEIPT_DRAWS: usize = 8;

/// Storage on a SQL database; see [`super::sqlite::SqliteStorage`] and
/// [`super::postgres::PgStorage`].
pub struct SqlStorage<DB: Database> {
    pool: Pool<DB>,
}

impl<DB: Database> Clone for SqlStorage<DB> {
    fn clone(&self) -> Self {
        SqlStorage {
            pool: self.pool.clone(),
        }
    }
}

impl<DB: Database> std::fmt::Debug for SqlStorage<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStorage")
            .field("database", &DB::NAME)
            .finish()
    }
}

impl<DB: Database> SqlStorage<DB> {
    /// Storage on a pool whose schema is up to date.
    pub(super) fn new(pool: Pool<DB>) -> Self {
        SqlStorage { pool }
    }

    pub fn pool(&self) -> &Pool<DB> {
        &self.pool
    }
}

#[async_trait]
impl<DB: Backend> Storage for SqlStorage<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    usize: ColumnIndex<DB::Row>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
{
    async fn put_case(&self, case: NewCase) -> Result<PutOutcome, StorageError> {
        for _ in 0..RECEIPT_DRAWS {
            let code = new_receipt_code()?;
            // One transaction, so SQLite's single writer settles races between identical PUTs
            // (exactly one insert wins and everyone else reads the winner's row) and the photos
            // are claimed with the case or not at all.
            let mut tx = self.pool.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO cases (case_id, receipt_code, fingerprint, body, form_id, form_version, people, received_at, device_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (case_id) DO NOTHING",
            )
            .bind(case.case_id.to_string())
            .bind(code.to_string())
            .bind(&case.fingerprint)
            .bind(String::from_utf8_lossy(&case.body).into_owned())
            .bind(&case.form_id)
            .bind(i64::from(case.form_version))
            .bind(i64::from(case.people))
            .bind(now_rfc3339())
            .bind(case.device_id.map(|d| d.to_string()))
            .execute(&mut *tx)
            .await;
            let done = match inserted {
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => continue, // receipt clash
                Err(e) => return Err(e.into()),
                Ok(done) => done,
            };
            if done.rows() == 1 {
                let mut missing = Vec::new();
                for photo in &case.photos {
                    let claimed = sqlx::query(
                        "UPDATE uploads SET claimed = TRUE WHERE photo_id = $1 AND case_id = $2
                           AND COALESCE(photo_length, length) = $3 AND COALESCE(photo_sha256, sha256) = $4
                           AND content_type = $5 AND completed_at IS NOT NULL",
                    )
                    .bind(photo.photo_id.to_string())
                    .bind(case.case_id.to_string())
                    .bind(to_i64(photo.length)?)
                    .bind(&photo.sha256)
                    .bind(&photo.content_type)
                    .execute(&mut *tx)
                    .await?;
                    if claimed.rows() != 1 {
                        missing.push(photo.photo_id);
                    }
                }
                if !missing.is_empty() {
                    tx.rollback().await?;
                    return Ok(PutOutcome::PhotosMissing(missing));
                }
                // The household's one appointment, committed with the case or not at all.
                if let Some(window) = case.booking {
                    Self::book(
                        &mut tx,
                        case.case_id,
                        case.people,
                        &case.preferences,
                        window,
                    )
                    .await?;
                }
            }
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT fingerprint, {RECEIPT_COLUMNS} FROM case_view WHERE case_id = $1"
            )))
            .bind(case.case_id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
            tx.commit().await?;
            let Some(row) = row else {
                return Err(StorageError::Corrupt("case vanished after insert".into()));
            };
            let (fingerprint, receipt): (String, CaseReceipt) =
                (row.try_get("fingerprint")?, Self::receipt_from_row(&row)?);
            return Ok(if fingerprint != case.fingerprint {
                PutOutcome::Conflict
            } else if done.rows() == 1 {
                PutOutcome::Created(receipt)
            } else {
                PutOutcome::Replayed(receipt)
            });
        }
        Err(StorageError::Corrupt(
            "could not draw a free receipt code".into(),
        ))
    }

    async fn case_body(&self, case_id: CaseId) -> Result<Option<Vec<u8>>, StorageError> {
        let body: Option<String> = sqlx::query_scalar("SELECT body FROM cases WHERE case_id = $1")
            .bind(case_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(body.map(String::into_bytes))
    }

    async fn list_cases(&self) -> Result<Vec<StoredCase>, StorageError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT body, {RECEIPT_COLUMNS} FROM case_view ORDER BY received_at, seq"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredCase {
                    receipt: Self::receipt_from_row(row)?,
                    body: row.try_get::<String, _>("body")?.into_bytes(),
                })
            })
            .collect()
    }

    async fn save_form_draft(&self, form: StoredForm) -> Result<DraftOutcome, StorageError> {
        let mut tx = self.pool.begin().await?;
        let existing: Option<Option<String>> = sqlx::query_scalar(
            "SELECT published_at FROM forms WHERE form_id = $1 AND version = $2",
        )
        .bind(&form.form_id)
        .bind(i64::from(form.version))
        .fetch_optional(&mut *tx)
        .await?;
        let outcome = match existing {
            Some(Some(_)) => return Ok(DraftOutcome::Published),
            Some(None) => DraftOutcome::Replaced,
            None => DraftOutcome::Created,
        };
        sqlx::query(
            "INSERT INTO forms (form_id, version, title, definition, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (form_id, version) DO UPDATE SET title = excluded.title,
               definition = excluded.definition, created_at = excluded.created_at
             WHERE forms.published_at IS NULL",
        )
        .bind(&form.form_id)
        .bind(i64::from(form.version))
        .bind(&form.title)
        .bind(String::from_utf8_lossy(&form.definition).into_owned())
        .bind(&form.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn publish_form(&self, form_id: &str, version: u32) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "UPDATE forms SET published_at = $1 WHERE form_id = $2 AND version = $3 AND published_at IS NULL",
        )
        .bind(now_rfc3339())
        .bind(form_id)
        .bind(i64::from(version))
        .execute(&self.pool)
        .await?;
        Ok(done.rows() == 1)
    }

    async fn form(&self, form_id: &str, version: u32) -> Result<Option<StoredForm>, StorageError> {
        let row = sqlx::query(
            "SELECT form_id, version, title, definition, created_at, published_at FROM forms WHERE form_id = $1 AND version = $2",
        )
        .bind(form_id)
        .bind(i64::from(version))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(Self::form_from_row).transpose()
    }

    async fn forms(&self) -> Result<Vec<StoredForm>, StorageError> {
        let rows = sqlx::query(
            "SELECT form_id, version, title, definition, created_at, published_at FROM forms ORDER BY form_id, version",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(Self::form_from_row).collect()
    }

    async fn create_upload(&self, upload: Upload) -> Result<CreateOutcome, StorageError> {
        let inserted = sqlx::query(
            r#"INSERT INTO uploads (photo_id, case_id, length, "offset", sha256, content_type, metadata, created_at, expires_at, device_id, sealed_key_id, sealed_enc)
               VALUES ($1, $2, $3, 0, $4, $5, $6, $7, $8, $9, $10, $11)
               ON CONFLICT (photo_id) DO NOTHING"#,
        )
        .bind(upload.photo_id.to_string())
        .bind(upload.case_id.to_string())
        .bind(to_i64(upload.length)?)
        .bind(&upload.sha256)
        .bind(&upload.content_type)
        .bind(&upload.metadata)
        .bind(now_rfc3339())
        .bind(upload.expires_at)
        .bind(upload.device_id.map(|d| d.to_string()))
        .bind(upload.sealed.as_ref().map(|s| s.key_id.clone()))
        .bind(upload.sealed.as_ref().map(|s| s.enc.clone()))
        .execute(&self.pool)
        .await?;
        let stored = self
            .upload(upload.photo_id)
            .await?
            .ok_or_else(|| StorageError::Corrupt("upload vanished after insert".into()))?;
        Ok(if !stored.same_content(&upload) {
            CreateOutcome::Conflict
        } else if inserted.rows() == 1 {
            CreateOutcome::Created(stored)
        } else {
            CreateOutcome::Existing(stored)
        })
    }

    async fn upload(&self, photo_id: PhotoId) -> Result<Option<Upload>, StorageError> {
        let row = sqlx::query(select_uploads!("WHERE photo_id = $1"))
            .bind(photo_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(Self::upload_from_row).transpose()
    }

    async fn set_upload_offset(
        &self,
        photo_id: PhotoId,
        offset: u64,
        expires_at: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(r#"UPDATE uploads SET "offset" = $1, expires_at = $2 WHERE photo_id = $3"#)
            .bind(to_i64(offset)?)
            .bind(expires_at)
            .bind(photo_id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn set_upload_opened(
        &self,
        photo_id: PhotoId,
        opened: Option<&super::OpenedPhoto>,
    ) -> Result<(), StorageError> {
        sqlx::query("UPDATE uploads SET photo_length = $1, photo_sha256 = $2 WHERE photo_id = $3")
            .bind(opened.map(|o| to_i64(o.length)).transpose()?)
            .bind(opened.map(|o| o.sha256.clone()))
            .bind(photo_id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn complete_upload(
        &self,
        photo_id: PhotoId,
        expires_at: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            r#"UPDATE uploads SET "offset" = length, completed_at = $1, expires_at = $2 WHERE photo_id = $3"#,
        )
        .bind(now_rfc3339())
        .bind(expires_at)
        .bind(photo_id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn delete_upload(&self, photo_id: PhotoId) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM uploads WHERE photo_id = $1")
            .bind(photo_id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn expired_uploads(&self, now: i64) -> Result<Vec<PhotoId>, StorageError> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT photo_id FROM uploads WHERE claimed = FALSE AND expires_at < $1",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        ids.iter()
            .map(|id| {
                id.parse()
                    .map_err(|_| StorageError::Corrupt("photo_id".into()))
            })
            .collect()
    }

    async fn delete_upload_if_expired(
        &self,
        photo_id: PhotoId,
        now: i64,
    ) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "DELETE FROM uploads WHERE photo_id = $1 AND claimed = FALSE AND expires_at < $2",
        )
        .bind(photo_id.to_string())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows() == 1)
    }

    async fn full_uploads(&self) -> Result<Vec<Upload>, StorageError> {
        let rows = sqlx::query(select_uploads!(
            r#"WHERE completed_at IS NULL AND "offset" = length ORDER BY rowid"#
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(Self::upload_from_row).collect()
    }

    async fn unfinished_upload_bytes(&self, device_id: uuid::Uuid) -> Result<u64, StorageError> {
        let total: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(length), 0) AS BIGINT) FROM uploads WHERE device_id = $1 AND completed_at IS NULL",
        )
        .bind(device_id.to_string())
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(total).unwrap_or(0))
    }

    async fn photos(&self) -> Result<Vec<Upload>, StorageError> {
        let rows = sqlx::query(select_uploads!(
            "WHERE completed_at IS NOT NULL ORDER BY completed_at, rowid"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(Self::upload_from_row).collect()
    }

    async fn add_device(&self, device: Device) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO devices (device_id, token_hash, created_at, expires_at, enrolment_code, shared) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(device.device_id.to_string())
        .bind(&device.token_hash)
        .bind(&device.created_at)
        .bind(device.expires_at)
        .bind(&device.enrolment_code)
        .bind(device.shared)
        .execute(&mut *tx)
        .await?;
        if let Some(code) = &device.enrolment_code {
            sqlx::query("UPDATE enrolment_codes SET uses = uses + 1 WHERE code = $1")
                .bind(code)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn device_by_token_hash(&self, token_hash: &str) -> Result<Option<Device>, StorageError> {
        let row = sqlx::query(select_devices!("WHERE token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(Self::device_from_row).transpose()
    }

    async fn expire_device(&self, device_id: uuid::Uuid) -> Result<bool, StorageError> {
        let done =
            sqlx::query("UPDATE devices SET expires_at = CASE WHEN expires_at < $1 THEN expires_at ELSE $1 END WHERE device_id = $2")
                .bind(super::now_unix() - 1)
                .bind(device_id.to_string())
                .execute(&self.pool)
                .await?;
        Ok(done.rows() == 1)
    }

    async fn renew_device(
        &self,
        device_id: uuid::Uuid,
        old_token_hash: &str,
        new_token_hash: &str,
        expires_at: i64,
    ) -> Result<Option<Device>, StorageError> {
        // One conditional update: of two renewals with the same old token, one wins.
        let done = sqlx::query(
            "UPDATE devices SET token_hash = $1, expires_at = $2 \
             WHERE device_id = $3 AND token_hash = $4 AND revoked_at IS NULL",
        )
        .bind(new_token_hash)
        .bind(expires_at)
        .bind(device_id.to_string())
        .bind(old_token_hash)
        .execute(&self.pool)
        .await?;
        if done.rows() != 1 {
            return Ok(None);
        }
        self.device_by_token_hash(new_token_hash).await
    }

    async fn devices(&self) -> Result<Vec<Device>, StorageError> {
        let rows = sqlx::query(select_devices!("ORDER BY created_at DESC, rowid DESC"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(Self::device_from_row).collect()
    }

    async fn revoke_device(&self, device_id: uuid::Uuid) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "UPDATE devices SET revoked_at = COALESCE(revoked_at, $1) WHERE device_id = $2",
        )
        .bind(now_rfc3339())
        .bind(device_id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(done.rows() == 1)
    }

    async fn add_enrolment_code(&self, code: EnrolmentCode) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO enrolment_codes (code, label, created_at, expires_at, shared) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&code.code)
        .bind(&code.label)
        .bind(&code.created_at)
        .bind(code.expires_at)
        .bind(code.shared)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn enrolment_code(&self, code: &str) -> Result<Option<EnrolmentCode>, StorageError> {
        let row = sqlx::query(select_codes!("WHERE code = $1"))
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(Self::code_from_row).transpose()
    }

    async fn enrolment_codes(&self) -> Result<Vec<EnrolmentCode>, StorageError> {
        let rows = sqlx::query(select_codes!("ORDER BY created_at DESC, rowid DESC"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(Self::code_from_row).collect()
    }

    async fn revoke_enrolment_code(&self, code: &str) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "UPDATE enrolment_codes SET revoked_at = COALESCE(revoked_at, $1) WHERE code = $2",
        )
        .bind(now_rfc3339())
        .bind(code)
        .execute(&self.pool)
        .await?;
        Ok(done.rows() == 1)
    }

    async fn lease_upload(
        &self,
        photo_id: PhotoId,
        holder: &str,
        token: &str,
        now: i64,
        until: i64,
    ) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "INSERT INTO upload_leases (photo_id, holder, token, until) VALUES ($1, $2, $3, $4)
             ON CONFLICT (photo_id) DO UPDATE SET holder = excluded.holder,
               token = excluded.token, until = excluded.until
             WHERE upload_leases.holder = excluded.holder OR upload_leases.until < $5",
        )
        .bind(photo_id.to_string())
        .bind(holder)
        .bind(token)
        .bind(until)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows() == 1)
    }

    async fn renew_upload_lease(
        &self,
        photo_id: PhotoId,
        token: &str,
        until: i64,
    ) -> Result<bool, StorageError> {
        let done =
            sqlx::query("UPDATE upload_leases SET until = $1 WHERE photo_id = $2 AND token = $3")
                .bind(until)
                .bind(photo_id.to_string())
                .bind(token)
                .execute(&self.pool)
                .await?;
        Ok(done.rows() == 1)
    }

    async fn release_upload(&self, photo_id: PhotoId, token: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM upload_leases WHERE photo_id = $1 AND token = $2")
            .bind(photo_id.to_string())
            .bind(token)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn rate_events(
        &self,
        scope: &str,
        key: &str,
        window_start: i64,
    ) -> Result<i64, StorageError> {
        let count: Option<i64> = sqlx::query_scalar(
            "SELECT count FROM rate_counts WHERE scope = $1 AND key = $2 AND window_start = $3",
        )
        .bind(scope)
        .bind(key)
        .bind(window_start)
        .fetch_optional(&self.pool)
        .await?;
        Ok(count.unwrap_or(0))
    }

    async fn count_rate_event(
        &self,
        scope: &str,
        key: &str,
        window_start: i64,
        room: i64,
    ) -> Result<bool, StorageError> {
        if room <= 0 {
            return Ok(false);
        }
        let done = sqlx::query(
            "INSERT INTO rate_counts (scope, key, window_start, count) VALUES ($1, $2, $3, 1)
             ON CONFLICT (scope, key, window_start) DO UPDATE SET count = rate_counts.count + 1
             WHERE rate_counts.count < $4",
        )
        .bind(scope)
        .bind(key)
        .bind(window_start)
        .bind(room)
        .execute(&self.pool)
        .await?;
        Ok(done.rows() == 1)
    }

    async fn forget_rate_windows(&self, before: i64) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM rate_counts WHERE window_start < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn org_keys(&self) -> Result<Option<String>, StorageError> {
        Ok(
            sqlx::query_scalar("SELECT document FROM org_keys WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn put_org_keys(
        &self,
        previous: Option<&str>,
        document: &str,
    ) -> Result<bool, StorageError> {
        let done = match previous {
            None => sqlx::query(
                "INSERT INTO org_keys (id, document) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
            )
            .bind(document)
            .execute(&self.pool)
            .await?,
            Some(previous) => {
                sqlx::query("UPDATE org_keys SET document = $1 WHERE id = 1 AND document = $2")
                    .bind(document)
                    .bind(previous)
                    .execute(&self.pool)
                    .await?
            }
        };
        Ok(done.rows() == 1)
    }

    async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

/// What [`receipt_from_row`] reads, from `case_view`.
pub(crate) const RECEIPT_COLUMNS: &str =
    "case_id, receipt_code, received_at, people, slot_id, slot_starts_at, slot_minutes, slot_place";

impl<DB: Backend> SqlStorage<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    usize: ColumnIndex<DB::Row>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
{
    pub(super) fn receipt_from_row(row: &DB::Row) -> Result<CaseReceipt, StorageError> {
        let corrupt = |what: &str| StorageError::Corrupt(what.to_owned());
        let case_id: String = row.try_get("case_id")?;
        let code: String = row.try_get("receipt_code")?;
        Ok(CaseReceipt {
            appointment: Self::appointment_from_row(row)?,
            case_id: CaseId::from_str(&case_id).map_err(|_| corrupt("case_id"))?,
            receipt_code: ReceiptCode::from_str(&code).map_err(|_| corrupt("receipt_code"))?,
            received_at: row.try_get("received_at")?,
            people: row
                .try_get::<i64, _>("people")?
                .try_into()
                .map_err(|_| corrupt("people"))?,
        })
    }

    pub(super) fn upload_from_row(row: &DB::Row) -> Result<Upload, StorageError> {
        let corrupt = |what: &str| StorageError::Corrupt(what.to_owned());
        let photo_id: String = row.try_get("photo_id")?;
        let case_id: String = row.try_get("case_id")?;
        Ok(Upload {
            photo_id: photo_id.parse().map_err(|_| corrupt("photo_id"))?,
            case_id: case_id.parse().map_err(|_| corrupt("case_id"))?,
            length: row
                .try_get::<i64, _>("length")?
                .try_into()
                .map_err(|_| corrupt("length"))?,
            offset: row
                .try_get::<i64, _>("offset")?
                .try_into()
                .map_err(|_| corrupt("offset"))?,
            sha256: row.try_get("sha256")?,
            content_type: row.try_get("content_type")?,
            metadata: row.try_get("metadata")?,
            expires_at: row.try_get("expires_at")?,
            completed: row.try_get::<bool, _>("completed")?,
            device_id: row
                .try_get::<Option<String>, _>("device_id")?
                .map(|d| d.parse().map_err(|_| corrupt("device_id")))
                .transpose()?,
            sealed: match (
                row.try_get::<Option<String>, _>("sealed_key_id")?,
                row.try_get::<Option<String>, _>("sealed_enc")?,
            ) {
                (Some(key_id), Some(enc)) => Some(super::SealedUpload { key_id, enc }),
                (None, None) => None,
                _ => return Err(corrupt("sealed_enc")),
            },
            opened: match (
                row.try_get::<Option<i64>, _>("photo_length")?,
                row.try_get::<Option<String>, _>("photo_sha256")?,
            ) {
                (Some(length), Some(sha256)) => Some(super::OpenedPhoto {
                    length: length.try_into().map_err(|_| corrupt("photo_length"))?,
                    sha256,
                }),
                (None, None) => None,
                _ => return Err(corrupt("photo_sha256")),
            },
        })
    }

    pub(super) fn device_from_row(row: &DB::Row) -> Result<Device, StorageError> {
        let id: String = row.try_get("device_id")?;
        Ok(Device {
            device_id: id
                .parse()
                .map_err(|_| StorageError::Corrupt("device_id".into()))?,
            token_hash: row.try_get("token_hash")?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
            revoked: row.try_get("revoked")?,
            enrolment_code: row.try_get("enrolment_code")?,
            shared: row.try_get("shared")?,
        })
    }

    pub(super) fn code_from_row(row: &DB::Row) -> Result<EnrolmentCode, StorageError> {
        Ok(EnrolmentCode {
            code: row.try_get("code")?,
            label: row.try_get("label")?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
            revoked: row.try_get("revoked")?,
            uses: row.try_get("uses")?,
            shared: row.try_get("shared")?,
        })
    }

    pub(super) fn form_from_row(row: &DB::Row) -> Result<StoredForm, StorageError> {
        let version: i64 = row.try_get("version")?;
        Ok(StoredForm {
            form_id: row.try_get("form_id")?,
            version: u32::try_from(version)
                .map_err(|_| StorageError::Corrupt(format!("form version {version}")))?,
            title: row.try_get("title")?,
            definition: row.try_get::<String, _>("definition")?.into_bytes(),
            created_at: row.try_get("created_at")?,
            published_at: row.try_get("published_at")?,
        })
    }
}

fn to_i64(n: u64) -> Result<i64, StorageError> {
    i64::try_from(n).map_err(|_| StorageError::Corrupt("number out of range".into()))
}

mod appointments;
mod staff;
