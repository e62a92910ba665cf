DELETE FROM marts.submission_history WHERE period = $period;
