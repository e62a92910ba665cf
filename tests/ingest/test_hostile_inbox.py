"""The inbox as a careless or hostile sender leaves it: links, odd names, unreadable
folders, deep nesting, hostile cells. The run goes on, each case is reported, and
nothing outside the inbox is read."""

import csv
import errno
import io
import os
import subprocess
import sys

import duckdb
import pytest
from corpus import HEADER, HUNG, delimited, to_cp1258, xlsx
from helpers import copy_samples

from pipelines.cli import main, summary
from pipelines.core.text import FORMULA_LEADS

pytestmark = pytest.mark.e2e  # every test here runs the whole job

SECRET = "Nguyễn Văn Bí Mật, sinh 01/02/2020, số định danh 052220001234"


def rows(data_dir, sql: str) -> list[tuple]:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def everything_stored(data_dir) -> str:
    """Every cell kept in the warehouse and every byte archived, as one text."""
    cells = " ".join(str(r) for r in rows(data_dir, "SELECT cells FROM raw.sheet_rows"))
    archived = b"".join(p.read_bytes() for p in (data_dir / "archive").rglob("*") if p.is_file())
    return cells + archived.decode("utf-8", "replace")


def test_links_and_special_files_are_refused_and_never_read(tmp_path):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd.csv").write_text(delimited([HEADER, [1, SECRET, 1, 1, 1]]), encoding="utf-8")
    folder = data_dir / "inbox" / "2024-07"
    (folder / "passwd.csv").symlink_to(outside / "passwd.csv")
    (data_dir / "inbox" / "loose.csv").symlink_to(outside / "passwd.csv")
    (data_dir / "inbox" / "2024-06").symlink_to(outside, target_is_directory=True)
    os.mkfifo(folder / "pipe.csv")
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    assert "Bí Mật" not in everything_stored(data_dir)
    refused = rows(data_dir, "SELECT original_name, period FROM staging.rejections WHERE code = 'REFUSED_PATH'")
    assert sorted(refused, key=str) == sorted(
        [("passwd.csv", "2024-07"), ("pipe.csv", "2024-07"), ("loose.csv", None)], key=str
    )
    assert (data_dir / "published" / "2024-07" / "appendix.csv").exists()
    published = (data_dir / "published" / "rejections.csv").read_text(encoding="utf-8")
    assert "REFUSED_PATH" in published and "Bí Mật" not in published
    # Reported again on the next run while the links are there, once each.
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    assert len(rows(data_dir, "SELECT * FROM staging.rejections WHERE code = 'REFUSED_PATH'")) == 3


def test_names_that_are_not_utf8_or_hold_line_breaks_are_received_under_a_readable_name(tmp_path):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    folder = os.fsencode(data_dir / "inbox" / "2024-07")
    (data_dir / "inbox" / "2024-07" / "Phước Hưng.xlsx").unlink()
    with open(os.path.join(folder, to_cp1258("Phước Hưng.xlsx")), "wb") as f:
        f.write(xlsx([HEADER, HUNG]))
    with open(os.path.join(os.fsencode(data_dir / "inbox"), b"b\xe1o c\x81o\r\n.csv"), "wb") as f:
        f.write(b"not a report")
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    names = {name for (name,) in rows(data_dir, "SELECT original_name FROM raw.received_files")}
    assert "Phước Hưng.xlsx" in names
    assert "b\\xe1o c\\x81o\\x0d\\x0a.csv" in names  # not Windows-1258 either: its odd bytes escaped
    appendix = (data_dir / "published" / "2024-07" / "appendix.csv").read_text(encoding="utf-8")
    assert "Phước Hưng,3158" in appendix


def test_unreadable_folders_and_deep_nesting_are_reported_and_do_not_stop_the_period(tmp_path, monkeypatch):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    deep = data_dir / "inbox" / "2024-07"
    for _ in range(1000):
        deep = deep / "a"
        deep.mkdir()
    locked = data_dir / "inbox" / "2024-07" / "khoá"
    locked.mkdir()
    (locked / "x.csv").write_text("x", encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path="."):
        if not isinstance(path, int) and os.fspath(path) == os.fspath(locked):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    monkeypatch.undo()
    unreadable = rows(data_dir, "SELECT original_name FROM staging.rejections WHERE code = 'UNREADABLE_PATH'")
    assert unreadable == [("khoá",)]
    assert (data_dir / "published" / "2024-07" / "appendix.csv").exists()
    while deep != data_dir / "inbox" / "2024-07":  # removed here: pytest's own clean-up recurses
        deep.rmdir()
        deep = deep.parent


