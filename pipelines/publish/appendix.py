"""The district appendix (PHỤ LỤC) of a period: one row per unit in official order, then the total."""

from __future__ import annotations

import polars as pl

from pipelines.core.columns import COUNT_COLUMNS
from pipelines.core.numbers import clean_rate_pct
from pipelines.warehouse import db
from pipelines.warehouse.history import TOTAL_NAME, with_derived

MISSING_NOTE = "Chưa báo cáo"


def build_appendix(snapshot: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    """`snapshot`: a period's current figures; `units`: the units valid in it, in order.

    Every expected unit gets a row; a unit that has not reported keeps empty figures and
    the note "Chưa báo cáo" rather than vanishing. The total row sums the units that
    reported and recomputes the rate from those sums.
    """
    rows = (
        units.sort("appendix_order")
        .with_row_index("stt", offset=1)
        .join(snapshot.select("unit_code", "total_children", "updated", "cleaned"), on="unit_code", how="left")
        .pipe(with_derived)
        .select(
            pl.col("stt").cast(pl.Int32),
            pl.col("unit_code").alias("commune_code"),
            pl.col("unit_name").alias("commune_name"),
            *COUNT_COLUMNS,
            "clean_rate_pct",
            pl.when(pl.col("total_children").is_null()).then(pl.lit(MISSING_NOTE)).alias("note"),
        )
    )
    total = (
        rows.select(pl.col(c).sum() for c in COUNT_COLUMNS)
        .with_columns(
            pl.lit(None, pl.Int32).alias("stt"),
            pl.lit(None, pl.String).alias("commune_code"),
            pl.lit(TOTAL_NAME).alias("commune_name"),
            clean_rate_pct(pl.col("cleaned"), pl.col("total_children")).alias("clean_rate_pct"),
            pl.lit(None, pl.String).alias("note"),
        )
        .select(rows.columns)
    )
    return pl.concat([rows, total])


def units_rows(appendix: pl.DataFrame) -> pl.DataFrame:
    return appendix.filter(pl.col("stt").is_not_null())


def total_row(appendix: pl.DataFrame) -> dict:
    return appendix.filter(pl.col("stt").is_null()).row(0, named=True)


def read_appendix(con, period: str) -> pl.DataFrame:
    """The period's appendix as the warehouse holds it (marts.district_appendix)."""
    return db.query(con, "select_period_appendix", period=period)
