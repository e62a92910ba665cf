-- The warehouse, layered as analysts expect: raw (what arrived) → staging (typed rows,
-- one per source row) → marts (history, snapshot, clean-rate history, appendix).
-- Every statement is idempotent: the pipeline runs this file at the start of each step.

CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS marts;

-- One row per distinct file content ever received (sha256 of its bytes). The sha256 is
-- unique, checked on every insert rather than by a PRIMARY KEY (why: warehouse.UNIQUE_KEYS);
-- a warehouse made with the key is rebuilt once without it (warehouse._drop_primary_keys).
CREATE TABLE IF NOT EXISTS raw.received_files (
    sha256          VARCHAR NOT NULL,
    original_name   VARCHAR NOT NULL,   -- file name as the commune sent it
    inbox_path      VARCHAR NOT NULL,   -- path under the inbox where it was first seen
    period_folder   VARCHAR,            -- the inbox folder's period (YYYY-MM), null if loose
    size_bytes      BIGINT NOT NULL,
    archive_path    VARCHAR NOT NULL,   -- byte-for-byte copy, relative to the data dir
    received_at     TIMESTAMP NOT NULL  -- when the pipeline first archived it
);

-- Every cell of every sheet read from a file, as text, extra columns included.
CREATE TABLE IF NOT EXISTS raw.sheet_rows (
    sha256      VARCHAR NOT NULL,
    sheet       VARCHAR NOT NULL,
    row_number  BIGINT NOT NULL,
    cells       VARCHAR[]
);

-- One row per file parsed: which period it counts for and how it went.
CREATE TABLE IF NOT EXISTS staging.parsed_files (
    sha256          VARCHAR NOT NULL,   -- unique, as raw.received_files' (warehouse.UNIQUE_KEYS)
    period          VARCHAR,
    parser_version  INTEGER NOT NULL,
    status          VARCHAR NOT NULL,   -- accepted | partly_rejected | rejected
    rows_accepted   INTEGER NOT NULL,
    rows_rejected   INTEGER NOT NULL,
    parsed_at       TIMESTAMP NOT NULL
);

-- One row per accepted figure row of a file: a unit's figures for a period.
CREATE TABLE IF NOT EXISTS staging.submission_rows (
    sha256          VARCHAR NOT NULL,
    row_number      BIGINT NOT NULL,
    period          VARCHAR NOT NULL,
    unit_code       VARCHAR NOT NULL,
    unit_name_sent  VARCHAR,
    total_children  BIGINT NOT NULL,
    updated         BIGINT NOT NULL,
    cleaned         BIGINT NOT NULL
);

-- One row per rejection: a whole file (row_number null) or one row of it.
CREATE TABLE IF NOT EXISTS staging.rejections (
    sha256          VARCHAR NOT NULL,
    original_name   VARCHAR NOT NULL,
    period          VARCHAR,
    unit_code       VARCHAR,
    row_number      BIGINT,
    code            VARCHAR NOT NULL,
    message         VARCHAR NOT NULL
);

-- Every accepted version of a unit's figures for a period, oldest first.
CREATE TABLE IF NOT EXISTS marts.submission_history (
    period          VARCHAR NOT NULL,
    unit_code       VARCHAR NOT NULL,
    version         INTEGER NOT NULL,
    sha256          VARCHAR NOT NULL,
    original_name   VARCHAR NOT NULL,
    received_at     TIMESTAMP NOT NULL,
    row_number      BIGINT NOT NULL,
    total_children  BIGINT NOT NULL,
    updated         BIGINT NOT NULL,
    cleaned         BIGINT NOT NULL,
    is_current      BOOLEAN NOT NULL,
    superseded_at   TIMESTAMP
);

-- The current figures of each unit for each period (the latest version).
CREATE TABLE IF NOT EXISTS marts.commune_snapshot (
    period          VARCHAR NOT NULL,
    unit_code       VARCHAR NOT NULL,
    total_children  BIGINT NOT NULL,
    updated         BIGINT NOT NULL,
    not_updated     BIGINT NOT NULL,
    cleaned         BIGINT NOT NULL,
    not_cleaned     BIGINT NOT NULL,
    clean_rate_pct  DECIMAL(5, 2),
    version         INTEGER NOT NULL,
    sha256          VARCHAR NOT NULL,
    received_at     TIMESTAMP NOT NULL
);

-- Clean rate per unit and period, in that period's units (as_of_period = period since
-- 030_clean_rate_history_own_period.sql). unit_code is null on the scope's total row.
CREATE TABLE IF NOT EXISTS marts.clean_rate_history (
    as_of_period    VARCHAR NOT NULL,
    period          VARCHAR NOT NULL,
    unit_code       VARCHAR,
    unit_name       VARCHAR NOT NULL,
    total_children  BIGINT,
    updated         BIGINT,
    cleaned         BIGINT,
    clean_rate_pct  DECIMAL(5, 2)
);

-- The district appendix (PHỤ LỤC) of each period, row for row as published.
CREATE TABLE IF NOT EXISTS marts.district_appendix (
    period          VARCHAR NOT NULL,
    stt             INTEGER,            -- null on the total row
    commune_code    VARCHAR,            -- null on the total row
    commune_name    VARCHAR NOT NULL,
    total_children  BIGINT,
    updated         BIGINT,
    not_updated     BIGINT,
    cleaned         BIGINT,
    not_cleaned     BIGINT,
    clean_rate_pct  DECIMAL(5, 2),
    note            VARCHAR
);
