"""The DuckDB warehouse: connecting, creating (and upgrading) it from sql/, and moving Polars
frames in and out.

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

from pipelines.core.settings import SQL_DIR

# Tables that hold one row per value of a column: checked on every insert (`insert`), as a
# PRIMARY KEY would be, without one, for one writer at a time (a run holds the warehouse's
# lock, and its steps write one after another; two transactions open at once could each
# pass the check). DuckDB keeps a key as an index that it rewrites whole at every
# checkpoint, which with years of a country's file hashes costs more per insert than the
# check and bloats the file the analysts' copy copies (figures in BENCHMARKS.md).
UNIQUE_KEYS = {"raw.received_files": "sha256", "staging.parsed_files": "sha256"}


@cache
def sql(name: str) -> str:
    """The text of sql/<name>.sql, e.g. sql("queries/select_period_rows")."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


# The folders of sql/ that make the warehouse, in the order they run: every table in its
# current shape (one file a table, named schema.table.sql), then the migrations that bring
# an older warehouse's tables to that shape, then the analysts' views over them.
WAREHOUSE_DIRS = ("schema", "migrations", "views")


@cache
def warehouse_sql() -> tuple[tuple[str, str], ...]:
    """sql/schema/*.sql, sql/migrations/*.sql then sql/views/*.sql as (name, text), in the
    order they run (read once)."""
    paths = [path for folder in WAREHOUSE_DIRS for path in sorted((SQL_DIR / folder).glob("*.sql"))]
    return tuple((path.relative_to(SQL_DIR).as_posix(), path.read_text(encoding="utf-8")) for path in paths)


@cache
def warehouse_sql_digest() -> str:
    h = hashlib.sha256()
    for name, text in warehouse_sql():
        h.update(f"{name}\0{len(text)}\0{text}".encode())
    return h.hexdigest()


def create_warehouse(con: duckdb.DuckDBPyConnection) -> None:
    """Create every schema, table and view, and upgrade an older warehouse (idempotent).

    A run connects once a step, so running every file each time would add up: the digest
    of the files as last applied is kept in pipeline.applied_sql, and a warehouse that has
    it is left as it is."""
    digest = warehouse_sql_digest()
    try:
        applied = con.execute("SELECT digest FROM pipeline.applied_sql").fetchall()
    except duckdb.CatalogException:
        applied = []
    if applied == [(digest,)]:
        return
    _run_sql(con, "schema")  # the tables a warehouse lacks, as a new one gets them
    _migrate(con)  # the tables an older warehouse already has, brought to the same shape
    _run_sql(con, "views")
    with transaction(con):
        con.execute("DELETE FROM pipeline.applied_sql")
        con.execute("INSERT INTO pipeline.applied_sql VALUES ($digest)", {"digest": digest})


def _run_sql(con: duckdb.DuckDBPyConnection, folder: str) -> None:
    """Run the files of sql/<folder>/, in name order."""
    for name, text in warehouse_sql():
        if name.startswith(f"{folder}/"):
            con.execute(text)


def _migrate(con: duckdb.DuckDBPyConnection) -> None:
    """The migrations: what upgrades a warehouse made by an older sql/schema/ to the shape
    sql/schema/ makes today. Each step is idempotent (a warehouse already in that shape is
    left as it is), and runs whenever the SQL changed, after the tables exist: the files of
    sql/migrations/ in name order (numbered as the old schema file each comes from), then
    what SQL cannot do."""
    _run_sql(con, "migrations")
    _drop_primary_keys(con)


def _table_sql(table: str) -> str:
    """The text of sql/schema/<schema.table>.sql: the table's current shape."""
    return dict(warehouse_sql())[f"schema/{table}.sql"]


