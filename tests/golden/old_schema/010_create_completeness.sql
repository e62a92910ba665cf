-- Completeness and timeliness of each period's reports (written by the
-- reporting_completeness asset). Idempotent, like every file in sql/schema/.

-- One row per unit expected in a period (the reference units valid in it), whether it
-- reported, and whether its first accepted figures arrived by the period's deadline.
CREATE TABLE IF NOT EXISTS marts.completeness (
    period                  VARCHAR NOT NULL,
    stt                     INTEGER NOT NULL,   -- the unit's row in the appendix
    unit_code               VARCHAR NOT NULL,
    unit_name               VARCHAR NOT NULL,
    status                  VARCHAR NOT NULL,   -- on_time | late | missing
    status_vi               VARCHAR NOT NULL,   -- Đúng hạn | Trễ hạn | Chưa báo cáo
    deadline                DATE NOT NULL,      -- config.toml [deadlines], else end of the following month
    first_received_local    VARCHAR,            -- first accepted version, Vietnam time (UTC+7)
    last_received_local     VARCHAR,            -- latest accepted version, Vietnam time
    versions                INTEGER NOT NULL,   -- accepted versions (1 + corrections)
    days_late               INTEGER             -- days after the deadline, late units only
);
