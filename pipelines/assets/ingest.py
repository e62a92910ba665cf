"""Ingest assets: the inbox archived and registered, then each new file parsed and staged.

Loose files (in inbox/ but outside any period folder) are archived by every period's run
(content-addressed, so only once) and registered, with the period written in them, by
the run of that period, which then stages them beside the folder's files (so the
history's order of arrival stays true). A loose file whose period cannot be told is
registered and staged once, by whichever run comes first, as a rejection with no period,
so it shows in published/rejections.csv; if the same bytes later appear in a period
folder, the file is re-filed there and parsed for that period.
"""

from pathlib import Path, PurePath

import dagster as dg
import polars as pl

from pipelines import archive, warehouse
from pipelines.assets.common import PERIODS, PROGRAMME, markdown_table, now, reference_units
from pipelines.inbox import file_period, files_for_period, loose_files
from pipelines.inbox_hashes import InboxHashes
from pipelines.parallel_parse import parse_many
from pipelines.period_text import label
from pipelines.periods import period_of
from pipelines.rejections import message
from pipelines.resources import Storage

# Bump when parsing changes what a file yields: files are then parsed again from the archive.
PARSER_VERSION = 2

RECEIVED_SCHEMA = {
    "sha256": pl.String, "original_name": pl.String, "inbox_path": pl.String,
    "period_folder": pl.String, "period": pl.String, "size_bytes": pl.Int64, "archive_path": pl.String,
    "received_at": pl.Datetime("us"),
}
SHEET_ROWS_SCHEMA = {"sha256": pl.String, "sheet": pl.String, "row_number": pl.Int64, "cells": pl.List(pl.String)}


def period_bounds() -> tuple[str, str]:
    """The periods a file may state: from the configured first one to the current month."""
    return PROGRAMME.first_period, period_of(now().date())


