"""The Dagster resource that gives assets their data directory and warehouse."""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.core.settings import DATA_DIR_ENV, DEFAULT_DATA_DIR, DataDir
from pipelines.warehouse import db

# How long a step waits for another process (a run started by hand beside the daemon's)
# to release the warehouse before it fails (and the job's RetryPolicy takes over).
LOCK_WAIT_SECONDS = 120.0
LOCK_POLL_SECONDS = 0.5


def default_data_dir() -> str:
    return os.environ.get(DATA_DIR_ENV, str(DEFAULT_DATA_DIR))


def is_lock_conflict(error: Exception) -> bool:
    return isinstance(error, duckdb.IOException) and "lock" in str(error).lower()


class Storage(dg.ConfigurableResource):
    """The data directory: inbox/, archive/, warehouse.duckdb, published/."""

    data_dir: str

    @property
    def layout(self) -> DataDir:
        return DataDir.at(self.data_dir)

    @contextmanager
    def connect(self, wait_seconds: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """The warehouse, read-write; waits (LOCK_WAIT_SECONDS unless told) while another process holds it.

        Inside `holding_warehouse` for this warehouse: a cursor on the connection held there."""
        wait_seconds = LOCK_WAIT_SECONDS if wait_seconds is None else wait_seconds
        path = self.layout.warehouse
        if path in _HELD:
            if _HELD[path] is None:
                _HELD[path] = self._open(wait_seconds)
            cursor = _HELD[path].cursor()
            try:
                yield cursor
            except duckdb.Error:
                # The next step opens it afresh, in case this error left the database unusable.
                held, _HELD[path] = _HELD[path], None
                cursor.close()
                held.close()
                raise
            finally:
                cursor.close()
            return
        con = self._open(wait_seconds)
        try:
            yield con
        finally:
            con.close()

    def _open(self, wait_seconds: float) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                return db.open_warehouse(self.layout.warehouse)
            except duckdb.IOException as error:
                if not is_lock_conflict(error) or time.monotonic() >= deadline:
                    raise
                time.sleep(LOCK_POLL_SECONDS)


# Warehouses held open for a whole run (path → its connection, None until a step connects).
_HELD: dict[Path, duckdb.DuckDBPyConnection | None] = {}


@contextmanager
def holding_warehouse(data_dir: str | Path) -> Iterator[None]:
    """Keep the warehouse of `data_dir` open from the first `Storage.connect` to the end of
    the block, every step getting a cursor on that one connection.

    Opening a DuckDB database is not free, and every step of a run would pay it: most of a
    step's time when a run has nothing new. The file stays locked for the whole block (a
    run) rather than step by step; runs never overlap, and another process waits for it as
    it waited for a step (`Storage.connect`). Used around `python -m pipelines run`'s runs.
    """
    path = DataDir.at(data_dir).warehouse
    if path in _HELD:
        yield
        return
    _HELD[path] = None
    try:
        yield
    finally:
        held = _HELD.pop(path, None)
        if held is not None:
            held.close()
