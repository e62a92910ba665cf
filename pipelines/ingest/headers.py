"""Find the header row of a submitted table and map its columns to appendix fields.

Header names come from data/reference/column_headers.csv: a field and a folded prefix.
A cell names a field when its folded text, less a leading "so tre em" or "so", starts
with the prefix at a word boundary; the longest prefix wins. The header row is the row
(among the first rows) naming the most fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from pipelines.core.settings import REFERENCE_DIR
from pipelines.core.text import fold

REQUIRED_FIELDS = ("unit_name", "total_children", "updated", "cleaned")
SCAN_ROWS = 40
_LEADS = ("so tre em ", "so ")


@lru_cache(maxsize=4)
def load_header_prefixes(path: Path = REFERENCE_DIR / "column_headers.csv") -> tuple[tuple[str, str], ...]:
    frame = pl.read_csv(path, schema={"field": pl.String, "prefix": pl.String})
    pairs = [(fold(p), f) for f, p in frame.iter_rows()]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def field_of(cell: str | None, prefixes: tuple[tuple[str, str], ...] | None = None) -> str | None:
    """The appendix field a header cell names, or None."""
    if not cell:
        return None
    return _field_of(cell, prefixes or load_header_prefixes())


# Communes copy one template: the same few header texts recur in thousands of files.
@lru_cache(maxsize=8192)
def _field_of(cell: str, prefixes: tuple[tuple[str, str], ...]) -> str | None:
    text = fold(cell)
    candidates = [text] + [text[len(lead) :] for lead in _LEADS if text.startswith(lead)]
    for prefix, field in prefixes:
        for candidate in candidates:
            if candidate == prefix or candidate.startswith(prefix + " "):
                return field
    return None


@dataclass(frozen=True)
class Header:
    row_number: int
    columns: dict[str, int]  # field → 0-based column index

    @property
    def missing(self) -> list[str]:
        return [f for f in REQUIRED_FIELDS if f not in self.columns]


def row_fields(row: list[str | None], prefixes) -> dict[str, int]:
    """field → column index for the cells of one row that name a field (the first cell wins)."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(row):
        field = field_of(cell, prefixes)
        if field and field not in columns:
            columns[field] = index
    return columns


def merge_rows(upper: dict[str, int], lower: dict[str, int]) -> dict[str, int]:
    """A two-row header: the lower row's names win their columns, the upper row fills the rest."""
    taken = set(lower.values())
    merged = {f: c for f, c in upper.items() if c not in taken and f not in lower}
    merged.update(lower)
    return merged


def find_header(rows: list[list[str | None]]) -> Header | None:
    """The best header row among a sheet's first rows (1-based `row_number`), or None if
    none names 2 fields.

    A header may span two rows (a group title such as "Cập nhật dữ liệu" merged over
    "Đã cập nhật" and "Chưa cập nhật" below it): the pair counts when it names more
    fields than either row alone, and the table starts below its second row.
    """
    prefixes = load_header_prefixes()
    named = [(number, row_fields(row, prefixes)) for number, row in enumerate(rows[:SCAN_ROWS], start=1)]
    best: Header | None = None
    for i, (row_number, columns) in enumerate(named):
        candidates = [Header(row_number, columns)]
        if i + 1 < len(named) and columns and named[i + 1][1]:
            merged = merge_rows(columns, named[i + 1][1])
            if len(merged) > max(len(columns), len(named[i + 1][1])):
                candidates.append(Header(named[i + 1][0], merged))
        for candidate in candidates:
            if len(candidate.columns) >= 2 and (best is None or len(candidate.columns) > len(best.columns)):
                best = candidate
    return best
