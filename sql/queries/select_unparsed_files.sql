-- Files received for a period that have not yet been parsed by this parser version.
SELECT f.sha256, f.original_name, f.archive_path, f.period_folder, f.received_at
FROM raw.received_files AS f
LEFT JOIN staging.parsed_files AS p
       ON p.sha256 = f.sha256 AND p.parser_version = $parser_version
WHERE f.period_folder = $period AND p.sha256 IS NULL
ORDER BY f.received_at, f.original_name;
