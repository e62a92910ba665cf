"""Read a received file's bytes into a raw table: rows of text cells.

Spreadsheets (.xlsx, .xls, .ods) are read with python-calamine, which keeps each cell's
type, so an Excel number renders unambiguously (whole: "3158"; fractional: with a
decimal comma, "3624,5") while text stays exactly as typed ("3.158"). Delimited text
(.csv, .txt, .tsv) is decoded and split with the standard csv module. Every text cell is
normalised to NFC.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import polars as pl
import python_calamine

from pipelines.text import nfc

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}


class UnreadableFile(Exception):
    """The bytes cannot be read as a table; `code` names the rejection."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class RawSheet:
    name: str
    rows: list[list[str | None]]

    def to_frame(self) -> pl.DataFrame:
        """One String column per sheet column (c0, c1, …) and the 1-based `row_number`."""
        width = max((len(r) for r in self.rows), default=0)
        columns = {
            f"c{i}": [r[i] if i < len(r) else None for r in self.rows] for i in range(width)
        }
        frame = pl.DataFrame(columns, schema={k: pl.String for k in columns})
        return frame.with_row_index("row_number", offset=1).with_columns(
            pl.col("row_number").cast(pl.Int64)
        )


def render_cell(value: object) -> str | None:
    """A typed spreadsheet cell as text, with numbers written unambiguously."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value).replace(".", ",")
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    text = nfc(str(value)).strip()
    return text or None


def read_spreadsheet(data: bytes) -> list[RawSheet]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several types for damaged files
        raise UnreadableFile("NOT_A_SPREADSHEET", str(exc)) from exc
    sheets = []
    for index, name in enumerate(workbook.sheet_names):
        try:
            cells = workbook.get_sheet_by_index(index).to_python(skip_empty_area=False)
        except Exception as exc:
            raise UnreadableFile("NOT_A_SPREADSHEET", str(exc)) from exc
        sheets.append(RawSheet(nfc(name), [[render_cell(v) for v in row] for row in cells]))
    return sheets


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; NFC."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return nfc(data.decode("utf-16"))
    try:
        return nfc(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UnreadableFile("UNKNOWN_ENCODING", str(exc)) from exc


def sniff_delimiter(text: str) -> str:
    """The most frequent of tab, ";" and "," on the first non-empty lines."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    sample = "\n".join(lines)
    counts = {d: sample.count(d) for d in ("\t", ";", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_delimited(data: bytes) -> list[RawSheet]:
    text = decode_text(data)
    delimiter = sniff_delimiter(text)
    rows = [
        [cell.strip() or None for cell in row]
        for row in csv.reader(io.StringIO(text), delimiter=delimiter)
    ]
    return [RawSheet("", rows)]


def read_table(data: bytes, suffix: str) -> list[RawSheet]:
    """The sheets of a received file, by its name's suffix (lower case, with the dot)."""
    if not data:
        raise UnreadableFile("EMPTY_FILE")
    if suffix in SPREADSHEET_SUFFIXES:
        return read_spreadsheet(data)
    if suffix in TEXT_SUFFIXES:
        return read_delimited(data)
    raise UnreadableFile("UNSUPPORTED_TYPE", suffix)
