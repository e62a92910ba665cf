import polars as pl
import pytest

from pipelines.headers import field_of, find_header


@pytest.mark.parametrize(
    "cell, field",
    [
        ("TT", "stt"),
        ("Tên địa phương", "unit_name"),
        ("Tổng số trẻ em theo báo cáo của địa phương đến tháng 7/2024", "total_children"),
        ("Tổng số trẻ em", "total_children"),
        ("TONG SO TRE EM", "total_children"),
        ("Số trẻ em đã được cập nhật dữ liệu", "updated"),
        ("Số trẻ em chưa được cập nhật dữ liệu", "not_updated"),
        ("Số trẻ em đã làm sạch dữ liệu", "cleaned"),
        ("Số đã làm sạch", "cleaned"),
        ("So tre em chua lam sach du lieu", "not_cleaned"),
        ("Tỷ lệ trẻ em được làm sạch dữ liệu (%)", "clean_rate_pct"),
        ("  tỉ  lệ (%) ", "clean_rate_pct"),
        ("(3)", None),
        ("Ghi chú", None),
        (None, None),
    ],
)
def test_header_cells(cell, field):
    assert field_of(cell) == field


def test_header_row_found_below_title_rows():
    raw = pl.DataFrame({
        "row_number": [1, 2, 3, 4],
        "c0": ["PHỤ LỤC", None, "TT", "1"],
        "c1": [None, None, "Tên địa phương", "Phước Hưng"],
        "c2": [None, None, "Tổng số trẻ em", "3158"],
        "c3": [None, None, "Đã cập nhật", "2583"],
    })
    header = find_header(raw)
    assert header.row_number == 3
    assert header.columns == {"stt": "c0", "unit_name": "c1", "total_children": "c2", "updated": "c3"}
    assert header.missing == ["cleaned"]
