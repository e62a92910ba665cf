"""The analysts' copy of the warehouse and its Parquet extracts, published at the end of every successful run."""

import dagster as dg

from pipelines.analysts.analyst_db import STORAGE_VERSION, publish_analyst_copy
from pipelines.analysts.catalog import load
from pipelines.analysts.extracts import extracts_path
from pipelines.core.numbers import format_vn_int
from pipelines.partitions import PERIODS
from pipelines.publish.assets import published_appendix
from pipelines.quality.assets import reporting_completeness
from pipelines.resources import Storage


@dg.asset(
    partitions_def=PERIODS,
    group_name="analysts",
    kinds={"duckdb", "parquet"},
    deps=[published_appendix, reporting_completeness],
    description=(
        "analyst.duckdb: the tables and columns of sql/catalog.toml copied from the warehouse, the "
        "analysts' views of sql/views/ over them, every table, view and column commented; written in "
        f"DuckDB's storage format {STORAGE_VERSION} so that 1.x clients open it, and replaced atomically "
        "(written under a temporary name, then renamed) after each run that changed the warehouse, so an "
        "open session never blocks a run and never sees a half-written state. Beside it, analytics/: "
        "each view as Parquet, the set replaced as a whole."
    ),
)
def analyst_warehouse(context: dg.AssetExecutionContext, storage: Storage) -> dg.MaterializeResult:
    with storage.connect() as con:
        result = publish_analyst_copy(con, storage.layout)
    catalog = load()
    rewritten = "\n".join(f"- `{t}`: {', '.join(str(p) for p in periods)}" for t, periods in result.rewritten.items())
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(result.path)),
            "size_bytes": format_vn_int(result.path.stat().st_size),
            "storage_version": STORAGE_VERSION,
            "made": result.mode,  # unchanged | full | incremental
            "periods_rewritten": dg.MetadataValue.md(rewritten or "_(none)_"),
            "tables": format_vn_int(len(catalog.tables)),
            "views": dg.MetadataValue.md("\n".join(f"- `{v.name}`" for v in catalog.views)),
            "parquet": dg.MetadataValue.path(str(extracts_path(storage.layout))),
        }
    )
