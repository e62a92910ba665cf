"""Ingest assets: the inbox archived and registered, then each new file parsed and staged.

Loose files (in inbox/ but outside any period folder) are archived by every period's run
(content-addressed, so only once) and registered, with the period written in them, by
the run of that period, which then stages them beside the folder's files (so the
history's order of arrival stays true). A loose file whose period cannot be told is
registered and staged once, by whichever run comes first, as a rejection with no period,
so it shows in published/rejections.csv; if the same bytes later appear in a period
folder, the file is re-filed there and parsed for that period.
"""

import os
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.core import clock
from pipelines.core.numbers import format_vn_int
from pipelines.core.period_text import label
from pipelines.core.scope import configured_scope
from pipelines.core.text import markdown_table, readable_name
from pipelines.ingest import archive
from pipelines.ingest.inbox import file_period, inbox_relpaths, loose_listing, period_listing
from pipelines.ingest.inbox_hashes import InboxHashes
from pipelines.ingest.parallel_parse import parse_many
from pipelines.ingest.submissions import PARSER_VERSION
from pipelines.partitions import PERIODS, period_bounds
from pipelines.quality.rejections import message
from pipelines.resources import Storage
from pipelines.warehouse import db


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
        "Every file in inbox/YYYY-MM/ and every file loose in inbox/, archived byte for byte "
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
    listing, loose_found = period_listing(layout.inbox, period), loose_listing(layout.inbox)
    filed = [(path, period) for path in listing.files]
    loose = [(path, None) for path in loose_found.files]
    # Links, devices, pipes and what cannot be read: reported on every run until they are
    # gone or readable. Nothing of a link's target is read.
    refused = [(path, code, period) for path, code in listing.refused]
    refused += [(path, code, None) for path, code in loose_found.refused]
    # Files new in the same run are registered oldest-written first, so a correction saved
    # after the file it corrects is the later version even when both arrive together.
    arrivals = sorted(filed + loose, key=lambda item: (written_at(item[0]), item[0].name))
    bounds = period_bounds()
    with storage.connect() as con:
        inbox_paths = inbox_relpaths(layout.inbox, [path for path, _ in arrivals])
        hashes = InboxHashes.load(con, inbox_paths)
        archived = archive.Batch(layout.root)
        try:
            present = []
            for (path, folder), inbox_path in zip(arrivals, inbox_paths, strict=True):
                try:
                    sha, stat = hashes.lookup(inbox_path, path)
                    if sha is None:  # new or changed since a run read it: copied towards the archive as it is hashed
                        sha, size, relpath = archived.store_file(path)
                        hashes.remember(inbox_path, stat, sha)
                    else:  # unchanged since a run read it: not even read again
                        size, relpath = stat.st_size, archive.archive_relpath(sha, path.suffix)
                except FileNotFoundError:  # removed since the inbox was listed
                    continue
                except OSError:  # unreadable (permissions, a lock): reported, tried again next run
                    refused.append((os.fspath(path), "UNREADABLE_PATH", folder))
                    continue
                present.append((path, folder, inbox_path, sha, size, relpath))
            # Which of these contents were received before: asked about these alone, so the
            # lookup does not grow with the history of everything ever received.
            known = known_among(con, [sha for _, _, _, sha, _, _ in present])
            new, repeated, refiled, elsewhere, copies = [], [], [], 0, []
            archiving = set()  # the copies this run adds to the archive
            for path, folder, inbox_path, sha, size, relpath in present:
                if sha in known:
                    if folder is not None and known[sha] is None:
                        refiled.append(
                            {"sha256": sha, "period": folder, "period_folder": folder, "inbox_path": inbox_path}
                        )
                        known[sha] = folder
                    elif folder == period and known[sha] not in (None, period):
                        copies.append(same_file_rejection(sha, readable_name(path.name), period, known[sha]))
                    repeated.append(path.name)
                    continue
                if not archived.holds(relpath):
                    try:  # remembered by its hash, but its copy is not in the archive (yet)
                        sha, size, relpath = archived.store_file(path)
                    except OSError:
                        refused.append((os.fspath(path), "UNREADABLE_PATH", folder))
                        continue
                archiving.add(relpath)
                if folder is None:
                    counts_for = file_period(archived.readable(relpath), bounds).period
                else:
                    counts_for = folder
                if counts_for not in (period, None):
                    elsewhere += 1  # archived now; registered by its own period's run, so history stays in order
                    continue
                known[sha] = counts_for
                new.append(
                    {
                        "sha256": sha,
                        "original_name": readable_name(path.name),
                        "inbox_path": inbox_path,
                        "period_folder": folder,
                        "period": counts_for,
                        "size_bytes": size,
                        "archive_path": relpath.as_posix(),
                        "received_at": clock.now(),
                    }
                )
            archived.keep_only(archiving)  # a content received before keeps its first copy alone
            archived.commit()  # every new copy on disk before any is registered
        finally:
            archived.discard()
        frame = pl.DataFrame(new, schema=archive.RECEIVED_SCHEMA)
        with db.transaction(con):
            db.insert(con, "raw.received_files", frame)
            for change in refiled:
                db.execute(con, "update_received_period", **change)
            hashes.save(con)
            # Recorded afresh on every run, so each stays while its cause lies in the inbox.
            db.execute(con, "delete_period_rejections_of_code", period=period, code=SAME_FILE_CODE)
            for code in PATH_CODES:
                for counts_for in {period, None}:
                    db.execute(con, "delete_period_rejections_of_code", period=counts_for, code=code)
            found = copies + [path_rejection(layout.inbox, *item) for item in refused]
            db.insert(con, "staging.rejections", pl.DataFrame(found, schema=SAME_FILE_SCHEMA))
        archive.record(layout.root, new, refiled)  # once registered: what a rebuild of the warehouse needs
    return dg.MaterializeResult(
        metadata={
            "files_in_inbox": format_vn_int(len(filed)),
            "loose_files": format_vn_int(len(loose)),
            "new_files": format_vn_int(frame.height),
            "already_received": format_vn_int(len(repeated)),
            "refiled": format_vn_int(len(refiled)),
            "copies_of_other_periods": format_vn_int(len(copies)),
            "refused_or_unreadable": format_vn_int(len(refused)),
            "loose_for_other_periods": format_vn_int(elsewhere),
            "new": dg.MetadataValue.md(
                markdown_table(
                    frame.select(
                        pl.col("original_name").alias("Tệp"),
                        pl.col("period").fill_null("không rõ").alias("Kỳ"),
                        # No sha256: one long unbreakable word squeezes the other columns in the UI's
                        # narrow metadata column (raw.received_files holds it beside the name).
                        pl.col("size_bytes").map_elements(format_vn_int, pl.String).alias("Dung lượng (byte)"),
                    )
                )
            ),
        }
    )


