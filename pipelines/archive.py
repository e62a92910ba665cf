"""The content-addressed archive: every received file, byte for byte, named by its sha256."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def archive_relpath(sha256: str, suffix: str) -> Path:
    """archive/sha256/ab/abcdef….xlsx: the suffix is kept so the copy opens by double-click."""
    safe_suffix = suffix.lower() if suffix[1:].isalnum() and len(suffix) <= 8 else ""
    return Path("archive") / "sha256" / sha256[:2] / f"{sha256}{safe_suffix}"


def store(root: Path, sha256: str, suffix: str, data: bytes) -> Path:
    """Write `data` under the data dir `root` unless that content is there already.

    The copy is written to a temporary name, flushed to disk, then renamed: a reader
    (or a crash) never sees half a file.
    """
    relpath = archive_relpath(sha256, suffix)
    target = root / relpath
    if target.exists() and target.stat().st_size == len(data):
        return relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)
    return relpath


CHUNK = 1 << 20


def hash_file(path: Path) -> tuple[str, int]:
    """sha256 and size of a file on disk, read in chunks (a huge file costs no memory)."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def store_file(root: Path, path: Path) -> tuple[str, int, Path]:
    """Copy `path` into the archive in chunks, hashing what is copied: (sha256, size, relpath).

    The hash is of the bytes actually archived, so a file rewritten while it is copied
    is archived under the name of what was copied.
    """
    staging = root / "archive" / "incoming"
    staging.mkdir(parents=True, exist_ok=True)
    tmp = staging / f".{os.getpid()}.tmp"
    digest, size = hashlib.sha256(), 0
    try:
        with open(path, "rb") as src, open(tmp, "wb") as dst:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        sha = digest.hexdigest()
        relpath = archive_relpath(sha, path.suffix)
        target = root / relpath
        if target.exists() and target.stat().st_size == size:
            return sha, size, relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
        return sha, size, relpath
    finally:
        if tmp.exists():
            tmp.unlink()
