"""The daily schedule, evaluated with Dagster's schedule test context."""

import datetime as dt

import dagster as dg
import pytest

from pipelines.schedules import daily_publication, periods_to_publish

DEADLINES = {"2024-07": "2024-09-30"}


def test_the_current_period_every_day():
    assert periods_to_publish(dt.date(2024, 9, 12), DEADLINES, "monthly", "2019-01") == [("2024-09", "current")]


def test_periods_due_today_and_yesterday():
    # 30/9/2024: 2024-07 (configured) and 2024-08 (end of the following month) are both due.
    assert periods_to_publish(dt.date(2024, 9, 30), DEADLINES, "monthly", "2019-01") == [
        ("2024-07", "deadline"),
        ("2024-08", "deadline"),
        ("2024-09", "current"),
    ]
    assert periods_to_publish(dt.date(2024, 10, 1), DEADLINES, "monthly", "2019-01") == [
        ("2024-07", "after-deadline"),
        ("2024-08", "after-deadline"),
        ("2024-10", "current"),
    ]


def test_quarterly_periods():
    assert periods_to_publish(dt.date(2024, 10, 31), {}, "quarterly", "2019-01") == [
        ("2024-07", "deadline"),
        ("2024-10", "current"),
    ]


def test_nothing_before_the_first_period():
    assert periods_to_publish(dt.date(2019, 2, 28), {}, "monthly", "2019-02") == [("2019-02", "current")]


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # 06:00 in Vietnam on 30/9/2024 is 23:00 UTC the day before.
        (dt.datetime(2024, 9, 29, 23, 0, tzinfo=dt.UTC), ["2024-07", "2024-08", "2024-09"]),
        (dt.datetime(2024, 9, 12, 23, 0, tzinfo=dt.UTC), ["2024-09"]),
    ],
)
def test_schedule_ticks(utc, expected):
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(instance=instance, scheduled_execution_time=utc)
        requests = daily_publication(context)
    assert [r.partition_key for r in requests] == expected
    day = (utc + dt.timedelta(hours=7)).date().isoformat()
    assert all(r.run_key.endswith(f":{r.partition_key}:{day}") for r in requests)
    assert len({r.run_key for r in requests}) == len(requests)
    assert all(r.tags["trigger"] == "schedule" for r in requests)
