"""Trends: change, rank, pace over the last three periods, projection and flags."""

import polars as pl

from pipelines.numbers import clean_rate_pct
from pipelines.trends import change_text, status_text, trends


def history(rows):
    """rows: (period, unit_code or None, unit_name, total, cleaned)."""
    frame = pl.DataFrame(rows, schema=["period", "unit_code", "unit_name", "total_children", "cleaned"], orient="row")
    return frame.with_columns(
        pl.col("total_children").alias("updated"),
        clean_rate_pct(pl.col("cleaned"), pl.col("total_children")).alias("clean_rate_pct"),
    )


def by_name(frame):
    return {r["unit_name"]: r for r in frame.iter_rows(named=True)}


def test_pace_projection_rank_and_flags():
    frame = history([
        ("2024-03", "A", "Á", 1000, 100), ("2024-04", "A", "Á", 1000, 400), ("2024-05", "A", "Á", 1000, 500),
        ("2024-06", "A", "Á", 1000, 600), ("2024-07", "A", "Á", 1000, 700),
        ("2024-06", "B", "Bê", 200, 150), ("2024-07", "B", "Bê", 200, 150),
        ("2024-06", "C", "Xê", 300, 200), ("2024-07", "C", "Xê", 300, 180),
        ("2024-07", "D", "Đê", 100, 100),
        ("2024-07", "E", "Ê", 50, 10),
        ("2024-06", None, "Tổng cộng", 1500, 950), ("2024-07", None, "Tổng cộng", 1650, 1140),
    ])
    got = by_name(trends(frame, "2024-07", 100))
    a = got["Á"]
    # Three periods back from 2024-07 is 2024-04 (400): (700 - 400) / 3 months = 100 a month,
    # 300 left → three months → 2024-10.
    assert a["pace_per_month"] == 100.0 and a["projected_period"] == "2024-10" and a["status"] == "on_track"
    assert a["previous_period"] == "2024-06" and a["change_pct_points"] == 10.0
    assert got["Bê"]["status"] == "stalled" and got["Bê"]["flagged"] and got["Bê"]["projected_period"] is None
    assert got["Xê"]["status"] == "backwards" and got["Xê"]["flagged"] and got["Xê"]["pace_per_month"] == -20.0
    assert got["Đê"]["status"] == "reached" and not got["Đê"]["flagged"]
    assert got["Ê"]["status"] == "no_history" and got["Ê"]["change_pct_points"] is None
    assert [got[n]["rank"] for n in ["Đê", "Bê", "Á", "Xê", "Ê"]] == [1, 2, 3, 4, 5]
    total = got["Tổng cộng"]
    assert total["rank"] is None and total["pace_per_month"] == 190.0 and total["projected_period"] == "2024-10"


def test_a_configured_target_below_100():
    frame = history([("2024-06", "A", "Á", 1000, 500), ("2024-07", "A", "Á", 1000, 700)])
    row = by_name(trends(frame, "2024-07", 80))["Á"]
    # 800 needed, 100 left at 200 a month → one month.
    assert row["target_pct"] == 80.0 and row["projected_period"] == "2024-08"
    assert status_text(row) == "Dự kiến đạt mục tiêu tháng 8/2024"
    assert by_name(trends(frame, "2024-07", 70))["Á"]["status"] == "reached"


def test_projection_crosses_the_year():
    frame = history([("2024-11", "A", "Á", 1000, 100), ("2024-12", "A", "Á", 1000, 200)])
    assert by_name(trends(frame, "2024-12", 100))["Á"]["projected_period"] == "2025-08"  # 800 left at 100 a month


def test_change_text_is_vietnamese():
    assert change_text(4.81) == "+4,81" and change_text(-0.5) == "-0,50" and change_text(None) == ""