def written_at(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@dg.asset(
    partitions_def=PERIODS,
    group_name="ingest",
    kinds={"duckdb", "python"},
    description=(
        "Every file in inbox/<period>/ and every file loose in inbox/, archived byte for byte "
        "under archive/ by its sha256 before anything reads it, and registered in "
        "raw.received_files with the period it counts for (a loose file: by the run of the "
        "period written in it; by any run, with a null period, when it names none or an "
        "impossible one). A content already received (under any name) is "
        "recognised and not counted twice."
    ),
)
def received_files(context: dg.AssetExecutionContext, storage: Storage) -> dg.MaterializeResult:
    period = context.partition_key
    layout = storage.layout
    filed = [(path, period) for path in files_for_period(layout.inbox, period)]
    loose = [(path, None) for path in loose_files(layout.inbox)]
    # Files new in the same run are registered oldest-written first, so a correction saved
    # after the file it corrects is the later version even when both arrive together.
    arrivals = sorted(filed + loose, key=lambda item: (written_at(item[0]), item[0].name))
    bounds = period_bounds()
    with storage.connect() as con:
        inbox_paths = [(PurePath(path.relative_to(layout.inbox)).as_posix(), path) for path, _ in arrivals]
        hashes = InboxHashes.load(con, [inbox_path for inbox_path, _ in inbox_paths])
        known = hashes.known_files(con, inbox_paths)
        new, repeated, refiled, elsewhere, copies = [], [], [], 0, []
        archived = archive.Batch(layout.root)
        try:
            for (path, folder), (inbox_path, _) in zip(arrivals, inbox_paths, strict=True):
                try:
                    sha, stat = hashes.lookup(inbox_path, path)
                    if sha is None:  # new or changed since a run read it: hashed (in chunks)
                        sha, size = archive.hash_file(path)
                        hashes.remember(inbox_path, stat, sha)
                    else:  # unchanged since a run read it: not even read again
                        size = stat.st_size
                except OSError:  # removed or locked since the inbox was listed: the next run sees it
                    context.log.warning(f"could not read {path}")
                    continue
                if sha in known:
                    if folder is not None and known[sha] is None:
                        refiled.append(
                            {"sha256": sha, "period": folder, "period_folder": folder, "inbox_path": inbox_path}
                        )
                        known[sha] = folder
                    elif folder == period and known[sha] not in (None, period):
                        copies.append(same_file_rejection(sha, path.name, period, known[sha]))
                    repeated.append(path.name)
                    continue
                relpath = archive.archive_relpath(sha, path.suffix)
                if not (layout.root / relpath).exists():
                    try:
                        sha, size, relpath = archived.store_file(path)
                    except OSError:
                        context.log.warning(f"could not archive {path}")
                        continue
                if folder is None:
                    counts_for = file_period(archived.readable(relpath), bounds).period
                else:
                    counts_for = folder
                if counts_for not in (period, None):
                    elsewhere += 1  # archived now; registered by its own period's run, so history stays in order
                    continue
                known[sha] = counts_for
                new.append({
                    "sha256": sha, "original_name": path.name, "inbox_path": inbox_path,
                    "period_folder": folder, "period": counts_for, "size_bytes": size,
                    "archive_path": relpath.as_posix(), "received_at": now(),
                })
            archived.commit()  # every new copy on disk before any is registered
        finally:
            archived.discard()
        frame = pl.DataFrame(new, schema=RECEIVED_SCHEMA)
        with warehouse.transaction(con):
            warehouse.insert(con, "raw.received_files", frame)
            for change in refiled:
                warehouse.execute(con, "update_received_period", **change)
            hashes.save(con)
            # Recorded afresh on every run, so it stays while the copy lies in the folder.
            warehouse.execute(con, "delete_period_rejections_of_code", period=period, code=SAME_FILE_CODE)
            warehouse.insert(con, "staging.rejections", pl.DataFrame(copies, schema=SAME_FILE_SCHEMA))
    return dg.MaterializeResult(metadata={
        "files_in_inbox": len(filed),
        "loose_files": len(loose),
        "new_files": frame.height,
        "already_received": len(repeated),
        "refiled": len(refiled),
        "copies_of_other_periods": len(copies),
        "loose_for_other_periods": elsewhere,
        "new": dg.MetadataValue.md(markdown_table(frame.select("original_name", "period", "size_bytes", "sha256"))),
    })


SAME_FILE_CODE = "SAME_FILE_AS_OTHER_PERIOD"
SAME_FILE_SCHEMA = {"sha256": pl.String, "original_name": pl.String, "period": pl.String, "code": pl.String,
                    "message": pl.String}


def same_file_rejection(sha: str, name: str, period: str, other: str) -> dict:
    """A file in this period's folder whose exact bytes were already received for another period."""
    return {"sha256": sha, "original_name": name, "period": period, "code": SAME_FILE_CODE,
            "message": message(SAME_FILE_CODE, period=label(period), detail=label(other))}


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
    with storage.connect() as con:
        todo = warehouse.query(con, "select_unparsed_files", period=period, parser_version=PARSER_VERSION)
        rows, rejections, sheet_rows, parsed_files, refiled = [], [], [], [], []
        files = list(todo.iter_rows(named=True))
        parsed_in_order = parse_many(storage.layout.root, files, period, reference_units(), period_bounds())
        for file, parsed in zip(files, parsed_in_order, strict=True):
            sha = file["sha256"]
            counts_for = file["period"] or file["period_folder"]
            if counts_for is None and parsed.period is not None:
                # Its period was unknown (or not yet begun) and now resolves: that period's run parses it.
                refiled.append({"sha256": sha, "period": parsed.period, "period_folder": None, "inbox_path": None})
                continue
            rows.append(parsed.rows.with_columns(pl.lit(sha).alias("sha256"), pl.lit(counts_for).alias("period")))
            rejections.append(parsed.rejections.with_columns(
                pl.lit(sha).alias("sha256"), pl.lit(file["original_name"]).alias("original_name"),
                pl.lit(counts_for, pl.String).alias("period"),
            ))
            for sheet in parsed.sheets:
                sheet_rows.append(pl.DataFrame({
                    "sha256": sha, "sheet": sheet.name,
                    "row_number": list(range(1, len(sheet.rows) + 1)), "cells": sheet.rows,
                }, schema=SHEET_ROWS_SCHEMA))
            accepted, rejected = parsed.rows.height, parsed.rejections.height
            parsed_files.append({
                "sha256": sha, "period": counts_for, "parser_version": PARSER_VERSION,
                "status": "rejected" if accepted == 0 else ("partly_rejected" if rejected else "accepted"),
                "rows_accepted": accepted, "rows_rejected": rejected, "parsed_at": now(),
            })
        new_rows = pl.concat(rows) if rows else pl.DataFrame()
        new_rejections = pl.concat(rejections) if rejections else pl.DataFrame()
        shas = [f["sha256"] for f in parsed_files]
        with warehouse.transaction(con):
            for change in refiled:
                warehouse.execute(con, "update_received_period", **change)
            for table in ("staging.submission_rows", "staging.rejections", "raw.sheet_rows", "staging.parsed_files"):
                warehouse.execute(con, f"delete_parsed_{table.split('.')[1]}", shas=shas)
            warehouse.insert(con, "staging.submission_rows", new_rows)
            warehouse.insert(con, "staging.rejections", new_rejections)
            if sheet_rows:
                warehouse.insert(con, "raw.sheet_rows", pl.concat(sheet_rows))
            warehouse.insert(con, "staging.parsed_files", pl.DataFrame(parsed_files, schema={
                "sha256": pl.String, "period": pl.String, "parser_version": pl.Int64, "status": pl.String,
                "rows_accepted": pl.Int64, "rows_rejected": pl.Int64, "parsed_at": pl.Datetime("us"),
            }))
        shown = warehouse.query(con, "select_rejections", period=period)
        if not new_rejections.is_empty():
            unknown = new_rejections.filter(pl.col("period").is_null())
            shown = pl.concat([unknown.select(shown.columns), shown], how="vertical_relaxed")
    rejected_files = sum(1 for f in parsed_files if f["status"] == "rejected")
    return dg.MaterializeResult(metadata={
        "files_parsed": len(parsed_files),
        "files_accepted": len(parsed_files) - rejected_files,
        "files_rejected": rejected_files,
        "rows_accepted": new_rows.height,
        "rejections_in_period": shown.height,
        "rejections": dg.MetadataValue.md(markdown_table(shown.select("original_name", "row_number", "code", "message"))),
    })
