-- The digest of sql/schema/, sql/migrations/ and sql/views/ as last applied: a connection
-- runs them again only when they changed (see db.create_warehouse).
CREATE SCHEMA IF NOT EXISTS pipeline;

CREATE TABLE IF NOT EXISTS pipeline.applied_sql (
    digest          VARCHAR NOT NULL
);
