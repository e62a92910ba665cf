"""report.html: one self-contained page per period that opens offline in any browser.

The summary sentence, the appendix table, the charts (PNG embedded as data URIs, so
nothing is fetched), the trends, the completeness table when the completeness step has
published one, and the warnings (rejected files and rows, stalled or falling units,
units that have not reported). Everything is escaped; no script, no external link.
"""

from __future__ import annotations

import base64
import html

import polars as pl

from pipelines.core.columns import COLUMNS, NOTE, printed_rows
from pipelines.core.numbers import format_vn_int, format_vn_rate
from pipelines.core.periods import month_label, period_start
from pipelines.publish.trends import change_text, status_text

STYLE = """
body { font-family: "Times New Roman", "DejaVu Serif", serif; margin: 2em auto; max-width: 1100px; color: #111; }
h1, h2 { text-align: center; } h2 { margin-top: 2em; }
p.subtitle { text-align: center; font-weight: bold; } p.attachment { text-align: center; font-style: italic; }
p.summary { font-size: 1.15em; border-left: 4px solid #2e86c1; padding: .5em 1em; background: #f4f8fb; }
table { border-collapse: collapse; margin: 1em auto; }
th, td { border: 1px solid #444; padding: .25em .5em; } th { background: #eee; }
td.num { text-align: right; } tr.total td { font-weight: bold; } tr.flagged td { background: #fdecea; }
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
    headers: list[str], rows: list[list[str]], classes: list[str] | None = None, numeric: set[int] | None = None
) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for index, row in enumerate(rows):
        css = f' class="{classes[index]}"' if classes and classes[index] else ""
        cells = "".join(
            f'<td class="num">{_e(c)}</td>' if i in numeric else f"<td>{_e(c)}</td>" for i, c in enumerate(row)
        )
        body.append(f"<tr{css}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


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


def completeness_table(frame: pl.DataFrame) -> str:
    columns = [c for c in COMPLETENESS_HEADERS if c in frame.columns]
    rows = [["" if v is None else str(v) for v in r] for r in frame.select(columns).iter_rows()]
    return _table([COMPLETENESS_HEADERS[c] for c in columns], rows)


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
) -> str:
    """The page's HTML. `charts`: (PNG bytes, caption); `completeness`: as published, if any;
    `plausibility`: the period's implausible-change warnings (a `message` column), if any."""
    start = period_start(period)
    label = month_label(period)
    rows = printed_rows(appendix)
    classes = ["total" if r[0] == "" else "" for r in rows]
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
        _table([c.short for c in (*COLUMNS, NOTE)], rows, classes, numeric=set(range(2, 8))),
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
        parts.append(_table([REJECTION_HEADERS[c] for c in columns], rows))
    return "\n".join(parts) or "<p>Không có cảnh báo.</p>"
