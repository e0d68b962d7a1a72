-- One row per household case. `case_id` is the device-made idempotency key; `fingerprint` is the
-- SHA-256 of the canonical JSON and tells a replay (same) from a conflict (different).
CREATE TABLE cases (
    case_id      TEXT PRIMARY KEY NOT NULL,
    receipt_code TEXT NOT NULL UNIQUE,
    fingerprint  TEXT NOT NULL,
    body         TEXT NOT NULL,
    form_id      TEXT NOT NULL,
    form_version INTEGER NOT NULL,
    people       INTEGER NOT NULL,
    received_at  TEXT NOT NULL
) STRICT;

CREATE INDEX cases_received_at ON cases (received_at);
