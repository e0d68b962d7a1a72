-- Devices that may send cases and photos. Only a SHA-256 of each bearer token is kept, so a
-- copy of the database does not hand out working tokens.
CREATE TABLE enrolment_codes (
    code        TEXT PRIMARY KEY NOT NULL,
    label       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    expires_at  INTEGER,
    revoked_at  TEXT,
    uses        INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE devices (
    device_id      TEXT PRIMARY KEY NOT NULL,
    token_hash     TEXT NOT NULL UNIQUE,
    created_at     TEXT NOT NULL,
    expires_at     INTEGER NOT NULL,
    revoked_at     TEXT,
    enrolment_code TEXT REFERENCES enrolment_codes (code)
) STRICT;
