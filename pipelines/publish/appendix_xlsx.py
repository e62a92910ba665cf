"""phu-luc-<YYYY-MM>.xlsx: the appendix in the official layout of the letter's PHỤ LỤC.

Sheets, in order:

- "Phụ lục", the appendix to print and attach: every cell is text in the letter's form
  (3.158; 54,81; "-" for zero; `core.columns.cell_text`), so it reads the same in any
  office suite and any locale. A number format cannot promise that: Excel and LibreOffice
  draw "#,##0" and "0.00" with the reader's locale (3,158 / 54.81 in an English one).
  Printed on one A4 landscape page for a district (up to ONE_PAGE_ROWS rows); a longer
  appendix fits the page width and repeats its header rows on every page. A large
  scope's may print its units grouped by district with a bold subtotal row after each
  (`groups`), and the units' codes between TT and the name (`show_codes`).
- "Biểu đồ 1", "Biểu đồ 2": one chart per sheet, each printed whole on one page.
- "Số liệu", for analysts: appendix.csv's rows (never the subtotals) with the figures as
  numbers and the unit's code; their display follows the reader's locale.
"""

from __future__ import annotations

import datetime as dt
import io
import math

import polars as pl
import xlsxwriter
from xlsxwriter.image import Image
from xlsxwriter.utility import xl_range

from pipelines.core.columns import (
    FONT,
    Column,
    data_columns,
    headers,
    label_span,
    numbering_row,
    printed_rows,
    shown_columns,
)
from pipelines.core.periods import month_label, period_start
from pipelines.core.text import spreadsheet_safe

APPENDIX_SHEET = "Phụ lục"
CHART_SHEET = "Biểu đồ"  # "Biểu đồ 1", "Biểu đồ 2", … when there are several charts
DATA_SHEET = "Số liệu"
# Up to this many rows (units and the total), the appendix sheet prints on one page (a
# district's: 13 rows print at full size, 30 at about three quarters); longer, it fits the page
# width and runs on over as many pages as it takes, its header rows on each.
ONE_PAGE_ROWS = 30
A4 = 9
ROW_PIXELS = 20  # the rows under a chart
HEADER_HEIGHT, ROW_HEIGHT = 80, 18  # points: the header row, a unit's row (12-point type)
# A name's letter (Times New Roman 12) in the default font's characters, a column's unit.
NAME_CHARACTER = 1.2
# The workbook's default font (of empty cells), which sets what a column's width in
# characters is in pixels: Arial 10 (Liberation Sans, its metric twin, in LibreOffice)
# measures alike in Excel and LibreOffice, where Calibri without Carlito does not.
DEFAULT_FONT = {"font_name": "Arial", "font_size": 10}


def appendix_xlsx_bytes(
    appendix: pl.DataFrame,
    period: str,
    scope: dict,
    created: dt.datetime,
    charts: list[bytes] | None = None,
    groups: pl.DataFrame | None = None,
    show_codes: bool = False,
) -> bytes:
    """The workbook's bytes; `created` stamps it, so the same figures give the same bytes.

    `scope` gives the title and attachment line as they read for `period`; `charts`
    (PNG images), when given, go one per sheet after the appendix; the numbers come last,
    on "Số liệu". `groups` (`appendix.grouped_by_district`), when given, are the rows the
    appendix sheet prints; `show_codes` prints the units' codes there. Made in memory, so a
    worker process can make it and hand the bytes back.
    """
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output,
        {
            "in_memory": True,
            "default_format_properties": dict(DEFAULT_FONT),  # a copy: xlsxwriter adds to it
            "default_row_height": 17,  # Arial 10's, in pixels
            "default_column_width": 64,
        },
    )
    workbook.set_properties({"title": f"Phụ lục tháng {month_label(period)}", "created": created})
    _formats = {}

    def fmt(**props) -> xlsxwriter.format.Format:
        key = tuple(sorted(props.items()))
        if key not in _formats:
            _formats[key] = workbook.add_format({"font_name": FONT, "font_size": 12, "valign": "vcenter", **props})
        return _formats[key]

    add_appendix_sheet(workbook, fmt, appendix, period, scope, groups, show_codes)
    for number, png in enumerate(charts or [], start=1):
        add_chart_sheet(workbook, png, CHART_SHEET if len(charts) == 1 else f"{CHART_SHEET} {number}")
    add_data_sheet(workbook, fmt, appendix, period)
    workbook.close()
    return output.getvalue()


