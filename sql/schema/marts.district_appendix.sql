-- The district appendix (PHỤ LỤC) of each period, row for row as published.
CREATE SCHEMA IF NOT EXISTS marts;

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
