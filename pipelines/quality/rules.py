"""The figure rules, each defined once, and the rules a published appendix must satisfy.

A figure rule has a stable code, a condition (a Polars expression over a row's figures,
true when the row breaks it), the Vietnamese message a commune officer reads, whether it
rejects a submitted row, and which blocking check on the appendix runs it. Parsing
(`ingest.submissions`) flags rows with the rules that reject; the blocking asset checks
(`quality.checks`) run the rules that block over the appendix, so both read one table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from pipelines.core.columns import COUNT_COLUMNS
from pipelines.core.numbers import clean_rate_pct, format_vn_int, format_vn_rate
from pipelines.core.text import quote_short
from pipelines.publish.appendix import total_row, units_rows


@dataclass(frozen=True)
class Figures:
    """The expressions a rule reads: the counts (3), (4), (6); the derived columns (5),
    (7), (8) as given (null: not given) and as read; the decimals the rate was given with."""

    total: pl.Expr
    updated: pl.Expr
    cleaned: pl.Expr
    not_updated_given: pl.Expr
    not_updated: pl.Expr
    not_cleaned_given: pl.Expr
    not_cleaned: pl.Expr
    rate_given: pl.Expr
    rate: pl.Expr
    rate_decimals: pl.Expr


# A submitted row: cells as sent (text) and as parsed (ingest.submissions' columns).
SUBMITTED = Figures(
    pl.col("total_children_value"),
    pl.col("updated_value"),
    pl.col("cleaned_value"),
    pl.col("not_updated"),
    pl.col("not_updated_value"),
    pl.col("not_cleaned"),
    pl.col("not_cleaned_value"),
    pl.col("clean_rate_pct"),
    pl.col("clean_rate_pct_value"),
    pl.col("rate_decimals"),
)
# An appendix row: every column computed, the rate to two decimals.
PUBLISHED = Figures(
    pl.col("total_children"),
    pl.col("updated"),
    pl.col("cleaned"),
    pl.col("not_updated"),
    pl.col("not_updated"),
    pl.col("not_cleaned"),
    pl.col("not_cleaned"),
    pl.col("clean_rate_pct"),
    pl.col("clean_rate_pct"),
    pl.lit(2),
)


def _rate_disagrees(f: Figures) -> pl.Expr:
    """(8) given and not (6) / (3) × 100 to the decimals it was given with (a rate given
    as a fraction, 0.5481 for 54,81 %, is read as such)."""
    exact = f.cleaned * 100 / f.total
    tolerance = 0.5 * pl.lit(10.0).pow(-f.rate_decimals) + 1e-9
    agrees = ((f.rate - exact).abs() <= tolerance) | ((f.rate <= 1) & ((f.rate * 100 - exact).abs() <= tolerance * 100))
    return f.rate_given.is_not_null() & (f.rate.is_null() | ~agrees)


@dataclass(frozen=True)
class Rule:
    code: str
    broken: Callable[[Figures], pl.Expr]
    message: str  # placeholders: {unit}, the figures, {value} as given, {expected}
    rejects_row: bool
    check: str | None  # the blocking asset check that runs it on the appendix
    given: str | None = None  # the column whose cell the message quotes as {value}
    expected: Callable[[int, int, int], str] | None = None  # {expected}, from (3), (4), (6)

    def describe(self, unit: str, row: dict, total: int, updated: int, cleaned: int) -> str:
        """The message for `row` (of unit `unit`, with these counts) breaking the rule."""
        details = {
            "total_children": format_vn_int(total),
            "updated": format_vn_int(updated),
            "cleaned": format_vn_int(cleaned),
        }
        if self.given is not None:
            details |= {"value": quote_short(row[self.given]), "expected": self.expected(total, updated, cleaned)}
        return self.message.format(unit=quote_short(unit), **details)


def _rate_text(total: int, updated: int, cleaned: int) -> str:
    return format_vn_rate(pl.select(clean_rate_pct(pl.lit(cleaned), pl.lit(total))).item())


ORDER_CHECK = "appendix_rows_follow_rules"
DERIVED_CHECK = "appendix_derived_columns_agree"

FIGURE_RULES = (
    Rule(
        "NEGATIVE_FIGURE",
        lambda f: (f.total < 0) | (f.updated < 0) | (f.cleaned < 0),
        "{unit}: có số liệu âm. Số trẻ em không thể âm; vui lòng kiểm tra lại.",
        # A negative cell is rejected by the number reader first (NEGATIVE_NUMBER, naming its column).
        rejects_row=False,
        check=ORDER_CHECK,
    ),
    Rule(
        "UPDATED_GT_TOTAL",
        lambda f: f.updated > f.total,
        "{unit}: số trẻ em đã được cập nhật dữ liệu ({updated}) lớn hơn tổng số trẻ em ({total_children}). "
        "Vui lòng kiểm tra lại: cột (4) không được lớn hơn cột (3).",
        rejects_row=True,
        check=ORDER_CHECK,
    ),
    Rule(
        "CLEANED_GT_UPDATED",
        lambda f: f.cleaned > f.updated,
        "{unit}: số trẻ em đã làm sạch dữ liệu ({cleaned}) lớn hơn số trẻ em đã được cập nhật dữ liệu ({updated}). "
        "Vui lòng kiểm tra lại: cột (6) không được lớn hơn cột (4).",
        rejects_row=True,
        check=ORDER_CHECK,
    ),
    Rule(
        "INCONSISTENT_NOT_UPDATED",
        lambda f: (
            f.not_updated_given.is_not_null() & (f.not_updated.is_null() | (f.not_updated != f.total - f.updated))
        ),
        "{unit}: cột (5) ghi “{value}” nhưng (3) - (4) = {expected}. Vui lòng sửa cột (5) hoặc để trống.",
        rejects_row=True,
        check=DERIVED_CHECK,
        given="not_updated",
        expected=lambda total, updated, cleaned: format_vn_int(total - updated),
    ),
    Rule(
        "INCONSISTENT_NOT_CLEANED",
        lambda f: (
            f.not_cleaned_given.is_not_null() & (f.not_cleaned.is_null() | (f.not_cleaned != f.updated - f.cleaned))
        ),
        "{unit}: cột (7) ghi “{value}” nhưng (4) - (6) = {expected}. Vui lòng sửa cột (7) hoặc để trống.",
        rejects_row=True,
        check=DERIVED_CHECK,
        given="not_cleaned",
        expected=lambda total, updated, cleaned: format_vn_int(updated - cleaned),
    ),
    Rule(
        "INCONSISTENT_RATE",
        _rate_disagrees,
        "{unit}: cột (8) ghi “{value}” nhưng (6) / (3) × 100 = {expected}. Vui lòng sửa cột (8) hoặc để trống.",
        rejects_row=True,
        check=DERIVED_CHECK,
        given="clean_rate_pct",
        expected=_rate_text,
    ),
)
ROW_RULES = tuple(r for r in FIGURE_RULES if r.rejects_row)


def flags(rules: tuple[Rule, ...], figures: Figures) -> list[pl.Expr]:
    """A boolean column per rule, named by its code: true where the row breaks it
    (false where it cannot be told, a figure missing)."""
    return [rule.broken(figures).fill_null(False).alias(rule.code) for rule in rules]


def check_violations(appendix: pl.DataFrame, check: str) -> list[str]:
    """The unit rows of `appendix` breaking the rules that `check` runs, with their messages."""
    rules = tuple(r for r in FIGURE_RULES if r.check == check)
    rows = units_rows(appendix).filter(pl.col("total_children").is_not_null()).with_columns(flags(rules, PUBLISHED))
    problems = []
    for row in rows.filter(pl.any_horizontal(r.code for r in rules)).iter_rows(named=True):
        counts = row["total_children"], row["updated"], row["cleaned"]
        for rule in rules:
            if row[rule.code]:
                problems.append(f"{row['commune_code']}: {rule.describe(row['commune_name'], row, *counts)}")
    return problems


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
