-- The accepted rows of a period with the file they came from, for the history.
SELECT r.period, r.unit_code, r.sha256, f.original_name, f.received_at, r.row_number,
       r.total_children, r.updated, r.cleaned
FROM staging.submission_rows AS r
JOIN raw.received_files AS f USING (sha256)
WHERE r.period = $period;
