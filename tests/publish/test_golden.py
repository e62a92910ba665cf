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
def test_xlsx_prints_the_letters_text_and_keeps_the_numbers_on_a_data_sheet(published_samples):
    """The appendix sheet holds the letter's text (3.158, 54,81, "-"), which no locale
    redraws; "Số liệu" holds the same figures as numbers. How they print: see
    test_as_people_see_it.py."""
    from pipelines.core.columns import COLUMNS, NUMBER_FORMATS, cell_text

    path = published_samples / "published" / "2024-07" / "phu-luc-2024-07.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Phụ lục", "Biểu đồ 1", "Biểu đồ 2", "Số liệu"]
    sheet = book.active
    assert sheet.title == "Phụ lục"
    assert sheet["A1"].value == "PHỤ LỤC"
    assert sheet["A2"].value == "Thống kê dữ liệu trẻ em địa phương trên phần mềm quản lý thông tin trẻ em"
    assert "/7/2024" in sheet["A3"].value
    headers = [c.value for c in sheet[5]]
    assert headers[2] == "Tổng số trẻ em theo báo cáo của địa phương đến tháng 7/2024"
    assert headers[7] == "Tỷ lệ trẻ em được làm sạch dữ liệu (%)"
    assert [c.value for c in sheet[6]] == ["(1)", "(2)", "(3)", "(4)", "(5) = (3) - (4)", "(6)", "(7) = (4)-(6)", "(8)"]
    golden = read_csv(GOLDEN / "appendix-2024-07.csv")
    figures = COLUMNS[2:]
    for offset, expected in enumerate(golden):
        cells = sheet[7 + offset]
        if expected["stt"]:
            assert [cells[0].value, cells[1].value] == [expected["stt"], expected["commune_name"]]
            assert not cells[2].font.b
        else:
            assert cells[0].value == "Tổng cộng" and cells[0].font.b
            assert all(c.font.b for c in cells[2:8])
        printed = [cell_text(c, float(expected[c.key]) if c.kind == "rate" else int(expected[c.key])) for c in figures]
        assert [c.value for c in cells[2:8]] == printed  # text: 3.158, 54,81, "-"
        assert all(c.data_type == "s" and c.alignment.horizontal == "right" for c in cells[2:8])
    assert [c.value for c in sheet[13][2:8]] == ["3.958", "3.304", "654", "3.304", "-", "83,48"]
    assert sheet.max_row == 6 + len(golden)
    assert sheet.page_setup.orientation == "landscape"
    # A district's appendix prints on one page (fitToWidth/fitToHeight absent mean 1).
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight in (None, 1)
    assert sheet.print_title_rows == "$5:$6"

    data = book["Số liệu"]
    assert [c.value for c in data[1]][:3] == ["TT", "Mã đơn vị", "Tên địa phương"]
    for offset, expected in enumerate(golden):
        cells = data[2 + offset]
        assert cells[0].value == (int(expected["stt"]) if expected["stt"] else None)
        assert cells[1].value == (expected["commune_code"] or None)
        assert cells[2].value == expected["commune_name"]
        for cell, column in zip(cells[3:9], figures, strict=True):
            assert cell.data_type == "n" and cell.number_format == NUMBER_FORMATS[column.kind]
            if column.kind == "count":
                assert cell.value == int(expected[column.key]) and isinstance(cell.value, int)
            else:
                assert f"{cell.value:.2f}" == expected[column.key]
    assert data.max_row == 1 + len(golden)


@pytest.mark.e2e
def test_markdown_shows_vietnamese_numbers(published_samples):
    text = (published_samples / "published" / "2024-07" / "appendix.md").read_text(encoding="utf-8")
    assert "| 1 | Phước Hưng | 3.158 | 2.583 | 575 | 1.731 | 852 | 54,81 |" in text
    assert "| 7 | Phước Hiệp | 3.958 | 3.304 | 654 | 3.304 | - | 83,48 |" in text
    assert "45.349 | 38.106 | 7.243 | 28.554 | 9.552 | 62,97" in text
