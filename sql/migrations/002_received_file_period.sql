-- raw.received_files.period, for a warehouse made before the column (see
-- schema/raw.received_files.sql, which makes it last, as this does).
ALTER TABLE raw.received_files ADD COLUMN IF NOT EXISTS period VARCHAR;
