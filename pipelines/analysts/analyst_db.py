"""The analysts' copy of the warehouse: data/analyst.duckdb, replaced atomically after each
run that changed the warehouse, and the analytics views as Parquet beside it (`extracts`).

What it holds is an allow-list, sql/catalog.toml (`catalog`): the tables and columns listed
there, copied from the warehouse, the views of sql/views/ made over them, and a COMMENT on
every table, view and column. A cell a file carried beyond its headers, unit names and
figures (a list of children sent by mistake: names, dates of birth, ID numbers) stays in
the warehouse, where operators see it (raw.sheet_rows, the full rejection messages).

Analysts open it with the DuckDB clients they have, so it is written in DuckDB's storage
format v1.0.0 (STORAGE_VERSION), which every DuckDB from 0.10 to the last 1.x reads, while
the warehouse stays on the newest format. It has no keys or indexes: DuckDB 2.0 writes a
PRIMARY KEY's index in a form DuckDB 1.0 cannot read, even in that storage format.

Analysts never open the warehouse itself (DuckDB allows one writing process, and a reader
would block the pipeline). They open the copy, read-only. It is written under a temporary
name in the same folder, flushed to disk, made read-only and renamed over the old one: a
session left open keeps reading the file it opened (the old inode) until it reconnects,
nobody ever sees a half-written copy, and the run never opens the published copy with
DuckDB (it reads its bytes), so no session can hold a lock the run needs.

The copy is made whole when there is none (or the catalog, the views, this code or DuckDB
changed); otherwise it is the previous copy's bytes with only the periods that changed
rewritten: per table and period the warehouse's rows (as copied) are summed up by a hash,
kept beside the copy (`copied_from`), and the periods whose sum changed are deleted from
the copy and inserted again. A run with nothing new copies nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.analysts import extracts
from pipelines.analysts.catalog import Catalog, Relation, load, quote
from pipelines.core.settings import DataDir
from pipelines.scale import copy_to_disk, fsync_path
from pipelines.warehouse import db

ANALYST_FILE = "analyst.duckdb"
# The oldest storage format DuckDB 2.0 writes, read by every DuckDB since 0.10 (file format
# 64): the 1.x clients analysts have (the CLI, Python, R, DBeaver's driver) open the copy.
STORAGE_VERSION = "v1.0.0"
ALIAS = "analyst_copy"  # the copy's name while the run's connection has it attached
PARTITION = "period"  # the column a table's rows are compared and rewritten by
# Bumped when this code changes what a copy holds or how: the next run makes it whole.
COPY_FORMAT = 2


@dataclass
class CopyResult:
    path: Path
    mode: str  # "unchanged" (nothing to do), "full" or "incremental"
    rewritten: dict[str, list[str | None]] = field(default_factory=dict)  # table → periods rewritten
    extracts: Path | None = None  # the Parquet set written


def analyst_path(layout: DataDir) -> Path:
    return layout.root / ANALYST_FILE


def copied_from(layout: DataDir) -> Path:
    """Beside the copy: what it was made from (the files' state, the definition, the
    fingerprints of the warehouse's rows as copied)."""
    return layout.root / f".{ANALYST_FILE}.source.json"


def _identifier(name: str) -> str:
    """Any database name as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def definition_digest(catalog: Catalog) -> str:
    """What, besides the warehouse's rows, the copy is made from: a change makes it whole."""
    h = hashlib.sha256()
    views = [text for name, text in db.warehouse_sql() if name.startswith("views/")]
    for part in [catalog.digest, STORAGE_VERSION, str(COPY_FORMAT), duckdb.__version__, *views]:
        h.update(f"{len(part)}\0{part}".encode())
    return h.hexdigest()


def _stat(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return [stat.st_ino, stat.st_size, stat.st_mtime_ns]


def _state(layout: DataDir) -> dict:
    """The warehouse file, the copy and the Parquet set as they are now."""
    return {
        "warehouse": _stat(layout.warehouse),
        "copy": _stat(analyst_path(layout)),
        "extracts": extracts.current_set(layout),
    }


def _record(layout: DataDir) -> dict | None:
    try:
        record = json.loads(copied_from(layout).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _partition(table: Relation) -> str:
    return quote(PARTITION) if PARTITION in table.column_names else "NULL"


def fingerprints(con: duckdb.DuckDBPyConnection, catalog: Catalog, database: str) -> dict[str, list]:
    """Per copied table of `database`: [period, rows, sum of the rows' hashes] for each
    period, over the columns as copied (a table without a period column: one group)."""
    found = {}
    for table in catalog.tables:
        columns = ", ".join(c.copied_as or quote(c.name) for c in table.columns)
        found[table.name] = con.execute(
            f"SELECT {_partition(table)} AS part, count(*), sum(hash({columns}))::VARCHAR "
            f"FROM {_identifier(database)}.{table.sql_name} GROUP BY ALL ORDER BY part"
        ).fetchall()
    return {name: [list(row) for row in rows] for name, rows in found.items()}


def _changed_periods(old: list, new: list) -> list[str | None]:
    before = {row[0]: tuple(row[1:]) for row in old}
    after = {row[0]: tuple(row[1:]) for row in new}
    return sorted((p for p in before.keys() | after.keys() if before.get(p) != after.get(p)), key=str)


def _build(con: duckdb.DuckDBPyConnection, catalog: Catalog, database: str) -> None:
    """Every copied table, whole, in the (empty) copy in use."""
    for table in catalog.tables:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(table.schema)}")
        con.execute(
            f"CREATE TABLE {table.sql_name} AS SELECT {', '.join(c.select for c in table.columns)} "
            f"FROM {_identifier(database)}.{table.sql_name}"
        )


def _update(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, database: str, old: dict, new: dict
) -> dict[str, list[str | None]]:
    """Rewrite, in the copy in use (the previous copy's bytes), the periods whose rows
    changed; those periods by table."""
    rewritten = {}
    for table in catalog.tables:
        changed = _changed_periods(old.get(table.name, []), new[table.name])
        if not changed:
            continue
        where, params = extracts.periods_filter(_partition(table), changed)
        con.execute(f"DELETE FROM {table.sql_name} WHERE {where}", params)
        con.execute(
            f"INSERT INTO {table.sql_name} SELECT {', '.join(c.select for c in table.columns)} "
            f"FROM {_identifier(database)}.{table.sql_name} WHERE {where}",
            params,
        )
        rewritten[table.name] = changed
    return rewritten


def _views_and_comments(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """The views of sql/views/ over the copied tables, checked against the catalog, and
    every COMMENT, in the copy in use."""
    for name, text in db.warehouse_sql():
        if name.startswith("views/"):
            con.execute(text)
    held = con.execute(
        "SELECT schema_name || '.' || table_name, 'table', list(column_name ORDER BY column_index) "
        "FROM duckdb_columns() WHERE database_name = current_database() GROUP BY ALL"
    ).fetchall()
    kinds = {
        name: kind
        for name, kind in con.execute(
            "SELECT schema_name || '.' || view_name, 'view' FROM duckdb_views() "
            "WHERE database_name = current_database() AND NOT internal"
        ).fetchall()
    }
    held = {(name, kinds.get(name, "table")): sorted(columns) for name, _, columns in held}
    expected = {(r.name, r.kind): sorted(r.column_names) for r in catalog.relations}
    if held != expected:
        undocumented = sorted(f"{n} ({k})" for n, k in held.keys() - expected.keys())
        missing = sorted(f"{n} ({k})" for n, k in expected.keys() - held.keys())
        columns = sorted(n for (n, k) in held.keys() & expected.keys() if held[n, k] != expected[n, k])
        raise RuntimeError(
            "the analysts' copy and sql/catalog.toml disagree: "
            f"not in the catalog {undocumented}, not made {missing}, other columns {columns}"
        )
    with db.transaction(con):  # one commit for them all: a third of the time
        for relation in catalog.relations:
            for statement in relation.comment_statements():
                con.execute(statement)


def publish_analyst_copy(con: duckdb.DuckDBPyConnection, layout: DataDir) -> CopyResult:
    """Make analyst.duckdb and the Parquet set from the warehouse, atomically; what was done.

    `con` is the open read-write connection to the warehouse: while it is open no other
    process can write it. The copy is attached to it under a temporary name, filled, and
    detached before it is renamed into place."""
    catalog = load()
    target = analyst_path(layout)
    definition = definition_digest(catalog)
    con.execute("FORCE CHECKPOINT")  # the write-ahead log folded in: the file's state says it all
    record = _record(layout)
    same_definition = record is not None and record.get("definition") == definition
    # A run that changed nothing wrote nothing (warehouse.replace_period_rows), so the
    # warehouse file is as it was when last copied: nothing is made again.
    if same_definition and target.exists() and record.get("state") == _state(layout):
        return CopyResult(target, "unchanged")
    for stale in target.parent.glob(f".{target.name}.*.tmp*"):
        stale.unlink()  # left by a run that was killed while copying (runs never overlap)
    extracts.clear_stale(layout)
    copied_from(layout).unlink(missing_ok=True)
    # The previous copy is the base only if it is the file the record describes (by size and
    # modification time: a data directory copied with its times, as a backup is, still is).
    copy_now, copy_then = _stat(target), (record or {}).get("state", {}).get("copy")
    incremental = same_definition and copy_now is not None and copy_then is not None and copy_now[1:] == copy_then[1:]
    database = con.execute("SELECT current_database()").fetchall()[0][0]
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    folder = None
    try:
        with ThreadPoolExecutor(1) as background:
            # The previous copy's bytes go to disk while the warehouse is summed up.
            copied = background.submit(copy_to_disk, target, tmp) if incremental else None
            prints = fingerprints(con, catalog, database)
            if copied is not None:
                copied.result()
                os.chmod(tmp, 0o644)
        con.execute(f"DETACH DATABASE IF EXISTS {ALIAS}")  # left by a step that failed while detaching
        con.execute(f"ATTACH $path AS {ALIAS} (STORAGE_VERSION '{STORAGE_VERSION}')", {"path": str(tmp)})
        try:
            con.execute(f"USE {ALIAS}")
            if incremental:
                rewritten = _update(con, catalog, database, record.get("fingerprints", {}), prints)
            else:
                _build(con, catalog, database)
                rewritten = {}
                _views_and_comments(con, catalog)
            con.execute(f"CHECKPOINT {ALIAS}")
            folder = extracts.new_set(layout)
            # The last set is the base for the views by period when it is the one recorded.
            previous = extracts.current_set(layout) if incremental else None
            if previous is None or previous != record["state"].get("extracts"):
                previous = None
            changed = sorted({p for periods in rewritten.values() for p in periods}, key=str)
            for view in catalog.views:
                name = f"{view.name.split('.')[1]}.parquet"
                base = layout.root / previous / name if previous and view.by_period else None
                extracts.write_view(con, view.sql_name, folder / name, base, changed)
        finally:
            con.execute(f"USE {_identifier(database)}")
            con.execute(f"DETACH {ALIAS}")
        fsync_path(tmp)
        os.chmod(tmp, 0o444)  # a client that forgets read-only mode fails rather than locking it
        os.replace(tmp, target)
        fsync_path(target.parent)
        written = extracts.publish_set(layout, folder)
        folder = None
    finally:
        for leftover in target.parent.glob(f"{tmp.name}*"):
            leftover.unlink()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    record = {"definition": definition, "state": _state(layout), "fingerprints": prints}
    copied_from(layout).write_text(json.dumps(record), encoding="utf-8")
    return CopyResult(target, "incremental" if incremental else "full", rewritten, written)


def ensure_analyst_copy(con_factory, layout: DataDir) -> Path:
    """The analysts' copy, published first when there is none yet (from an empty warehouse if need be).

    `con_factory()` opens the warehouse read-write (a context manager).
    """
    target = analyst_path(layout)
    if not target.exists():
        with con_factory() as con:
            publish_analyst_copy(con, layout)
    return target
