-- Every table and view of a database, for asset metadata.
SELECT table_schema || '.' || table_name AS name, table_type
FROM information_schema.tables
ORDER BY table_schema, table_name;
