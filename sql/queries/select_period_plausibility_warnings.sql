SELECT period, unit_code, unit_name, code, previous_period, previous_value, value, change_pct, message
FROM marts.plausibility_warnings
WHERE period = $period
ORDER BY unit_code, code;
