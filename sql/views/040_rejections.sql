-- A row is a rejection: a whole file (row_number null) or one row of a file, with its
-- stable code, the Vietnamese message sent back to the commune, and where the file is archived.
CREATE OR REPLACE VIEW analytics.rejections AS
SELECT r.period,
       r.original_name,
       r.row_number,
       r.unit_code,
       r.code,
       r.message,
       r.sha256,
       f.received_at,
       f.archive_path
FROM staging.rejections AS r
LEFT JOIN raw.received_files AS f ON f.sha256 = r.sha256;
