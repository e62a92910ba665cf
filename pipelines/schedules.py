"""The daily schedule: re-publish the current period, and each period on its deadline.

Every morning (06:00, Vietnam time) the schedule requests a run for:
- the current period (the one today falls in), so its appendix and reminder list are fresh;
- every period whose deadline is today (the last-day reminder list) or was yesterday (the
  final publication, with everything received up to the end of the deadline day).
Deadlines come from data/config.toml [deadlines]; a period not listed is due on the last
day of the month after it ends. Each request's run_key names its reason and date, so a
tick evaluated twice never runs twice.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines.jobs import JOB_NAME
from pipelines.partitions import PROGRAMME
from pipelines.quality.completeness import deadline_for, period_containing, previous_periods

TIME_ZONE = "Asia/Ho_Chi_Minh"
CRON = "0 6 * * *"
# How far back a deadline may lie from its period (a generous bound: 24 periods).
LOOKBACK_PERIODS = 24


def periods_to_publish(
    today: dt.date, deadlines: dict[str, str], period_type: str, first_period: str
) -> list[tuple[str, str]]:
    """(period, reason) pairs for `today`: the current period, then periods due today or yesterday."""
    current = period_containing(today, period_type)
    plans = [(current, "current")]
    yesterday = today - dt.timedelta(days=1)
    for period in previous_periods(current, LOOKBACK_PERIODS, period_type):
        if period < first_period:
            break
        due = deadline_for(period, deadlines, period_type)
        if due == today:
            plans.append((period, "deadline"))
        elif due == yesterday:
            plans.append((period, "after-deadline"))
    seen, unique = set(), []
    for period, reason in plans:
        if period not in seen:
            seen.add(period)
            unique.append((period, reason))
    return sorted(unique)


@dg.schedule(
    job_name=JOB_NAME,
    cron_schedule=CRON,
    execution_timezone=TIME_ZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "Daily at 06:00 (Asia/Ho_Chi_Minh): re-publish the current period, and any period "
        "whose deadline (config.toml [deadlines]) is today or was yesterday."
    ),
)
def daily_publication(context: dg.ScheduleEvaluationContext):
    when = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
    today = when.astimezone(ZoneInfo(TIME_ZONE)).date()
    plans = periods_to_publish(today, PROGRAMME.deadlines, PROGRAMME.period_type, PROGRAMME.first_period)
    return [
        dg.RunRequest(
            run_key=f"{reason}:{period}:{today.isoformat()}",
            partition_key=period,
            tags={"trigger": "schedule", "reason": reason},
        )
        for period, reason in plans
    ]
