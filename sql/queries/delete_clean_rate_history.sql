DELETE FROM marts.clean_rate_history WHERE as_of_period = $period;
