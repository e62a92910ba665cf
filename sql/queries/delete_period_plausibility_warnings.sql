DELETE FROM marts.plausibility_warnings WHERE period = $period;
