"""Completeness and timeliness, as pure functions (no Dagster, no warehouse)."""

import datetime as dt

import polars as pl
import pytest

from pipelines.core.scope import configured_scope
from pipelines.core.units import units_valid_in
from pipelines.quality.completeness import (
    completeness,
    deadline_for,
    default_deadline,
    period_containing,
    previous_periods,
    reminder_text,
    summary,
)


@pytest.fixture(scope="module")
def units():
    return units_valid_in(configured_scope().units, "2024-07")


def receipts(rows):
    return pl.DataFrame(rows, schema=["unit_code", "first_received_at", "last_received_at", "versions"], orient="row")


def test_default_deadline_is_the_end_of_the_following_month():
    assert default_deadline("2024-07") == dt.date(2024, 8, 31)
    assert default_deadline("2024-01") == dt.date(2024, 2, 29)
    assert default_deadline("2024-12") == dt.date(2025, 1, 31)
    assert default_deadline("2024-07", "quarterly") == dt.date(2024, 10, 31)


def test_configured_deadline_wins():
    assert deadline_for("2024-07", {"2024-07": "2024-09-30"}) == dt.date(2024, 9, 30)
    assert deadline_for("2024-06", {"2024-07": "2024-09-30"}) == dt.date(2024, 7, 31)


def test_period_arithmetic():
    assert period_containing(dt.date(2024, 8, 5)) == "2024-08"
    assert period_containing(dt.date(2024, 8, 5), "quarterly") == "2024-07"
    assert previous_periods("2024-02", 3) == ["2024-02", "2024-01", "2023-12"]
    assert previous_periods("2024-04", 2, "quarterly") == ["2024-04", "2024-01"]
    with pytest.raises(ValueError):
        period_containing(dt.date(2024, 8, 5), "weekly")


def test_on_time_late_and_missing_against_the_deadline_in_vietnam_time(units):
    deadline = dt.date(2024, 9, 30)
    table = completeness(
        units,
        receipts(
            [
                # 16:59 UTC = 23:59 in Vietnam on the deadline day: on time.
                ("21961", dt.datetime(2024, 9, 30, 16, 59), dt.datetime(2024, 10, 3), 2),
                # 17:00 UTC = 00:00 on 1/10 in Vietnam: one day late.
                ("21964", dt.datetime(2024, 9, 30, 17, 0), dt.datetime(2024, 9, 30, 17, 0), 1),
                ("21967", dt.datetime(2024, 10, 12, 2, 0), dt.datetime(2024, 10, 12, 2, 0), 1),
                ("99999", dt.datetime(2024, 8, 1), dt.datetime(2024, 8, 1), 1),  # not expected: ignored
            ]
        ),
        deadline,
    )
    assert table.height == 13
    assert table["stt"].to_list() == list(range(1, 14))
    rows = {r["unit_code"]: r for r in table.iter_rows(named=True)}
    assert (rows["21961"]["status"], rows["21961"]["days_late"], rows["21961"]["versions"]) == ("on_time", None, 2)
    assert rows["21961"]["first_received_local"] == "2024-09-30 23:59:00"
    assert (rows["21964"]["status"], rows["21964"]["status_vi"], rows["21964"]["days_late"]) == ("late", "Trễ hạn", 1)
    assert (rows["21967"]["status"], rows["21967"]["days_late"]) == ("late", 12)
    assert rows["21958"]["status"] == "missing" and rows["21958"]["status_vi"] == "Chưa báo cáo"
    assert rows["21958"]["versions"] == 0 and rows["21958"]["first_received_local"] is None
    assert set(table["deadline"].to_list()) == {deadline}
    assert summary(table) == {
        "units_expected": 13,
        "units_reported": 3,
        "units_on_time": 1,
        "units_late": 2,
        "units_missing": 10,
    }


def test_reminder_lists_missing_then_late_units_in_vietnamese(units):
    table = completeness(
        units,
        receipts(
            [
                ("21964", dt.datetime(2024, 10, 1, 3, 0), dt.datetime(2024, 10, 1, 3, 0), 1),
            ]
        ),
        dt.date(2024, 9, 30),
    )
    text = reminder_text(table, "2024-07", dt.date(2024, 9, 30))
    lines = text.splitlines()
    assert lines[0] == "NHẮC BÁO CÁO SỐ LIỆU TRẺ EM — KỲ 7/2024"
    assert lines[1] == "Hạn báo cáo: 30/9/2024."
    assert lines[2] == "Đã báo cáo: 1/13 đơn vị (trong đó 1 đơn vị báo cáo trễ hạn)."
    assert "Đơn vị chưa báo cáo, cần nhắc (12):" in lines
    assert "1. Phước Hưng" in lines and "12. TT Diêu Trì" in lines
    assert lines[-1] == "1. Phước Quang — nhận ngày 1/10/2024, trễ 1 ngày"


def test_reminder_when_everyone_reported_on_time(units):
    when = dt.datetime(2024, 8, 1)
    table = completeness(units, receipts([(c, when, when, 1) for c in units["unit_code"]]), dt.date(2024, 9, 30))
    text = reminder_text(table, "2024-07", dt.date(2024, 9, 30))
    assert "Tất cả đơn vị đã báo cáo." in text and "trễ" not in text
