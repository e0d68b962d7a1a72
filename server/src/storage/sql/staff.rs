//! [`StaffStorage`] on the embedded SQL databases.

use async_trait::async_trait;
use protocol::CaseId;
use sqlx::{ColumnIndex, Decode, Encode, Executor, Row, Type};

use super::{Backend, RowsAffected, SqlStorage};
use crate::storage::staff::{
    AuditEntry, CaseFilter, ReviewedCase, Role, StaffSession, StaffStorage, StaffUser,
};
use crate::storage::{now_rfc3339, StorageError, StoredCase, Upload};

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
    pub(super) fn reviewed_from_row(row: &DB::Row) -> Result<ReviewedCase, StorageError> {
        Ok(ReviewedCase {
            stored: StoredCase {
                receipt: Self::receipt_from_row(row)?,
                body: row.try_get::<String, _>("body")?.into_bytes(),
            },
            review_state: row.try_get("review_state")?,
            reviewed_by: row.try_get("reviewed_by")?,
            reviewed_at: row.try_get("reviewed_at")?,
            review_note: row.try_get("review_note")?,
        })
    }
}

fn role(s: &str) -> Result<Role, StorageError> {
    Role::parse(s).ok_or_else(|| StorageError::Corrupt(format!("role {s}")))
}

const CASE_COLUMNS: &str =
    "case_id, receipt_code, received_at, people, slot_id, slot_starts_at, slot_minutes, slot_place, body, review_state, reviewed_by, reviewed_at, review_note";

#[async_trait]
impl<DB: Backend> StaffStorage for SqlStorage<DB>
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
    async fn add_staff_user(&self, user: StaffUser) -> Result<(), StorageError> {
        sqlx::query("INSERT INTO staff_users (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4)")
            .bind(&user.username)
            .bind(&user.password_hash)
            .bind(user.role.as_str())
            .bind(now_rfc3339())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn staff_user(&self, username: &str) -> Result<Option<StaffUser>, StorageError> {
        let row = sqlx::query("SELECT username, password_hash, role, failed_logins, locked_until FROM staff_users WHERE username = $1")
            .bind(username)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            Ok(StaffUser {
                username: r.try_get("username")?,
                password_hash: r.try_get("password_hash")?,
                role: role(&r.try_get::<String, _>("role")?)?,
                failed_logins: r.try_get("failed_logins")?,
                locked_until: r.try_get("locked_until")?,
            })
        })
        .transpose()
    }

    async fn login_failed(
        &self,
        username: &str,
        max: i64,
        now: i64,
        lock_until: i64,
    ) -> Result<(), StorageError> {
        // One statement, so two failures at once cannot both count from the same number. The
        // right-hand sides all see the row as it was.
        sqlx::query(
            "UPDATE staff_users SET
               failed_logins = CASE WHEN locked_until <= $2 THEN 1 ELSE failed_logins + 1 END,
               locked_until = CASE
                 WHEN (CASE WHEN locked_until <= $2 THEN 1 ELSE failed_logins + 1 END) >= $1 THEN $3
                 WHEN locked_until <= $2 THEN NULL
                 ELSE locked_until END
             WHERE username = $4",
        )
        .bind(max)
        .bind(now)
        .bind(lock_until)
        .bind(username)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn login_succeeded(&self, username: &str) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE staff_users SET failed_logins = 0, locked_until = NULL WHERE username = $1",
        )
        .bind(username)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn add_session(
        &self,
        session_hash: &str,
        session: StaffSession,
    ) -> Result<(), StorageError> {
        sqlx::query("INSERT INTO staff_sessions (session_hash, username, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(session_hash)
            .bind(&session.username)
            .bind(&session.csrf_token)
            .bind(now_rfc3339())
            .bind(session.expires_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn session(&self, session_hash: &str) -> Result<Option<StaffSession>, StorageError> {
        let row = sqlx::query(
            "SELECT s.username, u.role, s.csrf_token, s.expires_at FROM staff_sessions s
             JOIN staff_users u ON u.username = s.username WHERE s.session_hash = $1",
        )
        .bind(session_hash)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(StaffSession {
                username: r.try_get("username")?,
                role: role(&r.try_get::<String, _>("role")?)?,
                csrf_token: r.try_get("csrf_token")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    async fn delete_session(&self, session_hash: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM staff_sessions WHERE session_hash = $1")
            .bind(session_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn find_cases(
        &self,
        filter: &CaseFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<ReviewedCase>, i64), StorageError> {
        const WHERE: &str = "WHERE ($1 IS NULL OR receipt_code = $1)
              AND ($2 IS NULL OR substr(received_at, 1, 10) >= $2)
              AND ($3 IS NULL OR substr(received_at, 1, 10) <= $3)
              AND ($4 IS NULL OR review_state = $4)";
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM cases {WHERE}"
        )))
        .bind(filter.receipt_code.clone())
        .bind(filter.from.clone())
        .bind(filter.to.clone())
        .bind(filter.review_state.clone())
        .fetch_one(self.pool())
        .await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} FROM case_view {WHERE} ORDER BY received_at DESC, seq DESC LIMIT $5 OFFSET $6"
        )))
        .bind(filter.receipt_code.clone())
        .bind(filter.from.clone())
        .bind(filter.to.clone())
        .bind(filter.review_state.clone())
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        Ok((
            rows.iter()
                .map(Self::reviewed_from_row)
                .collect::<Result<_, _>>()?,
            total,
        ))
    }

    async fn reviewed_case(&self, case_id: CaseId) -> Result<Option<ReviewedCase>, StorageError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} FROM case_view WHERE case_id = $1"
        )))
        .bind(case_id.to_string())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(Self::reviewed_from_row).transpose()
    }

    async fn review_case(
        &self,
        case_id: CaseId,
        by: &str,
        note: &str,
    ) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "UPDATE cases SET review_state = 'reviewed', reviewed_by = $1, reviewed_at = $2, review_note = $3 WHERE case_id = $4",
        )
        .bind(by)
        .bind(now_rfc3339())
        .bind(note)
        .bind(case_id.to_string())
        .execute(self.pool())
        .await?;
        Ok(done.rows() == 1)
    }

    async fn photos_of_case(&self, case_id: CaseId) -> Result<Vec<Upload>, StorageError> {
        let rows = sqlx::query(select_uploads!(
            "WHERE case_id = $1 AND completed_at IS NOT NULL ORDER BY rowid"
        ))
        .bind(case_id.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(Self::upload_from_row).collect()
    }

    async fn audit(&self, entry: AuditEntry) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO audit_log (at, username, action, case_id, detail) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&entry.at)
        .bind(&entry.username)
        .bind(&entry.action)
        .bind(entry.case_id.map(|c| c.to_string()))
        .bind(&entry.detail)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn audit_log(&self, limit: i64, offset: i64) -> Result<Vec<AuditEntry>, StorageError> {
        let rows = sqlx::query("SELECT at, username, action, case_id, detail FROM audit_log ORDER BY id DESC LIMIT $1 OFFSET $2")
            .bind(limit)
            .bind(offset)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let case_id: Option<String> = r.try_get("case_id")?;
                Ok(AuditEntry {
                    at: r.try_get("at")?,
                    username: r.try_get("username")?,
                    action: r.try_get("action")?,
                    case_id: case_id.and_then(|c| c.parse().ok()),
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }
}
