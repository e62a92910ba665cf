-- staging.rejections.unit_name, for a warehouse made before the column (see
-- schema/staging.rejections.sql, which makes it last, as this does).
ALTER TABLE staging.rejections ADD COLUMN IF NOT EXISTS unit_name VARCHAR;
