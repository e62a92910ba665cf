"""The Dagster assets: thin wiring of the pure functions to the inbox, warehouse and published files.

received_files → staged_submissions → submission_history → commune_snapshot →
clean_rate_history → district_appendix → published_appendix, each partitioned by period.
"""


import datetime as dt
from functools import lru_cache
from pathlib import PurePath

import dagster as dg
import polars as pl

from pipelines import archive, warehouse
from pipelines.appendix import build_appendix, total_row
from pipelines.appendix_csv import appendix_csv, render_csv
from pipelines.appendix_md import appendix_markdown
from pipelines.appendix_xlsx import write_appendix_xlsx
from pipelines.history import clean_rate_history as build_clean_rate_history
from pipelines.history import commune_snapshot as build_snapshot
from pipelines.history import submission_history as build_history
from pipelines.inbox import files_for_period
from pipelines.numbers import format_vn_rate
from pipelines.partitions import period_partitions
from pipelines.publish import write_atomically, write_text
from pipelines.resources import Storage
from pipelines.settings import Programme
from pipelines.submissions import parse_submission
from pipelines.units import load_units, units_valid_in

PROGRAMME = Programme.load()
PERIODS = period_partitions(PROGRAMME)
# Bump when parsing changes what a file yields: files are then parsed again from the archive.
PARSER_VERSION = 1
REJECTION_COLUMNS = ["original_name", "sha256", "period", "unit_code", "row_number", "code", "message"]
HISTORY_COLUMNS = ["period", "unit_code", "unit_name", "total_children", "updated", "cleaned", "clean_rate_pct"]


@lru_cache(maxsize=1)
def reference_units() -> pl.DataFrame:
    return load_units(PROGRAMME.units_file)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def markdown_table(frame: pl.DataFrame, limit: int = 50) -> str:
    if frame.is_empty():
        return "_(none)_"
    head = frame.head(limit)
    lines = ["| " + " | ".join(head.columns) + " |", "|" + "---|" * len(head.columns)]
    for row in head.iter_rows():
        lines.append("| " + " | ".join("" if v is None else str(v).replace("|", "\\|") for v in row) + " |")
    if frame.height > limit:
        lines.append(f"\n… {frame.height - limit} more")
    return "\n".join(lines)


@dg.asset(
    partitions_def=PERIODS,
    group_name="ingest",
    kinds={"duckdb", "python"},
    description=(
        "Every file in inbox/<period>/, archived byte for byte under archive/ by its sha256 "
        "before anything reads it, and registered in raw.received_files. A content already "
        "received (under any name) is recognised and not counted twice."
    ),
)
def received_files(context: dg.AssetExecutionContext, storage: Storage) -> dg.MaterializeResult:
    period = context.partition_key
    layout = storage.layout
    paths = files_for_period(layout.inbox, period)
    with storage.connect() as con:
        known = set(warehouse.query(con, "select_known_hashes")["sha256"].to_list())
        new, repeated = [], []
        for path in paths:
            data = path.read_bytes()
            sha = archive.sha256_of(data)
            if sha in known:
                repeated.append(path.name)
                continue
            relpath = archive.store(layout.root, sha, path.suffix, data)
            known.add(sha)
            new.append({
                "sha256": sha,
                "original_name": path.name,
                "inbox_path": PurePath(path.relative_to(layout.inbox)).as_posix(),
                "period_folder": period,
                "size_bytes": len(data),
                "archive_path": relpath.as_posix(),
                "received_at": now(),
            })
        frame = pl.DataFrame(new, schema={
            "sha256": pl.String, "original_name": pl.String, "inbox_path": pl.String,
            "period_folder": pl.String, "size_bytes": pl.Int64, "archive_path": pl.String,
            "received_at": pl.Datetime("us"),
        })
        with warehouse.transaction(con):
            warehouse.insert(con, "raw.received_files", frame)
    return dg.MaterializeResult(metadata={
        "files_in_inbox": len(paths),
        "new_files": frame.height,
        "already_received": len(repeated),
        "new": dg.MetadataValue.md(markdown_table(frame.select("original_name", "size_bytes", "sha256"))),
    })


