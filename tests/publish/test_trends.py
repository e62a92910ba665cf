"""Trends: change, rank, pace over the last three periods, projection and flags."""

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.core.numbers import clean_rate_pct
from pipelines.publish.trends import change_text, status_text, trends


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
    frame = history(
        [
            ("2024-03", "A", "Á", 1000, 100),
            ("2024-04", "A", "Á", 1000, 400),
            ("2024-05", "A", "Á", 1000, 500),
            ("2024-06", "A", "Á", 1000, 600),
            ("2024-07", "A", "Á", 1000, 700),
            ("2024-06", "B", "Bê", 200, 150),
            ("2024-07", "B", "Bê", 200, 150),
            ("2024-06", "C", "Xê", 300, 200),
            ("2024-07", "C", "Xê", 300, 180),
            ("2024-07", "D", "Đê", 100, 100),
            ("2024-07", "E", "Ê", 50, 10),
            ("2024-06", None, "Tổng cộng", 1500, 950),
            ("2024-07", None, "Tổng cộng", 1650, 1140),
        ]
    )
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


def test_units_sharing_a_name_keep_their_own_trend():
    # Communes of two districts may share a name: each is its own unit (its code).
    frame = history(
        [
            ("2024-06", "A", "Xã Tân Lập", 1000, 300),
            ("2024-07", "A", "Xã Tân Lập", 1000, 500),
            ("2024-06", "B", "Xã Tân Lập", 100, 90),
            ("2024-07", "B", "Xã Tân Lập", 100, 95),
            ("2024-06", None, "Tổng cộng", 1100, 390),
            ("2024-07", None, "Tổng cộng", 1100, 595),
        ]
    )
    got = {r["unit_code"]: r for r in trends(frame, "2024-07", 100).iter_rows(named=True)}
    assert got["A"]["previous_rate_pct"] == 30.0 and got["A"]["pace_per_month"] == 200.0
    assert got["B"]["previous_rate_pct"] == 90.0 and got["B"]["pace_per_month"] == 5.0
    assert got[None]["previous_period"] == "2024-06" and got[None]["pace_per_month"] == 205.0


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_previous_period_and_pace_follow_their_definitions(data):
    """Against a plain reading of the definitions, for units reporting with gaps, units
    sharing a name, and rows in any order within a period."""
    months = [f"{2023 + m // 12}-{m % 12 + 1:02d}" for m in range(8, 20)]
    codes = ["A", "B", "C", "D"]
    names = {c: data.draw(st.sampled_from(["Xã Một", "Xã Hai"])) for c in codes}
    periods = sorted(data.draw(st.lists(st.sampled_from(months), min_size=1, max_size=8, unique=True)))
    rows = []
    for period in periods:
        reporting = data.draw(st.lists(st.sampled_from(codes), unique=True))
        reporting = data.draw(st.permutations(reporting))
        for code in reporting:
            total = data.draw(st.integers(1, 10_000))
            rows.append((period, code, names[code], total, data.draw(st.integers(0, total))))
        if reporting:
            rows.append(
                (
                    period,
                    None,
                    "Tổng cộng",
                    sum(r[3] for r in rows if r[0] == period),
                    sum(r[4] for r in rows if r[0] == period),
                )
            )
    if not rows:
        return
    frame = history(rows)
    as_of = data.draw(st.sampled_from(sorted({r[0] for r in rows})))
    got = trends(frame, as_of, 100)
    rates = {(r["period"], r["unit_code"]): r["clean_rate_pct"] for r in frame.iter_rows(named=True)}

    def month(p):
        return int(p[:4]) * 12 + int(p[5:]) - 1

    current = [r for r in rows if r[0] == as_of]
    assert [(r["unit_code"], r["cleaned"]) for r in got.iter_rows(named=True)] == [(r[1], r[4]) for r in current]
    for row, (period, code, _, _, cleaned) in zip(got.iter_rows(named=True), current, strict=True):
        earlier = sorted((r for r in rows if r[1] == code and r[0] < period), key=lambda r: r[0])
        previous = earlier[-1] if earlier else None
        assert row["previous_period"] == (previous[0] if previous else None)
        assert row["previous_rate_pct"] == (rates[(previous[0], code)] if previous else None)
        start = earlier[-3] if len(earlier) >= 3 else (earlier[0] if earlier else None)
        if start is None:
            assert row["pace_per_month"] is None and row["status"] in ("no_history", "reached")
        else:
            assert row["pace_per_month"] == round((cleaned - start[4]) / (month(period) - month(start[0])), 1)