def test_every_csv_published_is_safe_in_a_spreadsheet(tmp_path):
    """Hostile cells (formulas, CR, LF, quotes) in names and a file name: every CSV reads
    back, row by row, with no cell a spreadsheet would run."""
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    hostile = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3", "a\rb", "c\nd", '"q"']
    body = [HEADER] + [[i, name, 10, 5, 1] for i, name in enumerate(hostile, start=1)]
    (data_dir / "inbox" / "2024-07" / "=cmd|' ô.xlsx").write_bytes(xlsx(body))
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    checked = 0
    for path in (data_dir / "published").rglob("*.csv"):
        table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        assert all(len(row) == len(table[0]) for row in table), path
        for row in table[1:]:
            for cell in row:
                assert not (cell.startswith(FORMULA_LEADS) and cell != "-" and not cell.lstrip("-").isdigit()), (
                    path,
                    cell,
                )
                checked += 1
    assert checked > 100


def test_the_summary_waits_for_a_warehouse_another_process_holds(tmp_path):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print(1, flush=True); time.sleep(3)",
            str(data_dir / "warehouse.duckdb"),
        ],
        stdout=subprocess.PIPE,
    )
    holder.stdout.readline()  # it holds the lock now
    lines = summary(data_dir.resolve(), ["2024-07"])
    holder.wait()
    assert lines[0].startswith("2024-07: 13 tệp nhận")


def test_a_damaged_warehouse_ends_in_one_line_and_is_rebuilt_from_the_archive(tmp_path, capsys):
    data_dir = copy_samples(tmp_path / "data")
    (data_dir / "inbox" / "hỏng.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    published = data_dir / "published"
    contracts = [
        *[published / p / name for p in ("2024-04", "2024-07") for name in ("appendix.csv", "clean_rate_history.csv")],
        *[published / p / "rejections.csv" for p in ("2024-04", "2024-07")],
        published / "rejections.csv",
    ]
    before = {path: path.read_bytes() for path in contracts}
    warehouse = data_dir / "warehouse.duckdb"
    with open(warehouse, "r+b") as f:
        f.truncate(os.path.getsize(warehouse) // 3)
    capsys.readouterr()
    assert main(["run", "--data-dir", str(data_dir)]) == 1
    said = capsys.readouterr()
    assert "Traceback" not in said.err
    assert "python -m pipelines rebuild" in said.err and len(said.err.strip().splitlines()) == 1
    shutil_rmtree(published)
    assert main(["rebuild", "--data-dir", str(data_dir)]) == 0
    assert {path: path.read_bytes() for path in contracts} == before
    assert list(data_dir.glob("warehouse.duckdb.damaged-*"))


def test_a_full_disk_ends_in_one_line(tmp_path, capsys, monkeypatch):
    from pipelines.publish import render

    data_dir = copy_samples(tmp_path / "data", ["2024-07"])

    def full(path, *args):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(render, "write_text", full)
    assert main(["run", "--data-dir", str(data_dir)]) == 1
    err = capsys.readouterr().err
    assert "Ổ đĩa đã đầy" in err and "Traceback" not in err


def shutil_rmtree(path):
    import shutil

    shutil.rmtree(path)


def test_a_warehouse_held_too_long_ends_in_one_line(tmp_path, capsys, monkeypatch):
    from pipelines import resources

    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    monkeypatch.setattr(resources, "LOCK_WAIT_SECONDS", 1.0)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print(1, flush=True); time.sleep(60)",
            str(data_dir / "warehouse.duckdb"),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        holder.stdout.readline()
        capsys.readouterr()
        assert main(["run", "--data-dir", str(data_dir)]) == 1
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err
    assert "đang bị một tiến trình khác giữ" in err and "Traceback" not in err


def test_a_district_month_with_a_file_that_balloons_in_memory_stays_under_1_5_gb(tmp_path):
    """The whole run's process tree, sampled as it runs: a district month and a small
    workbook that would take gigabytes to read."""
    import time

    import psutil
    from test_isolation import shared_string_bomb

    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    (data_dir / "inbox" / "2024-07" / "bom.xlsx").write_bytes(shared_string_bomb(40_000, 100_000))
    run = psutil.Popen([sys.executable, "-m", "pipelines", "run", "--data-dir", str(data_dir)])
    peak = 0
    while run.poll() is None:
        try:
            tree = [run, *run.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree))
        except psutil.Error:
            pass
        time.sleep(0.02)
    assert run.returncode == 0
    assert peak <= 1.5 * (1 << 30), f"{peak / (1 << 20):.0f} MB"
    assert "bom.xlsx" in (data_dir / "published" / "rejections.csv").read_text(encoding="utf-8")
