"""The content-addressed archive: every received file, byte for byte, named by its sha256."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import stat
from pathlib import Path

import polars as pl

from pipelines.scale import flush


def safe_suffix(suffix: str) -> str:
    """A file's suffix as the archive keeps it: lower-case, or none when it is odd."""
    return suffix.lower() if suffix[1:].isalnum() and len(suffix) <= 8 else ""


def archive_relpath(sha256: str, suffix: str) -> Path:
    """archive/sha256/ab/abcdef….xlsx: the suffix is kept so the copy opens by double-click."""
    return Path(f"archive/sha256/{sha256[:2]}/{sha256}{safe_suffix(suffix)}")  # one Path made, not four


CHUNK = 1 << 20
# raw.received_files, as registering a file writes it and the log below keeps it.
RECEIVED_SCHEMA = {
    "sha256": pl.String,
    "original_name": pl.String,
    "inbox_path": pl.String,
    "period_folder": pl.String,
    "period": pl.String,
    "size_bytes": pl.Int64,
    "archive_path": pl.String,
    "received_at": pl.Datetime("us"),
}
# Beside the copies, what registering them wrote to the warehouse, one JSON line per event:
# a damaged or lost warehouse is rebuilt from it (`python -m pipelines rebuild`).
RECEIVED_LOG = "archive/received.jsonl"


def open_regular(path: str | Path) -> int:
    """A descriptor on `path` if it is a regular file, never through a link: a file swapped
    for a link or a pipe after the inbox was listed is refused, not followed or waited on."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise IsADirectoryError(errno.EINVAL, "not a regular file", str(path))
    return fd


def record(root: Path, received: list[dict], refiled: list[dict]) -> None:
    """Append the files just registered (raw.received_files rows) and re-filed to the log."""
    lines = [json.dumps({"event": "received", **row}, default=str, ensure_ascii=False) for row in received]
    lines += [json.dumps({"event": "refiled", **change}, ensure_ascii=False) for change in refiled]
    if not lines:
        return
    path = Path(root) / RECEIVED_LOG
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as log:
        log.write("".join(line + "\n" for line in lines))
        log.flush()
        os.fsync(log.fileno())


def received_rows(root: Path) -> list[dict]:
    """raw.received_files as the log says it was: every file received, its latest filing."""
    rows: dict[str, dict] = {}
    path = Path(root) / RECEIVED_LOG
    if not path.exists():
        return []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        event = json.loads(line)
        kind, sha = event.pop("event"), event["sha256"]
        if kind == "received":
            rows[sha] = event
        elif sha in rows and rows[sha]["period"] is None:  # as update_received_period does
            rows[sha]["period"] = event["period"]
            rows[sha]["period_folder"] = event["period_folder"] or rows[sha]["period_folder"]
            rows[sha]["inbox_path"] = event["inbox_path"] or rows[sha]["inbox_path"]
    return sorted(rows.values(), key=lambda row: row["received_at"])


def hash_file(path: Path) -> tuple[str, int]:
    """sha256 and size of a file on disk, read in chunks (a huge file costs no memory)."""
    digest, size = hashlib.sha256(), 0
    with open(open_regular(path), "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class Batch:
    """The inbox files a run archives, flushed to disk together.

    `store_file` streams each file in chunks to its own temporary name (hashing what it
    copies, holding no file in memory); `commit` flushes all of them to disk, renames them
    into the archive, and flushes the names: a reader or a crash never sees half a file,
    and a registered file's copy survives a crash. `discard` removes what was not committed.
    """

    def __init__(self, root: Path):
        self.root = root
        self._root = os.fspath(root)
        self.staging = root / "archive" / "incoming"
        # target → temporary copy, as plain strings: hashing a country's fresh Path objects
        # shows in its run.
        self.pending: dict[str, str] = {}
        self._prefix = f".{os.getpid()}."
        self._staging_made = False
        # A run killed before `commit` leaves its copies; runs never overlap, so any is stale.
        if self.staging.is_dir():
            for stale in self.staging.glob(".*.tmp*"):
                stale.unlink(missing_ok=True)

    def store_file(self, path: Path) -> tuple[str, int, Path]:
        """Copy `path` towards the archive: (sha256, size, relpath); see `readable`."""
        if not self._staging_made:
            self.staging.mkdir(parents=True, exist_ok=True)
            self._staging_made = True
        # The copy keeps the file's suffix: a loose file's period is read from it before `commit`.
        # (Plain strings and os calls: this runs once per received file.)
        tmp = os.path.join(self.staging, f"{self._prefix}{len(self.pending)}.tmp{safe_suffix(path.suffix)}")
        digest, size = hashlib.sha256(), 0
        try:
            with open(open_regular(path), "rb") as src, open(tmp, "wb") as dst:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    dst.write(chunk)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        sha = digest.hexdigest()
        relpath = archive_relpath(sha, path.suffix)
        target = self._target(relpath)
        if target in self.pending or _has_size(target, size):
            os.unlink(tmp)
        else:
            self.pending[target] = tmp
        return sha, size, relpath

    def _target(self, relpath: Path) -> str:
        return os.path.join(self._root, relpath)

    def readable(self, relpath: Path) -> Path:
        """Where the bytes of `relpath` can be read now (its temporary copy until `commit`)."""
        target = self._target(relpath)
        return Path(self.pending.get(target, target))

    def holds(self, relpath: Path) -> bool:
        """Whether the archive has `relpath`, or will once this batch is committed."""
        target = self._target(relpath)
        return target in self.pending or os.path.exists(target)

    def keep_only(self, relpaths: set[Path]) -> None:
        """Drop the copies not among `relpaths` (contents found already received)."""
        keep = {self._target(relpath) for relpath in relpaths}
        for target in [t for t in self.pending if t not in keep]:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.pending.pop(target))

    def commit(self) -> None:
        if not self.pending:
            return
        flush(list(self.pending.values()), self.root)  # every copy's bytes on disk …
        folders = {Path(os.path.dirname(target)) for target in self.pending}
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
        for target, tmp in self.pending.items():
            os.replace(tmp, target)
        flush([*folders, self.staging], self.root)  # … then their names
        self.pending = {}

    def discard(self) -> None:
        for tmp in self.pending.values():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        self.pending = {}


def _has_size(path: str | Path, size: int) -> bool:
    try:
        return os.stat(path).st_size == size
    except FileNotFoundError:
        return False
