"""A run with nothing new stats the inbox instead of reading it; any change is read again."""

import os
from pathlib import Path

import duckdb
from conftest import copy_samples

from pipelines.cli import main


def _count(data_dir: Path, sql: str) -> int:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return con.sql(sql).fetchall()[0][0]
    finally:
        con.close()


def test_unchanged_inbox_files_are_not_read_again(tmp_path, monkeypatch):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    assert _count(data_dir, "SELECT count(*) FROM raw.inbox_hashes") == 13

    inbox = (data_dir / "inbox").resolve()
    reads = []
    real_read_bytes = Path.read_bytes

    def counting_read_bytes(self):
        if inbox in self.resolve().parents:
            reads.append(self.name)
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", counting_read_bytes)
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    assert reads == []
    assert _count(data_dir, "SELECT count(*) FROM raw.received_files") == 13


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
