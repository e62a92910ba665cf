"""The analysts' copy of the warehouse: data/analyst.duckdb, replaced atomically after each run.

Analysts never open the warehouse itself (DuckDB allows one writing process, and a
reader would block the pipeline). They open the copy, read-only. The copy is written
under a temporary name, flushed to disk and renamed over the old one: a session left
open keeps reading the file it opened (the old inode) until it reconnects, and nobody
ever sees a half-written copy.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

from pipelines.core.settings import DataDir
from pipelines.scale import copy_to_disk, fsync_path

ANALYST_FILE = "analyst.duckdb"


def analyst_path(layout: DataDir) -> Path:
    return layout.root / ANALYST_FILE


def publish_analyst_copy(con: duckdb.DuckDBPyConnection, layout: DataDir) -> Path:
    """Copy the warehouse to analyst.duckdb atomically; the copy's path.

    `con` is the open read-write connection to the warehouse: while it is open no other
    process can write the file, so after the checkpoint (the write-ahead log folded into
    the file) its bytes are a consistent state.
    """
    target = analyst_path(layout)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        stale.unlink()  # left by a run that was killed while copying (runs never overlap)
    con.execute("FORCE CHECKPOINT")
    # A run that changed nothing wrote nothing (warehouse.replace_period_rows), so the
    # warehouse file is as it was when last copied: the copy (which grows with the
    # history) is not made again while both files are as they were then.
    source = copied_from(layout)
    if source.exists() and source.read_text(encoding="utf-8") == copy_state(layout.warehouse, target):
        return target
    source.unlink(missing_ok=True)
    try:
        copy_to_disk(layout.warehouse, tmp)
        os.replace(tmp, target)
        fsync_path(target.parent)
    finally:
        if tmp.exists():
            tmp.unlink()
    source.write_text(copy_state(layout.warehouse, target), encoding="utf-8")
    return target


def copied_from(layout: DataDir) -> Path:
    """Beside the copy: the warehouse file and the copy as they were when it was made."""
    return layout.root / f".{ANALYST_FILE}.source.json"


def copy_state(*paths: Path) -> str:
    """Each file's inode, size and modification time (null when missing), as JSON."""
    state = {}
    for path in paths:
        try:
            stat = path.stat()
        except FileNotFoundError:
            state[path.name] = None
        else:
            state[path.name] = [stat.st_ino, stat.st_size, stat.st_mtime_ns]
    return json.dumps(state, sort_keys=True)


def ensure_analyst_copy(con_factory, layout: DataDir) -> Path:
    """The analysts' copy, published first when there is none yet (from an empty warehouse if need be).

    `con_factory()` opens the warehouse read-write (a context manager).
    """
    target = analyst_path(layout)
    if not target.exists():
        with con_factory() as con:
            publish_analyst_copy(con, layout)
    return target
