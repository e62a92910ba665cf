DELETE FROM raw.sheet_rows WHERE list_contains($shas, sha256);
