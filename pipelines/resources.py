"""The Dagster resource that gives assets their data directory and warehouse."""


import os
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import dagster as dg
import duckdb

from pipelines import warehouse
from pipelines.settings import DEFAULT_DATA_DIR, DataDir

DATA_DIR_ENV = "TRE_EM_DATA_DIR"
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
    def connect(self, wait_seconds: float = LOCK_WAIT_SECONDS) -> Iterator[duckdb.DuckDBPyConnection]:
        """The warehouse, read-write; waits while another process holds it."""
        deadline = time.monotonic() + wait_seconds
        while True:
            stack = ExitStack()
            try:
                con = stack.enter_context(warehouse.connect(self.layout.warehouse))
                break
            except duckdb.IOException as error:
                stack.close()
                if not is_lock_conflict(error) or time.monotonic() >= deadline:
                    raise
                time.sleep(LOCK_POLL_SECONDS)
        with stack:
            yield con
