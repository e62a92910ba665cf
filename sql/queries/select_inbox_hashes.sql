-- The remembered hashes of one period folder's files.
SELECT inbox_path, size_bytes, mtime_ns, ctime_ns, sha256
FROM raw.inbox_hashes
WHERE starts_with(inbox_path, $prefix);
