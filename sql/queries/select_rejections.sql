-- Rejections of one period, or of all periods when $period is null (loose files too).
SELECT original_name, sha256, period, unit_code, unit_name, row_number, code, message
FROM staging.rejections
WHERE $period IS NULL OR period = $period
ORDER BY period NULLS FIRST, original_name, row_number NULLS FIRST, code;
