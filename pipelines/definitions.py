"""The Dagster code location: every asset, check, job, schedule, sensor and resource, assembled once.

`dagster dev` (via [tool.dagster] in pyproject.toml), the schedule, the sensor and the
CLI (`python -m pipelines run`) all use these definitions.
"""

import datetime as dt

import dagster as dg

from pipelines.analysts.assets import analyst_warehouse
from pipelines.ingest.assets import received_files, staged_submissions
from pipelines.jobs import PERIOD_JOB
from pipelines.publish.assets import district_appendix, published_appendix
from pipelines.quality.assets import plausibility_warnings, reporting_completeness
from pipelines.quality.checks import CHECKS
from pipelines.resources import Storage, default_data_dir
from pipelines.schedules import daily_publication
from pipelines.sensors import inbox_sensor
from pipelines.warehouse.assets import clean_rate_history, commune_snapshot, submission_history

# The appendix is re-published daily by the schedule: older than two days means the
# schedule or the daemon has stopped, and the UI shows it (a warning after one day).
APPENDIX_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=dt.timedelta(days=2), warn_window=dt.timedelta(days=1))
FRESHNESS_WATCHED = {"district_appendix", "published_appendix"}

ASSETS = [
    received_files,
    staged_submissions,
    submission_history,
    commune_snapshot,
    clean_rate_history,
    district_appendix,
    published_appendix,
    plausibility_warnings,
    reporting_completeness,
    analyst_warehouse,
]
ALL_ASSETS = [
    a.map_asset_specs(lambda spec: dg.apply_freshness_policy(spec, APPENDIX_FRESHNESS))
    if a.key.path[-1] in FRESHNESS_WATCHED
    else a
    for a in ASSETS
]


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
