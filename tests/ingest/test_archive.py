"""The archive: streamed copies named by content, a batch flushed once, nothing half-written."""

import hashlib
import os
from pathlib import Path

from pipelines import scale
from pipelines.ingest import archive


def _inbox(tmp_path: Path, files: dict[str, bytes]) -> list[Path]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, data in files.items():
        (inbox / name).write_bytes(data)
    return [inbox / name for name in files]


def test_hash_file_reads_in_chunks_and_matches_sha256(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "CHUNK", 7)
    data = bytes(range(256)) * 3
    (path,) = _inbox(tmp_path, {"a.csv": data})
    assert archive.hash_file(path) == (hashlib.sha256(data).hexdigest(), len(data))


def test_batch_copies_are_invisible_until_commit_then_byte_for_byte(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "CHUNK", 5)
    files = {"Phước Hưng.XLSX": b"workbook bytes " * 10, "b.csv": b"a;b\n1;2\n", "copy of b.csv": b"a;b\n1;2\n"}
    paths = _inbox(tmp_path, files)
    root = tmp_path / "data"
    batch = archive.Batch(root)
    stored = [batch.store_file(path) for path in paths]
    for (sha, size, relpath), data in zip(stored, files.values(), strict=True):
        assert (sha, size) == (hashlib.sha256(data).hexdigest(), len(data))
        assert not (root / relpath).exists()  # nothing in the archive before commit
        readable = batch.readable(relpath)
        assert readable.read_bytes() == data and readable.suffix == relpath.suffix
    assert stored[0][2].suffix == ".xlsx"
    assert stored[1][2] == stored[2][2] and len(batch.pending) == 2  # same content: one copy
    batch.commit()
    for (_, _, relpath), data in zip(stored, files.values(), strict=True):
        assert (root / relpath).read_bytes() == data
    assert list((root / "archive" / "incoming").iterdir()) == []


def test_discard_and_a_killed_runs_leftovers_leave_no_temporary_copies(tmp_path):
    (path,) = _inbox(tmp_path, {"a.csv": b"1,2,3\n"})
    root = tmp_path / "data"
    batch = archive.Batch(root)
    _, _, relpath = batch.store_file(path)
    batch.discard()
    assert not (root / relpath).exists() and list((root / "archive" / "incoming").iterdir()) == []
    # A run killed before commit leaves its copy; the next batch clears it.
    archive.Batch(root).store_file(path)
    assert len(list((root / "archive" / "incoming").iterdir())) == 1
    archive.Batch(root)
    assert list((root / "archive" / "incoming").iterdir()) == []


def test_content_already_archived_is_not_copied_again(tmp_path):
    (path,) = _inbox(tmp_path, {"a.csv": b"1,2,3\n"})
    root = tmp_path / "data"
    first = archive.Batch(root)
    _, _, relpath = first.store_file(path)
    first.commit()
    again = archive.Batch(root)
    assert again.store_file(path)[2] == relpath and again.pending == {}
    assert list((root / "archive" / "incoming").iterdir()) == []


def test_commit_flushes_the_copies_then_their_names(tmp_path, monkeypatch):
    """The bytes are on disk before any copy takes its archive name, and the names after."""
    files = {f"{i}.csv": f"{i};1\n".encode() for i in range(3)}
    root = tmp_path / "data"
    batch = archive.Batch(root)
    stored = [batch.store_file(path) for path in _inbox(tmp_path, files)]
    flushed = []
    real_flush = archive.flush

    def recording_flush(paths, on):
        flushed.append(([Path(p) for p in paths], [(root / rel).exists() for _, _, rel in stored]))
        real_flush(paths, on)

    monkeypatch.setattr(archive, "flush", recording_flush)
    batch.commit()
    (copies, named_before), (names, named_after) = flushed
    assert len(copies) == 3 and all(p.parent == root / "archive" / "incoming" for p in copies)
    assert named_before == [False] * 3  # bytes flushed before any copy was renamed
    assert named_after == [True] * 3  # names flushed after: the folders renamed into and out of
    assert set(names) == {(root / rel).parent for _, _, rel in stored} | {root / "archive" / "incoming"}


