"""phu-luc-<YYYY-MM>.xlsx: the appendix in the official layout of the letter's PHỤ LỤC.

Numbers stay numbers; their display comes from number formats: counts "#,##0" with zero
shown as "-", rates "0.00". Excel and LibreOffice draw the grouping and decimal marks of
the reader's locale, so a Vietnamese-locale Excel (the officers') shows 3.158 and 54,81.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import polars as pl
import xlsxwriter

from pipelines.core.columns import COUNT_COLUMNS, FONT, headers, shown_columns
from pipelines.core.periods import month_label, period_start
from pipelines.core.text import spreadsheet_safe

COUNT_FORMAT = '#,##0;-#,##0;"-"'
RATE_FORMAT = "0.00"


CHART_SHEET = "Biểu đồ"


def write_appendix_xlsx(
    path: Path,
    appendix: pl.DataFrame,
    period: str,
    scope: dict,
    created: dt.datetime,
    charts: list[bytes] | None = None,
) -> None:
    """Write the workbook to `path` (see `appendix_xlsx_bytes`)."""
    Path(path).write_bytes(appendix_xlsx_bytes(appendix, period, scope, created, charts))


def appendix_xlsx_bytes(
    appendix: pl.DataFrame,
    period: str,
    scope: dict,
    created: dt.datetime,
    charts: list[bytes] | None = None,
) -> bytes:
    """The workbook's bytes; `created` stamps it, so the same figures give the same bytes.

    `scope` gives the title and attachment line as they read for `period`; `charts`
    (PNG images), when given, go one under the other on a second sheet "Biểu đồ"; the
    first sheet is the appendix alone. Made in memory, so a worker process can make it
    and hand the bytes back.
    """
    start = period_start(period)
    columns = shown_columns(appendix)
    has_notes = len(columns) > 8
    width = len(columns)
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    workbook.set_properties({"title": f"Phụ lục tháng {month_label(period)}", "created": created})
    sheet = workbook.add_worksheet("Phụ lục")

    def fmt(**props):
        return workbook.add_format({"font_name": FONT, "font_size": 12, "valign": "vcenter", **props})

    title = fmt(bold=True, align="center", font_size=14)
    subtitle = fmt(bold=True, align="center")
    italic = fmt(italic=True, align="center")
    header = fmt(bold=True, align="center", text_wrap=True, border=1)
    numbering = fmt(italic=True, align="center", border=1, font_size=11)
    text = fmt(border=1)
    centered = fmt(border=1, align="center")
    count = fmt(border=1, num_format=COUNT_FORMAT)
    rate = fmt(border=1, num_format=RATE_FORMAT)
    total_text = fmt(border=1, bold=True, align="center")
    total_count = fmt(border=1, bold=True, num_format=COUNT_FORMAT)
    total_rate = fmt(border=1, bold=True, num_format=RATE_FORMAT)

    last = width - 1
    sheet.merge_range(0, 0, 0, last, "PHỤ LỤC", title)
    sheet.merge_range(1, 0, 1, last, scope.get("title", ""), subtitle)
    attachment = scope.get("attachment_line", "").format(month=start.month, year=start.year)
    sheet.merge_range(2, 0, 2, last, attachment, italic)

    head_row = 4
    sheet.write_row(head_row, 0, headers(period, columns), header)
    sheet.write_row(head_row + 1, 0, [c.number for c in columns], numbering)
    sheet.set_row(head_row, 96)

    row_index = head_row + 2
    for row in appendix.iter_rows(named=True):
        is_total = row["stt"] is None
        if is_total:
            sheet.merge_range(row_index, 0, row_index, 1, f"{row['commune_name']}", total_text)
        else:
            sheet.write_number(row_index, 0, row["stt"], centered)
            sheet.write_string(row_index, 1, spreadsheet_safe(row["commune_name"]), text)
        for offset, column in enumerate(COUNT_COLUMNS, start=2):
            value = row[column]
            if value is None:
                sheet.write_blank(row_index, offset, None, count)
            else:
                sheet.write_number(row_index, offset, value, total_count if is_total else count)
        if row["clean_rate_pct"] is None:
            sheet.write_blank(row_index, 7, None, rate)
        else:
            sheet.write_number(row_index, 7, row["clean_rate_pct"], total_rate if is_total else rate)
        if has_notes:
            sheet.write_string(row_index, 8, row["note"] or "", text)
        row_index += 1

    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.repeat_rows(head_row, head_row + 1)
    sheet.print_area(0, 0, row_index - 1, last)
    if charts:
        add_chart_sheet(workbook, charts)
    workbook.close()
    return output.getvalue()


def add_chart_sheet(workbook: xlsxwriter.Workbook, charts: list[bytes]) -> None:
    sheet = workbook.add_worksheet(CHART_SHEET)
    row = 0
    for number, png in enumerate(charts, start=1):
        height = _png_height(png)
        sheet.insert_image(row, 0, f"bieu-do-{number}.png", {"image_data": io.BytesIO(png), "object_position": 3})
        row += height // 20 + 2  # default rows are 20 pixels high
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)


def _png_height(png: bytes) -> int:
    """Pixel height from the PNG header (IHDR)."""
    return int.from_bytes(png[20:24], "big")
