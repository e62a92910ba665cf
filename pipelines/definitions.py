"""The Dagster code location: every asset, check, job, schedule, sensor and resource, assembled once.

`dagster dev` (via [tool.dagster] in pyproject.toml), the schedule, the sensor and the
CLI (`python -m pipelines run`) all use these definitions.

Runs that write the warehouse never overlap: DuckDB allows one writing process.
- Within a run, the job uses the in-process executor, so its steps run one after another
  in one process (the default multiprocess executor would run clean_rate_history and
  district_appendix side by side, each opening the warehouse).
- Between runs, the instance's run queue admits one run at a time
  (.dagster/dagster.yaml: run_queue.max_concurrent_runs = 1), so a backfill of many
  periods, the sensor and the schedule queue up instead of colliding.
- A step that still meets the lock (a CLI run started by hand while the daemon runs one)
  waits for it (Storage.connect); any other failing step is retried twice (RETRY_POLICY).
"""

import datetime as dt

import dagster as dg

from pipelines.assets import ASSETS
from pipelines.assets.analysts import analyst_warehouse
from pipelines.assets.completeness import reporting_completeness
from pipelines.checks import CHECKS
from pipelines.resources import Storage, default_data_dir
from pipelines.schedules import daily_publication
from pipelines.sensors import inbox_sensor

# Opening a warehouse another process holds already waits (Storage.connect); this covers the
# rest (a full disk freed, a file briefly unreadable). A real bug costs two quick retries.
RETRY_POLICY = dg.RetryPolicy(max_retries=2, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)

# The appendix is re-published daily by the schedule: older than two days means the
# schedule or the daemon has stopped, and the UI shows it (a warning after one day).
APPENDIX_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=dt.timedelta(days=2), warn_window=dt.timedelta(days=1))


def _with_freshness(asset: dg.AssetsDefinition) -> dg.AssetsDefinition:
    return asset.map_asset_specs(lambda spec: dg.apply_freshness_policy(spec, APPENDIX_FRESHNESS))


FRESHNESS_WATCHED = {"district_appendix", "published_appendix"}
OPERATION_ASSETS = [reporting_completeness, analyst_warehouse]
ALL_ASSETS = [
    _with_freshness(a) if a.key.path[-1] in FRESHNESS_WATCHED else a
    for a in [*ASSETS, *OPERATION_ASSETS]
]

PERIOD_JOB = dg.define_asset_job(
    "publish_period",
    selection=dg.AssetSelection.assets(*ALL_ASSETS),
    description=(
        "Ingest one period's inbox, build the warehouse marts, check and publish the appendix, "
        "the completeness report and the analysts' copy."
    ),
    executor_def=dg.in_process_executor,
    op_retry_policy=RETRY_POLICY,
)


def build_definitions(data_dir: str | None = None) -> dg.Definitions:
    return dg.Definitions(
        assets=ALL_ASSETS,
        asset_checks=CHECKS,
        jobs=[PERIOD_JOB],
        schedules=[daily_publication],
        sensors=[inbox_sensor],
        resources={"storage": Storage(data_dir=data_dir or default_data_dir())},
    )


defs = build_definitions()
