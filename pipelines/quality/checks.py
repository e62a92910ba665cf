"""Asset checks on the staged submissions and the district appendix.

Blocking (severity ERROR): a failure stops publishing, and the previously published files
stay in place. Warnings (severity WARN, not blocking): shown in the UI, publishing goes on.
A period holding rejected files or rows is flagged where operators look: a warning on
`staged_submissions` listing them, and the run's tag `tre_em/rejections`.
"""

import datetime as dt
import warnings
from zoneinfo import ZoneInfo

import dagster as dg
import polars as pl

from pipelines.core import clock
from pipelines.core.numbers import format_vn_int
from pipelines.core.scope import configured_scope
from pipelines.core.text import markdown_table
from pipelines.ingest.assets import staged_submissions
from pipelines.partitions import PERIODS, PROGRAMME
from pipelines.publish.appendix import read_appendix
from pipelines.publish.assets import district_appendix
from pipelines.quality import rules
from pipelines.quality.assets import plausibility_warnings
from pipelines.quality.completeness import LOCAL_TIME_ZONE, MISSING, day_vn, period_completeness
from pipelines.resources import Storage
from pipelines.warehouse import db

# The run tag that counts a period's rejected files and rows (set only when there are some):
# the Runs page shows it beside the run, and filters on it.
REJECTIONS_TAG = "tre_em/rejections"

# Partitioned asset checks are a preview feature in Dagster 1.13; we rely on them so a
# check reads the same period as the run it blocks.
warnings.filterwarnings("ignore", message="Specifying a partitions_def on an AssetCheckSpec")


def _result(
    problems: list[str], severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR, **metadata: object
) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=not problems,
        severity=severity,
        metadata={"problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems) or "Không có"), **metadata},
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
    description=(
        "Warning: the period's deadline has passed and a unit expected in it (reference) has no "
        "accepted figures. Before the deadline a unit that has not reported yet is no fault: "
        "the check passes and lists the units still to report."
    ),
)
def appendix_units_all_reported(context: dg.AssetCheckExecutionContext, storage: Storage) -> dg.AssetCheckResult:
    with storage.connect() as con:
        period = context.partition_key
        table, deadline = period_completeness(con, period, configured_scope().units_in(period), PROGRAMME)
    missing = table.filter(table["status"] == MISSING)["unit_name"].to_list()
    due = f"hạn {day_vn(deadline)}"
    if local_today() > deadline:
        return _result(
            [f"{name}: chưa báo cáo ({due})" for name in missing],
            dg.AssetCheckSeverity.WARN,
            units_missing=format_vn_int(len(missing)),
        )
    waiting = "\n".join(f"- {name} ({due}, chưa đến hạn)" for name in missing) or "Không có"
    return _result(
        [],
        dg.AssetCheckSeverity.WARN,
        units_missing=format_vn_int(len(missing)),
        units_to_report=dg.MetadataValue.md(waiting),
    )


def local_today() -> dt.date:
    """Today in Vietnam: a deadline is a day there."""
    return clock.now().replace(tzinfo=dt.UTC).astimezone(ZoneInfo(LOCAL_TIME_ZONE)).date()


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
    return _result(found["message"].to_list(), dg.AssetCheckSeverity.WARN, warnings=format_vn_int(found.height))


# The rejections as the check lists them: the file, the row (or the whole file), the reason.
REJECTION_HEADERS = {"original_name": "Tệp", "row": "Dòng", "message": "Lý do"}


@dg.asset_check(
    asset=staged_submissions,
    blocking=False,
    partitions_def=PERIODS,
    description=(
        "Warning: a file or row of the period was rejected (as listed in published/YYYY-MM/rejections.csv). "
        "Lists each with its reason; the run gets the tag tre_em/rejections (their count). Publishing goes on "
        "with the accepted figures."
    ),
)
def no_file_or_row_rejected(context: dg.AssetCheckExecutionContext, storage: Storage) -> dg.AssetCheckResult:
    period = context.partition_key
    with storage.connect() as con:
        found = db.query(con, "select_rejections", period=period)
        files_rejected = db.query(con, "select_period_summary", period=period)["files_rejected"][0]
    if not found.is_empty():
        context.instance.add_run_tags(context.run.run_id, {REJECTIONS_TAG: str(found.height)})
    listed = found.with_columns(
        pl.col("row_number").cast(pl.String).fill_null("cả tệp").alias("row"),
    ).select(list(REJECTION_HEADERS))
    return dg.AssetCheckResult(
        passed=found.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "rejections": format_vn_int(found.height),
            "files_rejected": format_vn_int(files_rejected),
            "rows_rejected": format_vn_int(found["row_number"].is_not_null().sum()),
            "list": dg.MetadataValue.md(
                markdown_table(listed.rename(REJECTION_HEADERS)) if found.height else "Không có"
            ),
            "file": dg.MetadataValue.path(str(storage.layout.period_published(period) / "rejections.csv")),
        },
    )


BLOCKING_CHECKS = [
    appendix_rows_follow_rules,
    appendix_total_is_sum,
    appendix_derived_columns_agree,
    appendix_units_are_reference_units,
]
WARNING_CHECKS = [appendix_units_all_reported, figures_change_plausibly, no_file_or_row_rejected]
CHECKS = [*BLOCKING_CHECKS, *WARNING_CHECKS]
