"""The Dagster code location: every asset, check and resource, assembled once.

`dagster dev` (via [tool.dagster] in pyproject.toml), the schedules, the sensor and the
CLI (`python -m pipelines run`) all use these definitions.
"""


import dagster as dg

from pipelines.assets import ASSETS
from pipelines.checks import CHECKS
from pipelines.resources import Storage, default_data_dir

PERIOD_JOB = dg.define_asset_job(
    "publish_period",
    selection=dg.AssetSelection.assets(*ASSETS),
    description="Ingest one period's inbox and publish its appendix.",
)


def build_definitions(data_dir: str | None = None) -> dg.Definitions:
    return dg.Definitions(
        assets=ASSETS,
        asset_checks=CHECKS,
        jobs=[PERIOD_JOB],
        resources={"storage": Storage(data_dir=data_dir or default_data_dir())},
    )


defs = build_definitions()
