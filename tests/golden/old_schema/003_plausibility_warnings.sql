-- Figures accepted but implausible against the unit's previous period (a sharp change
-- of total children, cleaned going down): shown beside the appendix, never blocking.
CREATE TABLE IF NOT EXISTS marts.plausibility_warnings (
    period           VARCHAR NOT NULL,
    unit_code        VARCHAR NOT NULL,
    unit_name        VARCHAR NOT NULL,
    code             VARCHAR NOT NULL,   -- TOTAL_CHANGED_SHARPLY | CLEANED_DECREASED
    previous_period  VARCHAR NOT NULL,
    previous_value   BIGINT NOT NULL,
    value            BIGINT NOT NULL,
    change_pct       DOUBLE,
    message          VARCHAR NOT NULL    -- Vietnamese, for the district officer
);
