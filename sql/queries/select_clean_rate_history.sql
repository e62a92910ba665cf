-- The clean-rate history as published for a period: every period up to it.
SELECT period, unit_code, unit_name, total_children, updated, cleaned,
       CAST(clean_rate_pct AS DOUBLE) AS clean_rate_pct
FROM marts.clean_rate_history
WHERE as_of_period = $period
ORDER BY period, unit_code NULLS LAST;
