"""The content-addressed archive: every received file, byte for byte, named by its sha256."""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# Flushing many small files to disk one after another waits for the disk each time;
# flushed from threads, the waits overlap (about 10x faster for a month's files).
SYNC_THREADS = 32


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fsync_path(path: str | Path) -> None:
    """Flush a file (or a folder's entries) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_all(paths: list[str] | list[Path]) -> None:
    for path in paths:
        fsync_path(path)


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
        # target → temporary copy, as plain strings: hashing 10,000 fresh Path objects cost
        # about 0.1 s of a country's run.
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


# From this many paths on, one flush of the whole file system costs less than flushing
# each path (10,000 small copies: about 0.1 s against 0.5 s from 32 threads). Below it,
# each path alone, so a small run never waits on other programs' unwritten data.
SYNCFS_FROM = 500


def _libc(name: str):
    """A libc function (Linux: syncfs, sync_file_range), or None where there is none."""
    try:
        return getattr(ctypes.CDLL(None, use_errno=True), name)
    except (OSError, AttributeError):
        return None


def _syncfs():
    """libc's syncfs(2) (Linux), or None where there is none."""
    return _libc("syncfs")


def flush(paths: list[str] | list[Path], root: Path) -> None:
    """Flush `paths` (files, or folders' entries) on `root`'s file system to disk."""
    syncfs = _syncfs() if len(paths) >= SYNCFS_FROM else None
    if syncfs is not None:
        fd = os.open(root, os.O_RDONLY)
        try:
            if syncfs(fd) != 0:
                err = ctypes.get_errno()
                raise OSError(err, os.strerror(err), str(root))
        finally:
            os.close(fd)
        return
    # Each thread flushes its share in turn: one task per thread, not per file (a
    # month's 10,000 futures cost as much as the flushes: 0.08 → 0.04 ms a file).
    shares = [paths[i::SYNC_THREADS] for i in range(min(SYNC_THREADS, len(paths)))]
    with ThreadPoolExecutor(len(shares)) as pool:
        list(pool.map(_fsync_all, shares))


# A large copy goes to disk in chunks of this size (see copy_to_disk).
COPY_CHUNK = 8 << 20
# sync_file_range(2) flags.
_WAIT_BEFORE, _WRITE, _WAIT_AFTER = 1, 2, 4


def _sync_file_range():
    function = _libc("sync_file_range")
    if function is not None:
        function.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    return function


def copy_to_disk(source: Path, target: Path) -> None:
    """Copy `source` to a new file `target`, flushed to disk when this returns.

    For a large file (the analysts' copy of the warehouse; measured here at 537 MB, the
    country after 60 periods while its file hashes had an index, 237 MB since). A copy
    then one fsync first puts the whole copy in the page cache, and memory the system has
    not touched lately is slow to take on a virtual machine (this one: about 2 ms per MB);
    that copy and flush took 1.6 s. Here each chunk goes to disk while the next one is
    copied, and leaves the cache once it is on disk, so the copy keeps reusing the same
    few pages: 0.4 s. The last fsync writes the file's metadata and flushes the disk's own
    cache, so the whole copy is durable, as with one fsync.
    Without sync_file_range (not Linux, or a file system that refuses it), each chunk is
    flushed with fdatasync instead.
    """
    sync_range = _sync_file_range()
    drop = getattr(os, "posix_fadvise", None)
    buffer = bytearray(COPY_CHUNK)
    view = memoryview(buffer)
    with open(source, "rb", buffering=0) as src, open(target, "wb", buffering=0) as dst:
        fd = dst.fileno()
        offset, previous = 0, None
        while size := src.readinto(buffer):
            written = 0
            while written < size:
                written += dst.write(view[written:size])
            # Starts writing this chunk, then waits until the chunk before is on disk. A file
            # system that refuses sync_file_range gets fdatasync for the rest of the copy.
            if sync_range is not None and (
                sync_range(fd, offset, size, _WRITE) != 0
                or (previous is not None and sync_range(fd, *previous, _WAIT_BEFORE | _WRITE | _WAIT_AFTER) != 0)
            ):
                sync_range = None
            if sync_range is None:
                os.fdatasync(fd)
            if previous is not None and drop is not None:
                drop(fd, *previous, os.POSIX_FADV_DONTNEED)
            previous = (offset, size)
            offset += size
        os.fsync(fd)
        if previous is not None and drop is not None:
            drop(fd, *previous, os.POSIX_FADV_DONTNEED)
