"""A run killed with SIGKILL at several points, then run again.

The scenario: a period is published (the "old" publication), a commune sends a correction,
and the run that should publish it (the "new" publication) is killed. After the kill the
warehouse opens, every published file is whole and either old or new, and the inbox is
untouched; the next run publishes exactly what an uninterrupted run publishes.
"""

import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

import duckdb
import openpyxl
import pytest
from helpers import REPO, copy_samples

PERIOD = "2024-07"
# Files whose bytes depend only on the figures; the others carry times of receipt.
EXACT = ["appendix.csv", "appendix.md", "rejections.csv", "clean_rate_history.csv"]


def cli_run(data_dir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines", "run", "--data-dir", str(data_dir), "--period", PERIOD],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "DAGSTER_HOME": ""},
    )


def run_to_end(data_dir: Path) -> None:
    assert cli_run(data_dir).wait(timeout=300) == 0


@cache
def correction() -> bytes:
    """The same bytes every time (a workbook records when it was written)."""
    from helpers import HEADER, workbook

    return workbook([HEADER, [1, "Xã Phước Hưng", 3158, 2600, 1800]])


def add_correction(data_dir: Path) -> None:
    inbox = data_dir / "inbox" / PERIOD
    (inbox / "Phước Hưng - sửa.xlsx").write_bytes(correction())
    (inbox / "ghi chú.xlsx").write_bytes(b"not a workbook")


def publication(data_dir: Path) -> dict[str, object]:
    """What an officer would read, with the times of receipt left out."""
    folder = data_dir / "published" / PERIOD
    state: dict[str, object] = {}
    for name in EXACT:
        if (folder / name).exists():
            state[name] = (folder / name).read_bytes()
    if (data_dir / "published" / "rejections.csv").exists():
        state["../rejections.csv"] = (data_dir / "published" / "rejections.csv").read_bytes()
    xlsx = folder / f"phu-luc-{PERIOD}.xlsx"
    if xlsx.exists():
        sheet = openpyxl.load_workbook(xlsx, read_only=True).active
        state[xlsx.name] = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    completeness = folder / "completeness.csv"
    if completeness.exists():
        rows = list(csv.DictReader(io.StringIO(completeness.read_text(encoding="utf-8"))))
        state[completeness.name] = [(r["unit_code"], r["status"], r["versions"]) for r in rows]
    reminder = folder / f"nhac-bao-cao-{PERIOD}.txt"
    if reminder.exists():
        text = reminder.read_text(encoding="utf-8")
        state[reminder.name] = (text.startswith("NHẮC BÁO CÁO"), text.endswith("\n"))
    return state


def warehouse_state(data_dir: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return {
            "files": con.execute("SELECT sha256, original_name FROM raw.received_files ORDER BY sha256").fetchall(),
            "history": con.execute(
                "SELECT unit_code, version, total_children, updated, cleaned, original_name, is_current "
                "FROM marts.submission_history ORDER BY unit_code, version"
            ).fetchall(),
            "rejections": con.execute(
                "SELECT original_name, code FROM staging.rejections ORDER BY original_name, code"
            ).fetchall(),
            "appendix": con.execute(
                "SELECT * FROM marts.district_appendix WHERE period = ? ORDER BY stt NULLS LAST", [PERIOD]
            ).fetchall(),
            "completeness": con.execute(
                "SELECT unit_code, status, versions FROM marts.completeness ORDER BY stt"
            ).fetchall(),
        }
    finally:
        con.close()


def inbox_bytes(data_dir: Path) -> dict[str, bytes]:
    inbox = data_dir / "inbox"
    return {str(p.relative_to(inbox)): p.read_bytes() for p in sorted(inbox.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def references(tmp_path_factory) -> dict[str, object]:
    """The old publication (samples), a copy of its data dir, and the new one (after the correction)."""
    root = tmp_path_factory.mktemp("faults")
    data_dir = copy_samples(root / "reference", [PERIOD])
    run_to_end(data_dir)
    old = publication(data_dir)
    shutil.copytree(data_dir, root / "published-old")
    add_correction(data_dir)
    run_to_end(data_dir)
    return {
        "old": old,
        "new": publication(data_dir),
        "warehouse": warehouse_state(data_dir),
        "base": root / "published-old",
    }


def _changed(path: Path, before: bytes | None) -> Callable[[], bool]:
    return lambda: path.exists() and path.read_bytes() != before


def _archived(data_dir: Path) -> bool:
    return any((data_dir / "archive").rglob("*.tmp")) or len(list((data_dir / "archive").rglob("*.xlsx"))) > 13


def _after_archiving(data_dir: Path, seconds: float) -> Callable[[], bool]:
    """`seconds` after the correction was archived: in the staging and warehouse steps."""
    since: list[float] = []

    def fired() -> bool:
        if not since and _archived(data_dir):
            since.append(time.monotonic())
        return bool(since) and time.monotonic() - since[0] >= seconds

    return fired


TRIGGERS = {
    # the correction is being archived (received_files)
    "archiving": lambda d: lambda: _archived(d),
    # somewhere in the staging and warehouse steps
    "warehouse": lambda d: _after_archiving(d, 1.0),
    # the new appendix.csv is out, the other files are not yet
    "publishing": lambda d: _changed(
        d / "published" / PERIOD / "appendix.csv", (d / "published" / PERIOD / "appendix.csv").read_bytes()
    ),
    # completeness is out, the analysts' copy is next
    "completeness": lambda d: _changed(
        d / "published" / PERIOD / "completeness.csv", (d / "published" / PERIOD / "completeness.csv").read_bytes()
    ),
}


@pytest.mark.parametrize("point", list(TRIGGERS))
@pytest.mark.e2e
def test_sigkill_then_rerun(tmp_path, references, point):
    data_dir = tmp_path / "data"
    shutil.copytree(references["base"], data_dir)
    add_correction(data_dir)
    inbox_before = inbox_bytes(data_dir)

    fired = TRIGGERS[point](data_dir)
    process = cli_run(data_dir)
    while process.poll() is None and not fired():
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=60) == -signal.SIGKILL, f"the run ended before the kill point {point!r}"

    # Right after the kill: inbox untouched, warehouse readable, each published file old or new.
    assert inbox_bytes(data_dir) == inbox_before
    assert warehouse_state(data_dir)["history"]  # opens and answers
    after_kill = publication(data_dir)
    assert set(after_kill) == set(references["old"])
    for name, content in after_kill.items():
        assert content in (references["old"][name], references["new"][name]), name

    # The next run completes and publishes exactly what an uninterrupted run published.
    run_to_end(data_dir)
    assert publication(data_dir) == references["new"]
    assert warehouse_state(data_dir) == references["warehouse"]
    assert inbox_bytes(data_dir) == inbox_before
    assert not list(data_dir.glob(".analyst.duckdb.*.tmp"))
    analyst = duckdb.connect(str(data_dir / "analyst.duckdb"), read_only=True)
    try:
        assert analyst.execute(
            "SELECT count(*) FROM marts.submission_history WHERE unit_code = '21961'"
        ).fetchone() == (2,)
    finally:
        analyst.close()
