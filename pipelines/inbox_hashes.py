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

from pipelines import warehouse

SCHEMA = {"inbox_path": pl.String, "size_bytes": pl.Int64, "mtime_ns": pl.Int64, "ctime_ns": pl.Int64,
          "sha256": pl.String}


def _identity(stat: os.stat_result) -> tuple[int, int, int]:
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


class InboxHashes:
    def __init__(self, remembered: dict[str, tuple[tuple[int, int, int], str]]):
        self.remembered = remembered
        self.fresh: list[dict] = []

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, period: str) -> InboxHashes:
        rows = warehouse.query(con, "select_inbox_hashes", prefix=f"{period}/")
        return cls({p: ((s, m, c), sha) for p, s, m, c, sha in rows.iter_rows()})

    def lookup(self, inbox_path: str, path: Path) -> tuple[str | None, os.stat_result]:
        """The remembered hash if the file is unchanged (else None), and its stat now."""
        stat = path.stat()
        record = self.remembered.get(inbox_path)
        return (record[1] if record and record[0] == _identity(stat) else None), stat

    def known_hashes(self, con: duckdb.DuckDBPyConnection, files: list[tuple[str, Path]]) -> set[str]:
        """The received hashes this run can meet among (inbox path, path) `files`: when every
        file is unchanged, only theirs (a lookup that does not grow with history); else all."""
        cached = [self.lookup(inbox_path, path)[0] for inbox_path, path in files]
        if all(cached):
            return set(warehouse.query(con, "select_known_among", shas=cached)["sha256"].to_list())
        return set(warehouse.query(con, "select_known_hashes")["sha256"].to_list())

    def remember(self, inbox_path: str, stat: os.stat_result, sha256: str) -> None:
        """`stat` taken before the bytes were read: a file changed since is read again next run."""
        size, mtime, ctime = _identity(stat)
        self.fresh.append({"inbox_path": inbox_path, "size_bytes": size, "mtime_ns": mtime, "ctime_ns": ctime,
                           "sha256": sha256})

    def save(self, con: duckdb.DuckDBPyConnection) -> None:
        if not self.fresh:
            return
        frame = pl.DataFrame(self.fresh, schema=SCHEMA).unique("inbox_path", keep="last")
        warehouse.execute(con, "delete_inbox_hashes", paths=frame["inbox_path"].to_list())
        warehouse.insert(con, "raw.inbox_hashes", frame)
