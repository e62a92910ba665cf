"""Across the 1 July 2025 reorganisation, end to end through the CLI's code path.

The bundled 2024-06 and 2024-07 samples (13 old units) plus 2025-08 files written here
for the 4 new communes, one 2025-08 file from an old unit and one 2024-07 file from a
new unit. Each period is validated and published with the units valid in it, and the
2025-08 history re-expresses 2024 in the new communes.
"""

import csv

import openpyxl
import pytest
from helpers import GOLDEN, copy_samples

from pipelines.cli import main
from pipelines.publish.appendix_docx import read_docx_table

HEADER = "TT,Tên địa phương,Tổng số trẻ em,Số trẻ em đã được cập nhật dữ liệu,Số trẻ em đã làm sạch dữ liệu\n"
AUGUST_2025 = {
    "Xã Tuy Phước": (16300, 15100, 13050),
    "Xã Tuy Phước Đông": (11400, 10200, 8100),
    "Xã Tuy Phước Tây": (7700, 7100, 5600),
    "Xã Tuy Phước Bắc": (10150, 9800, 9300),
}


def submission(name: str, figures: tuple[int, int, int]) -> str:
    return HEADER + f"1,{name},{figures[0]},{figures[1]},{figures[2]}\n"


@pytest.fixture(scope="module")
def reorganised(tmp_path_factory):
    data_dir = copy_samples(tmp_path_factory.mktemp("reorg") / "data", ["2024-06", "2024-07"])
    august = data_dir / "inbox" / "2025-08"
    august.mkdir(parents=True)
    for name, figures in AUGUST_2025.items():
        (august / f"{name}.csv").write_text(submission(name, figures), encoding="utf-8")
    (august / "Phước Sơn cũ.csv").write_text(submission("Phước Sơn", (5600, 4000, 3000)), encoding="utf-8")
    (data_dir / "inbox" / "2024-07" / "Tuy Phước Tây sớm.csv").write_text(
        submission("Xã Tuy Phước Tây", (7700, 6600, 4100)), encoding="utf-8"
    )
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    return data_dir / "published"


def rows(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_each_period_lists_the_units_valid_in_it(reorganised):
    july = rows(reorganised / "2024-07" / "appendix.csv")
    august = rows(reorganised / "2025-08" / "appendix.csv")
    assert len(july) == 14 and july[11]["commune_name"] == "TT Tuy Phước"
    assert [r["commune_name"] for r in august] == [*AUGUST_2025, "Tổng cộng"]
    assert [r["commune_code"] for r in august[:4]] == ["21952", "21970", "21985", "21964"]
    assert august[-1]["total_children"] == str(sum(f[0] for f in AUGUST_2025.values()))
    # The 2024-07 appendix is still the letter's, the early file notwithstanding.
    assert (reorganised / "2024-07" / "appendix.csv").read_bytes() == (GOLDEN / "appendix-2024-07.csv").read_bytes()


def test_units_of_another_period_are_rejected_naming_the_right_units(reorganised):
    august = [r for r in rows(reorganised / "2025-08" / "rejections.csv") if r["code"] == "UNIT_NOT_IN_PERIOD"]
    assert len(august) == 1 and august[0]["original_name"] == "Phước Sơn cũ.csv"
    assert "“Phước Sơn”" in august[0]["message"] and "8/2025" in august[0]["message"]
    assert "Xã Tuy Phước Đông" in august[0]["message"]
    july = [r for r in rows(reorganised / "2024-07" / "rejections.csv") if r["code"] == "UNIT_NOT_IN_PERIOD"]
    assert len(july) == 1 and "Phước An, Phước Thành" in july[0]["message"]


@pytest.mark.e2e
def test_clean_rate_history_contract_before_and_after(reorganised, published_samples):
    # Golden files: the history as of 2024-07 (13 units, 4 sample periods) and as of
    # 2025-08 (4 communes; 2024 summed through the crosswalk, rates from the sums).
    before = published_samples / "published" / "2024-07" / "clean_rate_history.csv"
    assert before.read_bytes() == (GOLDEN / "clean_rate_history-2024-07.csv").read_bytes()
    after = reorganised / "2025-08" / "clean_rate_history.csv"
    assert after.read_bytes() == (GOLDEN / "clean_rate_history-2025-08.csv").read_bytes()
    lines = after.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "period,unit_code,unit_name,total_children,updated,cleaned,clean_rate_pct"
    assert [line.split(",")[0] for line in lines[1:]] == ["2024-06"] * 5 + ["2024-07"] * 5 + ["2025-08"] * 5
    assert "2024-07,21952,Xã Tuy Phước,16242,13755,10991,67.67" in lines
    assert "2024-07,,Tổng cộng,45349,38106,28554,62.97" in lines


def test_titles_follow_the_date(reorganised):
    july = openpyxl.load_workbook(reorganised / "2024-07" / "phu-luc-2024-07.xlsx")
    august = openpyxl.load_workbook(reorganised / "2025-08" / "phu-luc-2025-08.xlsx")
    assert "huyện" in july.worksheets[0]["A3"].value
    assert "huyện" not in august.worksheets[0]["A3"].value and "/8/2025" in august.worksheets[0]["A3"].value
    summary = (reorganised / "2025-08" / "summary.txt").read_text(encoding="utf-8")
    assert "huyện" not in summary and "36.050/45.550" in summary and "chiếm tỷ lệ 79%" in summary
    assert "huyện" not in (reorganised / "2025-08" / "report.html").read_text(encoding="utf-8")
    table = read_docx_table(reorganised / "2025-08" / "phu-luc-2025-08.docx")
    assert [r[1] for r in table[2:6]] == list(AUGUST_2025)


def test_trends_after_the_change_compare_with_the_summed_past(reorganised):
    trends = {r["unit_name"]: r for r in rows(reorganised / "2025-08" / "trends.csv")}
    east = trends["Xã Tuy Phước Đông"]
    assert east["previous_period"] == "2024-07" and east["previous_rate_pct"] == "53.31"
    assert east["clean_rate_pct"] == "71.05" and east["change_pct_points"] == "17.74"
    assert trends["Xã Tuy Phước Bắc"]["rank"] == "1"
