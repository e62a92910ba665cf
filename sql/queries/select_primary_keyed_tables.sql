-- The warehouse's tables that have a PRIMARY KEY (schema_name, table_name).
SELECT DISTINCT schema_name, table_name
FROM duckdb_constraints()
WHERE constraint_type = 'PRIMARY KEY' AND database_name = current_database()
ORDER BY ALL;
