//! What the staff side stores: accounts, sessions, reviews and the audit log. Kept apart from the
//! device-facing [`super::Storage`] trait because only the staff pages use it.

use async_trait::async_trait;
use protocol::CaseId;

use super::{StorageError, StoredCase, Upload};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Reviewer,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "reviewer" => Some(Role::Reviewer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffUser {
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub failed_logins: i64,
    /// Unix seconds.
    pub locked_until: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffSession {
    pub username: String,
    pub role: Role,
    pub csrf_token: String,
    pub expires_at: i64,
}

/// A case with its review, as the staff pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewedCase {
    pub stored: StoredCase,
    pub review_state: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub review_note: Option<String>,
}

/// Which cases a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// A receipt code, compact (no hyphen).
    pub receipt_code: Option<String>,
    /// `YYYY-MM-DD`, inclusive, by the day the case was received (UTC).
    pub from: Option<String>,
    pub to: Option<String>,
    /// `new` or `reviewed`.
    pub review_state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: String,
    pub username: String,
    pub action: String,
    pub case_id: Option<CaseId>,
    pub detail: String,
}

#[async_trait]
pub trait StaffStorage: Send + Sync + 'static {
    async fn add_staff_user(&self, user: StaffUser) -> Result<(), StorageError>;
    async fn staff_user(&self, username: &str) -> Result<Option<StaffUser>, StorageError>;
    /// Counts a failed login at `now`; locks the account until `lock_until` once the count
    /// reaches `max`. A lock-out that ended before `now` is forgotten first, so the count starts
    /// again from this failure.
    async fn login_failed(
        &self,
        username: &str,
        max: i64,
        now: i64,
        lock_until: i64,
    ) -> Result<(), StorageError>;
    async fn login_succeeded(&self, username: &str) -> Result<(), StorageError>;

    async fn add_session(
        &self,
        session_hash: &str,
        session: StaffSession,
    ) -> Result<(), StorageError>;
    async fn session(&self, session_hash: &str) -> Result<Option<StaffSession>, StorageError>;
    async fn delete_session(&self, session_hash: &str) -> Result<(), StorageError>;

    /// One page of cases, newest first, and how many match in all.
    async fn find_cases(
        &self,
        filter: &CaseFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<ReviewedCase>, i64), StorageError>;
    async fn reviewed_case(&self, case_id: CaseId) -> Result<Option<ReviewedCase>, StorageError>;
    /// Marks reviewed; `false` if there is no such case.
    async fn review_case(
        &self,
        case_id: CaseId,
        by: &str,
        note: &str,
    ) -> Result<bool, StorageError>;
    async fn photos_of_case(&self, case_id: CaseId) -> Result<Vec<Upload>, StorageError>;

    async fn audit(&self, entry: AuditEntry) -> Result<(), StorageError>;
    /// Newest first.
    async fn audit_log(&self, limit: i64, offset: i64) -> Result<Vec<AuditEntry>, StorageError>;
}
