"""The worker processes a run shares: parsing many files, and rendering a large scope's
Word table and workbook while the run writes its other files.

Spawned on first use and reused by later runs in the same process (a new pool costs about
0.7 s, its workers importing Polars and the readers). TRE_EM_PARSE_WORKERS sets their
number (1: no pool; everything runs in the run's own process).
"""

from __future__ import annotations

import atexit
import ctypes
import gc
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

WORKERS_ENV = "TRE_EM_PARSE_WORKERS"

_POOL: list[ProcessPoolExecutor] = []
T = TypeVar("T")


def worker_count() -> int:
    configured = os.environ.get(WORKERS_ENV)
    return max(1, int(configured)) if configured else (os.cpu_count() or 1)


def pool(workers: int) -> ProcessPoolExecutor:
    if not _POOL:
        # "spawn": forking a process that holds DuckDB and Polars thread pools is unsafe.
        _POOL.append(ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")))
        atexit.register(shutdown)
    return _POOL[0]


def shutdown() -> None:
    while _POOL:
        _POOL.pop().shutdown(cancel_futures=True)


def released(fn: Callable[..., T], *args) -> T:
    """`fn(*args)` on a worker, after the memory its previous task freed goes back to the
    system: a country's parsed files leave hundreds of MB of freed heap that the C
    allocator would otherwise keep while the worker draws the Word table. (Given back
    before a task, not after it: afterwards it would delay the task's result.)"""
    gc.collect()
    _malloc_trim()
    return fn(*args)


def _malloc_trim() -> None:
    try:
        ctypes.CDLL(None).malloc_trim(0)  # glibc; elsewhere there is none, and nothing to do
    except (OSError, AttributeError):
        pass


def start(fn: Callable[..., T], *args, on_worker: bool = True) -> Callable[[], T]:
    """`fn(*args)` started on a worker; call the returned function for its result.

    With `on_worker=False` or one worker configured, `fn` runs here and now. If the pool
    breaks (a worker killed or out of memory), the pool is started afresh next time and
    `fn` runs here when its result is asked for, so the run still completes.
    """
    workers = worker_count()
    if not on_worker or workers < 2:
        value = fn(*args)
        return lambda: value
    try:
        future: Future = pool(workers).submit(released, fn, *args)
    except BrokenProcessPool:
        shutdown()
        value = fn(*args)
        return lambda: value

    def result() -> T:
        try:
            return future.result()
        except BrokenProcessPool:
            shutdown()
            return fn(*args)

    return result
