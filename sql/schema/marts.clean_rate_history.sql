-- Clean rate per unit and period, in that period's units: each period's own rows only
-- (as_of_period = period; migrations/030_clean_rate_history_own_period.sql drops the
-- rows of the older kind). unit_code is null on the scope's total row.
CREATE SCHEMA IF NOT EXISTS marts;

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