def known_among(con, shas: list[str]) -> dict[str, str | None]:
    """{sha256: the period it counts for (None: unknown)} of those of `shas` already received."""
    return dict(db.query(con, "select_known_among", shas=shas).iter_rows()) if shas else {}


SAME_FILE_CODE = "SAME_FILE_AS_OTHER_PERIOD"
SAME_FILE_SCHEMA = {
    "sha256": pl.String,
    "original_name": pl.String,
    "period": pl.String,
    "code": pl.String,
    "message": pl.String,
}


PATH_CODES = ("REFUSED_PATH", "UNREADABLE_PATH")


def path_rejection(inbox: Path, path: str, code: str, period: str | None) -> dict:
    """An inbox entry that is not read: a link, a device or pipe, or unreadable."""
    where = readable_name(os.path.relpath(path, inbox))
    return {
        "sha256": "",
        "original_name": readable_name(os.path.basename(path)),
        "period": period,
        "code": code,
        "message": message(code, detail=where),
    }


def same_file_rejection(sha: str, name: str, period: str, other: str) -> dict:
    """A file in this period's folder whose exact bytes were already received for another period."""
    return {
        "sha256": sha,
        "original_name": name,
        "period": period,
        "code": SAME_FILE_CODE,
        "message": message(SAME_FILE_CODE, period=label(period), detail=label(other)),
    }


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
        todo = db.query(con, "select_unparsed_files", period=period, parser_version=PARSER_VERSION)
        files = list(todo.iter_rows(named=True))
        batch = parse_many(storage.layout.root, files, period, configured_scope().units, period_bounds())
        staged, refiled, replaced = [], [], []
        for index, (file, parsed_period) in enumerate(zip(files, batch.periods, strict=True)):
            counts_for = file["period"] or file["period_folder"]
            if counts_for is None and parsed_period is not None:
                # Its period was unknown (or not yet begun) and now resolves: that period's run parses it.
                refiled.append(
                    {"sha256": file["sha256"], "period": parsed_period, "period_folder": None, "inbox_path": None}
                )
                continue
            staged.append(
                {"file": index, "sha256": file["sha256"], "original_name": file["original_name"], "period": counts_for}
            )
            if file["parsed_before"]:
                replaced.append(file["sha256"])
        staged_files = pl.DataFrame(staged, schema=STAGED_FILE_SCHEMA)
        new_rows = batch.rows.join(staged_files.select("file", "sha256", "period"), on="file", maintain_order="left")
        new_rejections = batch.rejections.join(staged_files, on="file", maintain_order="left")
        sheet_rows = batch.sheet_rows.join(staged_files.select("file", "sha256"), on="file", maintain_order="left")
        parsed_files = parsed_file_statuses(staged_files, new_rows, new_rejections)
        with db.transaction(con):
            for change in refiled:
                db.execute(con, "update_received_period", **change)
            # Only files parsed before have rows to replace (a new file has none: the
            # deletes, which scan every file's rows, are skipped).
            if replaced:
                for table in ("submission_rows", "rejections", "sheet_rows", "parsed_files"):
                    db.execute(con, f"delete_parsed_{table}", shas=replaced)
            db.insert(con, "staging.submission_rows", new_rows.drop("file"))
            db.insert(con, "staging.rejections", new_rejections.drop("file"))
            db.insert(con, "raw.sheet_rows", sheet_rows.drop("file"))
            db.insert(con, "staging.parsed_files", parsed_files)
        archive.record(storage.layout.root, [], refiled)
        shown = db.query(con, "select_rejections", period=period)
        unknown = new_rejections.filter(pl.col("period").is_null())
        if not unknown.is_empty():
            shown = pl.concat([unknown.select(shown.columns), shown], how="vertical_relaxed")
    rejected_files = parsed_files.filter(pl.col("status") == "rejected").height
    return dg.MaterializeResult(
        metadata={
            "files_parsed": format_vn_int(parsed_files.height),
            "files_accepted": format_vn_int(parsed_files.height - rejected_files),
            "files_rejected": format_vn_int(rejected_files),
            "rows_accepted": format_vn_int(new_rows.height),
            "rejections_in_period": format_vn_int(shown.height),
            # As the check no_file_or_row_rejected lists them: the file, the row (or the whole file), the reason.
            "rejections": dg.MetadataValue.md(
                markdown_table(
                    shown.select(
                        pl.col("original_name").alias("Tệp"),
                        pl.col("row_number").cast(pl.String).fill_null("cả tệp").alias("Dòng"),
                        pl.col("message").alias("Lý do"),
                    )
                )
                if shown.height
                else "Không có"
            ),
        }
    )


