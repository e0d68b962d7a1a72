-- Who is writing or finishing an upload right now, across server processes: a lease a request
-- takes with one conditional statement, renews while its body streams, and gives back when done.
-- `holder` is the server process (it keeps its own requests apart in memory), `token` the one
-- request. A process that died leaves its lease to run out (`until`, unix seconds).
CREATE TABLE upload_leases (
    photo_id TEXT PRIMARY KEY NOT NULL,
    holder   TEXT NOT NULL,
    token    TEXT NOT NULL,
    until    INTEGER NOT NULL
) STRICT;
