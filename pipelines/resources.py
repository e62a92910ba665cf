"""The Dagster resource that gives assets their data directory and warehouse."""


import os
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb

from pipelines import warehouse
from pipelines.settings import DEFAULT_DATA_DIR, DataDir

DATA_DIR_ENV = "TRE_EM_DATA_DIR"


def default_data_dir() -> str:
    return os.environ.get(DATA_DIR_ENV, str(DEFAULT_DATA_DIR))


class Storage(dg.ConfigurableResource):
    """The data directory: inbox/, archive/, warehouse.duckdb, published/."""

    data_dir: str

    @property
    def layout(self) -> DataDir:
        return DataDir.at(self.data_dir)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse.connect(self.layout.warehouse) as con:
            yield con
