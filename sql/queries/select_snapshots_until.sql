-- Every period's current figures up to and including a period.
SELECT period, unit_code, total_children, updated, cleaned
FROM marts.commune_snapshot
WHERE period <= $period;
