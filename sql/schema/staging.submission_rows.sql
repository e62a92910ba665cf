-- One row per accepted figure row of a file: a unit's figures for a period.
CREATE SCHEMA IF NOT EXISTS staging;

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
