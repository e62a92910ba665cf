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
