-- The organisation's sealing keys, as one JSON document (the format of org-keys.json), shared by
-- every server process: made by the first to start, replaced whole by `server keys rotate`.
CREATE TABLE org_keys (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    document TEXT NOT NULL
);
