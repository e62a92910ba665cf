"""HTML tables, as some web software saves a report "as .xls": rows of text cells.

Parsed with the standard library's html.parser (no network, no scripts, no entities
beyond HTML's own). colspan and rowspan keep every cell under its column, so a merged
title cell or a two-row header lines up with the figures below it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SPACES = re.compile(r"\s+")
_CHARSET = re.compile(rb"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)")


def _span(attrs: list[tuple[str, str | None]], name: str) -> int:
    for key, value in attrs:
        if key == name and value:
            digits = re.match(r"\s*(\d+)", value)
            if digits:
                return max(1, min(int(digits.group(1)), 1000))
    return 1


class TooManyCells(Exception):
    """The page's tables, spans expanded, hold more cells than `max_cells`."""


class _TableParser(HTMLParser):
    def __init__(self, max_cells: int) -> None:
        super().__init__(convert_charrefs=True)
        self.max_cells = max_cells
        self.cells = 0  # cells laid out so far, spans expanded: checked before each expansion
        self.tables: list[list[list[str | None]]] = []
        self._depth = 0
        self._row: list[str | None] | None = None
        self._cell: list[str] | None = None
        self._cell_span = (1, 1)
        self._pending: dict[int, tuple[int, str | None]] = {}  # column → (rows left, text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append([])
                self._pending = {}
        elif self._depth != 1:
            return
        elif tag == "tr":
            self._close_row()
            self._row = []
        elif tag in ("td", "th"):
            self._close_cell()
            if self._row is None:
                self._row = []
            self._cell = []
            self._cell_span = (_span(attrs, "colspan"), _span(attrs, "rowspan"))
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            if self._depth == 1:
                self._close_row()
            self._depth = max(0, self._depth - 1)
        elif self._depth != 1:
            return
        elif tag in ("td", "th"):
            self._close_cell()
        elif tag == "tr":
            self._close_row()

    def handle_data(self, data: str) -> None:
        if self._cell is not None and self._depth == 1:
            self._cell.append(data)

    def _fill_pending(self) -> None:
        assert self._row is not None
        while len(self._row) in self._pending:
            column = len(self._row)
            left, _ = self._pending.pop(column)
            self._row.append(None)
            if left > 1:
                self._pending[column] = (left - 1, None)

    def _close_cell(self) -> None:
        if self._cell is None or self._row is None:
            return
        text = _SPACES.sub(" ", "".join(self._cell)).strip() or None
        self._fill_pending()
        columns, rows = self._cell_span
        self.cells += columns * rows
        if self.cells > self.max_cells:
            raise TooManyCells(self.cells)
        start = len(self._row)
        self._row.append(text)
        self._row.extend([None] * (columns - 1))
        if rows > 1:
            for column in range(start, start + columns):
                self._pending[column] = (rows - 1, None)
        self._cell = None

    def _close_row(self) -> None:
        self._close_cell()
        if self._row is not None and self.tables:
            self._fill_pending()
            self.tables[-1].append(self._row)
        self._row = None


def declared_charset(data: bytes) -> str | None:
    """The charset a <meta> tag declares, if Python knows it."""
    match = _CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii").lower()
    try:
        "".encode(name)
    except LookupError:
        return None
    return name


def html_tables(text: str, max_cells: int) -> list[list[list[str | None]]]:
    """Every top-level table of the page with at least one non-empty cell.

    Raises TooManyCells before laying out more than `max_cells` cells (spans expanded),
    so a small page of huge colspans costs no memory.
    """
    parser = _TableParser(max_cells)
    parser.feed(text)
    parser.close()
    parser._close_row()
    return [t for t in parser.tables if any(c is not None for row in t for c in row)]
