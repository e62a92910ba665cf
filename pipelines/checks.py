"""Blocking asset checks on the district appendix: a failure stops publishing, and the
previously published files stay in place."""


import warnings

import dagster as dg

from pipelines import appendix_rules, warehouse
from pipelines.assets import PERIODS, district_appendix, read_appendix, reference_units
from pipelines.resources import Storage
from pipelines.units import units_valid_in

# Partitioned asset checks are a preview feature in Dagster 1.13; we rely on them so a
# check reads the same period as the run it blocks.
warnings.filterwarnings("ignore", message="Specifying a partitions_def on an AssetCheckSpec")


def _result(problems: list[str]) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems) or "none")},
    )


def _appendix(context: dg.AssetCheckExecutionContext, storage: Storage):
    with warehouse.connect(storage.layout.warehouse, read_only=False) as con:
        return read_appendix(con, context.partition_key)


@dg.asset_check(asset=district_appendix, blocking=True, partitions_def=PERIODS,
                description="Every unit row satisfies 0 ≤ cleaned (6) ≤ updated (4) ≤ total (3).")
def appendix_rows_follow_rules(context: dg.AssetCheckExecutionContext, storage: Storage) -> dg.AssetCheckResult:
    return _result(appendix_rules.rule_violations(_appendix(context, storage)))


@dg.asset_check(asset=district_appendix, blocking=True, partitions_def=PERIODS,
                description="The Tổng cộng row equals the sum of the unit rows; its rate is recomputed from the sums.")
def appendix_total_is_sum(context: dg.AssetCheckExecutionContext, storage: Storage) -> dg.AssetCheckResult:
    return _result(appendix_rules.total_mismatches(_appendix(context, storage)))


@dg.asset_check(asset=district_appendix, blocking=True, partitions_def=PERIODS,
                description="(5) = (3) - (4), (7) = (4) - (6) and (8) = (6) / (3) × 100 on every row.")
def appendix_derived_columns_agree(context: dg.AssetCheckExecutionContext, storage: Storage) -> dg.AssetCheckResult:
    return _result(appendix_rules.derived_mismatches(_appendix(context, storage)))


@dg.asset_check(asset=district_appendix, blocking=True, partitions_def=PERIODS,
                description="Every unit in the appendix exists in the reference for the period, each once.")
def appendix_units_are_reference_units(context: dg.AssetCheckExecutionContext, storage: Storage) -> dg.AssetCheckResult:
    units = units_valid_in(reference_units(), context.partition_key)
    return _result(appendix_rules.unknown_units(_appendix(context, storage), units))


CHECKS = [
    appendix_rows_follow_rules,
    appendix_total_is_sum,
    appendix_derived_columns_agree,
    appendix_units_are_reference_units,
]
