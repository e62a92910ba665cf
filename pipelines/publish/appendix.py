"""The district appendix (PHỤ LỤC) of a period: one row per unit in official order, then the total.

A large scope's letter may print its units grouped by district, a subtotal row after
each district's ("Cộng huyện An Lão"): `grouped_by_district`, the rows as printed. The
appendix itself (appendix.csv, marts.district_appendix) stays the units and the total.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import polars as pl

from pipelines.core.columns import COUNT_COLUMNS
from pipelines.core.numbers import clean_rate_pct
from pipelines.core.scope import NATIONAL_DIR
from pipelines.core.units import load_units, units_valid_in
from pipelines.warehouse import db
from pipelines.warehouse.history import TOTAL_NAME, with_derived

MISSING_NOTE = "Chưa báo cáo"
SUBTOTAL_WORD = "Cộng"  # "Cộng huyện An Lão": a district's subtotal row
# What a printed row is (`grouped_by_district`'s row_kind).
UNIT, DISTRICT, TOTAL = "unit", "district", "total"


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


def subtotal_name(name: str, kind: str | None = None) -> str:
    """A district's subtotal label: "Huyện An Lão" → "Cộng huyện An Lão", "Thị xã Hoài Nhơn"
    → "Cộng thị xã Hoài Nhơn", "Thành phố Quy Nhơn" → "Cộng thành phố Quy Nhơn"; a name
    without its kind word gets it ("An Lão", "huyện" → "Cộng huyện An Lão")."""
    kind = (kind or "").strip().lower()
    if kind and name.lower().startswith(kind + " "):
        name = name[len(kind) + 1 :]
    return " ".join(part for part in (SUBTOTAL_WORD, kind, name.strip()) if part)


def grouped_by_district(appendix: pl.DataFrame, units: pl.DataFrame, districts: pl.DataFrame) -> pl.DataFrame | None:
    """The appendix's rows as a letter prints them grouped by district, or None when the
    period's units cannot be grouped (print the appendix as it is).

    `units`: the scope's units valid in the period (unit_code, district_code,
    appendix_order); `districts`: the districts' names (unit_code, unit_name, and kind
    when there is one; `district_names`). The units go by district, in district code
    order, then in their appendix order within it, numbered (TT) again from 1; after each
    district's units, its subtotal: their sums, the rate recomputed from the sums (as the
    total's), no TT and no unit code, named "Cộng huyện X" (`subtotal_name`). The total
    comes last, the appendix's own: the sum of the units, never of the subtotals.

    The appendix's columns, and `row_kind` (UNIT, DISTRICT or TOTAL) and `district_code`.
    None when a unit has no district (from 2025-07 none has) or the units lie in a
    single district (its subtotal would repeat the total).
    """
    if "district_code" not in units.columns:
        return None
    rows = units_rows(appendix)
    placed = rows.join(
        units.select(pl.col("unit_code").alias("commune_code"), "district_code", "appendix_order").unique(
            "commune_code", keep="first", maintain_order=True
        ),
        on="commune_code",
        how="left",
        maintain_order="left",
    )
    if placed.is_empty() or placed["district_code"].null_count() or placed["district_code"].n_unique() < 2:
        return None
    placed = placed.sort("district_code", "appendix_order", "stt", maintain_order=True).with_columns(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int32).alias("stt"),
        pl.lit(UNIT).alias("row_kind"),
    )
    names = {code: subtotal_name(name, kind) for code, name, kind in _district_rows(districts).iter_rows()}
    subtotals = (
        placed.group_by("district_code", maintain_order=True)
        .agg(pl.col(c).sum() for c in COUNT_COLUMNS)
        .with_columns(
            pl.lit(None, pl.Int32).alias("stt"),
            pl.lit(None, pl.String).alias("commune_code"),
            pl.col("district_code")
            .replace_strict(
                names, default=pl.lit(SUBTOTAL_WORD + " ") + pl.col("district_code"), return_dtype=pl.String
            )
            .alias("commune_name"),
            clean_rate_pct(pl.col("cleaned"), pl.col("total_children")).alias("clean_rate_pct"),
            pl.lit(None, pl.String).alias("note"),
            pl.lit(DISTRICT).alias("row_kind"),
        )
    )
    columns = [*appendix.columns, "row_kind", "district_code"]
    body = (
        pl.concat([placed.select(columns), subtotals.select(columns)], how="vertical_relaxed")
        .with_columns(pl.col("row_kind").eq(DISTRICT).alias("_after"))
        .sort("district_code", "_after", maintain_order=True)
        .drop("_after")
    )
    total = appendix.filter(pl.col("stt").is_null()).with_columns(
        pl.lit(TOTAL).alias("row_kind"), pl.lit(None, pl.String).alias("district_code")
    )
    return pl.concat([body, total.select(columns)], how="vertical_relaxed")


def _district_rows(districts: pl.DataFrame) -> pl.DataFrame:
    """unit_code, unit_name, kind (null when `districts` has none), one row per code."""
    kind = pl.col("kind") if "kind" in districts.columns else pl.lit(None, pl.String).alias("kind")
    return districts.select("unit_code", "unit_name", kind).unique("unit_code", keep="last", maintain_order=True)


@lru_cache(maxsize=2)
def _national_districts(path: Path) -> pl.DataFrame:
    units = load_units(path)
    return units.filter(pl.col("level") == "district")


def district_names(period: str, reference: Path = NATIONAL_DIR / "units.csv") -> pl.DataFrame:
    """The districts valid in `period` (unit_code, unit_name, kind …) from the national
    reference: none from 2025-07, when districts were abolished."""
    return units_valid_in(_national_districts(Path(reference)), period)
