-- One row per document photo upload (tus). The photo ID is the upload's ID, so re-creating an
-- upload for a photo the server already knows finds this row. A photo counts as stored once
-- `completed_at` is set, which happens only after its whole-file SHA-256 matched.
CREATE TABLE uploads (
    photo_id     TEXT PRIMARY KEY NOT NULL,
    case_id      TEXT NOT NULL,
    length       INTEGER NOT NULL,
    "offset"     INTEGER NOT NULL DEFAULT 0,
    sha256       TEXT NOT NULL,
    content_type TEXT NOT NULL,
    metadata     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   INTEGER NOT NULL,
    completed_at TEXT
) STRICT;

CREATE INDEX uploads_expires_at ON uploads (expires_at) WHERE completed_at IS NULL;
CREATE INDEX uploads_case_id ON uploads (case_id);
