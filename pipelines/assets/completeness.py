"""Completeness and timeliness of a period: marts.completeness, completeness.csv and the reminder list."""

import dagster as dg
import polars as pl

from pipelines import warehouse
from pipelines.appendix_csv import render_csv
from pipelines.assets.common import PERIODS, PROGRAMME, markdown_table, reference_units
from pipelines.assets.publish import district_appendix
from pipelines.completeness import COMPLETENESS_COLUMNS, completeness, deadline_for, reminder_text, summary
from pipelines.publish import write_text
from pipelines.resources import Storage
from pipelines.units import units_valid_in


def period_completeness(con, period: str) -> tuple[pl.DataFrame, object]:
    """The completeness table of `period` from the warehouse, and its deadline."""
    deadline = deadline_for(period, PROGRAMME.deadlines, PROGRAMME.period_type)
    units = units_valid_in(reference_units(), period)
    receipts = warehouse.query(con, "select_unit_receipts", period=period)
    return completeness(units, receipts, deadline), deadline


@dg.asset(
    partitions_def=PERIODS,
    group_name="publish",
    kinds={"duckdb", "polars", "csv"},
    deps=[district_appendix],
    description=(
        "Completeness and timeliness of the period: every unit expected (reference units valid "
        "in it), whether it reported, and whether its first accepted figures arrived by the "
        "deadline (config.toml [deadlines], else the end of the following month). Written to "
        "marts.completeness, published/<period>/completeness.csv and the Vietnamese reminder "
        "list nhac-bao-cao-<period>.txt. Downstream of the blocking checks, like every published file."
    ),
)
def reporting_completeness(context: dg.AssetExecutionContext, storage: Storage) -> dg.MaterializeResult:
    period = context.partition_key
    folder = storage.layout.period_published(period)
    with storage.connect() as con:
        table, deadline = period_completeness(con, period)
        warehouse.replace_period_rows(con, "marts.completeness", "delete_period_completeness", period,
                                      table.with_columns(pl.lit(period).alias("period")))
    written = [
        write_text(folder / "completeness.csv", render_csv(table, COMPLETENESS_COLUMNS)),
        write_text(folder / f"nhac-bao-cao-{period}.txt", reminder_text(table, period, deadline)),
    ]
    counts = summary(table)
    not_on_time = table.filter(pl.col("status") != "on_time")
    return dg.MaterializeResult(metadata={
        **counts,
        "deadline": deadline.isoformat(),
        "units_to_remind": dg.MetadataValue.md(markdown_table(
            not_on_time.select("stt", "unit_name", "status_vi", "first_received_local", "days_late"))),
        "files": dg.MetadataValue.md("\n".join(f"- `{p}`" for p in written)),
    })
