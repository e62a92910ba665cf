DELETE FROM marts.commune_snapshot WHERE period = $period;
