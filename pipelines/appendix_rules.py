"""Rules a published appendix must satisfy; the blocking asset checks run these."""

from __future__ import annotations

import polars as pl

from pipelines.appendix import COUNT_COLUMNS, total_row, units_rows
from pipelines.numbers import clean_rate_pct


def _hundredths(expr: pl.Expr) -> pl.Expr:
    """A rate in whole hundredths of a percent, so rates compare exactly."""
    return (expr * 100).round(0).cast(pl.Int64)


def rule_violations(appendix: pl.DataFrame) -> list[str]:
    """Unit rows breaking 0 ≤ (6) ≤ (4) ≤ (3)."""
    rows = units_rows(appendix).filter(pl.col("total_children").is_not_null())
    bad = rows.filter(
        (pl.col("cleaned") < 0) | (pl.col("cleaned") > pl.col("updated")) | (pl.col("updated") > pl.col("total_children"))
    )
    return [f"{r['commune_name']}: 0 ≤ (6) ≤ (4) ≤ (3) fails" for r in bad.iter_rows(named=True)]


def total_mismatches(appendix: pl.DataFrame) -> list[str]:
    """The total row must equal the sum of the unit rows, its rate recomputed from the sums."""
    if appendix.filter(pl.col("stt").is_null()).height != 1:
        return ["the appendix must have exactly one total row"]
    total = total_row(appendix)
    sums = units_rows(appendix).select(pl.col(c).sum() for c in COUNT_COLUMNS).row(0, named=True)
    problems = [f"total {c} is {total[c]}, units sum to {sums[c]}" for c in COUNT_COLUMNS if total[c] != sums[c]]
    expected_rate = pl.select(clean_rate_pct(pl.lit(sums["cleaned"]), pl.lit(sums["total_children"]))).item()
    if total["clean_rate_pct"] is not None and expected_rate is not None:
        same_rate = round(total["clean_rate_pct"] * 100) == round(expected_rate * 100)
    else:
        same_rate = total["clean_rate_pct"] is None and expected_rate is None
    if not same_rate:
        problems.append(f"total rate is {total['clean_rate_pct']}, expected {expected_rate}")
    return problems


def derived_mismatches(appendix: pl.DataFrame) -> list[str]:
    """(5) = (3) - (4), (7) = (4) - (6), (8) = (6) / (3) × 100 on every row."""
    checked = appendix.filter(pl.col("total_children").is_not_null()).with_columns(
        clean_rate_pct(pl.col("cleaned"), pl.col("total_children")).alias("expected_rate")
    )
    bad = checked.filter(
        (pl.col("not_updated") != pl.col("total_children") - pl.col("updated"))
        | (pl.col("not_cleaned") != pl.col("updated") - pl.col("cleaned"))
        | _hundredths(pl.col("clean_rate_pct")).ne_missing(_hundredths(pl.col("expected_rate")))
    )
    return [f"{r['commune_name']}: derived columns (5), (7), (8) disagree" for r in bad.iter_rows(named=True)]


def unknown_units(appendix: pl.DataFrame, units: pl.DataFrame) -> list[str]:
    """Every unit row must be a unit valid in the period, and every such unit present once."""
    listed = units_rows(appendix)["commune_code"].to_list()
    expected = units["unit_code"].to_list()
    expected_set, listed_set = set(expected), set(listed)  # sets: a country has 10,000 units
    problems = [f"{code} is not a unit of this period" for code in listed if code not in expected_set]
    problems += [f"{code} is missing from the appendix" for code in expected if code not in listed_set]
    if len(set(listed)) != len(listed):
        problems.append("a unit appears twice")
    return problems
