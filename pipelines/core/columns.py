"""The appendix's columns, defined once.

Every renderer (appendix.csv, the workbook, the Word table, appendix.md, report.html) and
every message that names a column reads them from here: the key (the frame's and
appendix.csv's column), the numbering the letter prints under its header, the letter's
header, the short header of the Markdown and HTML tables, and how a cell is written.
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
    short: str  # appendix.md and report.html
    kind: str  # "row" (TT), "name", "count", "rate" or "text"
    width: float  # in the workbook, in characters
    width_cm: float  # in the Word table
    named: str = ""  # how a message names it, when shorter than the header

    @property
    def label(self) -> str:
        """ "(3) Tổng số trẻ em": the column as a rejection message names it."""
        return f"{self.number.split()[0]} {self.named or self.header}"


COLUMNS = (
    Column("stt", "(1)", "TT", "TT", "row", 6, 1.2),
    Column("commune_name", "(2)", "Tên địa phương", "Tên địa phương", "name", 20, 4.2),
    Column(
        "total_children",
        "(3)",
        "Tổng số trẻ em theo báo cáo của địa phương đến tháng {month}",
        "Tổng số trẻ em (3)",
        "count",
        22,
        3.6,
        named="Tổng số trẻ em",
    ),
    Column("updated", "(4)", "Số trẻ em đã được cập nhật dữ liệu", "Đã cập nhật (4)", "count", 16, 3.0),
    Column(
        "not_updated", "(5) = (3) - (4)", "Số trẻ em chưa được cập nhật dữ liệu", "Chưa cập nhật (5)", "count", 16, 3.0
    ),
    Column("cleaned", "(6)", "Số trẻ em đã làm sạch dữ liệu", "Đã làm sạch (6)", "count", 16, 3.0),
    Column("not_cleaned", "(7) = (4)-(6)", "Số trẻ em chưa làm sạch dữ liệu", "Chưa làm sạch (7)", "count", 16, 3.0),
    Column("clean_rate_pct", "(8)", "Tỷ lệ trẻ em được làm sạch dữ liệu (%)", "Tỷ lệ làm sạch % (8)", "rate", 16, 3.0),
)
# A ninth column, shown only when some unit has a note ("Chưa báo cáo").
NOTE = Column("note", "", "Ghi chú", "Ghi chú", "text", 16, 2.6)

# The letter's typeface, in the workbook and the Word file.
FONT = "Times New Roman"
COUNT_COLUMNS = [c.key for c in COLUMNS if c.kind == "count"]
# appendix.csv, a contract: the figures as numbers, the unit's code beside its name.
CSV_COLUMNS = ["stt", "commune_code", "commune_name", *COUNT_COLUMNS, "clean_rate_pct"]
# How messages name a column; a submission's name column is unit_name.
LABELS = {c.key: c.label for c in COLUMNS} | {"unit_name": COLUMNS[1].label, "unit_code": "Mã đơn vị"}


def has_notes(appendix: pl.DataFrame) -> bool:
    return appendix["note"].drop_nulls().len() > 0


def shown_columns(appendix: pl.DataFrame) -> list[Column]:
    """The columns printed: the eight of the letter, and the note column when there are notes."""
    return [*COLUMNS, NOTE] if has_notes(appendix) else list(COLUMNS)


def headers(period: str, columns: list[Column] | tuple[Column, ...] = COLUMNS) -> list[str]:
    return [c.header.format(month=month_label(period)) for c in columns]


def cell_text(column: Column, value: object) -> str:
    """A cell as the letter prints it: 3.158, 54,81, "-" for zero, nothing for no figure."""
    if column.kind == "count":
        return format_vn_int(value)
    if column.kind == "rate":
        return format_vn_rate(value)
    return "" if value is None else str(value)


def printed_rows(appendix: pl.DataFrame) -> list[list[str]]:
    """Every row as printed: TT, name, (3)…(7), (8), and the note (empty when none)."""
    return [[cell_text(c, row[c.key]) for c in (*COLUMNS, NOTE)] for row in appendix.iter_rows(named=True)]
