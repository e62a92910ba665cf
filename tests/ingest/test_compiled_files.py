"""A province's files: names that repeat in the scope told apart by code or district,
compiled tables with district subtotals, and the lines under a table (footers)."""

import pytest
from corpus import xlsx
from helpers import HEADER

from pipelines.core import settings
from pipelines.core.scope import configure_data_dir, configured_scope
from pipelines.core.units import units_valid_in
from pipelines.ingest.submissions import parse_submission

CODE_HEADER = [
    "TT",
    "Mã xã",
    "Tên địa phương",
    "Tổng số trẻ em",
    "Số trẻ em đã được cập nhật dữ liệu",
    "Số trẻ em đã làm sạch dữ liệu",
]


@pytest.fixture
def gia_lai(tmp_path, monkeypatch):
    """The units of today's Gia Lai as they were in 2024-07 (its scope in a data directory)."""
    assert configure_data_dir(tmp_path / "data", "52") is None
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(tmp_path / "data"))
    return units_valid_in(configured_scope().units, "2024-07")


def parse(rows, units, title=None):
    return parse_submission(xlsx(rows, merge_title=title), ".xlsx", units, "2024-07")


def test_a_repeated_name_without_code_or_district_is_rejected_naming_the_candidates(gia_lai):
    parsed = parse([HEADER, [1, "Phường Ngô Mây", 100, 90, 80]], gia_lai)
    assert parsed.rows.is_empty()
    (rejection,) = parsed.rejections.to_dicts()
    assert rejection["code"] == "AMBIGUOUS_UNIT"
    assert "Phường Ngô Mây (Thành phố Quy Nhơn, mã 21577)" in rejection["message"]
    assert "Phường Ngô Mây (Thị xã An Khê, mã 23633)" in rejection["message"]


def test_a_code_column_or_the_district_tells_repeated_names_apart(gia_lai):
    by_code = parse([CODE_HEADER, [1, "23633", "Phường Ngô Mây", 100, 90, 80]], gia_lai)
    assert by_code.rows["unit_code"].to_list() == ["23633"] and by_code.rejections.is_empty()
    by_title = parse([HEADER, [1, "Ngô Mây", 100, 90, 80]], gia_lai, title="UBND HUYỆN PHÙ CÁT")
    assert by_title.rows["unit_code"].to_list() == ["21853"] and by_title.rejections.is_empty()


def test_a_compiled_table_checks_its_subtotals_and_never_takes_them_as_units(gia_lai):
    rows = [
        HEADER,
        ["I", "Thị xã An Khê", 150, 130, 110],
        [1, "Phường Ngô Mây", 100, 90, 80],
        [2, "Phường An Phú", 50, 40, 30],
        ["II", "Thành phố Quy Nhơn", 999, 90, 80],
        [3, "Phường Ngô Mây", 100, 90, 80],
        [None, "Tổng cộng", 250, 220, 190],
        [],
        ["Người lập biểu", None, None, "Chủ tịch UBND tỉnh"],
        [None, "(Ký, ghi rõ họ tên)", None, "(Ký tên, đóng dấu)"],
    ]
    parsed = parse(rows, gia_lai)
    assert "21577" in parsed.rows["unit_code"].to_list() and "23633" in parsed.rows["unit_code"].to_list()
    codes = parsed.rejections["code"].to_list()
    assert codes == ["SUBTOTAL_ROW_MISMATCH"]  # Quy Nhơn's 999; nothing about the footer lines
    assert "Thành phố Quy Nhơn" in parsed.rejections["message"][0]


def test_a_signature_block_is_no_row_of_figures_but_an_unknown_unit_still_is(gia_lai):
    rows = [
        HEADER,
        [1, "Phường Ngô Mây", 100, 90, 80],
        [],
        ["Người lập biểu", None, None, "Chủ tịch UBND xã"],
        [None, "Nguyễn Văn A", None, "Trần Thị B"],
        [2, "Xã Không Có", 10, 5, 1],
    ]
    parsed = parse(rows, gia_lai, title="UBND THÀNH PHỐ QUY NHƠN")
    assert parsed.rows["unit_code"].to_list() == ["21577"]
    assert parsed.rejections["code"].to_list() == ["UNKNOWN_UNIT"]
    assert "Không Có" in parsed.rejections["message"][0]
