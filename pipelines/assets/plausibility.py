"""Plausibility warnings: accepted figures that look wrong against the unit's previous period."""

import dagster as dg

from pipelines import warehouse
from pipelines.appendix_csv import render_csv
from pipelines.assets.common import PERIODS, markdown_table, reference_units
from pipelines.assets.publish import district_appendix
from pipelines.plausibility import WARNING_COLUMNS
from pipelines.plausibility import plausibility_warnings as find_warnings
from pipelines.publish import write_text
from pipelines.resources import Storage


@dg.asset(
    partitions_def=PERIODS,
    group_name="publish",
    kinds={"duckdb", "polars", "csv"},
    # Downstream of the appendix's blocking checks: nothing is published for a blocked period.
    deps=[district_appendix],
    description=(
        "marts.plausibility_warnings and published/<period>/warnings.csv: units whose total "
        "children moved by more than 20 % from their previous period, or whose cleaned count "
        "went down. The figures stay in the appendix; the warning asks the commune to check."
    ),
)
def plausibility_warnings(context: dg.AssetExecutionContext, storage: Storage) -> dg.MaterializeResult:
    period = context.partition_key
    with storage.connect() as con:
        # The period and each unit's latest earlier report: not the whole history.
        snapshots = warehouse.query(con, "select_snapshots_compared", period=period)
        warnings = find_warnings(snapshots, reference_units(), period)
        warehouse.replace_period_rows(con, "marts.plausibility_warnings", "delete_period_plausibility_warnings",
                                      period, warnings)
    path = write_text(storage.layout.period_published(period) / "warnings.csv", render_csv(warnings, WARNING_COLUMNS))
    return dg.MaterializeResult(metadata={
        "warnings": warnings.height,
        "file": dg.MetadataValue.path(str(path)),
        "list": dg.MetadataValue.md(markdown_table(warnings.select("unit_name", "code", "message"))),
    })
