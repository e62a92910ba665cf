"""Parse many archived files on every core: `parse_submission` is a pure function of bytes.

A run with more than a handful of new files hands them, in chunks, to a pool of worker
processes (spawned once per process and reused by later runs); each worker reads the
archived bytes itself and returns the ParsedFile of each, in the order given. Small runs
parse in-process, where starting workers would cost more than it saves.
TRE_EM_PARSE_WORKERS sets the number of workers (1: never use a pool).
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import polars as pl

from pipelines.submissions import ParsedFile, parse_submission

WORKERS_ENV = "TRE_EM_PARSE_WORKERS"
# Below this many files a run parses in-process: starting the workers (each imports
# Polars and the parser) costs about a second, what ~200 files take to parse on one core.
MIN_PARALLEL_FILES = 200
# Chunks per worker: enough to balance the load, few enough to keep pickling cheap.
CHUNKS_PER_WORKER = 4

_POOL: list[ProcessPoolExecutor] = []


def worker_count() -> int:
    configured = os.environ.get(WORKERS_ENV)
    return max(1, int(configured)) if configured else (os.cpu_count() or 1)


def _pool(workers: int) -> ProcessPoolExecutor:
    if not _POOL:
        # "spawn": forking a process that holds DuckDB and Polars thread pools is unsafe.
        _POOL.append(ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")))
        atexit.register(shutdown)
    return _POOL[0]


def shutdown() -> None:
    while _POOL:
        _POOL.pop().shutdown(cancel_futures=True)


def parse_files(files: list[tuple[str, str]], units: pl.DataFrame) -> list[ParsedFile]:
    """(path, suffix) pairs → their ParsedFile, in order, in this process."""
    return [parse_submission(Path(path).read_bytes(), suffix, units) for path, suffix in files]


def parse_many(files: list[tuple[Path, str]], units: pl.DataFrame) -> list[ParsedFile]:
    """Each (archived path, lower-case suffix) parsed against `units`, results in order."""
    pairs = [(str(path), suffix) for path, suffix in files]
    workers = worker_count()
    if workers < 2 or len(pairs) < MIN_PARALLEL_FILES:
        return parse_files(pairs, units)
    size = -(-len(pairs) // (workers * CHUNKS_PER_WORKER))
    chunks = [pairs[i:i + size] for i in range(0, len(pairs), size)]
    results: list[ParsedFile] = []
    try:
        for parsed in _pool(workers).map(parse_files, chunks, [units] * len(chunks)):
            results.extend(parsed)
    except BrokenProcessPool:
        # A worker died (killed, out of memory, a crash in a reader): start afresh next
        # time and parse this run's files here, so the run still completes.
        shutdown()
        return parse_files(pairs, units)
    return results
