"""The ingest assets end to end: the hostile corpus beside the samples, loose files, re-filing."""

import csv
import hashlib
import io
import shutil

import duckdb
import pytest
from corpus import HEADER, delimited, hostile_cases, xlsx
from helpers import GOLDEN, copy_samples

from pipelines.cli import main

FORMULA_LEADS = ("=", "+", "-", "@")


def rows_of(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def query(data_dir, sql: str) -> list[tuple]:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def drop(data_dir, case) -> None:
    folder = data_dir / "inbox" / (case.folder or "")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / case.name).write_bytes(case.data)


@pytest.mark.e2e
def test_hostile_corpus_beside_the_samples(tmp_path):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    cases = hostile_cases()
    for case in cases:
        drop(data_dir, case)
    assert main(["run", "--data-dir", str(data_dir)]) == 0

    # The thirteen good files still publish the letter's appendix, cell for cell.
    published = data_dir / "published" / "2024-07"
    assert (published / "appendix.csv").read_text(encoding="utf-8") == (GOLDEN / "appendix-2024-07.csv").read_text(
        encoding="utf-8"
    )

    # Every hostile file is in the report with its code; names and messages cannot run as formulas.
    report = rows_of(data_dir / "published" / "rejections.csv")
    assert list(report[0]) == [
        "original_name",
        "sha256",
        "period",
        "unit_code",
        "unit_name",
        "row_number",
        "code",
        "message",
    ]
    for case in cases:
        sha = hashlib.sha256(case.data).hexdigest()
        codes = {r["code"] for r in report if r["sha256"] == sha}
        # Identical bytes under two names (the two empty files) are one content, reported once.
        assert codes & {c.code for c in cases if c.data == case.data}, case.name
        period = {r["period"] for r in report if r["sha256"] == sha}
        assert period == {case.folder or ""} or case.code in ("PERIOD_UNKNOWN", "PERIOD_IMPOSSIBLE") and period == {""}
    for row in report:
        for value in row.values():
            assert not value.startswith(FORMULA_LEADS), value
    assert any(r["original_name"] == "'=HYPERLINK công thức.xlsx" for r in report)
    by_name = {r["original_name"]: r for r in report}
    assert by_name["làm sạch lớn hơn.xlsx"]["unit_name"] == "Phước Hưng"  # official name of a known unit
    # An unknown row's name is not repeated (a cell may hold anything); its message quotes it short.
    assert by_name["đơn vị lạ.xlsx"]["unit_name"] == "" and "Phước Hưngg" in by_name["đơn vị lạ.xlsx"]["message"]
    assert "=HYPERLINK(" in by_name["'=HYPERLINK công thức.xlsx"]["message"]  # inside a sentence, never a formula
    period_report = rows_of(published / "rejections.csv")
    assert {r["period"] for r in period_report} == {"2024-07"}

    # The archive holds every input's bytes, the hostile ones included.
    for path in (data_dir / "inbox").rglob("*"):
        if path.is_file():
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            archived = list((data_dir / "archive" / "sha256" / sha[:2]).glob(f"{sha}*"))
            assert len(archived) == 1 and archived[0].read_bytes() == path.read_bytes(), path.name
    distinct = {hashlib.sha256(c.data).hexdigest() for c in cases}
    assert query(data_dir, "SELECT count(*) FROM raw.received_files") == [(13 + len(distinct),)]


@pytest.mark.e2e
def test_loose_files_take_the_period_written_in_them(tmp_path):
    data_dir = copy_samples(tmp_path / "data", ["2024-06", "2024-07"])
    inbox = data_dir / "inbox"
    correction = xlsx([["Báo cáo tháng 7 năm 2024"], HEADER, [1, "Xã Phước Hưng", 3158, 2600, 1800]])
    (inbox / "Phước Hưng sửa.xlsx").write_bytes(correction)
    august = delimited([["Số liệu T8/2024"], HEADER, [1, "Phước Quang", 3000, 2900, 2500]]).encode()
    (inbox / "loose").mkdir()
    (inbox / "loose" / "Phước Quang T8.csv").write_bytes(august)
    unknown = xlsx([HEADER, [1, "Phước Hòa", 3370, 2874, 1612]])
    (inbox / "không rõ kỳ.xlsx").write_bytes(unknown)
    assert main(["run", "--data-dir", str(data_dir)]) == 0

    july = (data_dir / "published" / "2024-07" / "appendix.csv").read_text(encoding="utf-8").splitlines()
    assert july[1] == "1,21961,Phước Hưng,3158,2600,558,1800,800,57.00"
    june = (data_dir / "published" / "2024-06" / "appendix.csv").read_text(encoding="utf-8").splitlines()
    assert june[1].startswith("1,21961,Phước Hưng,") and "2600" not in june[1]
    august_rows = (data_dir / "published" / "2024-08" / "appendix.csv").read_text(encoding="utf-8").splitlines()
    assert august_rows[2] == "2,21964,Phước Quang,3000,2900,100,2500,400,83.33"
    assert query(
        data_dir,
        "SELECT original_name, period_folder, period FROM raw.received_files "
        "WHERE period_folder IS NULL ORDER BY original_name",
    ) == [
        ("Phước Hưng sửa.xlsx", None, "2024-07"),
        ("Phước Quang T8.csv", None, "2024-08"),
        ("không rõ kỳ.xlsx", None, None),
    ]
    report = rows_of(data_dir / "published" / "rejections.csv")
    assert [(r["original_name"], r["period"], r["code"]) for r in report] == [
        ("không rõ kỳ.xlsx", "", "PERIOD_UNKNOWN")
    ]

    # The officer moves the unknown file into its period folder: same bytes, re-filed, parsed once.
    shutil.move(inbox / "không rõ kỳ.xlsx", inbox / "2024-07" / "không rõ kỳ.xlsx")
    assert main(["run", "--data-dir", str(data_dir), "--period", "2024-07"]) == 0
    assert rows_of(data_dir / "published" / "rejections.csv") == []
    assert query(
        data_dir, "SELECT period_folder, period FROM raw.received_files WHERE original_name = 'không rõ kỳ.xlsx'"
    ) == [("2024-07", "2024-07")]
    assert query(
        data_dir, "SELECT count(*) FROM marts.submission_history WHERE unit_code = '21967' AND period = '2024-07'"
    ) == [(2,)]


