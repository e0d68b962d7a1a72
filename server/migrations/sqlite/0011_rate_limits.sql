-- Rate limits every server process on the database shares: events counted per limit (`scope`),
-- key (a client address, an account) and window (its start, unix milliseconds). Windows older
-- than the one before the current are no longer read and are deleted now and then.
CREATE TABLE rate_counts (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (scope, key, window_start)
) STRICT;

CREATE INDEX rate_counts_window ON rate_counts (window_start);
