DELETE FROM raw.inbox_hashes WHERE inbox_path IN (SELECT unnest($paths));
