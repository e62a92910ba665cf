-- A fingerprint of a period's clean-rate history (every column of every row, as
-- select_snapshots_fingerprint), without moving the rows.
SELECT count(*) AS row_count,
       coalesce(sum(hash(period, unit_code, unit_name, total_children, updated, cleaned, clean_rate_pct)::HUGEINT), 0)::VARCHAR AS hash_sum,
       coalesce(bit_xor(hash(period, unit_code, unit_name, total_children, updated, cleaned, clean_rate_pct)), 0)::VARCHAR AS hash_xor
FROM marts.clean_rate_history
WHERE as_of_period = $period;