def test_flush_by_file_system_or_by_path_gives_the_same_archive(tmp_path, monkeypatch):
    files = {f"{i}.csv": f"{i};1\n".encode() for i in range(5)}
    paths = _inbox(tmp_path, files)
    for from_ in (1, 10**9):  # every batch flushed with one syncfs; every path alone
        monkeypatch.setattr(scale, "SYNCFS_FROM", from_)
        root = tmp_path / f"data-{from_}"
        batch = archive.Batch(root)
        stored = [batch.store_file(path) for path in paths]
        batch.commit()
        assert [(root / rel).read_bytes() for _, _, rel in stored] == list(files.values())
        assert list((root / "archive" / "incoming").iterdir()) == []


def test_keep_only_drops_the_other_copies(tmp_path):
    files = {"a.csv": b"1;2\n", "b.xlsx": b"1;2\n", "c.csv": b"3;4\n"}
    root = tmp_path / "data"
    batch = archive.Batch(root)
    stored = [batch.store_file(path) for path in _inbox(tmp_path, files)]
    kept = {stored[0][2], stored[2][2]}
    assert all(batch.holds(rel) for _, _, rel in stored)
    batch.keep_only(kept)  # b.xlsx: the same content as a.csv, already registered under a.csv's copy
    assert not batch.holds(stored[1][2])
    batch.commit()
    assert sorted(p.name for p in (root / "archive" / "sha256").rglob("*") if p.is_file()) == sorted(
        (root / rel).name for rel in kept
    )
    assert list((root / "archive" / "incoming").iterdir()) == []


def test_copy_to_disk_copies_every_byte_by_either_flush(tmp_path, monkeypatch):
    """Sizes around the chunk's, through sync_file_range, through fdatasync alone, and
    through fdatasync when sync_file_range is refused (every chunk still flushed)."""
    monkeypatch.setattr(scale, "COPY_CHUNK", 4096)
    data = hashlib.sha256(b"seed").digest() * 1000  # 32,000 bytes, not a multiple of the chunk
    datasyncs = []
    real_fdatasync = os.fdatasync
    monkeypatch.setattr(scale.os, "fdatasync", lambda fd: (datasyncs.append(fd), real_fdatasync(fd)))
    for flush_by in ("sync_file_range", "fdatasync", "refused"):
        if flush_by == "fdatasync":
            monkeypatch.setattr(scale, "_sync_file_range", lambda: None)
        if flush_by == "refused":  # a file system that refuses sync_file_range (returns -1)
            monkeypatch.setattr(scale, "_sync_file_range", lambda: lambda fd, offset, size, flags: -1)
        for size in (0, 1, 4095, 4096, 4097, 3 * 4096, len(data)):
            source, target = tmp_path / f"{size}.src", tmp_path / f"{flush_by}-{size}.copy"
            source.write_bytes(data[:size])
            datasyncs.clear()
            scale.copy_to_disk(source, target)
            assert target.read_bytes() == data[:size], (flush_by, size)
            chunks = -(-size // 4096)
            assert len(datasyncs) == (0 if flush_by == "sync_file_range" else chunks), (flush_by, size)


def test_copy_to_disk_drops_a_chunk_from_memory_only_once_on_disk_then_flushes_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(scale, "COPY_CHUNK", 4096)
    source = tmp_path / "warehouse.duckdb"
    source.write_bytes(bytes(range(256)) * 40)  # 10,240 bytes: chunks of 4096, 4096, 2048
    events = []
    real_sync_range = scale._sync_file_range()

    def sync_range(fd, offset, size, flags):
        events.append(("wait" if flags & scale._WAIT_AFTER else "start", offset, size))
        return real_sync_range(fd, offset, size, flags)

    real_fsync = scale.os.fsync
    monkeypatch.setattr(scale, "_sync_file_range", lambda: sync_range)
    monkeypatch.setattr(
        scale.os, "posix_fadvise", lambda fd, offset, size, advice: events.append(("drop", offset, size))
    )
    monkeypatch.setattr(scale.os, "fsync", lambda fd: (events.append(("fsync",)), real_fsync(fd)))
    scale.copy_to_disk(source, tmp_path / "copy")
    assert events == [
        ("start", 0, 4096),
        ("start", 4096, 4096),
        ("wait", 0, 4096),
        ("drop", 0, 4096),
        ("start", 8192, 2048),
        ("wait", 4096, 4096),
        ("drop", 4096, 4096),
        ("fsync",),
        ("drop", 8192, 2048),
    ]
    assert (tmp_path / "copy").read_bytes() == source.read_bytes()
