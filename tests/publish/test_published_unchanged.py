"""Every file published from the bundled samples is byte for byte what it was before the
code was reshaped (tests/golden/published.sha256), with the clock fixed: the received times
stamp the workbook, the Word file and the completeness report.

When an output changes on purpose, rewrite the manifest with the same fixed clock:

    REGENERATE_PUBLISHED_MANIFEST=1 .venv/bin/python -m pytest tests/publish/test_published_unchanged.py

then check with `git diff tests/golden/published.sha256` that only the files meant to
change did (appendix.csv, clean_rate_history.csv, rejections.csv and completeness.csv
never should), and say which and why in the commit.
"""

import datetime as dt
import hashlib
import os

import pytest
from helpers import GOLDEN, copy_samples

from pipelines.cli import main
from pipelines.core import clock

FIXED_NOW = dt.datetime(2024, 8, 10, 2, 0, 0)
MANIFEST = GOLDEN / "published.sha256"
# Files whose bytes are a contract: a change to the renderers never changes them.
NEVER_CHANGE = ("appendix.csv", "clean_rate_history.csv", "rejections.csv", "completeness.csv")


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
    for line in MANIFEST.read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        expected[name] = digest
    if os.environ.get("REGENERATE_PUBLISHED_MANIFEST") == "1":
        contracts = {n for n in found if n.rsplit("/", 1)[-1] in NEVER_CHANGE and expected.get(n) != found[n]}
        assert not contracts, f"contract files changed, manifest not rewritten: {sorted(contracts)}"
        MANIFEST.write_text("".join(f"{digest}  {name}\n" for name, digest in sorted(found.items())))
        pytest.skip(f"rewrote {MANIFEST.name}: {sum(expected.get(n) != d for n, d in found.items())} files changed")
    assert sorted(found) == sorted(expected)
    assert {name: digest for name, digest in found.items() if expected[name] != digest} == {}
