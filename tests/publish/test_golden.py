"""The bundled July 2024 samples republish the letter's appendix, cell for cell."""

import csv
from pathlib import Path

import openpyxl
import pytest
from helpers import GOLDEN

LETTER_TOTALS = {"total_children": 45349, "updated": 38106, "not_updated": 7243, "cleaned": 28554, "not_cleaned": 9552}


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_golden_file_is_the_letters_table():
    """The golden file (typed from the letter) is self-consistent with the letter's formulas."""
    rows = read_csv(GOLDEN / "appendix-2024-07.csv")
    units, total = rows[:-1], rows[-1]
    assert len(units) == 13
    for row in units:
        t, u, c = int(row["total_children"]), int(row["updated"]), int(row["cleaned"])
        assert int(row["not_updated"]) == t - u and int(row["not_cleaned"]) == u - c
    assert {k: int(total[k]) for k in LETTER_TOTALS} == LETTER_TOTALS
    assert {k: sum(int(r[k]) for r in units) for k in LETTER_TOTALS} == LETTER_TOTALS
    # The letter prints the district rate rounded to a whole percent ("63"); the contract
    # asks for two decimals: 28.554 / 45.349 = 62,97 %.
    assert total["clean_rate_pct"] == "62.97" and round(float(total["clean_rate_pct"])) == 63


@pytest.mark.e2e
def test_appendix_csv_matches_the_letter_byte_for_byte(published_samples):
    published = published_samples / "published" / "2024-07" / "appendix.csv"
    assert published.read_bytes() == (GOLDEN / "appendix-2024-07.csv").read_bytes()


@pytest.mark.e2e
def test_appendix_csv_contract(published_samples):
    text = (published_samples / "published" / "2024-07" / "appendix.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == (
        "stt,commune_code,commune_name,total_children,updated,not_updated,cleaned,not_cleaned,clean_rate_pct"
    )
    assert text.splitlines()[-1] == ",,Tổng cộng,45349,38106,7243,28554,9552,62.97"


@pytest.mark.e2e
def test_xlsx_has_the_letters_values_and_formats(published_samples):
    path = published_samples / "published" / "2024-07" / "phu-luc-2024-07.xlsx"
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A1"].value == "PHỤ LỤC"
    assert sheet["A2"].value == "Thống kê dữ liệu trẻ em địa phương trên phần mềm quản lý thông tin trẻ em"
    assert "/7/2024" in sheet["A3"].value
    headers = [c.value for c in sheet[5]]
    assert headers[2] == "Tổng số trẻ em theo báo cáo của địa phương đến tháng 7/2024"
    assert headers[7] == "Tỷ lệ trẻ em được làm sạch dữ liệu (%)"
    assert [c.value for c in sheet[6]] == ["(1)", "(2)", "(3)", "(4)", "(5) = (3) - (4)", "(6)", "(7) = (4)-(6)", "(8)"]
    golden = read_csv(GOLDEN / "appendix-2024-07.csv")
    for offset, expected in enumerate(golden):
        cells = sheet[7 + offset]
        if expected["stt"]:
            assert cells[0].value == int(expected["stt"])
            assert cells[1].value == expected["commune_name"]
        else:
            assert cells[0].value == "Tổng cộng" and cells[0].font.b
            assert all(c.font.b for c in cells[2:8])
        for cell, key in zip(
            cells[2:7], ["total_children", "updated", "not_updated", "cleaned", "not_cleaned"], strict=True
        ):
            assert cell.value == int(expected[key]) and isinstance(cell.value, int)
            assert cell.number_format == '#,##0;-#,##0;"-"'
        assert f"{cells[7].value:.2f}" == expected["clean_rate_pct"]
        assert cells[7].number_format == "0.00"
    assert sheet.max_row == 6 + len(golden)
    assert sheet.page_setup.orientation == "landscape"
    # One page wide (fitToWidth absent means 1 in OOXML), as many pages tall as needed.
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0


@pytest.mark.e2e
def test_markdown_shows_vietnamese_numbers(published_samples):
    text = (published_samples / "published" / "2024-07" / "appendix.md").read_text(encoding="utf-8")
    assert "| 1 | Phước Hưng | 3.158 | 2.583 | 575 | 1.731 | 852 | 54,81 |" in text
    assert "| 7 | Phước Hiệp | 3.958 | 3.304 | 654 | 3.304 | - | 83,48 |" in text
    assert "45.349 | 38.106 | 7.243 | 28.554 | 9.552 | 62,97" in text
