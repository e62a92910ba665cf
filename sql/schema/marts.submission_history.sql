-- Every accepted version of a unit's figures for a period, oldest first.
CREATE SCHEMA IF NOT EXISTS marts;

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
