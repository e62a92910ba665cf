"""Warehouse marts computed with Polars: submission history, snapshot, clean-rate history."""

import dagster as dg
import polars as pl

from pipelines.core.numbers import format_vn_int, format_vn_rate
from pipelines.core.scope import configured_scope
from pipelines.core.text import markdown_table
from pipelines.ingest.assets import staged_submissions
from pipelines.partitions import PERIODS
from pipelines.resources import Storage
from pipelines.warehouse import db
from pipelines.warehouse.history import clean_rate_history_as_of
from pipelines.warehouse.history import commune_snapshot as build_snapshot
from pipelines.warehouse.history import submission_history as build_history
from pipelines.warehouse.output_records import code_digest, fingerprint, inputs_digest, read_record, write_record

CLEAN_RATE_HISTORY = "clean_rate_history"


@dg.asset(
    partitions_def=PERIODS,
    group_name="warehouse",
    kinds={"duckdb", "polars"},
    deps=[staged_submissions],
    description=(
        "marts.submission_history: every accepted version of each unit's figures for the "
        "period, numbered oldest first, with file, sha256 and received time; a later file "
        "supersedes an earlier one and both stay."
    ),
)
def submission_history(context: dg.AssetExecutionContext, storage: Storage) -> dg.MaterializeResult:
    period = context.partition_key
    with storage.connect() as con:
        history = build_history(db.query(con, "select_period_rows", period=period))
        db.replace_period_rows(con, "marts.submission_history", "delete_period_history", period, history)
    corrections = history.filter(pl.col("version") > 1).height
    return dg.MaterializeResult(
        metadata={"versions": format_vn_int(history.height), "corrections": format_vn_int(corrections)}
    )


@dg.asset(
    partitions_def=PERIODS,
    group_name="warehouse",
    kinds={"duckdb", "polars"},
    deps=[submission_history],
    description="marts.commune_snapshot: each unit's current figures for the period, with (5), (7) and (8).",
)
def commune_snapshot(context: dg.AssetExecutionContext, storage: Storage) -> dg.MaterializeResult:
    period = context.partition_key
    with storage.connect() as con:
        history = db.query(con, "select_period_history", period=period)
        snapshot = build_snapshot(history)
        db.replace_period_rows(con, "marts.commune_snapshot", "delete_period_snapshot", period, snapshot)
    expected = configured_scope().units_in(period).height
    return dg.MaterializeResult(
        metadata={"units_reported": format_vn_int(snapshot.height), "units_expected": format_vn_int(expected)}
    )


@dg.asset(
    partitions_def=PERIODS,
    group_name="warehouse",
    kinds={"duckdb", "polars"},
    deps=[commune_snapshot],
    description=(
        "marts.clean_rate_history: the period's clean rate per unit and for the whole scope, in "
        "the units valid in it (one row per unit and period: the table grows linearly with history). "
        "The history as of a period (every earlier period summed through the crosswalk, "
        "data/reference/crosswalk.csv, rates recomputed from summed counts, never averaged) is "
        "assembled from the snapshots when published. "
        "Not recomputed when the snapshots up to the period, the units, the crosswalk and the code are "
        "those it was computed from (pipeline.output_records)."
    ),
)
def clean_rate_history(context: dg.AssetExecutionContext, storage: Storage) -> dg.MaterializeResult:
    period = context.partition_key
    scope = configured_scope()
    with storage.connect() as con:
        # Made from the snapshots up to the period and the scope's units and crosswalk: when
        # none of them (nor the code) changed since the stored history was made, it stands.
        digest = inputs_digest(
            {
                "period": period,
                "code": code_digest(),
                "snapshots": fingerprint(con, "select_snapshots_fingerprint", period=period),
                "units": scope.units,
                "crosswalk": scope.crosswalk,
            }
        )
        record = read_record(con, CLEAN_RATE_HISTORY, period)
        stored = fingerprint(con, "select_clean_rate_history_fingerprint", period=period)
        if record is not None and record.is_current(digest, stored):
            return dg.MaterializeResult(metadata=clean_rate_history_metadata(record.metadata, recomputed=False))
        # Only the period's own rows are kept (linear in history); the history as of a
        # period is assembled from the snapshots when it is published.
        snapshots = db.query(con, "select_period_snapshot_counts", period=period)
        history = clean_rate_history_as_of(snapshots, scope.units, scope.crosswalk, period).select(
            pl.lit(period).alias("as_of_period"), pl.all()
        )
        scope_rates = history.filter(pl.col("unit_code").is_null()).select("period", "clean_rate_pct")
        summary = {
            "rows": history.height,
            "periods": scope_rates.height,
            "scope_clean_rate": markdown_table(
                scope_rates.select(
                    pl.col("period").alias("Kỳ"),
                    pl.col("clean_rate_pct").map_elements(format_vn_rate, pl.String).alias("Tỷ lệ làm sạch (%)"),
                )
            ),
        }
        with db.transaction(con):
            db.execute(con, "delete_clean_rate_history", period=period)
            db.insert(con, "marts.clean_rate_history", history)
            stored = fingerprint(con, "select_clean_rate_history_fingerprint", period=period)
            write_record(con, CLEAN_RATE_HISTORY, period, digest, stored, summary)
    return dg.MaterializeResult(metadata=clean_rate_history_metadata(summary, recomputed=True))


def clean_rate_history_metadata(summary: dict, recomputed: bool) -> dict:
    return {
        "rows": format_vn_int(summary["rows"]),
        "periods": format_vn_int(summary["periods"]),
        "scope_clean_rate": dg.MetadataValue.md(summary["scope_clean_rate"]),
        "recomputed": recomputed,
    }
