-- A row is a unit's current (latest accepted) figures for a period, with (5), (7), (8),
-- the unit's name as in that period's appendix, and the file they came from.
CREATE OR REPLACE VIEW analytics.latest_figures AS
SELECT s.period,
       s.unit_code,
       a.commune_name AS unit_name,
       s.total_children,
       s.updated,
       s.not_updated,
       s.cleaned,
       s.not_cleaned,
       s.clean_rate_pct,
       s.version,
       h.original_name,
       s.sha256,
       s.received_at
FROM marts.commune_snapshot AS s
LEFT JOIN marts.district_appendix AS a ON a.period = s.period AND a.commune_code = s.unit_code
LEFT JOIN marts.submission_history AS h ON h.period = s.period AND h.unit_code = s.unit_code AND h.version = s.version;
