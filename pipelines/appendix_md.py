"""appendix.md: the appendix as a Markdown table for a quick look (and the Dagster UI)."""

from __future__ import annotations

import polars as pl

from pipelines.appendix import COUNT_COLUMNS
from pipelines.numbers import format_vn_int, format_vn_rate
from pipelines.periods import month_label

HEADERS = ["TT", "Tên địa phương", "Tổng số trẻ em (3)", "Đã cập nhật (4)", "Chưa cập nhật (5)",
           "Đã làm sạch (6)", "Chưa làm sạch (7)", "Tỷ lệ làm sạch % (8)", "Ghi chú"]


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def appendix_markdown(appendix: pl.DataFrame, period: str, title: str) -> str:
    lines = [f"# PHỤ LỤC — {title} (tháng {month_label(period)})", ""]
    lines.append("| " + " | ".join(HEADERS) + " |")
    lines.append("|" + "|".join(["---:", "---"] + ["---:"] * 6 + ["---"]) + "|")
    for row in appendix.iter_rows(named=True):
        is_total = row["stt"] is None
        name = f"**{row['commune_name']}**" if is_total else _escape(row["commune_name"])
        cells = [
            "" if is_total else str(row["stt"]),
            name,
            *[format_vn_int(row[c]) for c in COUNT_COLUMNS],
            format_vn_rate(row["clean_rate_pct"]),
            row["note"] or "",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
