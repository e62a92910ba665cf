-- marts.clean_rate_history keeps each period's own rows only: a copy of every earlier
-- period as seen from each period grew with periods² (19 million rows for 10,000 units
-- after 60 periods). The history as of a period is assembled from the snapshots when it
-- is published. Rows of the old kind are dropped once.
DELETE FROM marts.clean_rate_history WHERE period <> as_of_period;
