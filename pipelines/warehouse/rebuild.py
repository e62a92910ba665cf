"""Rebuilding a damaged or lost warehouse from the archive.

The archive keeps every received file and, in `archive/received.jsonl`, what registering
it wrote (`ingest.archive.record`): its original name, inbox path, period folder, period
and receipt time. A rebuild sets the damaged warehouse aside (never deletes it), creates
a new one holding those registrations, and the runs that follow parse every file again
from the archive: the same files in the same order give the same figures, history and
rejections.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from pipelines.core import clock
from pipelines.core.settings import DataDir
from pipelines.ingest.archive import RECEIVED_SCHEMA, received_rows
from pipelines.warehouse import db


def set_aside(layout: DataDir) -> Path | None:
    """Move the warehouse (and its write-ahead log) aside; the new name, or None when there was none."""
    if not layout.warehouse.exists():
        return None
    stamp = clock.now().strftime("%Y%m%dT%H%M%S")
    kept = layout.warehouse.with_name(f"{layout.warehouse.name}.damaged-{stamp}")
    for suffix in ("", ".wal"):
        source = Path(f"{layout.warehouse}{suffix}")
        if source.exists():
            source.rename(f"{kept}{suffix}")
    return kept


def rebuild(layout: DataDir) -> tuple[Path | None, list[str]]:
    """A new warehouse holding every registration the archive's log has; returns where the
    old warehouse was set aside and the periods the registrations count for."""
    kept = set_aside(layout)
    rows = received_rows(layout.root)
    for row in rows:
        row["received_at"] = dt.datetime.fromisoformat(row["received_at"])
    frame = pl.DataFrame(rows, schema=RECEIVED_SCHEMA)
    with db.connect(layout.warehouse) as con:
        db.insert(con, "raw.received_files", frame)
    return kept, sorted({p for p in frame["period"].to_list() + frame["period_folder"].to_list() if p})
