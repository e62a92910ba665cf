-- A row is a unit expected in a period: whether it reported, on time or late against the
-- period's deadline, or not at all (status on_time | late | missing).
CREATE OR REPLACE VIEW analytics.completeness AS
SELECT period, stt, unit_code, unit_name, status, status_vi, deadline,
       first_received_local, last_received_local, versions, days_late
FROM marts.completeness;
