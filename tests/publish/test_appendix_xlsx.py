"""phu-luc-<period>.xlsx as written: the sheets, their print setup, the same bytes every
time. How it prints: test_as_people_see_it.py."""

import datetime as dt
import io

import openpyxl
import polars as pl
import pytest

from pipelines.publish.appendix import build_appendix
from pipelines.publish.appendix_xlsx import ONE_PAGE_ROWS, appendix_xlsx_bytes
from pipelines.publish.charts import period_charts

TEXTS = {"title": "Thống kê", "attachment_line": "(Kèm theo Công văn ngày /{month}/{year})"}


def appendix_of(units: int) -> pl.DataFrame:
    codes = [f"{90000 + i}" for i in range(units)]
    reference = pl.DataFrame(
        {"unit_code": codes, "unit_name": [f"Xã {i + 1}" for i in range(units)], "appendix_order": range(1, units + 1)}
    )
    snapshot = pl.DataFrame(
        {"unit_code": codes, "total_children": [100 + i for i in range(units)], "updated": [90] * units}
    ).with_columns(cleaned=pl.lit(45))
    return build_appendix(snapshot, reference)


@pytest.fixture(scope="module")
def charts() -> list[bytes]:
    history = pl.DataFrame(
        {
            "period": ["2024-06", "2024-07", "2024-06", "2024-07"],
            "unit_code": ["1", "1", None, None],
            "unit_name": ["Xã 1", "Xã 1", "Tổng cộng", "Tổng cộng"],
            "clean_rate_pct": [40.0, 50.0, 40.0, 50.0],
        }
    )
    drawn = period_charts(history, "2024-07", 90.0, "Tổng cộng")
    return [drawn["xep-hang-2024-07.png"], drawn["bieu-do-ty-le-2024-07.png"]]


def test_the_same_figures_give_the_same_bytes_every_time(charts):
    """Also within one process: nothing a workbook is made with is changed by making it."""
    made = {appendix_xlsx_bytes(appendix_of(3), "2024-07", TEXTS, dt.datetime(2024, 8, 1), charts) for _ in range(3)}
    assert len(made) == 1


@pytest.mark.parametrize("units", [ONE_PAGE_ROWS - 1, ONE_PAGE_ROWS, 150])
def test_a_district_prints_on_one_page_a_province_across_and_down(units, charts):
    data = appendix_xlsx_bytes(appendix_of(units), "2024-07", TEXTS, dt.datetime(2024, 8, 1), charts)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Phụ lục", "Biểu đồ 1", "Biểu đồ 2", "Số liệu"]
    sheet = book["Phụ lục"]
    rows = units + 1  # and the total
    assert sheet.max_row == 6 + rows
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth in (None, 1)
    assert sheet.page_setup.fitToHeight == (0 if rows > ONE_PAGE_ROWS else None)  # None: one page
    assert sheet.print_title_rows == "$5:$6" and sheet.print_area == f"'Phụ lục'!$A$1:$H${6 + rows}"
    assert sheet["C7"].value == "100" and sheet["H7"].value == "45,00"  # text, the letter's form
    for name in ("Biểu đồ 1", "Biểu đồ 2"):
        chart = book[name]
        assert chart.page_setup.fitToHeight is None and chart.page_setup.fitToWidth is None  # 1 × 1
        assert chart.page_setup.orientation == "landscape"
    data_sheet = book["Số liệu"]
    assert data_sheet["D2"].value == 100 and data_sheet["I2"].value == 45.0
