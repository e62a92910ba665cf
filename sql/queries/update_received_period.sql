-- A content received loose with no known period, now found in a period folder (or its
-- text now naming a possible period): re-file it, so that period's run parses it.
UPDATE raw.received_files
SET period = $period,
    period_folder = coalesce($period_folder, period_folder),
    inbox_path = coalesce($inbox_path, inbox_path)
WHERE sha256 = $sha256 AND period IS NULL;
