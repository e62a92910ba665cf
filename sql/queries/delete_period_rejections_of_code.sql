-- Rejections a step records afresh on every run (one code, one period; null: loose files).
DELETE FROM staging.rejections WHERE period IS NOT DISTINCT FROM $period AND code = $code;
