"""report.html: one self-contained page per period that opens offline in any browser.

The summary sentence, the appendix table, the charts (PNG embedded as data URIs, so
nothing is fetched), the trends, the completeness table when the completeness step has
published one, and the warnings (rejected files and rows, stalled or falling units,
units that have not reported). Everything is escaped; no script, no external link.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re

import polars as pl

from pipelines.core.columns import headers, label_span, numbering_row, printed_rows, shown_columns
from pipelines.core.numbers import format_vn_int, format_vn_rate
from pipelines.core.periods import month_label, period_start
from pipelines.publish.trends import change_text, status_text

STYLE = """
body { font-family: "Times New Roman", "DejaVu Serif", serif; margin: 2em auto; max-width: 1100px; color: #111; }
h1, h2 { text-align: center; } h2 { margin-top: 2em; }
p.subtitle { text-align: center; font-weight: bold; } p.attachment { text-align: center; font-style: italic; }
p.summary { font-size: 1.15em; border-left: 4px solid #2e86c1; padding: .5em 1em; background: #f4f8fb; }
table { border-collapse: collapse; margin: 1em auto; } table.appendix { width: 100%; }
th, td { border: 1px solid #444; padding: .25em .5em; } th { background: #eee; vertical-align: middle; }
thead tr.numbering th { font-weight: normal; font-style: italic; background: #f6f6f6; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; } td.center { text-align: center; }
tr.total td { font-weight: bold; } tr.flagged td { background: #fdecea; }
figure { text-align: center; margin: 1.5em 0; } figure img { max-width: 100%; }
"""
TREND_HEADERS = [
    "Xếp hạng",
    "Tên địa phương",
    "Tỷ lệ làm sạch (%)",
    "Thay đổi so với kỳ trước (điểm %)",
    "Tốc độ (trẻ em được làm sạch/tháng)",
    "Đánh giá",
]
REJECTION_HEADERS = {"original_name": "Tệp", "row_number": "Dòng", "code": "Mã lỗi", "message": "Nội dung"}


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _table(
    headers: list[str],
    rows: list[list[str]],
    classes: list[str] | None = None,
    numeric: set[int] | None = None,
    centered: set[int] | None = None,
) -> str:
    """A table; `numeric` columns are right-aligned, `centered` ones centred."""
    cell_class = {i: ' class="num"' for i in numeric or ()} | {i: ' class="center"' for i in centered or ()}
    head = "<tr>" + "".join(f"<th>{_e(h)}</th>" for h in headers) + "</tr>"
    body = []
    for index, row in enumerate(rows):
        css = f' class="{classes[index]}"' if classes and classes[index] else ""
        cells = "".join(f"<td{cell_class.get(i, '')}>{_e(c)}</td>" for i, c in enumerate(row))
        body.append(f"<tr{css}>{cells}</tr>")
    return f"<table><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"


def _image(png: bytes, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<figure><img alt="{_e(caption)}" src="data:image/png;base64,{data}"><figcaption>{_e(caption)}</figcaption></figure>'


def trend_rows(trends: pl.DataFrame) -> tuple[list[list[str]], list[str]]:
    rows, classes = [], []
    for row in trends.iter_rows(named=True):
        rows.append(
            [
                "" if row["rank"] is None else str(row["rank"]),
                row["unit_name"],
                format_vn_rate(row["clean_rate_pct"]),
                change_text(row["change_pct_points"]),
                "" if row["pace_per_month"] is None else format_vn_int(round(row["pace_per_month"])),
                status_text(row),
            ]
        )
        classes.append("total" if row["unit_code"] is None else ("flagged" if row["flagged"] else ""))
    return rows, classes


# completeness.csv's columns as an officer reads them (English codes left out).
COMPLETENESS_HEADERS = {
    "stt": "TT",
    "unit_name": "Tên địa phương",
    "status_vi": "Tình trạng",
    "deadline": "Hạn báo cáo",
    "first_received_local": "Nhận lần đầu",
    "last_received_local": "Nhận lần cuối",
    "versions": "Số lần gửi",
    "days_late": "Số ngày trễ",
}


# Its figures, right-aligned; TT centred, as in the appendix.
COMPLETENESS_NUMERIC = {"versions", "days_late"}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$")


def date_text(value: object) -> str:
    """A date as the letter writes one (30/9/2024), a time of day after it (10/8/2024 09:00);
    anything else as it is."""
    if isinstance(value, str) and _ISO.match(value):
        value = dt.datetime.fromisoformat(value) if len(value) > 10 else dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return f"{value.day}/{value.month}/{value.year} {value:%H:%M}"
    if isinstance(value, dt.date):
        return f"{value.day}/{value.month}/{value.year}"
    return "" if value is None else str(value)


def completeness_table(frame: pl.DataFrame) -> str:
    columns = [c for c in COMPLETENESS_HEADERS if c in frame.columns]
    rows = [[date_text(v) for v in r] for r in frame.select(columns).iter_rows()]
    return _table(
        [COMPLETENESS_HEADERS[c] for c in columns],
        rows,
        numeric={i for i, c in enumerate(columns) if c in COMPLETENESS_NUMERIC},
        centered={i for i, c in enumerate(columns) if c == "stt"},
    )


def appendix_table(
    appendix: pl.DataFrame, period: str, groups: pl.DataFrame | None = None, show_codes: bool = False
) -> str:
    """The appendix as the letter prints it: its headers, the numbering row, the columns in
    the Word table's proportions, the figures right-aligned, "Tổng cộng" across TT and the
    name; the note column only when some unit has a note. `groups`
    (`appendix.grouped_by_district`), when given, are the rows printed, each district's
    subtotal bold like the total (class "total subtotal"); `show_codes` adds the unit's
    code between TT and the name (the labels of those rows then span it too)."""
    columns = shown_columns(appendix, show_codes)
    span = label_span(columns)
    total_width = sum(c.width_cm for c in columns)
    cols = "".join(f'<col style="width: {100 * c.width_cm / total_width:.1f}%">' for c in columns)
    head = "<tr>" + "".join(f"<th>{_e(h)}</th>" for h in headers(period, columns)) + "</tr>"
    head += '<tr class="numbering">' + "".join(f"<th>{_e(n)}</th>" for n in numbering_row(columns)) + "</tr>"
    align = {"right": ' class="num"', "center": ' class="center"', "left": ""}
    printed = appendix if groups is None else groups
    kinds = printed["row_kind"].to_list() if "row_kind" in printed.columns else [None] * printed.height
    body = []
    for cells, kind in zip(printed_rows(printed, columns), kinds, strict=True):
        if cells[0] == "":  # the total, or a district's subtotal
            css = "total subtotal" if kind == "district" else "total"
            tds = [f'<td colspan="{span}" class="center">{_e(cells[span - 1])}</td>']
            tds += [
                f"<td{align[c.align]}>{_e(text)}</td>" for c, text in zip(columns[span:], cells[span:], strict=True)
            ]
            body.append(f'<tr class="{css}">{"".join(tds)}</tr>')
        else:
            tds = [f"<td{align[c.align]}>{_e(text)}</td>" for c, text in zip(columns, cells, strict=True)]
            body.append(f"<tr>{''.join(tds)}</tr>")
    return (
        f'<table class="appendix"><colgroup>{cols}</colgroup><thead>{head}</thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def render_report(
    period: str,
    texts: dict,
    sentence: str,
    appendix: pl.DataFrame,
    trends: pl.DataFrame,
    charts: list[tuple[bytes, str]],
    rejections: pl.DataFrame,
    completeness: pl.DataFrame | None = None,
    plausibility: pl.DataFrame | None = None,
    groups: pl.DataFrame | None = None,
    show_codes: bool = False,
) -> str:
    """The page's HTML. `charts`: (PNG bytes, caption); `completeness`: as published, if any;
    `plausibility`: the period's implausible-change warnings (a `message` column), if any;
    `groups` and `show_codes`: how the appendix table prints (`appendix_table`)."""
    start = period_start(period)
    label = month_label(period)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Báo cáo làm sạch dữ liệu trẻ em tháng {_e(label)}</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>PHỤ LỤC</h1>",
        f'<p class="subtitle">{_e(texts.get("title", ""))}</p>',
        f'<p class="attachment">{_e(texts.get("attachment_line", "").format(month=start.month, year=start.year))}</p>',
        f'<p class="summary">{_e(sentence)}</p>',
        appendix_table(appendix, period, groups, show_codes),
        "<h2>Biểu đồ</h2>",
        *[_image(png, caption) for png, caption in charts],
        "<h2>Xu hướng</h2>",
        _table(TREND_HEADERS, *trend_rows(trends), numeric={0, 2, 3, 4}),
        "<h2>Tình hình nộp báo cáo</h2>",
        completeness_table(completeness)
        if completeness is not None and completeness.height
        else "<p>Chưa có số liệu về tình hình nộp báo cáo của kỳ này.</p>",
        "<h2>Cảnh báo</h2>",
        warnings_html(appendix, trends, rejections, plausibility),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def warnings_html(
    appendix: pl.DataFrame, trends: pl.DataFrame, rejections: pl.DataFrame, plausibility: pl.DataFrame | None = None
) -> str:
    items = [] if plausibility is None else list(plausibility["message"].to_list())
    missing = appendix.filter(pl.col("note").is_not_null())["commune_name"].to_list()
    if missing:
        items.append(f"Chưa báo cáo: {', '.join(missing)}.")
    for row in trends.filter(pl.col("flagged")).iter_rows(named=True):
        items.append(f"{row['unit_name']}: {status_text(row)}.")
    parts = ["<ul>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>"] if items else []
    if rejections.height:
        columns = [c for c in REJECTION_HEADERS if c in rejections.columns]
        rows = [["" if v is None else str(v) for v in r] for r in rejections.select(columns).iter_rows()]
        parts.append(f"<p>Tệp hoặc dòng số liệu bị từ chối: {rejections.height}.</p>")
        numeric = {i for i, c in enumerate(columns) if c == "row_number"}
        parts.append(_table([REJECTION_HEADERS[c] for c in columns], rows, numeric=numeric))
    return "\n".join(parts) or "<p>Không có cảnh báo.</p>"
