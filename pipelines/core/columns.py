"""The appendix's columns, defined once.

Every renderer (appendix.csv, the workbook, the Word table, appendix.md, report.html) and
every message that names a column reads them from here: the key (the frame's and
appendix.csv's column), the numbering the letter prints under its header, the letter's
header (the workbook, the Word table and report.html print it, with the numbering row),
the short header of the Markdown table, how a cell is written and aligned, its width, and
the number format of the workbook's data sheet.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipelines.core.numbers import format_vn_int, format_vn_rate
from pipelines.core.periods import month_label


@dataclass(frozen=True)
class Column:
    key: str
    number: str  # the numbering row, as the letter prints it
    header: str  # the letter's header; {month} stands for the period ("7/2024")
    short: str  # appendix.md
    kind: str  # "row" (TT), "code", "name", "count", "rate" or "text"
    width: float  # in the workbook, in characters
    width_cm: float  # in the Word table (narrowed alike when the note column needs room)
    named: str = ""  # how a message names it, when shorter than the header

    @property
    def align(self) -> str:
        """How every renderer aligns its cells: TT and codes centred, figures right, text left."""
        return {"row": "center", "code": "center", "count": "right", "rate": "right"}.get(self.kind, "left")

    @property
    def number_format(self) -> str | None:
        """The workbook's number format where the figures stay numbers (its data sheet)."""
        return NUMBER_FORMATS.get(self.kind)

    @property
    def label(self) -> str:
        """ "(3) Tổng số trẻ em": the column as a rejection message names it."""
        return f"{self.number.split()[0]} {self.named or self.header}"


COLUMNS = (
    Column("stt", "(1)", "TT", "TT", "row", 6, 1.1),
    Column("commune_name", "(2)", "Tên địa phương", "Tên địa phương", "name", 20, 4.4),
    Column(
        "total_children",
        "(3)",
        "Tổng số trẻ em theo báo cáo của địa phương đến tháng {month}",
        "Tổng số trẻ em (3)",
        "count",
        22,
        3.8,
        named="Tổng số trẻ em",
    ),
    Column("updated", "(4)", "Số trẻ em đã được cập nhật dữ liệu", "Đã cập nhật (4)", "count", 16, 3.1),
    Column(
        "not_updated", "(5) = (3) - (4)", "Số trẻ em chưa được cập nhật dữ liệu", "Chưa cập nhật (5)", "count", 16, 3.1
    ),
    Column("cleaned", "(6)", "Số trẻ em đã làm sạch dữ liệu", "Đã làm sạch (6)", "count", 16, 3.1),
    Column("not_cleaned", "(7) = (4)-(6)", "Số trẻ em chưa làm sạch dữ liệu", "Chưa làm sạch (7)", "count", 16, 3.1),
    Column("clean_rate_pct", "(8)", "Tỷ lệ trẻ em được làm sạch dữ liệu (%)", "Tỷ lệ làm sạch % (8)", "rate", 16, 3.1),
)
# A ninth column, shown only when some unit has a note ("Chưa báo cáo").
NOTE = Column("note", "", "Ghi chú", "Ghi chú", "text", 16, 2.9)
# The unit's code: in appendix.csv and on the workbook's data sheet.
CODE = Column("commune_code", "", "Mã đơn vị", "Mã đơn vị", "text", 12, 2.0)
# The same code as the letter prints it between TT and the name, when its scope asks for
# the codes ([scope] show_codes: a province's or the country's many communes).
UNIT_CODE = Column("commune_code", "", "Mã", "Mã", "code", 9, 1.8)

# The workbook's data sheet keeps the figures as numbers; an office suite draws them with
# the reader's locale (3,158 in English, 3.158 in Vietnamese), so the appendix sheet, the
# Word table and the web page print `cell_text` instead, the letter's form everywhere.
NUMBER_FORMATS = {"row": "0", "count": '#,##0;-#,##0;"-"', "rate": "0.00"}

# The letter's typeface, in the workbook and the Word file.
FONT = "Times New Roman"
COUNT_COLUMNS = [c.key for c in COLUMNS if c.kind == "count"]
# appendix.csv, a contract: the figures as numbers, the unit's code beside its name.
CSV_COLUMNS = ["stt", "commune_code", "commune_name", *COUNT_COLUMNS, "clean_rate_pct"]
# How messages name a column; a submission's name column is unit_name.
LABELS = {c.key: c.label for c in COLUMNS} | {"unit_name": COLUMNS[1].label, "unit_code": CODE.header}


def has_notes(appendix: pl.DataFrame) -> bool:
    return appendix["note"].drop_nulls().len() > 0


def shown_columns(appendix: pl.DataFrame, show_codes: bool = False) -> list[Column]:
    """The columns printed: the eight of the letter, the unit's code between TT and the name
    when `show_codes`, and the note column when there are notes."""
    codes = [UNIT_CODE] if show_codes else []
    return [COLUMNS[0], *codes, *COLUMNS[1:], *([NOTE] if has_notes(appendix) else [])]


def label_span(columns: list[Column] | tuple[Column, ...]) -> int:
    """How many cells, from the first, a total's or a subtotal's label spans (TT to the
    name: "Tổng cộng" across TT and the name, or TT, the code and the name)."""
    return next(i for i, c in enumerate(columns) if c.kind == "name") + 1


def data_columns(appendix: pl.DataFrame) -> list[Column]:
    """The workbook's data sheet: appendix.csv's columns (TT, the code, the name, the
    figures), and the note column when there are notes."""
    return [COLUMNS[0], CODE, *COLUMNS[1:], *([NOTE] if has_notes(appendix) else [])]


def numbering_row(columns: list[Column] | tuple[Column, ...] = COLUMNS) -> list[str]:
    """The row under the headers: (1), (2), (3), (4), (5) = (3) - (4), …"""
    return [c.number for c in columns]


def headers(period: str, columns: list[Column] | tuple[Column, ...] = COLUMNS) -> list[str]:
    return [c.header.format(month=month_label(period)) for c in columns]


def cell_text(column: Column, value: object) -> str:
    """A cell as the letter prints it: 3.158, 54,81, "-" for zero, nothing for no figure."""
    if column.kind == "count":
        return format_vn_int(value)
    if column.kind == "rate":
        return format_vn_rate(value)
    return "" if value is None else str(value)


def printed_rows(appendix: pl.DataFrame, columns: list[Column] | tuple[Column, ...] | None = None) -> list[list[str]]:
    """Every row as printed, in `columns` (by default TT, name, (3)…(7), (8), and the note,
    empty when none). A row without TT (the total, a district's subtotal) prints no code."""
    columns = (*COLUMNS, NOTE) if columns is None else columns
    return [
        [cell_text(c, None if c.kind == "code" and row["stt"] is None else row[c.key]) for c in columns]
        for row in appendix.iter_rows(named=True)
    ]
