"""What a country-sized scope needs beyond a district's, in one place, with its thresholds.

A district and a country go through the same code; these only change where or how the
work is done once a run is large. BENCHMARKS.md gives what each buys.

- Worker processes (`start`, `pool`): a run parses at least MIN_PARALLEL_FILES files on
  them, in CHUNKS_PER_WORKER chunks per worker; an appendix of at least
  RENDER_ON_WORKERS_FROM rows has its Word table and workbook rendered on them while the
  run draws the charts and writes the rest. Below these, starting the workers costs more
  than it saves. Spawned on first use and reused by later runs in the same process.
  TRE_EM_PARSE_WORKERS sets their number (1: no pool; everything in the run's process).
- Flushing the archive (`flush`): from SYNCFS_FROM paths on, one syncfs of the file
  system costs less than flushing each path; below it, each path is flushed (on
  SYNC_THREADS threads, so the disk waits overlap) and a small run never waits on other
  programs' unwritten data.
- Copying a large file to disk (`copy_to_disk`, the analysts' copy): in COPY_CHUNK
  chunks, each flushed while the next is copied and then dropped from the page cache, so
  the copy reuses a few pages instead of first filling memory the system is slow to give.
- The cycle collector during a run (`frozen_heap`, held by `cli.run_period`): the objects
  the process held before the run are left out of its collections.
- Elsewhere, because they could not live apart from their code: the Word table's unit
  rows are copies of the first one written as XML text (`publish.appendix_docx`);
  `raw.received_files` and `staging.parsed_files` keep one row per sha256 by a check on
  insert rather than a PRIMARY KEY, whose index DuckDB rewrites whole at every checkpoint
  (`warehouse.db.UNIQUE_KEYS`); CSV files are written by Polars in one pass
  (`publish.csv_text`).
"""

from __future__ import annotations

import atexit
import ctypes
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

WORKERS_ENV = "TRE_EM_PARSE_WORKERS"
MIN_PARALLEL_FILES = 4000
CHUNKS_PER_WORKER = 2
RENDER_ON_WORKERS_FROM = 2000
SYNCFS_FROM = 500
SYNC_THREADS = 32
COPY_CHUNK = 8 << 20

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


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Within, Python's cycle collector looks only at the objects made inside.

    A large run makes enough objects (thousands of files read, charts drawn) to start
    full collections, and each walks every object the process holds, the hundreds of
    thousands the libraries made when imported included, though those are never garbage.
    Frozen (`gc.freeze`) for the run, they are skipped; afterwards they go back to the
    collector (`gc.unfreeze`), so nothing stays out of its reach for good.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def fsync_path(path: str | Path) -> None:
    """Flush a file (or a folder's entries) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_all(paths: list[str] | list[Path]) -> None:
    for path in paths:
        fsync_path(path)


def _libc(name: str):
    """A libc function (Linux: syncfs, sync_file_range), or None where there is none."""
    try:
        return getattr(ctypes.CDLL(None, use_errno=True), name)
    except (OSError, AttributeError):
        return None


def _syncfs():
    """libc's syncfs(2) (Linux), or None where there is none."""
    return _libc("syncfs")


def flush(paths: list[str] | list[Path], root: Path) -> None:
    """Flush `paths` (files, or folders' entries) on `root`'s file system to disk."""
    syncfs = _syncfs() if len(paths) >= SYNCFS_FROM else None
    if syncfs is not None:
        fd = os.open(root, os.O_RDONLY)
        try:
            if syncfs(fd) != 0:
                err = ctypes.get_errno()
                raise OSError(err, os.strerror(err), str(root))
        finally:
            os.close(fd)
        return
    # Each thread flushes its share in turn: one task per thread, not per file (a
    # future per file costs as much as its flush).
    shares = [paths[i::SYNC_THREADS] for i in range(min(SYNC_THREADS, len(paths)))]
    with ThreadPoolExecutor(len(shares)) as pool:
        list(pool.map(_fsync_all, shares))


# sync_file_range(2) flags.
_WAIT_BEFORE, _WRITE, _WAIT_AFTER = 1, 2, 4


def _sync_file_range():
    function = _libc("sync_file_range")
    if function is not None:
        function.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    return function


def copy_to_disk(source: Path, target: Path) -> None:
    """Copy `source` to a new file `target`, flushed to disk when this returns.

    For a large file (the analysts' copy of the warehouse). A copy then one fsync first
    puts the whole copy in the page cache, and memory the system has not touched lately
    is slow to take on a virtual machine. Here each chunk goes to disk while the next one
    is copied, and leaves the cache once it is on disk, so the copy keeps reusing the same
    few pages. The last fsync writes the file's metadata and flushes the disk's own cache,
    so the whole copy is durable, as with one fsync.
    Without sync_file_range (not Linux, or a file system that refuses it), each chunk is
    flushed with fdatasync instead.
    """
    sync_range = _sync_file_range()
    drop = getattr(os, "posix_fadvise", None)
    buffer = bytearray(COPY_CHUNK)
    view = memoryview(buffer)
    with open(source, "rb", buffering=0) as src, open(target, "wb", buffering=0) as dst:
        fd = dst.fileno()
        offset, previous = 0, None
        while size := src.readinto(buffer):
            written = 0
            while written < size:
                written += dst.write(view[written:size])
            # Starts writing this chunk, then waits until the chunk before is on disk. A file
            # system that refuses sync_file_range gets fdatasync for the rest of the copy.
            if sync_range is not None and (
                sync_range(fd, offset, size, _WRITE) != 0
                or (previous is not None and sync_range(fd, *previous, _WAIT_BEFORE | _WRITE | _WAIT_AFTER) != 0)
            ):
                sync_range = None
            if sync_range is None:
                os.fdatasync(fd)
            if previous is not None and drop is not None:
                drop(fd, *previous, os.POSIX_FADV_DONTNEED)
            previous = (offset, size)
            offset += size
        os.fsync(fd)
        if previous is not None and drop is not None:
            drop(fd, *previous, os.POSIX_FADV_DONTNEED)
