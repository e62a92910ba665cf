DELETE FROM staging.parsed_files WHERE list_contains($shas, sha256);
