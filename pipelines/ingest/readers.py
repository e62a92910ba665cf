"""Read a received file's bytes into a raw table: rows of text cells.

What a file is comes from its bytes, not its name (`file_guards.sniff`): an .xlsx
renamed .xls, a CSV or an HTML table saved as ".xls" are all read for what they are.
Every container is checked by `file_guards` before a parser sees it. Spreadsheets
(.xlsx, legacy .xls) are read with python-calamine (Excel 2003 XML, which web tools
save as ".xls", with the standard library), which keeps each cell's type, so an
Excel number renders unambiguously (whole: "3158"; fractional: with a decimal comma,
"3624,5") while text stays exactly as typed ("3.158"). Delimited text (.csv, .txt,
.tsv) is decoded (UTF-8 with or without BOM, UTF-16, Windows-1258) and split with the
standard csv module on the delimiter it uses. Every text cell is normalised to NFC.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

from pipelines.core.text import nfc
from pipelines.ingest import file_guards
from pipelines.ingest.file_guards import UnreadableFile
from pipelines.ingest.html_tables import TooManyCells, declared_charset, html_tables
from pipelines.ingest.sandbox import read_workbook, render_cell
from pipelines.ingest.xml_spreadsheet import xml_sheets

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
SUPPORTED_SUFFIXES = SPREADSHEET_SUFFIXES | TEXT_SUFFIXES
DELIMITERS = (";", "\t", ",", "|")

__all__ = ["RawSheet", "UnreadableFile", "read_table"]


@dataclass(frozen=True)
class RawSheet:
    name: str
    rows: list[list[str | None]]
    visible: bool = True  # a hidden sheet is read and kept, but figures come from visible ones


def read_spreadsheet(data: bytes) -> list[RawSheet]:
    return [RawSheet(name, rows, visible) for name, rows, visible in read_workbook(data)]


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def decode_text(data: bytes, declared: str | None = None) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM or not), else Windows-1258; NFC.

    Windows-1258 writes most tone marks as combining characters after the letter; NFC
    joins them, so "Phu\u031bo\u031b\u0301c" reads as "Phước". Binary bytes are no text.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        codecs = ["utf-16"]
    elif data.startswith(b"\xef\xbb\xbf"):
        codecs = ["utf-8-sig"]
    elif utf16 := _looks_utf16(data):
        codecs = [utf16]
    elif b"\x00" in data:
        raise UnreadableFile("NOT_A_SPREADSHEET", "binary content")
    else:
        codecs = [c for c in (declared, "utf-8", "cp1258") if c]
    for codec in codecs:
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        break
    else:
        raise UnreadableFile("UNKNOWN_ENCODING", "not UTF-8, UTF-16 or Windows-1258")
    controls = sum(1 for ch in text[:20000] if ch < " " and ch not in "\t\r\n\f")
    if controls > 0.01 * min(len(text), 20000):
        raise UnreadableFile("NOT_A_SPREADSHEET", "binary content")
    text = nfc(text)
    if not text.strip():
        raise UnreadableFile("EMPTY_FILE")
    return text


def sniff_delimiter(text: str) -> str:
    """The delimiter splitting the most lines into the same number (≥ 2) of fields.

    A title line's comma ("UBND huyện A, tỉnh B") or a decimal comma in
    a ";" file does not win: the table's lines agree on their field count, prose does not.
    """
    lines = [line for line in text.splitlines()[:200] if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts = Counter(line.count(delimiter) for line in lines)
        counts.pop(0, None)
        if not counts:
            continue
        fields, lines_agreeing = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        score = (lines_agreeing, fields)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_delimited(data: bytes) -> list[RawSheet]:
    text = decode_text(data)
    delimiter = sniff_delimiter(text)
    file_guards.check_text_shape(text, delimiter)
    try:
        rows = [
            [cell.strip() or None for cell in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:  # a cell past the csv module's limit: no submission has one
        raise UnreadableFile(
            "FILE_TOO_LARGE", f"một ô dài hơn {csv.field_size_limit():,} ký tự".replace(",", ".")
        ) from exc
    return [RawSheet("", rows)]


def read_html(data: bytes) -> list[RawSheet]:
    text = decode_text(data, declared_charset(data))
    try:
        tables = html_tables(text, file_guards.MAX_CELLS)
    except TooManyCells as exc:
        raise UnreadableFile("FILE_TOO_LARGE", f"bảng HTML hơn {file_guards.MAX_CELLS:,} ô".replace(",", ".")) from exc
    if not tables:
        raise UnreadableFile("HTML_WITHOUT_TABLE")
    sheets = []
    for index, rows in enumerate(tables, start=1):
        width = max(len(r) for r in rows)
        file_guards.check_cell_extent(len(rows), width)
        sheets.append(RawSheet(f"table {index}", [[nfc(c) if c else None for c in row] for row in rows]))
    return sheets


def read_table(data: bytes, suffix: str) -> list[RawSheet]:
    """The sheets of a received file; `suffix` (lower case, with the dot) only gates the type.

    Raises UnreadableFile with the rejection code when the bytes are not a readable table,
    and nothing else: whatever a reader raises on one file is that file's rejection.
    """
    try:
        return _read_table(data, suffix)
    except UnreadableFile:
        raise
    except RecursionError as exc:
        raise UnreadableFile("NOT_A_SPREADSHEET", "cấu trúc lồng nhau quá sâu") from exc
    except MemoryError as exc:
        raise UnreadableFile("FILE_TOO_LARGE", "cần quá nhiều bộ nhớ để đọc") from exc
    except Exception as exc:  # a reader's own bug or a case it does not know: the file, not the run
        raise UnreadableFile("NOT_A_SPREADSHEET", f"{type(exc).__name__}: {exc}"[:200]) from exc


def _read_table(data: bytes, suffix: str) -> list[RawSheet]:
    suffix = suffix.lower()
    file_guards.check_size(len(data))
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnreadableFile("UNSUPPORTED_TYPE", suffix or "(không có đuôi)")
    kind = file_guards.sniff(data)
    if kind == file_guards.ZIP:
        file_guards.check_zip(data)
        sheets = read_spreadsheet(data)
    elif kind == file_guards.OLE:
        file_guards.check_ole(data)
        sheets = read_spreadsheet(data)
    elif kind == file_guards.HTML:
        sheets = read_html(data)
    elif kind == file_guards.XML_SPREADSHEET:
        sheets = [RawSheet(nfc(name), rows) for name, rows in xml_sheets(data, render_cell)]
    elif kind == file_guards.TEXT:
        sheets = read_delimited(data)
    else:
        raise UnreadableFile("NOT_A_SPREADSHEET", kind)
    if not any(cell is not None for sheet in sheets for row in sheet.rows for cell in row):
        raise UnreadableFile("EMPTY_FILE")
    return sheets
