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

from pipelines.settings import REFERENCE_DIR
from pipelines.text import fold

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
    prefixes = prefixes or load_header_prefixes()
    text = fold(cell)
    candidates = [text] + [text[len(lead):] for lead in _LEADS if text.startswith(lead)]
    for prefix, field in prefixes:
        for candidate in candidates:
            if candidate == prefix or candidate.startswith(prefix + " "):
                return field
    return None


@dataclass(frozen=True)
class Header:
    row_number: int
    columns: dict[str, str]  # field → raw column name (c0, c1, …)

    @property
    def missing(self) -> list[str]:
        return [f for f in REQUIRED_FIELDS if f not in self.columns]


def find_header(raw: pl.DataFrame) -> Header | None:
    """The best header row in `raw` (columns row_number, c0…), or None if none names 2 fields."""
    prefixes = load_header_prefixes()
    best: Header | None = None
    cell_columns = [c for c in raw.columns if c != "row_number"]
    for row in raw.head(SCAN_ROWS).iter_rows(named=True):
        columns: dict[str, str] = {}
        for name in cell_columns:
            field = field_of(row[name], prefixes)
            if field and field not in columns:
                columns[field] = name
        if len(columns) >= 2 and (best is None or len(columns) > len(best.columns)):
            best = Header(row["row_number"], columns)
    return best
