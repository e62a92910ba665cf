-- The period a received file counts for: its inbox folder's, or for a file loose in the
-- inbox the one written in it; null when neither tells (the file is then rejected with
-- PERIOD_UNKNOWN or PERIOD_IMPOSSIBLE, and re-filed if it later appears in a period folder).
ALTER TABLE raw.received_files ADD COLUMN IF NOT EXISTS period VARCHAR;
