"""The framework floor of a district run: the job's shape, with bodies that do nothing.

`python -m benchmarks.floor --spec SPEC.json --data-dir DIR [--render-imports]` builds a
job with the real job's asset keys, dependencies, partitions and asset checks (SPEC.json,
written by benchmarks.district from the real definitions, so the two never drift), runs
one partition in process on the same kind of Dagster instance the CLI uses, and does the
least every run does besides: open a DuckDB file and write a Polars frame into it and to
a CSV file. What a real run costs beyond this is the project's own.

It imports only dagster, duckdb and polars (never `pipelines`, whose import is part of
what is measured against it); `--render-imports` also imports the libraries a run
renders with, for the render floor.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl


def render_imports() -> None:
    """The libraries the publishing step renders with, loaded as it loads them."""
    import matplotlib

    matplotlib.use("Agg")
    import docx  # noqa: F401
    import lxml.etree  # noqa: F401
    import matplotlib.figure  # noqa: F401
    import matplotlib.pyplot  # noqa: F401
    import matplotlib.ticker  # noqa: F401
    import xlsxwriter  # noqa: F401


def partitions_def(spec: dict) -> dg.TimeWindowPartitionsDefinition:
    p = spec["partitions"]
    return dg.TimeWindowPartitionsDefinition(
        start=p["start"],
        fmt=p["fmt"],
        cron_schedule=p["cron_schedule"],
        end_offset=p["end_offset"],
        timezone=p["timezone"],
    )


def noop_asset(asset: dict, partitions: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(asset["key"]),
        deps=[dg.AssetKey(d) for d in asset["deps"]],
        group_name=asset["group"],
        partitions_def=partitions if asset["partitioned"] else None,
    )
    def _noop() -> dg.MaterializeResult:
        return dg.MaterializeResult()

    return _noop


def noop_check(check: dict, partitions: dg.PartitionsDefinition) -> dg.AssetChecksDefinition:
    def _noop() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=True)

    with warnings.catch_warnings():
        # The real checks are partitioned too, a preview Dagster warns about on each definition.
        warnings.filterwarnings("ignore", message="Specifying a partitions_def on an AssetCheckSpec")
        return dg.asset_check(
            asset=dg.AssetKey(check["asset"]),
            name=check["name"],
            blocking=check["blocking"],
            partitions_def=partitions if check["partitioned"] else None,
        )(_noop)


def floor_job(spec: dict) -> dg.JobDefinition:
    """The job resolved through Definitions, as the CLI resolves the real one."""
    partitions = partitions_def(spec)
    job = dg.define_asset_job(spec["job"], selection=dg.AssetSelection.all(), executor_def=dg.in_process_executor)
    defs = dg.Definitions(
        assets=[noop_asset(a, partitions) for a in spec["assets"]],
        asset_checks=[noop_check(c, partitions) for c in spec["checks"]],
        jobs=[job],
    )
    return defs.resolve_job_def(spec["job"])


def instance() -> dg.DagsterInstance:
    """As pipelines.cli.instance: the DAGSTER_HOME instance when set, else an ephemeral one."""
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def run(spec: dict, data_dir: Path) -> bool:
    partition = spec["partition"]
    frame = pl.DataFrame({"period": [partition], "files": [0]})
    data_dir.mkdir(parents=True, exist_ok=True)
    # Held for the whole run, as the CLI holds the warehouse.
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    try:
        con.execute("CREATE TABLE IF NOT EXISTS floor_runs (period VARCHAR, files BIGINT)")
        con.register("incoming_frame", frame.to_arrow())
        con.execute("INSERT INTO floor_runs BY NAME SELECT * FROM incoming_frame")
        con.unregister("incoming_frame")
        published = data_dir / "published" / partition
        published.mkdir(parents=True, exist_ok=True)
        frame.write_csv(published / "floor.csv")
        result = floor_job(spec).execute_in_process(
            partition_key=partition, instance=instance(), raise_on_error=False, run_config=spec["run_config"]
        )
    finally:
        con.close()
    return result.success


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.floor", description=__doc__.splitlines()[0])
    p.add_argument("--spec", required=True, help="the job's shape (JSON from benchmarks.district)")
    p.add_argument("--data-dir", required=True, help="where the DuckDB file and the CSV file go")
    p.add_argument("--render-imports", action="store_true", help="also import the rendering libraries")
    p.add_argument(
        "--list-modules", action="store_true", help="print the top-level modules loaded, as JSON, after the run"
    )
    args = p.parse_args(argv)
    if args.render_imports:
        render_imports()
    spec = json.loads(Path(args.spec).read_text(encoding="utf-8"))
    if not run(spec, Path(args.data_dir)):
        print("error: the floor job failed", file=sys.stderr)
        return 1
    if args.list_modules:
        print(json.dumps(sorted({name.partition(".")[0] for name in sys.modules})))
    return 0


if __name__ == "__main__":
    sys.exit(main())
