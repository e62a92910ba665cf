-- Which of these content hashes the warehouse already holds (however long its history),
-- and the period each counts for (null: unknown).
SELECT sha256, period FROM raw.received_files WHERE sha256 IN (SELECT unnest(CAST($shas AS VARCHAR[])));
