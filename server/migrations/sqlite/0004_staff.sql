-- The staff side: accounts (argon2id password hashes), sessions (only a SHA-256 of the cookie),
-- the review state of each case, and the audit log of who viewed or exported which case.
CREATE TABLE staff_users (
    username        TEXT PRIMARY KEY NOT NULL,
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('reviewer', 'admin')),
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER,
    created_at      TEXT NOT NULL
) STRICT;

CREATE TABLE staff_sessions (
    session_hash TEXT PRIMARY KEY NOT NULL,
    username     TEXT NOT NULL REFERENCES staff_users (username) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   INTEGER NOT NULL
) STRICT;

ALTER TABLE cases ADD COLUMN review_state TEXT NOT NULL DEFAULT 'new';
ALTER TABLE cases ADD COLUMN reviewed_by TEXT;
ALTER TABLE cases ADD COLUMN reviewed_at TEXT;
ALTER TABLE cases ADD COLUMN review_note TEXT;

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT NOT NULL,
    username TEXT NOT NULL,
    action   TEXT NOT NULL,
    case_id  TEXT,
    detail   TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX audit_log_at ON audit_log (at);
