-- Files to parse for a period: those counting for it, and those whose period is unknown
-- (any period's run records their rejection once), not yet parsed by this parser
-- version for the period they now count for. parsed_before: parsed already (by another
-- parser version, or for another period), so its earlier rows are to be replaced.
-- (staging.parsed_files holds one row per sha256, its last parse.)
SELECT f.sha256, f.original_name, f.archive_path, f.period_folder, f.period, f.size_bytes, f.received_at,
       p.sha256 IS NOT NULL AS parsed_before
FROM raw.received_files AS f
LEFT JOIN staging.parsed_files AS p ON p.sha256 = f.sha256
WHERE (coalesce(f.period, f.period_folder) = $period OR (f.period IS NULL AND f.period_folder IS NULL))
  AND (p.sha256 IS NULL OR p.parser_version <> $parser_version
       OR p.period IS DISTINCT FROM coalesce(f.period, f.period_folder))
ORDER BY f.received_at, f.original_name;