def add_appendix_sheet(
    workbook: xlsxwriter.Workbook,
    fmt,
    appendix: pl.DataFrame,
    period: str,
    scope: dict,
    groups: pl.DataFrame | None = None,
    show_codes: bool = False,
) -> None:
    """The letter's appendix, every cell as the letter prints it: `groups`' rows when given
    (a district's subtotal bold like the total)."""
    start = period_start(period)
    columns = shown_columns(appendix, show_codes)
    last = len(columns) - 1
    span = label_span(columns)
    sheet = workbook.add_worksheet(APPENDIX_SHEET)
    sheet.merge_range(0, 0, 0, last, "PHỤ LỤC", fmt(bold=True, align="center", font_size=14))
    sheet.merge_range(1, 0, 1, last, scope.get("title", ""), fmt(bold=True, align="center"))
    attachment = scope.get("attachment_line", "").format(month=start.month, year=start.year)
    sheet.merge_range(2, 0, 2, last, attachment, fmt(italic=True, align="center"))

    head_row = 4
    sheet.write_row(head_row, 0, headers(period, columns), fmt(bold=True, align="center", text_wrap=True, border=1))
    sheet.write_row(head_row + 1, 0, numbering_row(columns), fmt(italic=True, align="center", border=1, font_size=11))
    # Every row's height in points, read alike everywhere: the default row of the
    # workbook's default font is too low for the letter's 12-point type.
    sheet.set_default_row(ROW_HEIGHT)
    for row, height in enumerate([24, 18, 18, 12, HEADER_HEIGHT]):
        sheet.set_row(row, height)

    formats = [[fmt(border=1, bold=bold, **_aligned(c)) for c in columns] for bold in (False, True)]
    safe = [c.kind in ("name", "text") for c in columns]
    first = row_index = head_row + 2
    printed = printed_rows(appendix if groups is None else groups, columns)
    for cells in printed:
        cells = [spreadsheet_safe(text) if s else text for s, text in zip(safe, cells, strict=True)]
        if cells[0] == "":  # the total (or a subtotal): "Tổng cộng" across TT and the name, as the letter prints it
            label = fmt(border=1, bold=True, align="center")
            sheet.merge_range(row_index, 0, row_index, span - 1, cells[span - 1], label)
            for index in range(span, len(columns)):
                sheet.write_string(row_index, index, cells[index], formats[1][index])
        else:
            for index, text in enumerate(cells):
                sheet.write_string(row_index, index, text, formats[0][index])
        row_index += 1
    # The figures are text on purpose: no "number stored as text" marks on screen.
    sheet.ignore_errors({"number_stored_as_text": xl_range(first, 0, max(row_index - 1, first), last)})

    # The name column as wide as the longest unit's name (a province's run longer than a
    # district's): its cells do not wrap, and a cell's text never runs under the next one.
    longest = max((len(cells[span - 1]) for cells in printed if cells[0] != ""), default=0)
    for index, column in enumerate(columns):
        width = max(column.width, math.ceil(longest * NAME_CHARACTER) + 1) if index == span - 1 else column.width
        sheet.set_column(index, index, width)
    sheet.set_landscape()
    sheet.set_paper(A4)
    rows = row_index - first
    sheet.fit_to_pages(1, 1 if rows <= ONE_PAGE_ROWS else 0)
    sheet.center_horizontally()
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.repeat_rows(head_row, head_row + 1)
    sheet.print_area(0, 0, row_index - 1, last)


def add_data_sheet(workbook: xlsxwriter.Workbook, fmt, appendix: pl.DataFrame, period: str) -> None:
    """The appendix's rows with the figures as numbers, for analysts: one header row, then
    appendix.csv's rows (the total last)."""
    columns = data_columns(appendix)
    sheet = workbook.add_worksheet(DATA_SHEET)
    sheet.write_row(0, 0, headers(period, columns), fmt(bold=True, align="center", text_wrap=True, border=1))
    sheet.set_default_row(ROW_HEIGHT)
    sheet.set_row(0, HEADER_HEIGHT)
    formats = [
        [fmt(border=1, bold=bold, num_format=c.number_format or "General", **_aligned(c)) for c in columns]
        for bold in (False, True)
    ]
    for row_index, row in enumerate(appendix.select(c.key for c in columns).iter_rows(), start=1):
        style = formats[row[0] is None]  # the total in bold
        for index, value in enumerate(row):
            if value is None:
                sheet.write_blank(row_index, index, None, style[index])
            elif isinstance(value, str):
                sheet.write_string(row_index, index, spreadsheet_safe(value), style[index])
            else:
                sheet.write_number(row_index, index, value, style[index])
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)
    sheet.freeze_panes(1, 0)
    sheet.set_landscape()
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)


def _aligned(column: Column) -> dict:
    """The column's alignment; text off the cell's border by a space, as in the Word table."""
    return {"align": column.align} | ({"indent": 1} if column.align != "center" else {})


def add_chart_sheet(workbook: xlsxwriter.Workbook, png: bytes, name: str) -> None:
    """One chart on its own sheet, printed whole on one A4 page, turned as the chart is."""
    sheet = workbook.add_worksheet(name)
    image = Image(io.BytesIO(png))
    width = round(image.width * 96 / image.x_dpi)  # as the office suite shows it, in pixels
    height = round(image.height * 96 / image.y_dpi)
    # The picture is anchored to cells. Rows are sized in points, read alike everywhere;
    # a column's width is counted in the default font's digits, which an office suite
    # without that font (LibreOffice without Calibri) measures wider, and it would stretch
    # the picture to the cell it ends in. One column wider than the picture holds it
    # whole: it ends inside that column, at an offset in absolute units.
    sheet.set_column_pixels(0, 0, width + 8)
    rows = math.ceil(height / ROW_PIXELS)
    for row in range(rows + 1):
        sheet.set_row_pixels(row, ROW_PIXELS)
    sheet.insert_image(0, 0, f"{name}.png", {"image_data": io.BytesIO(png), "object_position": 3})
    sheet.print_area(0, 0, rows, 0)  # the picture, fitted to one page: never cut
    if width >= height:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, 1)
    sheet.center_horizontally()
    sheet.center_vertically()
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
