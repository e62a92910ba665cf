-- The analysts' views: the questions analysts ask, answered over the marts and staging
-- tables. Recreated on every connection (CREATE OR REPLACE), so a change here applies to
-- the warehouse and to the next analysts' copy (analyst.duckdb) without a migration.
CREATE SCHEMA IF NOT EXISTS analytics;
