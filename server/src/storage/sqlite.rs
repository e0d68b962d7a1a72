//! The embedded back end: one SQLite file in WAL mode under the data directory.
//!
//! `synchronous = FULL` makes every commit reach the disk before `put_case` returns, so a 201 is
//! never answered for a case a crash could take back.

use std::path::Path;
use std::str::FromStr;

use async_trait::async_trait;
use protocol::api::CaseReceipt;
use protocol::{CaseId, PhotoId, ReceiptCode};
use sqlx::sqlite::SqliteRow;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use super::{
    new_receipt_code, now_rfc3339, CreateOutcome, Device, DraftOutcome, EnrolmentCode, NewCase,
    PutOutcome, Storage, StorageError, StoredCase, StoredForm, Upload,
};

pub const DATABASE_FILE: &str = "resguardo.sqlite3";

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

#[derive(Debug, Clone)]
pub struct SqliteStorage {
    pool: SqlitePool,
}

impl SqliteStorage {
    /// Creates `data_dir` and the database if needed, and brings its schema up to date.
    pub async fn open(data_dir: &Path) -> Result<Self, StorageError> {
        tokio::fs::create_dir_all(data_dir).await?;
        let options = SqliteConnectOptions::new()
            .filename(data_dir.join(DATABASE_FILE))
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
        let storage = SqliteStorage { pool };
        storage.upgrade_household_cases().await?;
        Ok(storage)
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Cases stored before forms were definitions hold the household case's own shape
    /// (`applicant`, `members` at the top): rewrite each as a submission with canonical answers,
    /// and its fingerprint with it, so a device replaying such a case now gets its receipt and
    /// not a conflict. Each row once, in one transaction; a second run finds nothing to do.
    async fn upgrade_household_cases(&self) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
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
}

#[async_trait]
impl Storage for SqliteStorage {
    async fn put_case(&self, case: NewCase) -> Result<PutOutcome, StorageError> {
        for _ in 0..RECEIPT_DRAWS {
            let code = new_receipt_code()?;
            // One transaction, so SQLite's single writer settles races between identical PUTs
            // (exactly one insert wins and everyone else reads the winner's row) and the photos
            // are claimed with the case or not at all.
            let mut tx = self.pool.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO cases (case_id, receipt_code, fingerprint, body, form_id, form_version, people, received_at, device_id)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
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
            if done.rows_affected() == 1 {
                let mut missing = Vec::new();
                for photo in &case.photos {
                    let claimed = sqlx::query(
                        "UPDATE uploads SET claimed = 1 WHERE photo_id = ? AND case_id = ?
                           AND COALESCE(photo_length, length) = ? AND COALESCE(photo_sha256, sha256) = ?
                           AND content_type = ? AND completed_at IS NOT NULL",
                    )
                    .bind(photo.photo_id.to_string())
                    .bind(case.case_id.to_string())
                    .bind(to_i64(photo.length)?)
                    .bind(&photo.sha256)
                    .bind(&photo.content_type)
                    .execute(&mut *tx)
                    .await?;
                    if claimed.rows_affected() != 1 {
                        missing.push(photo.photo_id);
                    }
                }
                if !missing.is_empty() {
                    tx.rollback().await?;
                    return Ok(PutOutcome::PhotosMissing(missing));
                }
                // The household's one appointment, committed with the case or not at all.
                if let Some(window) = case.booking {
                    appointments::book(
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
                "SELECT fingerprint, {RECEIPT_COLUMNS} FROM case_view WHERE case_id = ?"
            )))
            .bind(case.case_id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
            tx.commit().await?;
            let Some(row) = row else {
                return Err(StorageError::Corrupt("case vanished after insert".into()));
            };
            let (fingerprint, receipt): (String, CaseReceipt) =
                (row.try_get("fingerprint")?, receipt_from_row(&row)?);
            return Ok(if fingerprint != case.fingerprint {
                PutOutcome::Conflict
            } else if done.rows_affected() == 1 {
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
        let body: Option<String> = sqlx::query_scalar("SELECT body FROM cases WHERE case_id = ?")
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
                    receipt: receipt_from_row(row)?,
                    body: row.try_get::<String, _>("body")?.into_bytes(),
                })
            })
            .collect()
    }

