-- Form definitions the organisation uploads: a version is a draft until published, and a
-- published version never changes (cases name it and are validated against it forever).
-- The household form, version 1, is built into the server and is not stored here.
CREATE TABLE forms (
    form_id      TEXT NOT NULL,
    version      INTEGER NOT NULL,
    title        TEXT NOT NULL,
    definition   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    published_at TEXT,
    PRIMARY KEY (form_id, version)
) STRICT;
