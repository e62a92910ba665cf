-- One row per file parsed: which period it counts for and how it went.
CREATE SCHEMA IF NOT EXISTS staging;

CREATE TABLE IF NOT EXISTS staging.parsed_files (
    sha256          VARCHAR NOT NULL,   -- unique, as raw.received_files' (db.UNIQUE_KEYS)
    period          VARCHAR,
    parser_version  INTEGER NOT NULL,
    status          VARCHAR NOT NULL,   -- accepted | partly_rejected | rejected
    rows_accepted   INTEGER NOT NULL,
    rows_rejected   INTEGER NOT NULL,
    parsed_at       TIMESTAMP NOT NULL
);
