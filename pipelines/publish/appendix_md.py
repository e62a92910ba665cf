"""appendix.md: the appendix as a Markdown table for a quick look (and the Dagster UI)."""

from __future__ import annotations

import polars as pl

from pipelines.core.columns import label_span, printed_rows, shown_columns
from pipelines.core.periods import month_label

ALIGN = {"center": ":---:", "right": "---:", "left": "---"}


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def appendix_markdown(
    appendix: pl.DataFrame,
    period: str,
    title: str,
    groups: pl.DataFrame | None = None,
    show_codes: bool = False,
) -> str:
    """The table: `groups` (`appendix.grouped_by_district`), when given, are the rows
    printed, a district's subtotal in bold like the total; `show_codes` adds the unit's
    code between TT and the name. The note column only when some unit has a note."""
    columns = shown_columns(appendix, show_codes)
    name = label_span(columns) - 1
    lines = [f"# PHỤ LỤC — {title} (tháng {month_label(period)})", ""]
    lines.append("| " + " | ".join(c.short for c in columns) + " |")
    lines.append("|" + "|".join(ALIGN[c.align] for c in columns) + "|")
    for cells in printed_rows(appendix if groups is None else groups, columns):
        is_total = cells[0] == ""  # the total, or a district's subtotal
        cells[name] = f"**{_escape(cells[name])}**" if is_total else _escape(cells[name])
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
