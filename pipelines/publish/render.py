"""Rendering a period's published files from what the warehouse holds.

Imported when something is rendered: Matplotlib, python-docx and xlsxwriter load with it,
not with the code location.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

import polars as pl

from pipelines import scale
from pipelines.core.numbers import format_vn_rate
from pipelines.core.scope import Scope
from pipelines.core.settings import DataDir
from pipelines.publish import stored_history
from pipelines.publish.appendix import district_names, grouped_by_district, total_row
from pipelines.publish.appendix_docx import appendix_docx_bytes
from pipelines.publish.appendix_md import appendix_markdown
from pipelines.publish.appendix_xlsx import appendix_xlsx_bytes
from pipelines.publish.charts import period_charts, rows_charted
from pipelines.publish.csv_text import appendix_csv, render_csv
from pipelines.publish.files import write_atomically, write_text
from pipelines.publish.report_html import render_report
from pipelines.publish.summary_sentence import summary_sentence
from pipelines.publish.trends import TREND_COLUMNS
from pipelines.publish.trends import trends as build_trends
from pipelines.warehouse.history import TOTAL_NAME, history_notes

REJECTION_COLUMNS = ["original_name", "sha256", "period", "unit_code", "unit_name", "row_number", "code", "message"]
CHART_CAPTIONS = ["Tỷ lệ làm sạch dữ liệu theo địa phương trong kỳ", "Tỷ lệ làm sạch dữ liệu qua các kỳ"]
# The contract of clean_rate_history.csv. The scope's total row ("Tổng cộng", empty
# unit_code) stays in it, last in each period: it is the figure the letter quotes.
HISTORY_COLUMNS = ["period", "unit_code", "unit_name", "total_children", "updated", "cleaned", "clean_rate_pct"]
# Beside it: why a unit has no figures before a reorganisation, or is left out of the scope.
NOTES_COLUMNS = ["unit_code", "unit_name", "reason"]


def render_period(
    layout: DataDir,
    period: str,
    scope: Scope,
    appendix: pl.DataFrame,
    snapshots: pl.DataFrame,
    earlier: stored_history.Earlier | None,
    created: dt.datetime | None,
    period_rejections: pl.DataFrame,
    all_rejections: pl.DataFrame,
    completeness: pl.DataFrame,
    plausibility: pl.DataFrame,
) -> dict:
    """Write every published file of `period`; returns what the asset records of it."""
    folder = layout.period_published(period)
    texts = scope.texts(period)
    # [scope] group_by_district: before 2025-07 the letter prints the units by district, a
    # subtotal row after each; show_codes: the units' codes between TT and the name.
    groups = (
        grouped_by_district(appendix, scope.units_in(period), district_names(period))
        if scope.settings.get("group_by_district", False)
        else None
    )
    printed = {"groups": groups, "show_codes": bool(scope.settings.get("show_codes", False))}
    history = stored_history.history_as_of(layout, snapshots, scope, period, earlier)
    del snapshots  # the largest frame, dropped as soon as it is used
    created = created or dt.datetime.combine(dt.date.fromisoformat(f"{period}-01"), dt.time())
    changes = tuple(sorted(set(scope.crosswalk["effective_date"].to_list())))
    # A large scope's Word table is made on a worker while this process draws the charts,
    # then its workbook (it holds the charts) while this process writes the rest. The
    # charts are drawn here, where Matplotlib is loaded already.
    on_worker = appendix.height >= scale.RENDER_ON_WORKERS_FROM
    word = scale.start(partial(appendix_docx_bytes, **printed), appendix, period, texts, created, on_worker=on_worker)
    charted, units_drawn = rows_charted(history, period)
    charts = period_charts(charted, period, scope.target_pct, TOTAL_NAME, changes, units_drawn)
    del charted
    pngs = [charts[f"xep-hang-{period}.png"], charts[f"bieu-do-ty-le-{period}.png"]]
    workbook = scale.start(
        partial(appendix_xlsx_bytes, **printed), appendix, period, texts, created, pngs, on_worker=on_worker
    )
    total = total_row(appendix)
    period_trends = build_trends(history, period, scope.target_pct)
    sentence = summary_sentence(total["cleaned"], total["total_children"], texts.get("area", ""))
    history_csv = render_csv(history, HISTORY_COLUMNS)
    del history
    report = render_report(
        period,
        texts,
        sentence,
        appendix,
        period_trends,
        [(pngs[0], CHART_CAPTIONS[0]), (pngs[1], CHART_CAPTIONS[1])],
        period_rejections,
        completeness,
        plausibility,
        **printed,
    )
    xlsx = folder / f"phu-luc-{period}.xlsx"
    docx = folder / f"phu-luc-{period}.docx"
    written = [
        write_text(folder / "appendix.csv", appendix_csv(appendix)),
        write_atomically(xlsx, lambda tmp: tmp.write_bytes(workbook())),
        write_atomically(docx, lambda tmp: tmp.write_bytes(word())),
        write_text(folder / "appendix.md", appendix_markdown(appendix, period, texts.get("title", ""), **printed)),
        write_text(folder / "rejections.csv", render_csv(period_rejections, REJECTION_COLUMNS)),
        write_text(folder / "clean_rate_history.csv", history_csv),
        write_text(
            folder / "clean_rate_history_notes.csv",
            render_csv(history_notes(scope.units, scope.crosswalk, scope.notes, period), NOTES_COLUMNS),
        ),
        write_text(
            folder / "trends.csv",
            render_csv(period_trends.with_columns(pl.col("flagged").cast(pl.String)), TREND_COLUMNS),
        ),
        write_text(folder / "summary.txt", sentence + "\n"),
        *[
            write_atomically(folder / name, lambda tmp, data=data: tmp.write_bytes(data))
            for name, data in charts.items()
        ],
        write_text(folder / "report.html", report),
        write_text(layout.published / "rejections.csv", render_csv(all_rejections, REJECTION_COLUMNS)),
    ]
    flagged = period_trends.filter(pl.col("flagged"))["unit_name"].to_list()
    summary = {
        "folder": str(folder),
        "files": [str(p) for p in written],
        "clean_rate_pct": format_vn_rate(total["clean_rate_pct"]),
        "summary": sentence,
        "units_flagged": ", ".join(flagged) or "-",
        "rejections": period_rejections.height,
    }
    return summary
