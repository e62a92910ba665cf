-- Every content already received, and the period it counts for (null: unknown).
SELECT sha256, period FROM raw.received_files;
