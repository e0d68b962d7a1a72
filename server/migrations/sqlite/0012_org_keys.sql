-- The organisation's sealing keys, as one JSON document (the format of org-keys.json), for
-- installations whose processes share a database. The embedded server keeps its keys in the
-- data directory and leaves this table empty.
CREATE TABLE org_keys (
    id       INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    document TEXT NOT NULL
) STRICT;