@dg.asset(
    partitions_def=PERIODS,
    group_name="ingest",
    kinds={"duckdb", "polars", "excel"},
    deps=[received_files],
    description=(
        "Each newly received file parsed into typed rows (staging.submission_rows), its raw "
        "cells kept (raw.sheet_rows), and every file or row that breaks a rule recorded in "
        "staging.rejections with a stable code and a Vietnamese message."
    ),
)
def staged_submissions(context: dg.AssetExecutionContext, storage: Storage) -> dg.MaterializeResult:
    period = context.partition_key
    units = units_valid_in(reference_units(), period)
    with storage.connect() as con:
        todo = warehouse.query(con, "select_unparsed_files", period=period, parser_version=PARSER_VERSION)
        rows, rejections, sheet_rows, parsed_files = [], [], [], []
        for file in todo.iter_rows(named=True):
            data = (storage.layout.root / file["archive_path"]).read_bytes()
            parsed = parse_submission(data, PurePath(file["original_name"]).suffix.lower(), units)
            sha = file["sha256"]
            rows.append(parsed.rows.with_columns(pl.lit(sha).alias("sha256"), pl.lit(period).alias("period")))
            rejections.append(parsed.rejections.with_columns(
                pl.lit(sha).alias("sha256"), pl.lit(file["original_name"]).alias("original_name"),
                pl.lit(period).alias("period"),
            ))
            for sheet in parsed.sheets:
                sheet_rows.append(pl.DataFrame({
                    "sha256": sha, "sheet": sheet.name,
                    "row_number": list(range(1, len(sheet.rows) + 1)), "cells": sheet.rows,
                }, schema={"sha256": pl.String, "sheet": pl.String, "row_number": pl.Int64, "cells": pl.List(pl.String)}))
            accepted, rejected = parsed.rows.height, parsed.rejections.height
            parsed_files.append({
                "sha256": sha, "period": period, "parser_version": PARSER_VERSION,
                "status": "rejected" if accepted == 0 else ("partly_rejected" if rejected else "accepted"),
                "rows_accepted": accepted, "rows_rejected": rejected, "parsed_at": now(),
            })
        new_rows = pl.concat(rows) if rows else pl.DataFrame()
        new_rejections = pl.concat(rejections) if rejections else pl.DataFrame()
        shas = todo["sha256"].to_list()
        with warehouse.transaction(con):
            for table in ("staging.submission_rows", "staging.rejections", "raw.sheet_rows", "staging.parsed_files"):
                warehouse.execute(con, f"delete_parsed_{table.split('.')[1]}", shas=shas)
            warehouse.insert(con, "staging.submission_rows", new_rows)
            warehouse.insert(con, "staging.rejections", new_rejections)
            if sheet_rows:
                warehouse.insert(con, "raw.sheet_rows", pl.concat(sheet_rows))
            warehouse.insert(con, "staging.parsed_files", pl.DataFrame(parsed_files))
        period_rejections = warehouse.query(con, "select_rejections", period=period)
    rejected_files = sum(1 for f in parsed_files if f["status"] == "rejected")
    return dg.MaterializeResult(metadata={
        "files_parsed": len(parsed_files),
        "files_accepted": len(parsed_files) - rejected_files,
        "files_rejected": rejected_files,
        "rows_accepted": new_rows.height,
        "rejections_in_period": period_rejections.height,
        "rejections": dg.MetadataValue.md(markdown_table(period_rejections.select("original_name", "row_number", "code", "message"))),
    })


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
        history = build_history(warehouse.query(con, "select_period_rows", period=period))
        with warehouse.transaction(con):
            warehouse.execute(con, "delete_period_history", period=period)
            warehouse.insert(con, "marts.submission_history", history)
    corrections = history.filter(pl.col("version") > 1).height
    return dg.MaterializeResult(metadata={"versions": history.height, "corrections": corrections})


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
        history = warehouse.query(con, "select_period_history", period=period)
        snapshot = build_snapshot(history)
        with warehouse.transaction(con):
            warehouse.execute(con, "delete_period_snapshot", period=period)
            warehouse.insert(con, "marts.commune_snapshot", snapshot)
    expected = units_valid_in(reference_units(), period).height
    return dg.MaterializeResult(metadata={"units_reported": snapshot.height, "units_expected": expected})


