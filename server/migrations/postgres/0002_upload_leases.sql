-- As SQLite's 0010: one writer per upload across every server process.
CREATE TABLE upload_leases (
    photo_id TEXT PRIMARY KEY,
    holder   TEXT NOT NULL,
    token    TEXT NOT NULL,
    until    BIGINT NOT NULL
);
