"""Vietnamese-locale numbers as commune officers type them.

Cells arrive as text (see `readers`): Excel numbers rendered as plain digits (whole) or
with a decimal comma (fractional), typed text as typed. A count is a whole,
non-negative number: "3158", "3.158" ("." groups thousands), "3 158"; "-" or "–" is zero
(the letter prints zero that way); a zero fraction as some tools export it ("3158.0",
"3158,00") is whole, but "3.000" reads as three thousand, the Vietnamese way. A rate accepts "54,81", "54.81" and a trailing "%".
"""

from __future__ import annotations

import polars as pl

DASHES = ["-", "–", "—", "_"]

# Outcome of parsing one count cell.
OK = "ok"
EMPTY = "empty"
NOT_WHOLE = "not_whole"
NEGATIVE = "negative"
NOT_A_NUMBER = "not_a_number"


def _compact(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String).str.replace_all(r"[\s\u00a0\u202f]", "")


def count_expr(expr: pl.Expr) -> pl.Expr:
    """Parse a count cell into Int64; null when it is empty or not a valid count."""
    s = _compact(expr)
    grouped = s.str.contains(r"^\d{1,3}(\.\d{3})+$")
    plain = s.str.contains(r"^\d+$")
    zero_fraction = s.str.contains(r"^\d+[.,]0+$")
    return (
        pl.when(s.is_in(DASHES))
        .then(pl.lit(0, pl.Int64))
        .when(plain)
        .then(s.cast(pl.Int64, strict=False))
        .when(grouped)
        .then(s.str.replace_all(r"\.", "").cast(pl.Int64, strict=False))
        .when(zero_fraction)
        .then(s.str.replace(r"[.,]0+$", "").cast(pl.Int64, strict=False))
        .otherwise(pl.lit(None, pl.Int64))
    )


def count_problem_expr(expr: pl.Expr) -> pl.Expr:
    """Why a count cell is not a valid count: one of the outcome constants."""
    s = _compact(expr)
    valid = (
        s.is_in(DASHES)
        | s.str.contains(r"^\d+$")
        | s.str.contains(r"^\d{1,3}(\.\d{3})+$")
        | s.str.contains(r"^\d+[.,]0+$")
    )
    return (
        pl.when(s.is_null() | (s == ""))
        .then(pl.lit(EMPTY))
        .when(valid & count_expr(expr).is_not_null())
        .then(pl.lit(OK))
        .when(s.str.contains(r"^-\s*[\d.,]*\d"))
        .then(pl.lit(NEGATIVE))
        .when(s.str.contains(r"^\d[\d.]*[,.]\d+$"))
        .then(pl.lit(NOT_WHOLE))
        .otherwise(pl.lit(NOT_A_NUMBER))
    )


def rate_expr(expr: pl.Expr) -> pl.Expr:
    """Parse a percentage cell ("54,81", "54.81", "54,81%") into Float64; null otherwise."""
    s = _compact(expr).str.strip_suffix("%")
    return (
        pl.when(s.is_in(DASHES))
        .then(pl.lit(0.0))
        .when(s.str.contains(r"^\d+([.,]\d+)?$"))
        .then(s.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False))
        .otherwise(pl.lit(None, pl.Float64))
    )


def clean_rate_pct(cleaned: pl.Expr, total: pl.Expr) -> pl.Expr:
    """(6) / (3) × 100, rounded half-up to two decimals, computed on integers.

    Works in hundredths of a percent: round(cleaned × 10000 / total) with integer
    arithmetic, so 28554 / 45349 gives exactly 62.97 and no float rounding creeps in.
    """
    cleaned, total = cleaned.cast(pl.Int64), total.cast(pl.Int64)
    hundredths = (cleaned * 20000 + total) // (total * 2)
    return pl.when(total > 0).then(hundredths / 100).otherwise(None)


def format_vn_int(value: int | None) -> str:
    """3158 → "3.158"; 0 → "-" (as the letter prints); None → ""."""
    if value is None:
        return ""
    if value == 0:
        return "-"
    sign = "-" if value < 0 else ""
    return sign + f"{abs(value):,}".replace(",", ".")


def format_vn_rate(value: float | None) -> str:
    """54.81 → "54,81"; None → ""."""
    if value is None:
        return ""
    return f"{value:.2f}".replace(".", ",")
