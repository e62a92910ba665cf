-- A period's current figures (what select_snapshots_until returns for that period alone).
SELECT period, unit_code, total_children, updated, cleaned
FROM marts.commune_snapshot
WHERE period = $period;
