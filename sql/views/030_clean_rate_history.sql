-- A row is a unit's clean rate (8) in a period as published in that period's appendix;
-- unit_code is null on the row of the whole scope ("Tổng cộng"), whose rate is computed
-- from summed counts. Units that had not reported have null figures.
CREATE OR REPLACE VIEW analytics.clean_rate_history AS
SELECT period,
       commune_code AS unit_code,
       commune_name AS unit_name,
       total_children,
       updated,
       cleaned,
       clean_rate_pct,
       note
FROM marts.district_appendix;
