-- What a run did for a period, for the command line's summary.
SELECT
    (SELECT count(*) FROM raw.received_files WHERE coalesce(period, period_folder) = $period) AS files,
    (SELECT count(*) FROM staging.parsed_files WHERE period = $period AND status <> 'rejected') AS files_accepted,
    (SELECT count(*) FROM staging.parsed_files WHERE period = $period AND status = 'rejected') AS files_rejected,
    (SELECT count(*) FROM staging.rejections WHERE period = $period) AS rejections,
    (SELECT count(*) FROM marts.district_appendix WHERE period = $period AND stt IS NOT NULL AND note IS NULL) AS units_reported,
    (SELECT count(*) FROM marts.district_appendix WHERE period = $period AND stt IS NOT NULL) AS units_expected;
