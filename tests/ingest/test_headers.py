import pytest

from pipelines.ingest.headers import field_of, find_header


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
    rows = [
        ["PHỤ LỤC", None, None, None],
        [None, None, None, None],
        ["TT", "Tên địa phương", "Tổng số trẻ em", "Đã cập nhật"],
        ["1", "Phước Hưng", "3158", "2583"],
    ]
    header = find_header(rows)
    assert header.row_number == 3
    assert header.columns == {"stt": 0, "unit_name": 1, "total_children": 2, "updated": 3}
    assert header.missing == ["cleaned"]
