"""The analysts' copy of the warehouse, published at the end of every successful run."""

import dagster as dg

from pipelines.analysts.analyst_db import publish_analyst_copy
from pipelines.partitions import PERIODS
from pipelines.publish.assets import published_appendix
from pipelines.quality.assets import reporting_completeness
from pipelines.resources import Storage
from pipelines.warehouse import db


@dg.asset(
    partitions_def=PERIODS,
    group_name="analysts",
    kinds={"duckdb"},
    deps=[published_appendix, reporting_completeness],
    description=(
        "analyst.duckdb: a copy of the whole warehouse (tables and the analysts' views in "
        "sql/views/) for analysts to open read-only, replaced atomically (written under a "
        "temporary name, then renamed) after each successful run that changed the warehouse, so "
        "an open session never blocks a run and never sees a half-written state."
    ),
)
def analyst_warehouse(context: dg.AssetExecutionContext, storage: Storage) -> dg.MaterializeResult:
    with storage.connect() as con:
        path = publish_analyst_copy(con, storage.layout)
    with db.connect(path, read_only=True) as con:
        tables = db.query(con, "select_catalog")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "size_bytes": path.stat().st_size,
            "tables": tables.filter(tables["table_type"] == "BASE TABLE").height,
            "views": dg.MetadataValue.md(
                "\n".join(f"- `{n}`" for n in tables.filter(tables["table_type"] == "VIEW")["name"].to_list())
                or "_(none)_"
            ),
        }
    )
