DELETE FROM staging.rejections WHERE list_contains($shas, sha256);
