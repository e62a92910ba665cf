-- The analysts' views: the questions analysts ask, answered over the marts and staging
-- tables. Recreated (CREATE OR REPLACE) whenever the SQL files change, so a change here
-- applies to the warehouse and to the next analysts' copy (analyst.duckdb) without a migration.
CREATE SCHEMA IF NOT EXISTS analytics;