    async fn save_form_draft(&self, form: StoredForm) -> Result<DraftOutcome, StorageError> {
        let mut tx = self.pool.begin().await?;
        let existing: Option<Option<String>> =
            sqlx::query_scalar("SELECT published_at FROM forms WHERE form_id = ? AND version = ?")
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
            "INSERT INTO forms (form_id, version, title, definition, created_at) VALUES (?, ?, ?, ?, ?)
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
            "UPDATE forms SET published_at = ? WHERE form_id = ? AND version = ? AND published_at IS NULL",
        )
        .bind(now_rfc3339())
        .bind(form_id)
        .bind(i64::from(version))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn form(&self, form_id: &str, version: u32) -> Result<Option<StoredForm>, StorageError> {
        let row = sqlx::query(
            "SELECT form_id, version, title, definition, created_at, published_at FROM forms WHERE form_id = ? AND version = ?",
        )
        .bind(form_id)
        .bind(i64::from(version))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(form_from_row).transpose()
    }

    async fn forms(&self) -> Result<Vec<StoredForm>, StorageError> {
        let rows = sqlx::query(
            "SELECT form_id, version, title, definition, created_at, published_at FROM forms ORDER BY form_id, version",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(form_from_row).collect()
    }

    async fn create_upload(&self, upload: Upload) -> Result<CreateOutcome, StorageError> {
        let inserted = sqlx::query(
            r#"INSERT INTO uploads (photo_id, case_id, length, "offset", sha256, content_type, metadata, created_at, expires_at, device_id, sealed_key_id, sealed_enc)
               VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)
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
        } else if inserted.rows_affected() == 1 {
            CreateOutcome::Created(stored)
        } else {
            CreateOutcome::Existing(stored)
        })
    }

