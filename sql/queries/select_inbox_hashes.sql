-- The remembered hashes of these inbox files (a period folder's and loose ones).
SELECT inbox_path, size_bytes, mtime_ns, ctime_ns, sha256
FROM raw.inbox_hashes
WHERE inbox_path IN (SELECT unnest(CAST($paths AS VARCHAR[])));
