"""The content hash of each inbox file, remembered between runs (raw.inbox_hashes).

A file whose size, modification time and change time (ctime: set by the system on any
write or rename, never by a copy tool) are those recorded with its hash is the same
bytes: a run with nothing new stats the inbox instead of reading and hashing every file.
Any difference, or no record, and the file is read and hashed again.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import polars as pl

from pipelines.ingest.inbox import inbox_relpaths
from pipelines.warehouse import db

SCHEMA = {
    "inbox_path": pl.String,
    "size_bytes": pl.Int64,
    "mtime_ns": pl.Int64,
    "ctime_ns": pl.Int64,
    "sha256": pl.String,
}


def _identity(stat: os.stat_result) -> tuple[int, int, int]:
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


class InboxHashes:
    def __init__(self, remembered: dict[str, tuple[tuple[int, int, int], str]]):
        self.remembered = remembered
        self.fresh: list[dict] = []

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, inbox_paths: list[str]) -> InboxHashes:
        """The remembered hashes of these inbox files (a period folder's and loose ones)."""
        rows = db.query(con, "select_inbox_hashes", paths=inbox_paths)
        return cls({p: ((s, m, c), sha) for p, s, m, c, sha in rows.iter_rows()})

    def lookup(self, inbox_path: str, path: Path) -> tuple[str | None, os.stat_result]:
        """The remembered hash if the file is unchanged (else None), and its stat now."""
        stat = path.stat()
        record = self.remembered.get(inbox_path)
        return (record[1] if record and record[0] == _identity(stat) else None), stat

    def remember(self, inbox_path: str, stat: os.stat_result, sha256: str) -> None:
        """`stat` taken before the bytes were read: a file changed since is read again next run."""
        size, mtime, ctime = _identity(stat)
        self.fresh.append(
            {"inbox_path": inbox_path, "size_bytes": size, "mtime_ns": mtime, "ctime_ns": ctime, "sha256": sha256}
        )

    def save(self, con: duckdb.DuckDBPyConnection) -> None:
        if not self.fresh:
            return
        frame = pl.DataFrame(self.fresh, schema=SCHEMA).unique("inbox_path", keep="last")
        db.execute(con, "delete_inbox_hashes", paths=frame["inbox_path"].to_list())
        db.insert(con, "raw.inbox_hashes", frame)


def registered_periods(con: duckdb.DuckDBPyConnection, inbox: Path, paths: list[Path]) -> dict[Path, str]:
    """The period each of `paths` (inbox files) is registered for, when the file is unchanged
    since a run read it and that period is known: such a file need not be read to learn it."""
    inbox_paths = dict(zip(paths, inbox_relpaths(inbox, paths), strict=True))
    hashes = InboxHashes.load(con, list(inbox_paths.values()))
    cached = {}
    for path, inbox_path in inbox_paths.items():
        try:
            sha = hashes.lookup(inbox_path, path)[0]
        except OSError:
            continue
        if sha is not None:
            cached[path] = sha
    if not cached:
        return {}
    periods = dict(db.query(con, "select_known_among", shas=list(cached.values())).iter_rows())
    return {path: periods[sha] for path, sha in cached.items() if periods.get(sha)}