STAGED_FILE_SCHEMA = {"file": pl.Int64, "sha256": pl.String, "original_name": pl.String, "period": pl.String}


def parsed_file_statuses(staged: pl.DataFrame, rows: pl.DataFrame, rejections: pl.DataFrame) -> pl.DataFrame:
    """staging.parsed_files rows: each staged file's status and its accepted and rejected rows."""
    accepted = rows.group_by("file").len("rows_accepted")
    rejected = rejections.group_by("file").len("rows_rejected")
    counts = [pl.col("rows_accepted").fill_null(0), pl.col("rows_rejected").fill_null(0)]
    return (
        staged.join(accepted, on="file", how="left", maintain_order="left")
        .join(rejected, on="file", how="left", maintain_order="left")
        .with_columns(*counts)
        .select(
            "sha256",
            "period",
            pl.lit(PARSER_VERSION, pl.Int64).alias("parser_version"),
            pl.when(pl.col("rows_accepted") == 0)
            .then(pl.lit("rejected"))
            .when(pl.col("rows_rejected") > 0)
            .then(pl.lit("partly_rejected"))
            .otherwise(pl.lit("accepted"))
            .alias("status"),
            pl.col("rows_accepted").cast(pl.Int64),
            pl.col("rows_rejected").cast(pl.Int64),
            pl.lit(clock.now(), pl.Datetime("us")).alias("parsed_at"),
        )
    )
