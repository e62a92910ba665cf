SELECT stt, commune_code, commune_name, total_children, updated, not_updated,
       cleaned, not_cleaned, CAST(clean_rate_pct AS DOUBLE) AS clean_rate_pct, note
FROM marts.district_appendix
WHERE period = $period
ORDER BY stt NULLS LAST;