@dg.asset(
    partitions_def=PERIODS,
    group_name="warehouse",
    kinds={"duckdb", "polars"},
    deps=[commune_snapshot],
    description=(
        "marts.clean_rate_history: for this period, every period up to it per unit and for the "
        "whole scope; the scope's rate is recomputed from summed counts, never averaged."
    ),
)
def clean_rate_history(context: dg.AssetExecutionContext, storage: Storage) -> dg.MaterializeResult:
    period = context.partition_key
    units = units_valid_in(reference_units(), period)
    with storage.connect() as con:
        snapshots = warehouse.query(con, "select_snapshots_until", period=period)
        history = build_clean_rate_history(snapshots, units, period)
        with warehouse.transaction(con):
            warehouse.execute(con, "delete_clean_rate_history", period=period)
            warehouse.insert(con, "marts.clean_rate_history", history)
    scope = history.filter(pl.col("unit_code").is_null()).select("period", "clean_rate_pct")
    return dg.MaterializeResult(metadata={
        "rows": history.height,
        "periods": scope.height,
        "scope_clean_rate": dg.MetadataValue.md(markdown_table(scope)),
    })


@dg.asset(
    partitions_def=PERIODS,
    group_name="publish",
    kinds={"duckdb", "polars"},
    deps=[commune_snapshot],
    description=(
        "marts.district_appendix: the PHỤ LỤC of the period, one row per unit valid in it in "
        "official order (units that have not reported keep empty figures and a note), then the total."
    ),
)
def district_appendix(context: dg.AssetExecutionContext, storage: Storage) -> dg.MaterializeResult:
    period = context.partition_key
    units = units_valid_in(reference_units(), period)
    with storage.connect() as con:
        snapshot = warehouse.query(con, "select_period_snapshot", period=period)
        appendix = build_appendix(snapshot, units)
        with warehouse.transaction(con):
            warehouse.execute(con, "delete_period_appendix", period=period)
            warehouse.insert(con, "marts.district_appendix", appendix.with_columns(pl.lit(period).alias("period")))
    total = total_row(appendix)
    return dg.MaterializeResult(metadata={
        "units": appendix.height - 1,
        "units_missing": appendix["note"].drop_nulls().len(),
        "clean_rate_pct": dg.MetadataValue.float(total["clean_rate_pct"] or 0.0),
        "preview": dg.MetadataValue.md(appendix_markdown(appendix, period, PROGRAMME.scope.get("title", ""))),
    })


def read_appendix(con, period: str) -> pl.DataFrame:
    return warehouse.query(con, "select_period_appendix", period=period)


@dg.asset(
    partitions_def=PERIODS,
    group_name="publish",
    kinds={"excel", "csv", "markdown"},
    deps=[district_appendix, clean_rate_history],
    description=(
        "The files the district attaches and shares, under published/<period>/: appendix.csv "
        "(the contract), phu-luc-<period>.xlsx (official layout), appendix.md, rejections.csv, "
        "clean_rate_history.csv; and published/rejections.csv for all periods. Each file is "
        "replaced atomically and only when its content changes."
    ),
)
def published_appendix(context: dg.AssetExecutionContext, storage: Storage) -> dg.MaterializeResult:
    period = context.partition_key
    layout = storage.layout
    folder = layout.period_published(period)
    with storage.connect() as con:
        appendix = read_appendix(con, period)
        period_rejections = warehouse.query(con, "select_rejections", period=period)
        all_rejections = warehouse.query(con, "select_rejections", period=None)
        history = warehouse.query(con, "select_clean_rate_history", period=period)
        created = warehouse.query(con, "select_latest_received", period=period)["latest"][0]
    created = created or dt.datetime.combine(dt.date.fromisoformat(f"{period}-01"), dt.time())
    title = PROGRAMME.scope.get("title", "")
    xlsx = folder / f"phu-luc-{period}.xlsx"
    written = [
        write_text(folder / "appendix.csv", appendix_csv(appendix)),
        write_atomically(xlsx, lambda tmp: write_appendix_xlsx(tmp, appendix, period, PROGRAMME.scope, created)),
        write_text(folder / "appendix.md", appendix_markdown(appendix, period, title)),
        write_text(folder / "rejections.csv", render_csv(period_rejections, REJECTION_COLUMNS)),
        write_text(folder / "clean_rate_history.csv", render_csv(history, HISTORY_COLUMNS)),
        write_text(layout.published / "rejections.csv", render_csv(all_rejections, REJECTION_COLUMNS)),
    ]
    total = total_row(appendix)
    return dg.MaterializeResult(metadata={
        "folder": dg.MetadataValue.path(str(folder)),
        "files": dg.MetadataValue.md("\n".join(f"- `{p}`" for p in written)),
        "clean_rate_pct": format_vn_rate(total["clean_rate_pct"]),
        "rejections": period_rejections.height,
    })


ASSETS = [
    received_files,
    staged_submissions,
    submission_history,
    commune_snapshot,
    clean_rate_history,
    district_appendix,
    published_appendix,
]
