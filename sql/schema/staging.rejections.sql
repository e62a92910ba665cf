-- One row per rejection: a whole file (row_number null) or one row of it.
CREATE SCHEMA IF NOT EXISTS staging;

CREATE TABLE IF NOT EXISTS staging.rejections (
    sha256          VARCHAR NOT NULL,
    original_name   VARCHAR NOT NULL,
    period          VARCHAR,
    unit_code       VARCHAR,
    row_number      BIGINT,
    code            VARCHAR NOT NULL,
    message         VARCHAR NOT NULL,
    -- The unit a rejected row is about, by its official name when it is known, so
    -- the officer reading rejections.csv need not look codes up. Last, where
    -- migrations/004_rejection_unit_name.sql adds it to an older warehouse.
    unit_name       VARCHAR
);
