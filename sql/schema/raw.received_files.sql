-- One row per distinct file content ever received (sha256 of its bytes). The sha256 is
-- unique, checked on every insert rather than by a PRIMARY KEY (why: db.UNIQUE_KEYS); a
-- warehouse made with the key is rebuilt once without it (db._drop_primary_keys).
CREATE SCHEMA IF NOT EXISTS raw;

CREATE TABLE IF NOT EXISTS raw.received_files (
    sha256          VARCHAR NOT NULL,
    original_name   VARCHAR NOT NULL,   -- file name as the commune sent it
    inbox_path      VARCHAR NOT NULL,   -- path under the inbox where it was first seen
    period_folder   VARCHAR,            -- the inbox folder's period (YYYY-MM), null if loose
    size_bytes      BIGINT NOT NULL,
    archive_path    VARCHAR NOT NULL,   -- byte-for-byte copy, relative to the data dir
    received_at     TIMESTAMP NOT NULL, -- when the pipeline first archived it
    -- The period the file counts for: its inbox folder's, or for a file loose in the inbox
    -- the one written in it; null when neither tells (the file is then rejected with
    -- PERIOD_UNKNOWN or PERIOD_IMPOSSIBLE, and re-filed if it later appears in a period
    -- folder). Last, where migrations/002_received_file_period.sql adds it to an older warehouse.
    period          VARCHAR
);
