"""Figures that are possible but implausible: accepted, and shown as warnings beside the appendix.

A unit's figures for a period are compared with its figures in the latest earlier
period it reported, as long as it is the same unit (a code reused by the 2025
reorganisation names a different area, so figures from before the unit's valid_from are
never compared). Two warnings:
- TOTAL_CHANGED_SHARPLY: (3) total children moved by more than 20 % either way;
- CLEANED_DECREASED: (6) cleaned went down (cleaned records are not normally undone).
"""

from __future__ import annotations

import polars as pl

from pipelines.core.numbers import format_vn_int
from pipelines.core.period_text import label
from pipelines.core.units import units_valid_in

TOTAL_CHANGE_LIMIT_PCT = 20

MESSAGES = {
    "TOTAL_CHANGED_SHARPLY": (
        "{unit}: tổng số trẻ em {value} thay đổi {change}% so với {previous_label} ({previous_value}). "
        "Số liệu vẫn được tổng hợp vào Phụ lục; đề nghị địa phương kiểm tra lại và gửi bản sửa nếu có sai sót."
    ),
    "CLEANED_DECREASED": (
        "{unit}: số trẻ em đã làm sạch dữ liệu giảm từ {previous_value} ({previous_label}) xuống {value}. "
        "Số liệu vẫn được tổng hợp vào Phụ lục; đề nghị địa phương kiểm tra lại và gửi bản sửa nếu có sai sót."
    ),
}

WARNING_SCHEMA = {
    "period": pl.String,
    "unit_code": pl.String,
    "unit_name": pl.String,
    "code": pl.String,
    "previous_period": pl.String,
    "previous_value": pl.Int64,
    "value": pl.Int64,
    "change_pct": pl.Float64,
    "message": pl.String,
}
WARNING_COLUMNS = list(WARNING_SCHEMA)


def previous_figures(snapshots: pl.DataFrame, units: pl.DataFrame, period: str) -> pl.DataFrame:
    """Each unit of `period` with its figures and those of the latest earlier period of the same unit."""
    valid = units_valid_in(units, period).select("unit_code", "unit_name", "valid_from", "appendix_order")
    current = snapshots.filter(pl.col("period") == period).join(valid, on="unit_code", how="inner")
    earlier = (
        snapshots.filter(pl.col("period") < period)
        .join(valid.select("unit_code", "valid_from"), on="unit_code", how="inner")
        .filter((pl.col("period") + "-01").str.to_date() >= pl.col("valid_from"))
        .sort("period")
        .group_by("unit_code")
        .last()
        .select(
            "unit_code",
            pl.col("period").alias("previous_period"),
            pl.col("total_children").alias("previous_total"),
            pl.col("cleaned").alias("previous_cleaned"),
        )
    )
    return current.join(earlier, on="unit_code", how="inner")


def plausibility_warnings(snapshots: pl.DataFrame, units: pl.DataFrame, period: str) -> pl.DataFrame:
    """The warnings of `period`: snapshots (period, unit_code, counts) of it and earlier periods."""
    pairs = previous_figures(snapshots, units, period)
    change = (pl.col("total_children") - pl.col("previous_total")) * 100 / pl.col("previous_total")
    total = pairs.filter((pl.col("previous_total") > 0) & (change.abs() > TOTAL_CHANGE_LIMIT_PCT)).select(
        "period",
        "unit_code",
        "unit_name",
        "appendix_order",
        pl.lit("TOTAL_CHANGED_SHARPLY").alias("code"),
        "previous_period",
        pl.col("previous_total").alias("previous_value"),
        pl.col("total_children").alias("value"),
        change.round(2).alias("change_pct"),
    )
    cleaned = pairs.filter(pl.col("cleaned") < pl.col("previous_cleaned")).select(
        "period",
        "unit_code",
        "unit_name",
        "appendix_order",
        pl.lit("CLEANED_DECREASED").alias("code"),
        "previous_period",
        pl.col("previous_cleaned").alias("previous_value"),
        pl.col("cleaned").alias("value"),
        ((pl.col("cleaned") - pl.col("previous_cleaned")) * 100 / pl.col("previous_cleaned"))
        .round(2)
        .alias("change_pct"),
    )
    found = pl.concat([total, cleaned]).sort("appendix_order", "code")
    messages = [
        MESSAGES[row["code"]].format(
            unit=row["unit_name"],
            value=format_vn_int(row["value"]),
            previous_value=format_vn_int(row["previous_value"]),
            previous_label=label(row["previous_period"]),
            change=f"{row['change_pct']:+.1f}".replace(".", ","),
        )
        for row in found.iter_rows(named=True)
    ]
    return found.with_columns(pl.Series("message", messages, dtype=pl.String)).select(
        [pl.col(c).cast(t) for c, t in WARNING_SCHEMA.items()]
    )
