"""A run with nothing new stats the inbox instead of reading it; any change is read again."""

import builtins
import io
import os
from pathlib import Path

import duckdb
import pytest
from corpus import HEADER, delimited, xlsx
from helpers import copy_samples

from pipelines.cli import main


def _count(data_dir: Path, sql: str) -> int:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return con.sql(sql).fetchall()[0][0]
    finally:
        con.close()


@pytest.mark.e2e
def test_unchanged_inbox_files_are_not_read_again(tmp_path, monkeypatch):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    inbox = (data_dir / "inbox").resolve()
    # Loose files: one for this period, one for the next, one whose period is unknown.
    (inbox / "Phước Hưng sửa.xlsx").write_bytes(
        xlsx([["Báo cáo tháng 7 năm 2024"], HEADER, [1, "Xã Phước Hưng", 3158, 2600, 1800]])
    )
    (inbox / "Phước Quang T8.csv").write_bytes(
        delimited([["Số liệu T8/2024"], HEADER, [1, "Phước Quang", 3000, 2900, 2500]]).encode()
    )
    (inbox / "không rõ kỳ.xlsx").write_bytes(xlsx([HEADER, [1, "Phước Hòa", 3370, 2874, 1612]]))
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    assert _count(data_dir, "SELECT count(*) FROM raw.inbox_hashes") == 16
    assert _count(data_dir, "SELECT count(*) FROM raw.received_files") == 16
    assert _count(data_dir, "SELECT count(*) FROM staging.parsed_files") == 16  # the loose ones too, first run

    reads = []
    real_open = builtins.open

    def counting_open(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and inbox in Path(file).resolve().parents:
            reads.append(Path(file).name)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    monkeypatch.setattr(io, "open", counting_open)
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    # Only the loose file whose period is unknown is read again (has a period it names begun since?).
    assert reads == ["không rõ kỳ.xlsx"]
    assert _count(data_dir, "SELECT count(*) FROM raw.received_files") == 16


@pytest.mark.e2e
def test_a_file_rewritten_with_same_size_and_time_is_read_again(tmp_path):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    target = sorted((data_dir / "inbox" / "2024-07").iterdir())[0]
    stat = target.stat()
    data = bytearray(target.read_bytes())
    data[-1] ^= 0xFF  # same size, different bytes (a damaged copy: it will be rejected)
    target.write_bytes(bytes(data))
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # modification time put back
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    assert _count(data_dir, "SELECT count(*) FROM raw.received_files") == 14


@pytest.mark.e2e
def test_known_contents_read_again_add_nothing_to_the_archive(tmp_path):
    """A touched file, and the same bytes under another name and suffix, are copied as they
    are hashed; being known, the copies are dropped: the archive and the history stay as they were."""
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    archived = sorted(p.relative_to(data_dir) for p in (data_dir / "archive" / "sha256").rglob("*") if p.is_file())
    received = _count(data_dir, "SELECT count(*) FROM raw.received_files")
    folder = data_dir / "inbox" / "2024-07"
    first, second = sorted(folder.iterdir())[:2]
    os.utime(first, ns=(first.stat().st_atime_ns, first.stat().st_mtime_ns + 10**9))  # touched: read again
    (folder / f"bản sao{'.txt' if second.suffix != '.txt' else '.csv'}").write_bytes(second.read_bytes())
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    assert (
        sorted(p.relative_to(data_dir) for p in (data_dir / "archive" / "sha256").rglob("*") if p.is_file()) == archived
    )
    assert list((data_dir / "archive" / "incoming").iterdir()) == []
    assert _count(data_dir, "SELECT count(*) FROM raw.received_files") == received == 13