def _drop_primary_keys(con: duckdb.DuckDBPyConnection) -> None:
    """Migration, in Python as DuckDB cannot drop a key: rebuild, without it, a table of
    UNIQUE_KEYS that still has the PRIMARY KEY an older warehouse was made with, from
    its sql/schema/ file: the same columns and rows, in one transaction.
    Once per warehouse; afterwards there is nothing to do. The file does not shrink
    (DuckDB reuses the freed blocks for later writes, and never gives them back): only a
    warehouse made afresh is the smaller one."""
    keyed = query(con, "select_primary_keyed_tables")
    for schema, table in keyed.rows():
        if f"{schema}.{table}" not in UNIQUE_KEYS:
            continue
        name, old = _table_name(f"{schema}.{table}"), _table_name(f"{schema}.{table}_keyed")
        with transaction(con):
            con.execute(f'ALTER TABLE {name} RENAME TO "{table}_keyed"')
            con.execute(_table_sql(f"{schema}.{table}"))
            con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM {old}")
            con.execute(f"DROP TABLE {old}")


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
        if table in UNIQUE_KEYS:
            _check_unique(con, table, UNIQUE_KEYS[table])
        con.execute(f"INSERT INTO {_table_name(table)} BY NAME SELECT * FROM incoming_frame")
    finally:
        con.unregister("incoming_frame")
    return frame.height


def _check_unique(con: duckdb.DuckDBPyConnection, table: str, key: str) -> None:
    """Raise duckdb.ConstraintException, as a key would, when `incoming_frame` repeats a
    value of `key` or holds one `table` already has."""
    if not key.isidentifier():
        raise ValueError(f"not a column name: {key!r}")
    clash = con.execute(
        f'(SELECT "{key}" FROM incoming_frame GROUP BY "{key}" HAVING count(*) > 1) UNION ALL '
        f'(SELECT "{key}" FROM incoming_frame WHERE "{key}" IN (SELECT "{key}" FROM {_table_name(table)})) LIMIT 1'
    ).fetchall()
    if clash:
        raise duckdb.ConstraintException(f"Duplicate key: {table} would hold {key} = {clash[0][0]!r} twice")


def replace_period_rows(
    con: duckdb.DuckDBPyConnection, table: str, delete_query: str, period: str, frame: pl.DataFrame
) -> bool:
    """Replace `table`'s rows of `period` (those sql/queries/<delete_query> deletes: its
    `period` column equal to `period`) by `frame`, all or nothing; True when written.

    When the table already holds exactly those rows (compared in DuckDB, after the same
    casts an insert makes), nothing is written: a run with nothing new leaves the
    warehouse file as it was, and the analysts' copy need not be made again."""
    name = _table_name(table)
    held = con.execute(f"SELECT count(*) FROM {name} WHERE period = $period", {"period": period}).fetchall()[0][0]
    if held == 0:  # the period's first rows (a new period): nothing to compare or delete
        if frame.is_empty():
            return False
        insert(con, table, frame)
        return True
    con.execute(f"CREATE OR REPLACE TEMP TABLE incoming_rows AS SELECT * FROM {name} LIMIT 0")
    try:
        insert(con, "temp.incoming_rows", frame)  # with the same casts as the real insert
        current = f"(FROM {name} WHERE period = $period)"
        differs = con.execute(
            f"SELECT EXISTS (FROM (({current} EXCEPT ALL FROM temp.incoming_rows) "
            f"UNION ALL (FROM temp.incoming_rows EXCEPT ALL {current})))",
            {"period": period},
        ).fetchall()[0][0]
    finally:
        con.execute("DROP TABLE IF EXISTS temp.incoming_rows")
    if not differs:
        return False
    with transaction(con):
        execute(con, delete_query, period=period)
        insert(con, table, frame)
    return True


def _table_name(table: str) -> str:
    """Quote a schema.table identifier from our own code (never from input)."""
    parts = table.split(".")
    if len(parts) != 2 or not all(p.isidentifier() for p in parts):
        raise ValueError(f"not a schema.table name: {table!r}")
    return ".".join(f'"{p}"' for p in parts)
