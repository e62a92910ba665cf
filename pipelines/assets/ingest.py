"""Ingest assets: the inbox archived and registered, then each new file parsed and staged."""

from pathlib import PurePath

import dagster as dg
import polars as pl

from pipelines import archive, warehouse
from pipelines.assets.common import PERIODS, markdown_table, now, reference_units
from pipelines.inbox import files_for_period
from pipelines.inbox_hashes import InboxHashes
from pipelines.parallel_parse import parse_many
from pipelines.resources import Storage
from pipelines.units import units_valid_in

# Bump when parsing changes what a file yields: files are then parsed again from the archive.
PARSER_VERSION = 1


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
        hashes = InboxHashes.load(con, period)
        known = hashes.known_hashes(con, [(PurePath(p.relative_to(layout.inbox)).as_posix(), p) for p in paths])
        new, repeated = [], []
        archived = archive.Batch(layout.root)
        for path in paths:
            inbox_path = PurePath(path.relative_to(layout.inbox)).as_posix()
            sha, stat = hashes.lookup(inbox_path, path)
            if sha in known:  # unchanged since a run read it: not even read again
                repeated.append(path.name)
                continue
            data = path.read_bytes()
            sha = archive.sha256_of(data)
            hashes.remember(inbox_path, stat, sha)
            if sha in known:
                repeated.append(path.name)
                continue
            relpath = archived.store(sha, path.suffix, data)
            known.add(sha)
            new.append({
                "sha256": sha,
                "original_name": path.name,
                "inbox_path": inbox_path,
                "period_folder": period,
                "size_bytes": len(data),
                "archive_path": relpath.as_posix(),
                "received_at": now(),
            })
        archived.commit()
        frame = pl.DataFrame(new, schema={
            "sha256": pl.String, "original_name": pl.String, "inbox_path": pl.String,
            "period_folder": pl.String, "size_bytes": pl.Int64, "archive_path": pl.String,
            "received_at": pl.Datetime("us"),
        })
        with warehouse.transaction(con):
            warehouse.insert(con, "raw.received_files", frame)
            hashes.save(con)
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
        parsed_files_in_order = parse_many([
            (storage.layout.root / f["archive_path"], PurePath(f["original_name"]).suffix.lower())
            for f in todo.iter_rows(named=True)
        ], units)
        for file, parsed in zip(todo.iter_rows(named=True), parsed_files_in_order, strict=True):
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
