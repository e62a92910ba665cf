"""Publishing assets: the period's appendix in the warehouse, then the files people read."""

import datetime as dt
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines import warehouse
from pipelines.appendix import build_appendix, total_row
from pipelines.appendix_csv import appendix_csv, render_csv
from pipelines.appendix_docx import appendix_docx_bytes
from pipelines.appendix_md import appendix_markdown
from pipelines.appendix_xlsx import appendix_xlsx_bytes
from pipelines.assets.common import PERIODS
from pipelines.assets.marts import clean_rate_history, commune_snapshot
from pipelines.charts import chart_names, period_charts, rows_charted
from pipelines.history import TOTAL_NAME, clean_rate_history_as_of
from pipelines.numbers import format_vn_rate
from pipelines.output_records import (
    code_digest,
    files_state,
    fingerprint,
    inputs_digest,
    package_versions,
    read_record,
    write_record,
)
from pipelines.publish import write_atomically, write_text
from pipelines.report_html import render_report
from pipelines.resources import Storage
from pipelines.scope import configured_scope
from pipelines.settings import DataDir
from pipelines.summary_sentence import summary_sentence
from pipelines.trends import TREND_COLUMNS
from pipelines.trends import trends as build_trends
from pipelines.workers import start

REJECTION_COLUMNS = ["original_name", "sha256", "period", "unit_code", "unit_name", "row_number", "code", "message"]
CHART_CAPTIONS = ["Tỷ lệ làm sạch dữ liệu theo địa phương trong kỳ", "Tỷ lệ làm sạch dữ liệu qua các kỳ"]
# The contract of clean_rate_history.csv. The scope's total row ("Tổng cộng", empty
# unit_code) stays in it, last in each period: it is the figure the letter quotes.
PUBLISHED_APPENDIX = "published_appendix"
# The libraries the files are rendered with: another version may render other bytes.
RENDERING_PACKAGES = ("polars", "xlsxwriter", "python-docx", "matplotlib", "pillow")
# From this many appendix rows (a large province), the Word table and then the workbook are
# rendered on the worker processes, beside the rest: below it, starting workers would
# cost more.
RENDER_ON_WORKERS_FROM = 2000
HISTORY_COLUMNS = ["period", "unit_code", "unit_name", "total_children", "updated", "cleaned", "clean_rate_pct"]


@dg.asset(
    partitions_def=PERIODS,
    group_name="publish",
    kinds={"duckdb", "polars"},
    deps=[commune_snapshot],
    description=(
        "marts.district_appendix: the PHỤ LỤC of the period, one row per unit valid in it in "
        "official order (units that have not reported keep empty figures and a note), then the total."
    ),
)
def district_appendix(context: dg.AssetExecutionContext, storage: Storage) -> dg.MaterializeResult:
    period = context.partition_key
    units = configured_scope().units_in(period)
    with storage.connect() as con:
        snapshot = warehouse.query(con, "select_period_snapshot", period=period)
        appendix = build_appendix(snapshot, units)
        warehouse.replace_period_rows(con, "marts.district_appendix", "delete_period_appendix", period,
                                      appendix.with_columns(pl.lit(period).alias("period")))
    total = total_row(appendix)
    return dg.MaterializeResult(metadata={
        "units": appendix.height - 1,
        "units_missing": appendix["note"].drop_nulls().len(),
        "clean_rate_pct": dg.MetadataValue.float(total["clean_rate_pct"] or 0.0),
        "preview": dg.MetadataValue.md(appendix_markdown(appendix, period, configured_scope().texts(period)["title"])),
    })


def read_appendix(con, period: str) -> pl.DataFrame:
    return warehouse.query(con, "select_period_appendix", period=period)


