-- As SQLite's 0011: rate limits shared by every server process.
CREATE TABLE rate_counts (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    count        BIGINT NOT NULL,
    PRIMARY KEY (scope, key, window_start)
);

CREATE INDEX rate_counts_window ON rate_counts (window_start);
