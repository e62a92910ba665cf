-- Every period's current figures up to and including a period; only those after $after
-- when it is not NULL.
SELECT period, unit_code, total_children, updated, cleaned
FROM marts.commune_snapshot
WHERE period <= $period AND ($after IS NULL OR period > $after);
