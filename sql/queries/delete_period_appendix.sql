DELETE FROM marts.district_appendix WHERE period = $period;
