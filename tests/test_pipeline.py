"""End to end through Dagster's `materialize`, on a temporary data dir."""

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
from helpers import copy_samples, run, snapshot_of

from pipelines.definitions import ALL_ASSETS
from pipelines.quality.checks import BLOCKING_CHECKS, CHECKS, WARNING_CHECKS


def table(data_dir: Path, sql: str, *params) -> list[tuple]:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


@pytest.mark.e2e
def test_materialize_publishes_the_period(tmp_path):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    result = run(data_dir, "2024-07")
    assert result.success
    assert (data_dir / "published" / "2024-07" / "appendix.csv").exists()
    checks = result.get_asset_check_evaluations()
    assert len(checks) == len(CHECKS) == len(BLOCKING_CHECKS) + len(WARNING_CHECKS) and all(c.passed for c in checks)
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert materialized == {a.key.to_user_string() for a in ALL_ASSETS}


@pytest.mark.e2e
def test_every_received_file_is_archived_byte_for_byte(tmp_path):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    assert run(data_dir, "2024-07").success
    for path in (data_dir / "inbox" / "2024-07").iterdir():
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        archived = data_dir / "archive" / "sha256" / sha[:2] / f"{sha}.xlsx"
        assert archived.read_bytes() == path.read_bytes()
    assert table(data_dir, "SELECT count(*) FROM raw.received_files") == [(13,)]


@pytest.mark.e2e
def test_rerun_with_nothing_new_changes_nothing(tmp_path):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    assert run(data_dir, "2024-07").success
    before = snapshot_of(data_dir)
    mtimes = {p: p.stat().st_mtime_ns for p in (data_dir / "published").rglob("*") if p.is_file()}
    history = table(data_dir, "SELECT * FROM marts.submission_history ORDER BY unit_code")
    assert run(data_dir, "2024-07").success
    assert snapshot_of(data_dir) == before
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes
    assert table(data_dir, "SELECT * FROM marts.submission_history ORDER BY unit_code") == history
    assert table(data_dir, "SELECT count(*) FROM raw.received_files") == [(13,)]


@pytest.mark.e2e
def test_same_content_under_another_name_is_not_counted_twice(tmp_path):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    inbox = data_dir / "inbox" / "2024-07"
    shutil.copy(inbox / "Phước Hưng.xlsx", inbox / "Phuoc Hung (1).xlsx")
    assert run(data_dir, "2024-07").success
    assert table(data_dir, "SELECT count(*) FROM raw.received_files") == [(13,)]
    assert table(data_dir, "SELECT max(version) FROM marts.submission_history") == [(1,)]


@pytest.mark.e2e
def test_a_correction_supersedes_and_history_keeps_both(tmp_path):
    from helpers import HEADER, workbook

    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    assert run(data_dir, "2024-07").success
    correction = workbook([HEADER, [1, "Xã Phước Hưng", 3158, 2600, 1800]])
    (data_dir / "inbox" / "2024-07" / "Phước Hưng - sửa.xlsx").write_bytes(correction)
    assert run(data_dir, "2024-07").success
    versions = table(
        data_dir,
        "SELECT version, cleaned, is_current, original_name FROM marts.submission_history "
        "WHERE unit_code = '21961' ORDER BY version",
    )
    assert versions == [(1, 1731, False, "Phước Hưng.xlsx"), (2, 1800, True, "Phước Hưng - sửa.xlsx")]
    first_line = (data_dir / "published" / "2024-07" / "appendix.csv").read_text(encoding="utf-8").splitlines()[1]
    assert first_line == "1,21961,Phước Hưng,3158,2600,558,1800,800,57.00"


@pytest.mark.e2e
def test_one_bad_file_beside_twelve_good_ones(tmp_path):
    from helpers import HEADER, workbook

    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    bad = workbook([HEADER, [1, "Phước Hưng", 3158, 2583, 2900]])  # cleaned > updated
    (data_dir / "inbox" / "2024-07" / "Phước Hưng.xlsx").write_bytes(bad)
    assert run(data_dir, "2024-07").success
    rows = (data_dir / "published" / "2024-07" / "appendix.csv").read_text(encoding="utf-8").splitlines()
    assert rows[1] == "1,21961,Phước Hưng,,,,,,"
    assert rows[2].startswith("2,21964,Phước Quang,2987,")
    rejections = (data_dir / "published" / "2024-07" / "rejections.csv").read_text(encoding="utf-8")
    assert "CLEANED_GT_UPDATED" in rejections and "Phước Hưng.xlsx" in rejections
    assert table(data_dir, "SELECT code, row_number FROM staging.rejections") == [("CLEANED_GT_UPDATED", 2)]


@pytest.mark.e2e
def test_a_failed_check_keeps_the_previous_publication(tmp_path, monkeypatch):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    assert run(data_dir, "2024-07").success
    before = snapshot_of(data_dir)
    from pipelines.quality import rules

    monkeypatch.setattr(rules, "total_mismatches", lambda appendix: ["forced failure"])
    (data_dir / "inbox" / "2024-07" / "Phước Hưng.xlsx").unlink()
    result = run(data_dir, "2024-07")
    assert not result.success
    failed = [c for c in result.get_asset_check_evaluations() if not c.passed]
    assert [c.check_name for c in failed] == ["appendix_total_is_sum"]
    assert snapshot_of(data_dir) == before


@pytest.mark.e2e
def test_word_and_workbook_drawn_on_the_workers_publish_the_same_files(tmp_path, monkeypatch):
    """A large scope's Word table and workbook are drawn on the worker processes:
    the published files are the bytes drawn in the run's own process (here forced for the
    district, whose files are then published again on the workers)."""
    from pipelines import scale

    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    assert run(data_dir, "2024-07").success
    here = snapshot_of(data_dir)
    shutil.rmtree(data_dir / "published")
    monkeypatch.setattr(scale, "RENDER_ON_WORKERS_FROM", 1)
    monkeypatch.setenv(scale.WORKERS_ENV, "2")
    try:
        assert run(data_dir, "2024-07").success
        assert scale._POOL, "drawn on the workers"
    finally:
        scale.shutdown()
    assert snapshot_of(data_dir) == here
    assert all(any(name.endswith(suffix) for name in here) for suffix in (".docx", ".svg", ".xlsx"))
