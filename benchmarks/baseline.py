"""The floor: a bare read of the same files, one after another, nothing else.

Delimited text through DuckDB `read_csv` over a glob (every cell as text; the UTF-8 .csv
files in one call, the UTF-16 .txt files in another), each workbook's first sheet loaded
by fastexcel into Arrow. No hashing, archiving, validation or loading.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import fastexcel

CSV_OPTIONS = "all_varchar = true, header = false, null_padding = true, ignore_errors = true"


def read_text_files(folder: Path) -> int:
    """Rows read from the folder's .csv (UTF-8) and .txt (UTF-16, tab) files, one call per glob."""
    con = duckdb.connect()
    rows = 0
    for pattern, options in (("*.csv", "auto_detect = true"), ("*.txt", "delim = '\t', encoding = 'utf-16'")):
        if not any(folder.glob(pattern)):
            continue
        query = f"SELECT count(*) FROM read_csv($glob, {options}, {CSV_OPTIONS})"
        rows += con.sql(query, params={"glob": str(folder / pattern)}).fetchall()[0][0]
    con.close()
    return rows


def read_workbooks(paths: list[Path]) -> tuple[int, int]:
    """(cells loaded, unreadable workbooks) of each workbook's first sheet through fastexcel."""
    cells, unreadable = 0, 0
    for path in paths:
        try:
            sheet = fastexcel.read_excel(path).load_sheet(0, header_row=None)
            table = sheet.to_arrow()
            cells += table.num_rows * table.num_columns
        except Exception:  # a malformed workbook costs its read and nothing more
            unreadable += 1
    return cells, unreadable


def bare_read(folder: Path) -> dict:
    """Seconds to read every submission in `folder`, and what was read."""
    workbooks = sorted(folder.glob("*.xlsx"))
    started = time.perf_counter()
    text_rows = read_text_files(folder)
    text_seconds = time.perf_counter() - started
    cells, unreadable = read_workbooks(workbooks)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "seconds_text": text_seconds,
        "seconds_workbooks": seconds - text_seconds,
        "text_files": sum(1 for p in folder.iterdir() if p.suffix in (".csv", ".txt")),
        "text_rows": text_rows,
        "workbooks": len(workbooks),
        "workbook_cells": cells,
        "unreadable_workbooks": unreadable,
    }
