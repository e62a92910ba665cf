-- A fingerprint of what select_snapshots_until returns ($after NULL), without moving
-- the rows: the row count and the sum and xor of each row's hash (order does not matter;
-- any changed, added or removed row changes it).
SELECT count(*) AS row_count,
       coalesce(sum(hash(period, unit_code, total_children, updated, cleaned)::HUGEINT), 0)::VARCHAR AS hash_sum,
       coalesce(bit_xor(hash(period, unit_code, total_children, updated, cleaned)), 0)::VARCHAR AS hash_xor
FROM marts.commune_snapshot
WHERE period <= $period;
