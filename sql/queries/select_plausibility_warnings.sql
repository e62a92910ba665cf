-- Implausible changes against the previous period, as recorded by the plausibility_warnings asset.
SELECT * FROM marts.plausibility_warnings WHERE period = $period;