@dg.asset(
    partitions_def=PERIODS,
    group_name="publish",
    kinds={"excel", "csv", "markdown", "html"},
    # Completeness and the plausibility warnings feed report.html: they run first.
    deps=[district_appendix, clean_rate_history, "reporting_completeness", "plausibility_warnings"],
    description=(
        "The files the district attaches and shares, under published/<period>/: appendix.csv "
        "(the contract), phu-luc-<period>.xlsx (official layout; charts on a second sheet), "
        "phu-luc-<period>.docx (the Word table), appendix.md, rejections.csv, "
        "clean_rate_history.csv (the contract: every period in this period's units), trends.csv, "
        "summary.txt (the letter's opening sentence), the charts as PNG and SVG, and report.html "
        "(self-contained); and published/rejections.csv for all periods. Each file is replaced "
        "atomically and only when its content changes. Nothing is rendered when nothing the files "
        "are rendered from (figures, history, rejections, completeness, settings, code) changed "
        "and every file is as it was written (pipeline.output_records)."
    ),
)
def published_appendix(context: dg.AssetExecutionContext, storage: Storage) -> dg.MaterializeResult:
    period = context.partition_key
    layout = storage.layout
    folder = layout.period_published(period)
    scope = configured_scope()
    texts = scope.texts(period)
    outputs = published_paths(layout, period)
    completeness_file = folder / "completeness.csv"
    with storage.connect() as con:
        appendix = read_appendix(con, period)
        period_rejections = warehouse.query(con, "select_rejections", period=period)
        all_rejections = warehouse.query(con, "select_rejections", period=None)
        created = warehouse.query(con, "select_latest_received", period=period)["latest"][0]
        plausibility = warehouse.query(con, "select_period_plausibility_warnings", period=period)
        completeness_csv = completeness_file.read_bytes() if completeness_file.exists() else None
        # Everything the files are rendered from. The snapshots up to the period (the
        # clean-rate history is made from them) count by their fingerprint: they are the
        # largest input and grow with every period. The rest as read.
        digest = inputs_digest({
            "period": period,
            "code": code_digest(),
            "packages": package_versions(*RENDERING_PACKAGES),
            "appendix": appendix,
            "period_rejections": period_rejections,
            "all_rejections": all_rejections,
            "created": created,
            "plausibility": plausibility,
            "snapshots": fingerprint(con, "select_snapshots_fingerprint", period=period),
            "units": scope.units_in(period),
            "crosswalk": scope.crosswalk,
            "settings": scope.settings,
            "completeness": completeness_csv,
        })
        record = read_record(con, PUBLISHED_APPENDIX, period)
        if record is not None and record.is_current(digest, files_state(outputs)):
            return dg.MaterializeResult(metadata=published_metadata(record.metadata, rendered=False))
        snapshots = warehouse.query(con, "select_snapshots_until", period=period)
    history = clean_rate_history_as_of(snapshots, scope.units, scope.crosswalk, period)
    del snapshots  # the largest frames are dropped as soon as they are no longer needed
    created = created or dt.datetime.combine(dt.date.fromisoformat(f"{period}-01"), dt.time())
    changes = tuple(sorted(set(scope.crosswalk["effective_date"].to_list())))
    # A large scope's Word table is made on a worker while this process draws the charts
    # (a country: about 0.3 s and 0.7 s), then its workbook (about 0.6 s; it holds the
    # charts) while this process writes the rest; a district's, here. The charts are drawn
    # here: this process has Matplotlib loaded already, and a worker that has not would
    # first spend about 1 s importing it.
    on_worker = appendix.height >= RENDER_ON_WORKERS_FROM
    word = start(appendix_docx_bytes, appendix, period, texts, created, on_worker=on_worker)
    charted, units_drawn = rows_charted(history, period)
    charts = period_charts(charted, period, scope.target_pct, TOTAL_NAME, changes, units_drawn)
    del charted
    pngs = [charts[f"xep-hang-{period}.png"], charts[f"bieu-do-ty-le-{period}.png"]]
    workbook = start(appendix_xlsx_bytes, appendix, period, texts, created, pngs, on_worker=on_worker)
    total = total_row(appendix)
    period_trends = build_trends(history, period, scope.target_pct)
    sentence = summary_sentence(total["cleaned"], total["total_children"], texts.get("area", ""))
    history_csv = render_csv(history, HISTORY_COLUMNS)
    del history
    completeness = pl.read_csv(completeness_csv, infer_schema=False) if completeness_csv is not None else None
    report = render_report(
        period, texts, sentence, appendix, period_trends,
        [(pngs[0], CHART_CAPTIONS[0]), (pngs[1], CHART_CAPTIONS[1])], period_rejections, completeness,
        plausibility,
    )
    xlsx = folder / f"phu-luc-{period}.xlsx"
    docx = folder / f"phu-luc-{period}.docx"
    written = [
        write_text(folder / "appendix.csv", appendix_csv(appendix)),
        write_atomically(xlsx, lambda tmp: tmp.write_bytes(workbook())),
        write_atomically(docx, lambda tmp: tmp.write_bytes(word())),
        write_text(folder / "appendix.md", appendix_markdown(appendix, period, texts.get("title", ""))),
        write_text(folder / "rejections.csv", render_csv(period_rejections, REJECTION_COLUMNS)),
        write_text(folder / "clean_rate_history.csv", history_csv),
        write_text(folder / "trends.csv", render_csv(
            period_trends.with_columns(pl.col("flagged").cast(pl.String)), TREND_COLUMNS)),
        write_text(folder / "summary.txt", sentence + "\n"),
        *[write_atomically(folder / name, lambda tmp, data=data: tmp.write_bytes(data)) for name, data in charts.items()],
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
    with storage.connect() as con:
        write_record(con, PUBLISHED_APPENDIX, period, digest, files_state(outputs), summary)
    return dg.MaterializeResult(metadata=published_metadata(summary, rendered=True))


def published_paths(layout: DataDir, period: str) -> list[Path]:
    """Every file published_appendix writes for `period`, in the order it writes them."""
    folder = layout.period_published(period)
    return [
        folder / "appendix.csv",
        folder / f"phu-luc-{period}.xlsx",
        folder / f"phu-luc-{period}.docx",
        folder / "appendix.md",
        folder / "rejections.csv",
        folder / "clean_rate_history.csv",
        folder / "trends.csv",
        folder / "summary.txt",
        *[folder / name for name in chart_names(period)],
        folder / "report.html",
        layout.published / "rejections.csv",
    ]


def published_metadata(summary: dict, rendered: bool) -> dict:
    """The asset's metadata from what a rendering recorded (`rendered`: False when skipped)."""
    return {
        "folder": dg.MetadataValue.path(summary["folder"]),
        "files": dg.MetadataValue.md("\n".join(f"- `{p}`" for p in summary["files"])),
        "clean_rate_pct": summary["clean_rate_pct"],
        "summary": summary["summary"],
        "units_flagged": summary["units_flagged"],
        "rejections": summary["rejections"],
        "rendered": rendered,
    }
