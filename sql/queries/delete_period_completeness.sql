DELETE FROM marts.completeness WHERE period = $period;
