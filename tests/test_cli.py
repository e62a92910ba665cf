import datetime as dt
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
from helpers import REPO, copy_samples

# The sample folders `make run` copies into the inbox (data/samples/20YY-MM).
MAKE_RUN_PERIODS = ["2024-04", "2024-05", "2024-06", "2024-07"]


@pytest.mark.e2e
def test_cli_runs_every_inbox_period_and_summarises(tmp_path):
    data_dir = copy_samples(tmp_path / "data", MAKE_RUN_PERIODS)
    result = subprocess.run(
        [sys.executable, "-m", "pipelines", "run", "--data-dir", str(data_dir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line[:7] for line in lines[:4]] == ["2024-04", "2024-05", "2024-06", "2024-07"]
    assert "13 tệp chấp nhận" in lines[3] and str(data_dir / "published" / "2024-07" / "appendix.csv") in lines[3]
    for period in ("2024-04", "2024-05", "2024-06", "2024-07"):
        assert (data_dir / "published" / period / f"phu-luc-{period}.xlsx").exists()
    # It ends on what an officer opens, of the latest period: the workbook, the Word file, the
    # report and the rejections, each an existing file; before them, who reported on time.
    july = data_dir / "published" / "2024-07"
    opened = [
        july / "phu-luc-2024-07.xlsx",
        july / "phu-luc-2024-07.docx",
        july / "report.html",
        july / "rejections.csv",
    ]
    assert lines[-5:] == [
        "Kỳ mới nhất (7/2024), các tệp để mở:",
        f"- Phụ lục (Excel): {opened[0]}",
        f"- Phụ lục (Word): {opened[1]}",
        f"- Báo cáo (mở bằng trình duyệt): {opened[2]}",
        f"- Tệp, dòng bị từ chối: {opened[3]}",
    ]
    assert all(path.is_file() for path in opened)
    # The samples are received today, after their 2024 deadline: late by the definition, and the line says when.
    today = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    assert lines[-6] == (
        "Tình hình nộp báo cáo kỳ 7/2024: 13/13 đơn vị đã báo cáo: 0 đúng hạn, 13 trễ hạn, 0 chưa báo cáo "
        f"(hạn 30/9/2024; tệp của các đơn vị trễ hạn được nhận ngày {today.day}/{today.month}/{today.year})."
    )


@pytest.mark.e2e
def test_cli_single_period_and_bad_period(tmp_path):
    data_dir = copy_samples(tmp_path / "data")
    ok = subprocess.run(
        [sys.executable, "-m", "pipelines", "run", "--data-dir", str(data_dir), "--period", "2024-06"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ok.returncode == 0, ok.stderr
    assert sorted(p.name for p in (data_dir / "published").iterdir() if p.is_dir()) == ["2024-06"]
    bad = subprocess.run(
        [sys.executable, "-m", "pipelines", "run", "--data-dir", str(data_dir), "--period", "July"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "YYYY-MM" in bad.stderr


@pytest.mark.e2e
def test_a_mistyped_period_folder_does_not_stop_the_others(tmp_path):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    typo = data_dir / "inbox" / "2207-01"
    typo.mkdir()
    (typo / "Phước Hưng.xlsx").write_bytes((data_dir / "inbox" / "2024-07" / "Phước Hưng.xlsx").read_bytes())
    result = subprocess.run(
        [sys.executable, "-m", "pipelines", "run", "--data-dir", str(data_dir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Bỏ qua thư mục" in result.stdout and "2207-01" in result.stdout
    assert (data_dir / "published" / "2024-07" / "appendix.csv").exists()
    assert (typo / "Phước Hưng.xlsx").exists()
    bad = subprocess.run(
        [sys.executable, "-m", "pipelines", "run", "--data-dir", str(data_dir), "--period", "2207-01"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "outside the reporting periods" in bad.stderr
