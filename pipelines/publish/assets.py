"""Publishing assets: the period's appendix in the warehouse, then the files people read."""

import dagster as dg
import polars as pl

from pipelines.core.numbers import format_vn_int, format_vn_rate
from pipelines.core.scope import configured_scope
from pipelines.partitions import PERIODS, PROGRAMME
from pipelines.publish import stored_history
from pipelines.publish.appendix import build_appendix, read_appendix, total_row
from pipelines.publish.appendix_md import appendix_markdown
from pipelines.publish.files import published_paths
from pipelines.quality.completeness import period_completeness
from pipelines.resources import Storage
from pipelines.warehouse import db
from pipelines.warehouse.assets import clean_rate_history, commune_snapshot
from pipelines.warehouse.output_records import (
    code_digest,
    files_state,
    fingerprint,
    inputs_digest,
    package_versions,
    read_record,
    write_record,
)

PUBLISHED_APPENDIX = "published_appendix"
# The libraries the files are rendered with: another version may render other bytes.
RENDERING_PACKAGES = ("polars", "xlsxwriter", "python-docx", "matplotlib", "pillow")


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
        snapshot = db.query(con, "select_period_snapshot", period=period)
        appendix = build_appendix(snapshot, units)
        db.replace_period_rows(
            con,
            "marts.district_appendix",
            "delete_period_appendix",
            period,
            appendix.with_columns(pl.lit(period).alias("period")),
        )
    total = total_row(appendix)
    return dg.MaterializeResult(
        metadata={
            "units": format_vn_int(appendix.height - 1),
            "units_missing": format_vn_int(appendix["note"].drop_nulls().len()),
            # As the letter and published_appendix write it: 62,97 (empty when no unit reported).
            "clean_rate_pct": format_vn_rate(total["clean_rate_pct"]),
            "preview": dg.MetadataValue.md(
                appendix_markdown(appendix, period, configured_scope().texts(period)["title"])
            ),
        }
    )


@dg.asset(
    partitions_def=PERIODS,
    group_name="publish",
    kinds={"excel", "csv", "markdown", "html"},
    # Completeness and the plausibility warnings feed report.html: they run first.
    deps=[district_appendix, clean_rate_history, "reporting_completeness", "plausibility_warnings"],
    description=(
        "The files the district attaches and shares, under published/YYYY-MM/: appendix.csv "
        "(the contract), phu-luc-YYYY-MM.xlsx (official layout; charts on a second sheet), "
        "phu-luc-YYYY-MM.docx (the Word table), appendix.md, rejections.csv, "
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
    scope = configured_scope()
    outputs = published_paths(layout, period)
    with storage.connect() as con:
        appendix = read_appendix(con, period)
        period_rejections = db.query(con, "select_rejections", period=period)
        all_rejections = db.query(con, "select_rejections", period=None)
        created = db.query(con, "select_latest_received", period=period)["latest"][0]
        plausibility = db.query(con, "select_period_plausibility_warnings", period=period)
        completeness, _ = period_completeness(con, period, scope.units_in(period), PROGRAMME)
        # Everything the files are rendered from. The snapshots up to the period (the
        # clean-rate history is made from them) count by their fingerprint: they are the
        # largest input and grow with every period. The rest as read.
        digest = inputs_digest(
            {
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
                "scope_notes": scope.notes,
                "settings": scope.settings,
                "completeness": completeness,
            }
        )
        record = read_record(con, PUBLISHED_APPENDIX, period)
        if record is not None and record.is_current(digest, files_state(outputs)):
            return dg.MaterializeResult(metadata=published_metadata(record.metadata, rendered=False))
        # The periods before the units last changed come from the store when it has them.
        earlier = stored_history.lookup(con, layout, scope, period)
        stored = earlier is not None and earlier.history is not None
        snapshots = db.query(con, "select_snapshots_until", period=period, after=earlier.until if stored else None)
    from pipelines.publish.render import render_period  # the renderers load only when something is rendered

    summary = render_period(
        layout,
        period,
        scope,
        appendix,
        snapshots,
        earlier,
        created,
        period_rejections,
        all_rejections,
        completeness,
        plausibility,
    )
    with storage.connect() as con:
        write_record(con, PUBLISHED_APPENDIX, period, digest, files_state(outputs), summary)
    return dg.MaterializeResult(metadata=published_metadata(summary, rendered=True))


def published_metadata(summary: dict, rendered: bool) -> dict:
    """The asset's metadata from what a rendering recorded (`rendered`: False when skipped)."""
    return {
        "folder": dg.MetadataValue.path(summary["folder"]),
        "files": dg.MetadataValue.md("\n".join(f"- `{p}`" for p in summary["files"])),
        "clean_rate_pct": summary["clean_rate_pct"],
        "summary": summary["summary"],
        "units_flagged": summary["units_flagged"],
        "rejections": format_vn_int(summary["rejections"]),
        "rendered": rendered,
    }