    async fn upload(&self, photo_id: PhotoId) -> Result<Option<Upload>, StorageError> {
        let row = sqlx::query(select_uploads!("WHERE photo_id = ?"))
            .bind(photo_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(upload_from_row).transpose()
    }

    async fn set_upload_offset(
        &self,
        photo_id: PhotoId,
        offset: u64,
        expires_at: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(r#"UPDATE uploads SET "offset" = ?, expires_at = ? WHERE photo_id = ?"#)
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
        sqlx::query("UPDATE uploads SET photo_length = ?, photo_sha256 = ? WHERE photo_id = ?")
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
            r#"UPDATE uploads SET "offset" = length, completed_at = ?, expires_at = ? WHERE photo_id = ?"#,
        )
        .bind(now_rfc3339())
        .bind(expires_at)
        .bind(photo_id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn delete_upload(&self, photo_id: PhotoId) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM uploads WHERE photo_id = ?")
            .bind(photo_id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn expired_uploads(&self, now: i64) -> Result<Vec<PhotoId>, StorageError> {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT photo_id FROM uploads WHERE claimed = 0 AND expires_at < ?")
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
            "DELETE FROM uploads WHERE photo_id = ? AND claimed = 0 AND expires_at < ?",
        )
        .bind(photo_id.to_string())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn full_uploads(&self) -> Result<Vec<Upload>, StorageError> {
        let rows = sqlx::query(select_uploads!(
            r#"WHERE completed_at IS NULL AND "offset" = length ORDER BY rowid"#
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(upload_from_row).collect()
    }

    async fn unfinished_upload_bytes(&self, device_id: uuid::Uuid) -> Result<u64, StorageError> {
        let total: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(length), 0) FROM uploads WHERE device_id = ? AND completed_at IS NULL",
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
        rows.iter().map(upload_from_row).collect()
    }

    async fn add_device(&self, device: Device) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO devices (device_id, token_hash, created_at, expires_at, enrolment_code, shared) VALUES (?, ?, ?, ?, ?, ?)",
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
            sqlx::query("UPDATE enrolment_codes SET uses = uses + 1 WHERE code = ?")
                .bind(code)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn device_by_token_hash(&self, token_hash: &str) -> Result<Option<Device>, StorageError> {
        let row = sqlx::query(select_devices!("WHERE token_hash = ?"))
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(device_from_row).transpose()
    }

    async fn expire_device(&self, device_id: uuid::Uuid) -> Result<bool, StorageError> {
        let done =
            sqlx::query("UPDATE devices SET expires_at = MIN(expires_at, ?) WHERE device_id = ?")
                .bind(super::now_unix() - 1)
                .bind(device_id.to_string())
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
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
            "UPDATE devices SET token_hash = ?, expires_at = ? \
             WHERE device_id = ? AND token_hash = ? AND revoked_at IS NULL",
        )
        .bind(new_token_hash)
        .bind(expires_at)
        .bind(device_id.to_string())
        .bind(old_token_hash)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(None);
        }
        self.device_by_token_hash(new_token_hash).await
    }

    async fn devices(&self) -> Result<Vec<Device>, StorageError> {
        let rows = sqlx::query(select_devices!("ORDER BY created_at DESC, rowid DESC"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(device_from_row).collect()
    }

    async fn revoke_device(&self, device_id: uuid::Uuid) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE device_id = ?",
        )
        .bind(now_rfc3339())
        .bind(device_id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn add_enrolment_code(&self, code: EnrolmentCode) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO enrolment_codes (code, label, created_at, expires_at, shared) VALUES (?, ?, ?, ?, ?)",
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
        let row = sqlx::query(select_codes!("WHERE code = ?"))
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(code_from_row).transpose()
    }

    async fn enrolment_codes(&self) -> Result<Vec<EnrolmentCode>, StorageError> {
        let rows = sqlx::query(select_codes!("ORDER BY created_at DESC, rowid DESC"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(code_from_row).collect()
    }

    async fn revoke_enrolment_code(&self, code: &str) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "UPDATE enrolment_codes SET revoked_at = COALESCE(revoked_at, ?) WHERE code = ?",
        )
        .bind(now_rfc3339())
        .bind(code)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

/// What [`receipt_from_row`] reads, from `case_view`.
pub(crate) const RECEIPT_COLUMNS: &str =
    "case_id, receipt_code, received_at, people, slot_id, slot_starts_at, slot_minutes, slot_place";

fn receipt_from_row(row: &SqliteRow) -> Result<CaseReceipt, StorageError> {
    let corrupt = |what: &str| StorageError::Corrupt(what.to_owned());
    let case_id: String = row.try_get("case_id")?;
    let code: String = row.try_get("receipt_code")?;
    Ok(CaseReceipt {
        appointment: appointments::appointment_from_row(row)?,
        case_id: CaseId::from_str(&case_id).map_err(|_| corrupt("case_id"))?,
        receipt_code: ReceiptCode::from_str(&code).map_err(|_| corrupt("receipt_code"))?,
        received_at: row.try_get("received_at")?,
        people: row
            .try_get::<i64, _>("people")?
            .try_into()
            .map_err(|_| corrupt("people"))?,
    })
}

fn to_i64(n: u64) -> Result<i64, StorageError> {
    i64::try_from(n).map_err(|_| StorageError::Corrupt("number out of range".into()))
}

fn upload_from_row(row: &SqliteRow) -> Result<Upload, StorageError> {
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

fn device_from_row(row: &SqliteRow) -> Result<Device, StorageError> {
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

fn code_from_row(row: &SqliteRow) -> Result<EnrolmentCode, StorageError> {
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

mod appointments;
mod staff;

fn form_from_row(row: &SqliteRow) -> Result<StoredForm, StorageError> {
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
