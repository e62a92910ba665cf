"""Trends of a period, per unit and for the whole scope, from its clean-rate history.

For each unit (and the scope's total row) at the period `as_of`: the change from the
previous period it reported, its rank, its pace and when it reaches the target.

- pace: records cleaned per month over the last three periods, that is, from the
  figures three periods back (or the earliest there are) to the current ones, divided
  by the months between them;
- projected period: the month the unit reaches `target_pct` if it keeps that pace;
- status: "reached" (at or above target), "on_track" (a projection exists), "stalled"
  (pace zero), "backwards" (fewer records cleaned than before) or "no_history" (one
  period only). Stalled and backwards rows are flagged.
"""

from __future__ import annotations

import polars as pl

from pipelines.core.numbers import format_vn_rate
from pipelines.core.periods import month_label

PACE_PERIODS = 3
STATUS_LABELS = {
    "reached": "Đã đạt mục tiêu",
    "on_track": "Dự kiến đạt mục tiêu tháng {month}",
    "stalled": "Chững lại: không tăng số trẻ em được làm sạch",
    "backwards": "Giảm: số trẻ em được làm sạch ít hơn trước",
    "no_history": "Chưa đủ số liệu các kỳ trước",
}
TREND_COLUMNS = [
    "period",
    "unit_code",
    "unit_name",
    "total_children",
    "cleaned",
    "clean_rate_pct",
    "previous_period",
    "previous_rate_pct",
    "change_pct_points",
    "rank",
    "pace_per_month",
    "target_pct",
    "projected_period",
    "status",
    "flagged",
]


def month_index(column: str) -> pl.Expr:
    """ "YYYY-MM" → months since year 0, so periods subtract."""
    return pl.col(column).str.slice(0, 4).cast(pl.Int64) * 12 + pl.col(column).str.slice(5, 2).cast(pl.Int64) - 1


def period_from_index(index: pl.Expr) -> pl.Expr:
    year = (index // 12).cast(pl.String)
    month = (index % 12 + 1).cast(pl.String).str.zfill(2)
    return pl.when(index.is_not_null()).then(pl.concat_str(year, pl.lit("-"), month))


def trends(history: pl.DataFrame, as_of: str, target_pct: float) -> pl.DataFrame:
    """`history`: the clean-rate history as of `as_of` (period, unit_code, unit_name, counts,
    clean_rate_pct; the scope's row has a null unit_code). One row per unit reporting at
    `as_of`, in the history's order, the scope's row last.

    A unit is its code (in the history as of `as_of` every row is in that period's units;
    two units may share a name, as communes of different districts do), the scope's rows
    are one more."""
    key = "unit_code"
    current = history.filter(pl.col("period") == as_of)
    # Each unit's rows before `as_of`, in period order: the last is the previous period it
    # reported; the PACE_PERIODS-th last is where its pace is measured from (the earliest
    # when it has fewer). One pass over the history's rows, then the period's rows alone.
    before = (
        history.filter(pl.col("period") < as_of)
        .sort("period", maintain_order=True)
        .group_by(key)
        .agg(
            pl.col("period").last().alias("previous_period"),
            pl.col("clean_rate_pct").last().alias("previous_rate_pct"),
            pl.col("period").tail(PACE_PERIODS).first().alias("start_period"),
            pl.col("cleaned").tail(PACE_PERIODS).first().alias("start_cleaned"),
        )
    )
    target_hundredths = round(target_pct * 100)
    # Without an earlier row, the unit's pace starts at the period itself (no history).
    start_period = pl.coalesce("start_period", "period")
    start_cleaned = pl.coalesce("start_cleaned", "cleaned")
    months = month_index("period") - (
        pl.col("start_period").str.slice(0, 4).cast(pl.Int64) * 12
        + pl.col("start_period").str.slice(5, 2).cast(pl.Int64)
        - 1
    )
    target_cleaned = (pl.col("total_children") * target_hundredths + 9999) // 10000
    remaining = target_cleaned - pl.col("cleaned")
    pace = pl.col("pace_per_month")
    status = (
        pl.when(remaining <= 0)
        .then(pl.lit("reached"))
        .when(pl.col("months") <= 0)
        .then(pl.lit("no_history"))
        .when(pace < 0)
        .then(pl.lit("backwards"))
        .when(pace == 0)
        .then(pl.lit("stalled"))
        .otherwise(pl.lit("on_track"))
    )
    months_to_target = (remaining * pl.col("months") + pl.col("cleaned_gain") - 1) // pl.col("cleaned_gain")
    return (
        current.join(before, on=key, how="left", nulls_equal=True, maintain_order="left")
        .with_columns(start_period.alias("start_period"), start_cleaned.alias("start_cleaned"))
        .with_columns(months.alias("months"), (pl.col("cleaned") - pl.col("start_cleaned")).alias("cleaned_gain"))
        .with_columns(
            pl.when(pl.col("months") > 0)
            .then(pl.col("cleaned_gain") / pl.col("months"))
            .round(1)
            .alias("pace_per_month"),
            (pl.col("clean_rate_pct") - pl.col("previous_rate_pct")).round(2).alias("change_pct_points"),
            pl.when(pl.col("unit_code").is_not_null())
            .then(pl.col("clean_rate_pct").rank("min", descending=True).over(pl.col("unit_code").is_null()))
            .cast(pl.Int32)
            .alias("rank"),
            pl.lit(float(target_pct)).alias("target_pct"),
        )
        .with_columns(status.alias("status"))
        .with_columns(
            pl.when(pl.col("status") == "on_track")
            .then(period_from_index(month_index("period") + months_to_target))
            .alias("projected_period"),
            pl.col("status").is_in(["stalled", "backwards"]).alias("flagged"),
        )
        .select(TREND_COLUMNS)
    )


def status_text(row: dict) -> str:
    """The row's status in Vietnamese, as a reader sees it."""
    text = STATUS_LABELS[row["status"]]
    if row["status"] == "on_track":
        text = text.format(month=month_label(row["projected_period"]))
    return text


def change_text(value: float | None) -> str:
    """+1,25 / -0,50 percentage points; empty without a previous period."""
    if value is None:
        return ""
    return ("+" if value > 0 else "") + format_vn_rate(value)
