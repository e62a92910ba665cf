"""Asset checks on the district appendix.

Blocking (severity ERROR): a failure stops publishing, and the previously published files
stay in place. Warnings (severity WARN, not blocking): shown in the UI, publishing goes on.
"""

import warnings

import dagster as dg

from pipelines.core.scope import configured_scope
from pipelines.partitions import PERIODS, PROGRAMME
from pipelines.publish.appendix import read_appendix
from pipelines.publish.assets import district_appendix
from pipelines.quality import rules
from pipelines.quality.assets import plausibility_warnings
from pipelines.quality.completeness import MISSING, day_vn, period_completeness
from pipelines.resources import Storage
from pipelines.warehouse import db

# Partitioned asset checks are a preview feature in Dagster 1.13; we rely on them so a
# check reads the same period as the run it blocks.
warnings.filterwarnings("ignore", message="Specifying a partitions_def on an AssetCheckSpec")


def _result(
    problems: list[str], severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR, **metadata: object
) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=not problems,
        severity=severity,
        metadata={"problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems) or "none"), **metadata},
    )


def _appendix(context: dg.AssetCheckExecutionContext, storage: Storage):
    with storage.connect() as con:
        return read_appendix(con, context.partition_key)


@dg.asset_check(
    asset=district_appendix,
    blocking=True,
    partitions_def=PERIODS,
    description="Every unit row satisfies 0 ≤ cleaned (6) ≤ updated (4) ≤ total (3).",
)
def appendix_rows_follow_rules(context: dg.AssetCheckExecutionContext, storage: Storage) -> dg.AssetCheckResult:
    return _result(rules.check_violations(_appendix(context, storage), rules.ORDER_CHECK))


@dg.asset_check(
    asset=district_appendix,
    blocking=True,
    partitions_def=PERIODS,
    description="The Tổng cộng row equals the sum of the unit rows; its rate is recomputed from the sums.",
)
def appendix_total_is_sum(context: dg.AssetCheckExecutionContext, storage: Storage) -> dg.AssetCheckResult:
    return _result(rules.total_mismatches(_appendix(context, storage)))


@dg.asset_check(
    asset=district_appendix,
    blocking=True,
    partitions_def=PERIODS,
    description="(5) = (3) - (4), (7) = (4) - (6) and (8) = (6) / (3) × 100 on every row.",
)
def appendix_derived_columns_agree(context: dg.AssetCheckExecutionContext, storage: Storage) -> dg.AssetCheckResult:
    return _result(rules.check_violations(_appendix(context, storage), rules.DERIVED_CHECK))


@dg.asset_check(
    asset=district_appendix,
    blocking=True,
    partitions_def=PERIODS,
    description="Every unit in the appendix exists in the reference for the period, each once.",
)
def appendix_units_are_reference_units(context: dg.AssetCheckExecutionContext, storage: Storage) -> dg.AssetCheckResult:
    units = configured_scope().units_in(context.partition_key)
    return _result(rules.unknown_units(_appendix(context, storage), units))


@dg.asset_check(
    asset=district_appendix,
    blocking=False,
    partitions_def=PERIODS,
    description="Warning: a unit expected in the period (reference) has no accepted figures yet.",
)
def appendix_units_all_reported(context: dg.AssetCheckExecutionContext, storage: Storage) -> dg.AssetCheckResult:
    with storage.connect() as con:
        period = context.partition_key
        table, deadline = period_completeness(con, period, configured_scope().units_in(period), PROGRAMME)
    missing = table.filter(table["status"] == MISSING)["unit_name"].to_list()
    problems = [f"{name}: chưa báo cáo (hạn {day_vn(deadline)})" for name in missing]
    return _result(problems, dg.AssetCheckSeverity.WARN, units_missing=len(missing))


@dg.asset_check(
    asset=plausibility_warnings,
    blocking=False,
    partitions_def=PERIODS,
    description="Warning: implausible changes against the previous period (total children "
    "moving by more than 20 %, cleaned records going down).",
)
def figures_change_plausibly(context: dg.AssetCheckExecutionContext, storage: Storage) -> dg.AssetCheckResult:
    with storage.connect() as con:
        found = db.query(con, "select_period_plausibility_warnings", period=context.partition_key)
    return _result(found["message"].to_list(), dg.AssetCheckSeverity.WARN, warnings=found.height)


BLOCKING_CHECKS = [
    appendix_rows_follow_rules,
    appendix_total_is_sum,
    appendix_derived_columns_agree,
    appendix_units_are_reference_units,
]
WARNING_CHECKS = [appendix_units_all_reported, figures_change_plausibly]
CHECKS = [*BLOCKING_CHECKS, *WARNING_CHECKS]
