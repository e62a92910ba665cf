"""Every file published from the bundled samples is byte for byte what it was before the
code was reshaped (tests/golden/published.sha256), with the clock fixed: the received times
stamp the workbook, the Word file and the completeness report."""

import datetime as dt
import hashlib

import pytest
from helpers import GOLDEN, copy_samples

from pipelines.cli import main
from pipelines.core import clock

FIXED_NOW = dt.datetime(2024, 8, 10, 2, 0, 0)


@pytest.mark.e2e
def test_published_files_are_unchanged(tmp_path, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: FIXED_NOW)
    data_dir = copy_samples(tmp_path / "data")
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    published = data_dir / "published"
    found = {
        f"./{p.relative_to(published).as_posix()}": hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(published.rglob("*"))
        if p.is_file()
    }
    expected = {}
    for line in (GOLDEN / "published.sha256").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        expected[name] = digest
    assert sorted(found) == sorted(expected)
    assert {name: digest for name, digest in found.items() if expected[name] != digest} == {}
