"""Quality assets: who reported and when, and figures that look wrong against the previous period.

Both run downstream of the appendix's blocking checks: nothing is published for a blocked period.
"""

import dagster as dg
import polars as pl

from pipelines.core.scope import configured_scope
from pipelines.core.text import markdown_table
from pipelines.partitions import PERIODS, PROGRAMME
from pipelines.publish.csv_text import render_csv
from pipelines.publish.files import write_text
from pipelines.quality.completeness import COMPLETENESS_COLUMNS, period_completeness, reminder_text, summary
from pipelines.quality.plausibility import WARNING_COLUMNS
from pipelines.quality.plausibility import plausibility_warnings as find_warnings
from pipelines.resources import Storage
from pipelines.warehouse import db

DISTRICT_APPENDIX = dg.AssetKey("district_appendix")


@dg.asset(
    partitions_def=PERIODS,
    group_name="quality",
    kinds={"duckdb", "polars", "csv"},
    deps=[DISTRICT_APPENDIX],
    description=(
        "Completeness and timeliness of the period: every unit expected (reference units valid "
        "in it), whether it reported, and whether its first accepted figures arrived by the "
        "deadline (config.toml [deadlines], else the end of the following month). Written to "
        "marts.completeness, published/<period>/completeness.csv and the Vietnamese reminder "
        "list nhac-bao-cao-<period>.txt."
    ),
)
def reporting_completeness(context: dg.AssetExecutionContext, storage: Storage) -> dg.MaterializeResult:
    period = context.partition_key
    folder = storage.layout.period_published(period)
    with storage.connect() as con:
        table, deadline = period_completeness(con, period, configured_scope().units_in(period), PROGRAMME)
        db.replace_period_rows(
            con,
            "marts.completeness",
            "delete_period_completeness",
            period,
            table.with_columns(pl.lit(period).alias("period")),
        )
    written = [
        write_text(folder / "completeness.csv", render_csv(table, COMPLETENESS_COLUMNS)),
        write_text(folder / f"nhac-bao-cao-{period}.txt", reminder_text(table, period, deadline)),
    ]
    not_on_time = table.filter(pl.col("status") != "on_time")
    return dg.MaterializeResult(
        metadata={
            **summary(table),
            "deadline": deadline.isoformat(),
            "units_to_remind": dg.MetadataValue.md(
                markdown_table(not_on_time.select("stt", "unit_name", "status_vi", "first_received_local", "days_late"))
            ),
            "files": dg.MetadataValue.md("\n".join(f"- `{p}`" for p in written)),
        }
    )


@dg.asset(
    partitions_def=PERIODS,
    group_name="quality",
    kinds={"duckdb", "polars", "csv"},
    deps=[DISTRICT_APPENDIX],
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
        snapshots = db.query(con, "select_snapshots_compared", period=period)
        warnings = find_warnings(snapshots, configured_scope().units, period)
        db.replace_period_rows(
            con, "marts.plausibility_warnings", "delete_period_plausibility_warnings", period, warnings
        )
    path = write_text(storage.layout.period_published(period) / "warnings.csv", render_csv(warnings, WARNING_COLUMNS))
    return dg.MaterializeResult(
        metadata={
            "warnings": warnings.height,
            "file": dg.MetadataValue.path(str(path)),
            "list": dg.MetadataValue.md(markdown_table(warnings.select("unit_name", "code", "message"))),
        }
    )
