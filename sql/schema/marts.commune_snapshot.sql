-- The current figures of each unit for each period (the latest version).
CREATE SCHEMA IF NOT EXISTS marts;

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
