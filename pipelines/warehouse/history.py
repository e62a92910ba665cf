"""Submission history, per-period snapshot and clean-rate history: plain Polars transforms."""

from __future__ import annotations

import polars as pl

from pipelines.core.crosswalk import reaggregate
from pipelines.core.numbers import clean_rate_pct
from pipelines.core.units import units_valid_in

TOTAL_NAME = "Tổng cộng"


def submission_history(rows: pl.DataFrame) -> pl.DataFrame:
    """Number every accepted version of a unit's figures for a period, oldest first.

    `rows`: period, unit_code, sha256, original_name, received_at, row_number and the
    counts. A later file supersedes an earlier one; files received in the same instant
    are ordered by name, then content hash, so the order never depends on chance.
    """
    ordered = rows.sort(["period", "unit_code", "received_at", "original_name", "sha256", "row_number"])
    keys = ["period", "unit_code"]
    return ordered.with_columns(
        (pl.int_range(pl.len()).over(keys) + 1).cast(pl.Int32).alias("version"),
    ).with_columns(
        (pl.col("version") == pl.col("version").max().over(keys)).alias("is_current"),
        pl.col("received_at").shift(-1).over(keys).alias("superseded_at"),
    )


def with_derived(frame: pl.DataFrame) -> pl.DataFrame:
    """Adds (5) not_updated, (7) not_cleaned and (8) clean_rate_pct."""
    return frame.with_columns(
        (pl.col("total_children") - pl.col("updated")).alias("not_updated"),
        (pl.col("updated") - pl.col("cleaned")).alias("not_cleaned"),
        clean_rate_pct(pl.col("cleaned"), pl.col("total_children")).alias("clean_rate_pct"),
    )


def commune_snapshot(history: pl.DataFrame) -> pl.DataFrame:
    """The current version of each unit's figures per period, with derived columns."""
    current = history.filter(pl.col("is_current"))
    return (
        with_derived(current)
        .select(
            "period",
            "unit_code",
            "total_children",
            "updated",
            "not_updated",
            "cleaned",
            "not_cleaned",
            "clean_rate_pct",
            "version",
            "sha256",
            "received_at",
        )
        .sort("period", "unit_code")
    )


def clean_rate_history(snapshots: pl.DataFrame, units: pl.DataFrame, as_of: str) -> pl.DataFrame:
    """Every period up to `as_of`, per unit of `units` and for the whole scope.

    `snapshots`: period, unit_code and the three counts, already expressed in the units
    valid at `as_of` (see `crosswalk.reaggregate`; its `complete` column, when present,
    keeps out a unit whose former units did not all report that period); `units`: the
    units valid at `as_of` (unit_code, unit_name, appendix_order). The scope's row sums
    every figure reported in the scope that period, as that period's appendix total did,
    and recomputes the rate from the sums (never an average of rates). Rows come by
    period, then in appendix order, the scope's row last.
    """
    counts = ["total_children", "updated", "cleaned"]
    in_scope = (
        snapshots.lazy()
        .filter(pl.col("period") <= as_of)
        .join(units.lazy().select("unit_code", "unit_name", "appendix_order"), on="unit_code", how="inner")
    )
    complete = pl.col("complete") if "complete" in snapshots.columns else pl.lit(True)
    per_unit = in_scope.filter(complete)
    totals = (
        in_scope.group_by("period")
        .agg(pl.col(c).sum() for c in counts)
        .with_columns(
            pl.lit(None, pl.String).alias("unit_code"),
            pl.lit(TOTAL_NAME).alias("unit_name"),
            pl.lit(None, pl.Int64).alias("appendix_order"),
        )
    )
    columns = ["period", "unit_code", "unit_name", *counts, "appendix_order"]
    both = pl.concat([per_unit.select(columns), totals.select(columns)])
    return (
        both.with_columns(clean_rate_pct(pl.col("cleaned"), pl.col("total_children")).alias("clean_rate_pct"))
        .sort(
            ["period", pl.col("appendix_order").fill_null(1 << 30), "unit_code"]
        )  # unit_code: ties never left to chance
        .select(pl.lit(as_of).alias("as_of_period"), "period", "unit_code", "unit_name", *counts, "clean_rate_pct")
        .collect()  # lazily, as reaggregate: the sort of the history's rows takes half the time
    )


def clean_rate_history_as_of(
    snapshots: pl.DataFrame, all_units: pl.DataFrame, crosswalk: pl.DataFrame, period: str
) -> pl.DataFrame:
    """Every period up to `period` in the units valid in it (`clean_rate_history` of the
    snapshots re-expressed through the crosswalk), without the as_of_period column.

    Each period's rows depend only on that period's snapshots: given only `period`'s own,
    this is `period`'s rows alone (what marts.clean_rate_history keeps).
    """
    in_units_of_period = reaggregate(snapshots, all_units, crosswalk, period, ordered=False)  # sorted below
    return clean_rate_history(in_units_of_period, units_valid_in(all_units, period), period).drop("as_of_period")
