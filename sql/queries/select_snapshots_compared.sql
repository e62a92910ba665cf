-- What the plausibility warnings of a period compare: each unit's current figures of the
-- period, and its latest figures before it (older periods never count: if the latest
-- earlier report is from before the unit's valid_from, every older one is too). Two rows
-- per unit at most, however long the history.
SELECT period, unit_code, total_children, updated, cleaned
FROM marts.commune_snapshot
WHERE period <= $period
QUALIFY row_number() OVER (PARTITION BY unit_code, period = $period ORDER BY period DESC) = 1
ORDER BY period, unit_code;
