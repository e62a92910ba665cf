-- The unit a rejected row is about, by name (official when known, else as sent), so the
-- officer reading rejections.csv need not look codes up.
ALTER TABLE staging.rejections ADD COLUMN IF NOT EXISTS unit_name VARCHAR;
