"""CSV files as the project writes them, and appendix.csv: the machine-readable appendix, a
contract other tools read.

UTF-8, columns stt,commune_code,commune_name,total_children,updated,not_updated,cleaned,
not_cleaned,clean_rate_pct; counts as plain integers, the rate with two decimals; the
total row has empty stt and commune_code and commune_name "Tổng cộng".
"""

from __future__ import annotations

import polars as pl

from pipelines.core.columns import CSV_COLUMNS
from pipelines.core.text import FORMULA_LEADS

_FORMULA_START = "^[" + "".join("\\" + c if c in "\\]^-" else c for c in FORMULA_LEADS) + "]"


def _safe_text(column: str) -> pl.Expr:
    """`spreadsheet_safe` as an expression: a "'" before a leading =, +, -, @, tab or CR."""
    text = pl.col(column)
    # Empty text is written as nothing, as the csv module does (Polars would write "").
    return (
        pl.when(text == "")
        .then(None)
        .when(text.str.contains(r"^[=+\-@\t\r]") & (text != "-"))
        .then("'" + text)
        .otherwise(text)
        .alias(column)
    )


def render_csv(frame: pl.DataFrame, columns: list[str]) -> str:
    """`frame`'s columns as CSV text, written by Polars in one pass.

    LF line ends; a field holding a comma, a quote, CR or LF is quoted (a spreadsheet never
    splits it); empty text and no value are written as nothing; counts as integers, rates
    with two decimals, dates as ISO dates; every text cell formula-safe.
    """
    selected = frame.select(columns)
    cells = selected.select(_safe_text(c) if dtype == pl.String else pl.col(c) for c, dtype in selected.schema.items())
    return cells.write_csv(line_terminator="\n", float_precision=2, null_value="", quote_style="necessary")


def appendix_csv(appendix: pl.DataFrame) -> str:
    return render_csv(appendix, CSV_COLUMNS)
