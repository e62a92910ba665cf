"""appendix.md: the appendix as a Markdown table for a quick look (and the Dagster UI)."""

from __future__ import annotations

import polars as pl

from pipelines.core.columns import COLUMNS, NOTE, printed_rows
from pipelines.core.periods import month_label

ALIGN = {"row": "---:", "count": "---:", "rate": "---:"}


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def appendix_markdown(appendix: pl.DataFrame, period: str, title: str) -> str:
    columns = [*COLUMNS, NOTE]
    lines = [f"# PHỤ LỤC — {title} (tháng {month_label(period)})", ""]
    lines.append("| " + " | ".join(c.short for c in columns) + " |")
    lines.append("|" + "|".join(ALIGN.get(c.kind, "---") for c in columns) + "|")
    for cells in printed_rows(appendix):
        is_total = cells[0] == ""
        cells[1] = f"**{cells[1]}**" if is_total else _escape(cells[1])
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
