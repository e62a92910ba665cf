"""appendix.csv: the machine-readable appendix, a contract other tools read.

UTF-8, columns stt,commune_code,commune_name,total_children,updated,not_updated,cleaned,
not_cleaned,clean_rate_pct; counts as plain integers, the rate with two decimals; the
total row has empty stt and commune_code and commune_name "Tổng cộng".
"""

from __future__ import annotations

import csv
import io

import polars as pl

from pipelines.core.columns import CSV_COLUMNS
from pipelines.core.text import spreadsheet_safe


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, str):
        return spreadsheet_safe(value)
    return str(value)


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


def _has_carriage_return(frame: pl.DataFrame) -> bool:
    text = [c for c, dtype in frame.schema.items() if dtype == pl.String]
    return bool(text) and bool(frame.select(pl.any_horizontal(pl.col(text).str.contains("\r").any())).item())


def render_csv(frame: pl.DataFrame, columns: list[str]) -> str:
    """`frame`'s columns as CSV text (LF line ends), text cells made formula-safe.

    Written by Polars in one pass (a clean-rate history has rows per unit and period);
    the same bytes as `render_csv_rows`, which handles any other column type.
    """
    selected = frame.select(columns)
    simple = all(dtype in (pl.String, pl.Float64) or dtype.is_integer() for dtype in selected.dtypes)
    # One column: the csv module quotes an empty row; a bare CR: it leaves the cell unquoted.
    if not simple or len(columns) < 2 or _has_carriage_return(selected):
        return render_csv_rows(frame, columns)
    cells = selected.select(_safe_text(c) if dtype == pl.String else pl.col(c) for c, dtype in selected.schema.items())
    return cells.write_csv(line_terminator="\n", float_precision=2, null_value="", quote_style="necessary")


def render_csv_rows(frame: pl.DataFrame, columns: list[str]) -> str:
    """`render_csv` row by row with the csv module, for any column type."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in frame.select(columns).iter_rows():
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def appendix_csv(appendix: pl.DataFrame) -> str:
    return render_csv(appendix, CSV_COLUMNS)
