-- Whether schema.table exists in the warehouse (for tables another asset may not have built yet).
SELECT count(*) > 0 AS present
FROM information_schema.tables
WHERE table_schema = $table_schema AND table_name = $table_name;
