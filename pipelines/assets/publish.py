"""Publishing assets: the period's appendix in the warehouse, then the files people read."""

import datetime as dt

import dagster as dg
import polars as pl

from pipelines import warehouse
from pipelines.appendix import build_appendix, total_row
from pipelines.appendix_csv import appendix_csv, render_csv
from pipelines.appendix_md import appendix_markdown
from pipelines.appendix_xlsx import write_appendix_xlsx
from pipelines.assets.common import PERIODS, PROGRAMME, reference_units
from pipelines.assets.marts import clean_rate_history, commune_snapshot
from pipelines.numbers import format_vn_rate
from pipelines.publish import write_atomically, write_text
from pipelines.resources import Storage
from pipelines.units import units_valid_in

REJECTION_COLUMNS = ["original_name", "sha256", "period", "unit_code", "unit_name", "row_number", "code", "message"]
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
    units = units_valid_in(reference_units(), period)
    with storage.connect() as con:
        snapshot = warehouse.query(con, "select_period_snapshot", period=period)
        appendix = build_appendix(snapshot, units)
        with warehouse.transaction(con):
            warehouse.execute(con, "delete_period_appendix", period=period)
            warehouse.insert(con, "marts.district_appendix", appendix.with_columns(pl.lit(period).alias("period")))
    total = total_row(appendix)
    return dg.MaterializeResult(metadata={
        "units": appendix.height - 1,
        "units_missing": appendix["note"].drop_nulls().len(),
        "clean_rate_pct": dg.MetadataValue.float(total["clean_rate_pct"] or 0.0),
        "preview": dg.MetadataValue.md(appendix_markdown(appendix, period, PROGRAMME.scope.get("title", ""))),
    })


def read_appendix(con, period: str) -> pl.DataFrame:
    return warehouse.query(con, "select_period_appendix", period=period)


@dg.asset(
    partitions_def=PERIODS,
    group_name="publish",
    kinds={"excel", "csv", "markdown"},
    deps=[district_appendix, clean_rate_history],
    description=(
        "The files the district attaches and shares, under published/<period>/: appendix.csv "
        "(the contract), phu-luc-<period>.xlsx (official layout), appendix.md, rejections.csv, "
        "clean_rate_history.csv; and published/rejections.csv for all periods. Each file is "
        "replaced atomically and only when its content changes."
    ),
)
def published_appendix(context: dg.AssetExecutionContext, storage: Storage) -> dg.MaterializeResult:
    period = context.partition_key
    layout = storage.layout
    folder = layout.period_published(period)
    with storage.connect() as con:
        appendix = read_appendix(con, period)
        period_rejections = warehouse.query(con, "select_rejections", period=period)
        all_rejections = warehouse.query(con, "select_rejections", period=None)
        history = warehouse.query(con, "select_clean_rate_history", period=period)
        created = warehouse.query(con, "select_latest_received", period=period)["latest"][0]
    created = created or dt.datetime.combine(dt.date.fromisoformat(f"{period}-01"), dt.time())
    title = PROGRAMME.scope.get("title", "")
    xlsx = folder / f"phu-luc-{period}.xlsx"
    written = [
        write_text(folder / "appendix.csv", appendix_csv(appendix)),
        write_atomically(xlsx, lambda tmp: write_appendix_xlsx(tmp, appendix, period, PROGRAMME.scope, created)),
        write_text(folder / "appendix.md", appendix_markdown(appendix, period, title)),
        write_text(folder / "rejections.csv", render_csv(period_rejections, REJECTION_COLUMNS)),
        write_text(folder / "clean_rate_history.csv", render_csv(history, HISTORY_COLUMNS)),
        write_text(layout.published / "rejections.csv", render_csv(all_rejections, REJECTION_COLUMNS)),
    ]
    total = total_row(appendix)
    return dg.MaterializeResult(metadata={
        "folder": dg.MetadataValue.path(str(folder)),
        "files": dg.MetadataValue.md("\n".join(f"- `{p}`" for p in written)),
        "clean_rate_pct": format_vn_rate(total["clean_rate_pct"]),
        "rejections": period_rejections.height,
    })
