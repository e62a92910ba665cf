"""The DuckDB warehouse: connecting, creating it from sql/, and moving Polars frames in and out.

SQL lives in sql/ and is loaded by name; values are always bound as parameters. Frames
go in and out through Arrow, in bulk.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from pipelines.settings import SQL_DIR


@cache
def sql(name: str) -> str:
    """The text of sql/<name>.sql, e.g. sql("queries/select_period_rows")."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


@cache
def warehouse_sql() -> tuple[tuple[str, str], ...]:
    """sql/schema/*.sql then sql/views/*.sql as (name, text), in the order they run (read once)."""
    paths = [*sorted((SQL_DIR / "schema").glob("*.sql")), *sorted((SQL_DIR / "views").glob("*.sql"))]
    return tuple((path.relative_to(SQL_DIR).as_posix(), path.read_text(encoding="utf-8")) for path in paths)


@cache
def warehouse_sql_digest() -> str:
    h = hashlib.sha256()
    for name, text in warehouse_sql():
        h.update(f"{name}\0{len(text)}\0{text}".encode())
    return h.hexdigest()


def create_warehouse(con: duckdb.DuckDBPyConnection) -> None:
    """Create every schema, table and view (idempotent).

    Running every file costs ~10 ms a connection, and a run connects once a step: the
    digest of the files as last applied is kept in pipeline.applied_sql, and a warehouse
    that has it is left as it is."""
    digest = warehouse_sql_digest()
    try:
        applied = con.execute("SELECT digest FROM pipeline.applied_sql").fetchall()
    except duckdb.CatalogException:
        applied = []
    if applied == [(digest,)]:
        return
    for _name, text in warehouse_sql():
        con.execute(text)
    with transaction(con):
        con.execute("DELETE FROM pipeline.applied_sql")
        con.execute("INSERT INTO pipeline.applied_sql VALUES ($digest)", {"digest": digest})


def open_warehouse(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse at `path`, created first when writable; the caller closes it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        if not read_only:
            create_warehouse(con)
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_warehouse(path, read_only)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: a failure (or a killed process) leaves the tables as they were."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def query(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pl.DataFrame:
    """Run sql/queries/<name>.sql with named parameters; the result as a Polars frame."""
    return con.sql(sql(f"queries/{name}"), params=params or None).pl()


def execute(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> None:
    con.execute(sql(f"queries/{name}"), params or None)


def insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Append `frame` to `table` (schema.name), matching columns by name."""
    if frame.is_empty():
        return 0
    con.register("incoming_frame", frame.to_arrow())
    try:
        con.execute(f"INSERT INTO {_table_name(table)} BY NAME SELECT * FROM incoming_frame")
    finally:
        con.unregister("incoming_frame")
    return frame.height


def _table_name(table: str) -> str:
    """Quote a schema.table identifier from our own code (never from input)."""
    parts = table.split(".")
    if len(parts) != 2 or not all(p.isidentifier() for p in parts):
        raise ValueError(f"not a schema.table name: {table!r}")
    return ".".join(f'"{p}"' for p in parts)
