DELETE FROM staging.submission_rows WHERE list_contains($shas, sha256);
