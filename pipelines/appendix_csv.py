"""appendix.csv: the machine-readable appendix, a contract other tools read.

UTF-8, columns stt,commune_code,commune_name,total_children,updated,not_updated,cleaned,
not_cleaned,clean_rate_pct; counts as plain integers, the rate with two decimals; the
total row has empty stt and commune_code and commune_name "Tổng cộng".
"""

from __future__ import annotations

import csv
import io

import polars as pl

from pipelines.appendix import APPENDIX_COLUMNS
from pipelines.text import spreadsheet_safe


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, str):
        return spreadsheet_safe(value)
    return str(value)


def render_csv(frame: pl.DataFrame, columns: list[str]) -> str:
    """`frame`'s columns as CSV text (LF line ends), text cells made formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in frame.select(columns).iter_rows():
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def appendix_csv(appendix: pl.DataFrame) -> str:
    return render_csv(appendix, APPENDIX_COLUMNS)
