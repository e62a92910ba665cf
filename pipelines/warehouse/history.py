"""Submission history, per-period snapshot and clean-rate history: plain Polars transforms."""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.core.crosswalk import last_change, period_day, reaggregate
from pipelines.core.numbers import clean_rate_pct
from pipelines.core.periods import period_of, period_start
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


def clean_rate_history(
    snapshots: pl.DataFrame, units: pl.DataFrame, as_of: str, reported: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Every period up to `as_of`, per unit of `units` and for the whole scope.

    `snapshots`: period, unit_code and the three counts, already expressed in the units
    valid at `as_of` (see `crosswalk.reaggregate`; its `complete` column, when present,
    keeps out a unit whose former units did not all report that period); `units`: the
    units valid at `as_of` (unit_code, unit_name, appendix_order). The scope's row sums
    every figure reported in the scope that period, as that period's appendix total did
    (`reported`: the snapshots as reported, when some of them are not carried into any
    unit of `as_of`), and recomputes the rate from the sums (never an average of rates). Rows come by
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
    totals_from = in_scope if reported is None else reported.lazy().filter(pl.col("period") <= as_of)
    totals = (
        totals_from.group_by("period")
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
    # Figures are carried into a later unit only where the people moved whole (comparable
    # pairs); the scope's row still sums everything reported in its area.
    comparable, carried = crosswalk, snapshots
    if "comparable" in crosswalk.columns:
        comparable = crosswalk.filter(pl.col("comparable"))
        # A unit whose people went nowhere comparable: its figures before the change belong
        # to no later unit, even one that reuses its code.
        stranded = (
            crosswalk.group_by("from_code")
            .agg(pl.col("comparable").any(), pl.col("effective_date").min())
            .filter(~pl.col("comparable"))
        )
        carried = (
            snapshots.join(stranded, left_on="unit_code", right_on="from_code", how="left")
            .filter(pl.col("effective_date").is_null() | (period_day() >= pl.col("effective_date")))
            .select(snapshots.columns)
        )
    in_units_of_period = reaggregate(carried, all_units, comparable, period, ordered=False)  # sorted below
    units = units_valid_in(all_units, period)
    return clean_rate_history(in_units_of_period, units, period, snapshots).drop("as_of_period")


def settled_until(all_units: pl.DataFrame, crosswalk: pl.DataFrame, period: str) -> str | None:
    """The last period before the units last changed, up to `period`'s first day (None
    when they never did). `clean_rate_history_as_of` gives the periods up to it the same
    rows for every period from `period` until the units change again: the same units
    valid, the same reorganisations behind them."""
    since = last_change(all_units, crosswalk, period)
    return None if since is None else period_of(since - dt.timedelta(days=1))


def history_notes(
    all_units: pl.DataFrame, crosswalk: pl.DataFrame, left_out: pl.DataFrame, period: str
) -> pl.DataFrame:
    """Why a unit of `period` has no figures before a reorganisation, or is not in the
    appendix at all: unit_code, unit_name, reason (clean_rate_history_notes.csv)."""
    units = units_valid_in(all_units, period).select("unit_code", "unit_name", "appendix_order")
    comparable = pl.col("comparable") if "comparable" in crosswalk.columns else pl.lit(True)
    # A unit none of whose sources' people can be told apart (a share unknown) has no
    # earlier figures; one that only gained area from a unit (no people) keeps its own.
    cut = (
        crosswalk.filter(pl.col("effective_date") <= period_start(period))
        .group_by("to_code")
        .agg(pl.col("effective_date").max(), pl.col("from_name").unique(maintain_order=True), comparable.any())
        .filter(~pl.col("comparable"))
        .join(units, left_on="to_code", right_on="unit_code", how="inner")
        .select(
            pl.col("to_code").alias("unit_code"),
            "unit_name",
            pl.format(
                "không có số liệu trước {}: hình thành từ {}, trong đó có phần không rõ bao nhiêu dân số "
                "chuyển sang, nên số liệu các kỳ trước không so sánh được",
                pl.col("effective_date").dt.strftime("%d/%m/%Y"),
                pl.col("from_name").list.join(", "),
            ).alias("reason"),
            "appendix_order",
        )
    )
    outside = left_out.filter(pl.col("valid_from") <= period_start(period)).select(
        "unit_code", "unit_name", "reason", pl.lit(None, pl.Int64).alias("appendix_order")
    )
    return (
        pl.concat([cut, outside]).sort(pl.col("appendix_order").fill_null(1 << 30), "unit_code").drop("appendix_order")
    )
