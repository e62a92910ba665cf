"""Parse many archived files on every core: `parse_received` reads one registered file's
archived bytes to its tables for the run's period, `parse_files` checks a list of them
as one batch (`submissions.parse_batch`).

A run with many new files hands them, in chunks, to the worker processes
(`pipelines.scale`); each worker reads the archived bytes itself and returns its
chunk's ParsedBatch; the chunks are joined in the order given. Small runs parse
in-process, where starting workers would cost more than it saves.
TRE_EM_PARSE_WORKERS sets the number of workers (1: never use a pool).
"""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool
from pathlib import Path, PurePath

import polars as pl

from pipelines import scale
from pipelines.ingest.file_guards import OLE, ZIP, sniff
from pipelines.ingest.sandbox import prefetched
from pipelines.ingest.submissions import ParsedBatch, ReadFile, parse_batch, read_submission, rejected_file, too_large
from pipelines.scale import pool, released, shutdown, worker_count

# What a worker needs of a registered file (the rest of the row stays in the run).
FILE_KEYS = ("archive_path", "original_name", "size_bytes", "period", "period_folder")


def parse_received(
    data_root: Path, file: dict, period: str, bounds: tuple[str, str], data: bytes | None = None
) -> ReadFile:
    """Read one registered file (a raw.received_files row) for the run of `period`.

    A file registered with neither a period nor a period folder (loose, its period unknown)
    is read for any period within `bounds`, the (first, last) a file may state.
    """
    rejected = too_large(file["size_bytes"], file["period"])
    if rejected is not None:
        return rejected
    data = data if data is not None else (Path(data_root) / file["archive_path"]).read_bytes()
    suffix = PurePath(file["original_name"]).suffix.lower()
    try:
        if file["period"] is None and file["period_folder"] is None:
            return read_submission(data, suffix, loose_bounds=bounds)
        return read_submission(data, suffix, period)
    except Exception as exc:  # whatever a file does to the reading code, it is that file's rejection
        return rejected_file("NOT_A_SPREADSHEET", file["period"] or file["period_folder"], detail=type(exc).__name__)


def parse_files(
    data_root: Path, files: list[dict], period: str, units: pl.DataFrame, bounds: tuple[str, str]
) -> ParsedBatch:
    """Registered files → their ParsedBatch (file i of the batch is files[i]), in this process.

    Checked as one batch; should that fail on something in one file, each file is checked
    alone, and a file that still fails is rejected: one file never stops the others."""
    datas = [
        None if too_large(file["size_bytes"]) else (Path(data_root) / file["archive_path"]).read_bytes()
        for file in files
    ]
    workbooks = [data for data in datas if data is not None and sniff(data) in (ZIP, OLE)]
    with prefetched(workbooks):  # read in the reader process as one stream
        read = [parse_received(data_root, file, period, bounds, data) for file, data in zip(files, datas, strict=True)]
    try:
        return parse_batch(read, units)
    except Exception:
        return ParsedBatch.concat([_parse_alone(file, units) for file in read])


def _parse_alone(file: ReadFile, units: pl.DataFrame) -> ParsedBatch:
    try:
        return parse_batch([file], units)
    except Exception as exc:
        rejected = rejected_file("NOT_A_SPREADSHEET", file.period, file.sheets, detail=type(exc).__name__)
        return parse_batch([rejected], units)


def parse_many(
    data_root: Path, files: list[dict], period: str, units: pl.DataFrame, bounds: tuple[str, str]
) -> ParsedBatch:
    """Each registered file (dict with archive_path, original_name, size_bytes, period and
    period_folder) parsed for the run of `period`, on the pool when there are many."""
    files = [{key: file[key] for key in FILE_KEYS} for file in files]
    workers = worker_count()
    if workers < 2 or len(files) < scale.MIN_PARALLEL_FILES:
        return parse_files(data_root, files, period, units, bounds)
    size = -(-len(files) // (workers * scale.CHUNKS_PER_WORKER))
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    n = len(chunks)
    try:
        batches = list(
            pool(workers).map(
                released, [parse_files] * n, [data_root] * n, chunks, [period] * n, [units] * n, [bounds] * n
            )
        )
    except BrokenProcessPool:
        # A worker died (killed, out of memory, a crash in a reader): start afresh next
        # time and parse this run's files here, so the run still completes.
        shutdown()
        return parse_files(data_root, files, period, units, bounds)
    return ParsedBatch.concat(batches)