@pytest.mark.e2e
def test_odd_file_names_and_a_rerun_with_loose_files(tmp_path):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    folder = data_dir / "inbox" / "2024-07"
    long_name = "Báo cáo số liệu trẻ em xã Phước Quang gửi huyện " * 3 + "bản cuối .xlsx"
    assert 200 < len(long_name.encode()) < 255
    names = {
        "-rf --help.xlsx": [1, "Phước Hưng", 3158, 2583, 1800],
        "  khoảng trắng  .xlsx": [1, "TT. Diêu Trì", 3256, 3034, 2300],
        long_name: [1, "Xã Phước Quang", 2987, 2873, 2400],
        "@Phước Hòa [bản cuối] (1).xlsx": [1, "phuoc hoa", 3252, 2584, 1400],
    }
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    for name, row in names.items():  # corrections, sent after the first run
        (folder / name).write_bytes(xlsx([HEADER, row]))
    (data_dir / "inbox" / "không rõ kỳ.csv").write_bytes(delimited([HEADER, [1, "Phước An", 1, 1, 1]]).encode())
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    current = dict(
        query(
            data_dir,
            "SELECT f.original_name, h.cleaned FROM marts.submission_history h "
            "JOIN raw.received_files f USING (sha256) WHERE h.is_current AND h.version = 2",
        )
    )
    assert current == {name: row[4] for name, row in names.items()}
    published = {p: p.read_bytes() for p in (data_dir / "published").rglob("*") if p.is_file()}
    history = query(data_dir, "SELECT * FROM marts.submission_history ORDER BY unit_code, version")
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    assert {p: p.read_bytes() for p in (data_dir / "published").rglob("*") if p.is_file()} == published
    assert query(data_dir, "SELECT * FROM marts.submission_history ORDER BY unit_code, version") == history
    assert query(data_dir, "SELECT count(*) FROM staging.rejections") == [(1,)]


@pytest.mark.e2e
def test_a_correction_arriving_with_its_original_wins_by_when_it_was_written(tmp_path):
    import os

    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    folder = data_dir / "inbox" / "2024-07"
    correction = folder / "A - Phước Hưng sửa.xlsx"  # sorts before the original by name
    correction.write_bytes(xlsx([HEADER, [1, "Phước Hưng", 3158, 2583, 1800]]))
    original = folder / "Phước Hưng.xlsx"
    os.utime(original, ns=(original.stat().st_mtime_ns, correction.stat().st_mtime_ns - 10**9))
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    assert query(
        data_dir,
        "SELECT version, cleaned, is_current FROM marts.submission_history WHERE unit_code = '21961' ORDER BY version",
    ) == [(1, 1731, False), (2, 1800, True)]


@pytest.mark.e2e
def test_the_same_bytes_sent_again_for_another_month_are_reported_not_dropped(tmp_path):
    import shutil

    from helpers import copy_samples, run

    data_dir = copy_samples(tmp_path / "data", ["2024-06", "2024-07"])
    shutil.copy(
        data_dir / "inbox" / "2024-06" / "Phước Hưng.xlsx", data_dir / "inbox" / "2024-07" / "Phước Hưng (T6).xlsx"
    )
    assert run(data_dir, "2024-06").success
    assert run(data_dir, "2024-07").success
    assert run(data_dir, "2024-07").success  # recorded once, however often the period runs
    rejections = (data_dir / "published" / "2024-07" / "rejections.csv").read_text(encoding="utf-8").splitlines()
    assert len(rejections) == 2
    assert "Phước Hưng (T6).xlsx" in rejections[1] and "SAME_FILE_AS_OTHER_PERIOD" in rejections[1]
    assert "giống hệt tệp đã nhận cho kỳ tháng 6/2024" in rejections[1]


@pytest.mark.e2e
def test_a_new_parser_version_parses_every_file_again_replacing_its_rows(tmp_path, monkeypatch):
    """After the parser changes, each file is parsed again from the archive and its rows,
    rejections and raw cells replace the earlier ones (no file counted twice)."""
    from pipelines.ingest import assets as ingest

    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    (data_dir / "inbox" / "2024-07" / "hỏng.xlsx").write_bytes(b"not a workbook")
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    tables = ["staging.submission_rows", "staging.rejections", "raw.sheet_rows", "staging.parsed_files"]
    counts = {t: query(data_dir, f"SELECT count(*) FROM {t}")[0][0] for t in tables}
    assert counts["staging.rejections"] >= 1 and counts["staging.parsed_files"] == 14
    appendix = (data_dir / "published" / "2024-07" / "appendix.csv").read_bytes()
    monkeypatch.setattr(ingest, "PARSER_VERSION", ingest.PARSER_VERSION + 1)
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    assert {t: query(data_dir, f"SELECT count(*) FROM {t}")[0][0] for t in tables} == counts
    assert query(data_dir, "SELECT DISTINCT parser_version FROM staging.parsed_files") == [(ingest.PARSER_VERSION,)]
    assert (data_dir / "published" / "2024-07" / "appendix.csv").read_bytes() == appendix
