-- Per unit that reported in a period: when its first and latest accepted versions arrived.
SELECT unit_code,
       min(received_at) AS first_received_at,
       max(received_at) AS last_received_at,
       count(*)         AS versions
FROM marts.submission_history
WHERE period = $period
GROUP BY unit_code
ORDER BY unit_code;
