"""The content-addressed archive: every received file, byte for byte, named by its sha256."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from pipelines.scale import flush


def safe_suffix(suffix: str) -> str:
    """A file's suffix as the archive keeps it: lower-case, or none when it is odd."""
    return suffix.lower() if suffix[1:].isalnum() and len(suffix) <= 8 else ""


def archive_relpath(sha256: str, suffix: str) -> Path:
    """archive/sha256/ab/abcdef….xlsx: the suffix is kept so the copy opens by double-click."""
    return Path(f"archive/sha256/{sha256[:2]}/{sha256}{safe_suffix(suffix)}")  # one Path made, not four


CHUNK = 1 << 20


def hash_file(path: Path) -> tuple[str, int]:
    """sha256 and size of a file on disk, read in chunks (a huge file costs no memory)."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
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
            with open(path, "rb") as src, open(tmp, "wb") as dst:
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
