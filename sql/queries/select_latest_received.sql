-- When the newest figures of a period arrived (stamps the published workbook).
SELECT max(received_at) AS latest FROM marts.commune_snapshot WHERE period = $period;
