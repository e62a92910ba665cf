-- Rejections a step records afresh on every run (one code, one period).
DELETE FROM staging.rejections WHERE period = $period AND code = $code;
