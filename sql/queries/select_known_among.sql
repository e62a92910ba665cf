-- Which of these content hashes the warehouse already holds (however long its history).
SELECT sha256 FROM raw.received_files WHERE sha256 IN (SELECT unnest(CAST($shas AS VARCHAR[])));
