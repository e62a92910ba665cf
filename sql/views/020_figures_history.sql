-- A row is one version of a unit's figures for a period: the first report and every
-- correction, oldest first, with the file it came from, when it arrived, and when a later
-- version superseded it (is_current marks the version the appendix uses).
CREATE OR REPLACE VIEW analytics.figures_history AS
SELECT h.period,
       h.unit_code,
       a.commune_name AS unit_name,
       h.version,
       h.is_current,
       h.total_children,
       h.updated,
       h.cleaned,
       h.original_name,
       h.sha256,
       h.received_at,
       h.superseded_at
FROM marts.submission_history AS h
LEFT JOIN marts.district_appendix AS a ON a.period = h.period AND a.commune_code = h.unit_code;
