"""Reporting periods as Dagster partitions, from data/config.toml (monthly by default).

The partitions run from the programme's first period ([periods] first) to the current one:
the UI counts only periods the programme covers. A period nobody reported has no run and
shows as not materialised (grey), never as failed; a run for it (the daily schedule's, for
the current period) succeeds and publishes an appendix whose units have not reported yet.
"""

from __future__ import annotations

import dagster as dg

from pipelines.core import clock
from pipelines.core.periods import is_period, period_of
from pipelines.core.settings import Programme

CRON_BY_PERIOD_TYPE = {
    "monthly": "0 0 1 * *",
    "quarterly": "0 0 1 1,4,7,10 *",
}


def period_partitions(programme: Programme) -> dg.TimeWindowPartitionsDefinition:
    """Partitions named "YYYY-MM" (the month a period starts), the current one included."""
    cron = CRON_BY_PERIOD_TYPE.get(programme.period_type)
    if cron is None:
        raise ValueError(f"unknown period type in config.toml: {programme.period_type!r}")
    if not is_period(programme.first_period):
        raise ValueError(f"[periods] first in config.toml must be YYYY-MM, got {programme.first_period!r}")
    return dg.TimeWindowPartitionsDefinition(
        start=programme.first_period,
        fmt="%Y-%m",
        cron_schedule=cron,
        end_offset=1,
    )


PROGRAMME = Programme.load()
PERIODS = period_partitions(PROGRAMME)


def period_bounds() -> tuple[str, str]:
    """The periods a file may state: from the configured first one to the current month."""
    return PROGRAMME.first_period, period_of(clock.now().date())
