"""The analysts' copy: published atomically after each run, never blocking a run, and its views."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from analyst_docs import queries
from helpers import HEADER, REPO, copy_samples, workbook

from pipelines.core.settings import SQL_DIR

VIEWS = ["latest_figures", "figures_history", "clean_rate_history", "rejections", "completeness"]


def cli(*args: str) -> subprocess.CompletedProcess:
    # DAGSTER_HOME empty: the runs use an ephemeral instance, not the project's run history.
    result = subprocess.run(
        [sys.executable, "-m", "pipelines", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DAGSTER_HOME": ""},
    )
    assert result.returncode == 0, result.stderr
    return result


def cleaned_phuoc_hung(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT version, cleaned FROM marts.submission_history "
        "WHERE period = '2024-07' AND unit_code = '21961' ORDER BY version"
    ).fetchall()


def periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT DISTINCT period FROM marts.district_appendix ORDER BY period").fetchall()]


@pytest.mark.e2e
def test_an_open_analyst_session_never_blocks_a_run_nor_sees_half_a_state(tmp_path):
    data_dir = copy_samples(tmp_path / "data", ["2024-06", "2024-07"])
    (data_dir / "inbox" / "2024-07" / "ghi chú.xlsx").write_bytes(b"not a workbook")  # rejected, kept
    correction = workbook([HEADER, [1, "Xã Phước Hưng", 3158, 2600, 1800]])
    cli("run", "--data-dir", str(data_dir))  # both periods
    path = Path(cli("analyst-db", "--data-dir", str(data_dir)).stdout.splitlines()[-1])
    assert path.is_absolute() and path == (data_dir / "analyst.duckdb").resolve()

    session = duckdb.connect(str(path), read_only=True)
    try:
        assert periods(session) == ["2024-06", "2024-07"]
        assert cleaned_phuoc_hung(session) == [(1, 1731)]
        (data_dir / "inbox" / "2024-07" / "Phước Hưng - sửa.xlsx").write_bytes(correction)
        cli("run", "--data-dir", str(data_dir), "--period", "2024-07")  # would fail on a lock if blocked
        assert cleaned_phuoc_hung(session) == [(1, 1731)]  # the session keeps the state it opened, whole
        assert session.execute("SELECT count(*) FROM analytics.latest_figures").fetchone() == (26,)
    finally:
        session.close()
    fresh = duckdb.connect(str(path), read_only=True)
    try:
        assert periods(fresh) == ["2024-06", "2024-07"]
        for view in VIEWS:
            assert fresh.execute(f"SELECT count(*) FROM analytics.{view}").fetchone()[0] > 0, view
        latest = fresh.execute(
            "SELECT unit_name, cleaned, clean_rate_pct, original_name FROM analytics.latest_figures "
            "WHERE period = '2024-07' AND unit_code = '21961'"
        ).fetchall()
        assert [(n, c, float(r), f) for n, c, r, f in latest] == [("Phước Hưng", 1800, 57.0, "Phước Hưng - sửa.xlsx")]
        versions = fresh.execute(
            "SELECT version, cleaned, is_current FROM analytics.figures_history "
            "WHERE period = '2024-07' AND unit_code = '21961' ORDER BY version"
        ).fetchall()
        assert versions == [(1, 1731, False), (2, 1800, True)]
        for statement in queries():  # the README's and docs/analysts.md's, as shown
            assert fresh.execute(statement).fetchall(), statement
        total = fresh.execute(
            "SELECT total_children, cleaned, clean_rate_pct FROM analytics.clean_rate_history "
            "WHERE period = '2024-07' AND unit_code IS NULL"
        ).fetchall()
        assert [(t, c, float(r)) for t, c, r in total] == [(45349, 28554 - 1731 + 1800, 63.12)]
    finally:
        fresh.close()
    assert not list(path.parent.glob(".analyst.duckdb.*.tmp"))


def test_analyst_db_creates_a_copy_from_an_empty_data_dir(tmp_path):
    out = cli("analyst-db", "--data-dir", str(tmp_path / "empty")).stdout.splitlines()
    path = Path(out[-1])
    assert path == (tmp_path / "empty" / "analyst.duckdb").resolve() and path.exists()
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM analytics.completeness").fetchone() == (0,)
    finally:
        con.close()


def test_every_view_says_what_a_row_is():
    files = sorted((SQL_DIR / "views").glob("*.sql"))
    assert [f.stem.split("_", 1)[1] for f in files[1:]] == VIEWS
    for path in files[1:]:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("-- A row is"), path.name
        assert f"CREATE OR REPLACE VIEW analytics.{path.stem.split('_', 1)[1]} AS" in text
