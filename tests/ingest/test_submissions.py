"""Parsing one file into figures and rejections, on workbooks built in the test."""

import pytest
from helpers import HEADER, workbook, workbook_sheets

from pipelines.core.scope import configured_scope
from pipelines.core.units import units_valid_in
from pipelines.ingest.submissions import parse_submission


@pytest.fixture(scope="module")
def units():
    return units_valid_in(configured_scope().units, "2024-07")


def test_simple_template(units):
    parsed = parse_submission(workbook([HEADER, [1, "Phước Hưng", 3158, 2583, 1731]]), ".xlsx", units)
    assert parsed.rejections.is_empty()
    assert parsed.rows.select("unit_code", "total_children", "updated", "cleaned").rows() == [
        ("21961", 3158, 2583, 1731)
    ]


def test_text_numbers_and_title_rows(units):
    rows = [
        ["PHỤ LỤC"],
        [],
        HEADER,
        ["(1)", "(2)", "(3)", "(4)", "(6)"],
        [1, "Xã Phước Hưng", "3.158", "2.583", "1.731"],
    ]
    parsed = parse_submission(workbook(rows), ".xlsx", units)
    assert parsed.rejections.is_empty()
    assert parsed.rows["total_children"].to_list() == [3158]


def test_cleaned_above_updated_is_rejected_and_kept_out(units):
    rows = [HEADER, [1, "Phước Hưng", 3158, 2583, 1731], [2, "Phước Quang", 2987, 2000, 2345]]
    parsed = parse_submission(workbook(rows), ".xlsx", units)
    assert parsed.rows["unit_code"].to_list() == ["21961"]
    assert parsed.rejections.select("row_number", "unit_code", "code").rows() == [(3, "21964", "CLEANED_GT_UPDATED")]
    assert "(6)" in parsed.rejections["message"][0]


def test_updated_above_total(units):
    parsed = parse_submission(workbook([HEADER, [1, "Phước Hưng", 100, 200, 50]]), ".xlsx", units)
    assert parsed.rejections["code"].to_list() == ["UPDATED_GT_TOTAL"]


@pytest.mark.parametrize(
    "value, code",
    [
        ("năm nghìn", "NOT_A_NUMBER"),
        (3624.5, "NOT_WHOLE_NUMBER"),
        ("3624,5", "NOT_WHOLE_NUMBER"),
        (-5, "NEGATIVE_NUMBER"),
        (None, "MISSING_VALUE"),
    ],
)
def test_bad_counts(units, value, code):
    parsed = parse_submission(workbook([HEADER, [1, "Phước Hưng", value, 10, 5]]), ".xlsx", units)
    assert parsed.rows.is_empty()
    assert parsed.rejections["code"].to_list() == [code]


def test_unknown_unit_suggests_the_closest(units):
    parsed = parse_submission(workbook([HEADER, [1, "Phước Hưngg", 10, 5, 1]]), ".xlsx", units)
    assert parsed.rejections["code"].to_list() == ["UNKNOWN_UNIT"]
    assert "Phước Hưng" in parsed.rejections["message"][0]


def test_inconsistent_derived_columns(units):
    header = HEADER[:4] + [
        "Số trẻ em chưa được cập nhật dữ liệu",
        "Số trẻ em đã làm sạch dữ liệu",
        "Số trẻ em chưa làm sạch dữ liệu",
        "Tỷ lệ trẻ em được làm sạch dữ liệu (%)",
    ]
    good = [1, "Phước Hưng", 3158, 2583, 575, 1731, 852, "54,81"]
    zero_dash = [7, "Phước Hiệp", 3958, 3304, 654, 3304, "-", 83.48]
    bad = [2, "Phước Quang", 2987, 2873, 100, 2345, 528, "78,51"]
    parsed = parse_submission(workbook([header, good, zero_dash, bad]), ".xlsx", units)
    assert sorted(parsed.rows["unit_code"].to_list()) == ["21961", "21973"]
    assert parsed.rejections["code"].to_list() == ["INCONSISTENT_NOT_UPDATED"]


def test_compiled_appendix_total_row_is_checked_not_ingested(units):
    rows = [
        HEADER,
        [1, "Phước Hưng", 3158, 2583, 1731],
        [2, "Phước Quang", 2987, 2873, 2345],
        [None, "Tổng cộng", 6145, 5456, 4000],
    ]
    parsed = parse_submission(workbook(rows), ".xlsx", units)
    assert parsed.rows.height == 2
    assert parsed.rejections["code"].to_list() == ["TOTAL_ROW_MISMATCH"]


def test_same_unit_twice(units):
    same = parse_submission(
        workbook([HEADER, [1, "Phước Hưng", 10, 5, 1], [2, "Phuoc Hung", 10, 5, 1]]), ".xlsx", units
    )
    assert same.rows.height == 1 and same.rejections.is_empty()
    differ = parse_submission(
        workbook([HEADER, [1, "Phước Hưng", 10, 5, 1], [2, "Phuoc Hung", 10, 6, 1]]), ".xlsx", units
    )
    assert differ.rows.is_empty()
    assert differ.rejections["code"].to_list() == ["DUPLICATE_UNIT_CONFLICT"] * 2


def test_missing_required_column(units):
    parsed = parse_submission(workbook([HEADER[:4], [1, "Phước Hưng", 10, 5]]), ".xlsx", units)
    assert parsed.rejections["code"].to_list() == ["MISSING_COLUMN"]
    assert "(6)" in parsed.rejections["message"][0]


@pytest.mark.parametrize(
    "data, suffix, code",
    [
        (b"", ".xlsx", "EMPTY_FILE"),
        (b"%PDF-1.4 ...", ".pdf", "UNSUPPORTED_TYPE"),
        (b"\x00\x01garbage" * 50, ".xlsx", "NOT_A_SPREADSHEET"),
    ],
)
def test_unreadable_files(units, data, suffix, code):
    parsed = parse_submission(data, suffix, units)
    assert parsed.rows.is_empty()
    assert parsed.rejections["code"].to_list() == [code]


def test_no_header(units):
    parsed = parse_submission(workbook([["xin chào"], ["không có bảng"]]), ".xlsx", units)
    assert parsed.rejections["code"].to_list() == ["NO_HEADER"]


def test_semicolon_csv(units):
    text = "TT;Tên địa phương;Tổng số trẻ em;Đã cập nhật;Đã làm sạch\n1;Phước Hưng;3.158;2.583;1.731\n"
    parsed = parse_submission(text.encode("utf-8-sig"), ".csv", units)
    assert parsed.rejections.is_empty()
    assert parsed.rows.select("total_children", "updated", "cleaned").row(0) == (3158, 2583, 1731)


def test_a_bad_row_on_a_second_sheet_is_reported_not_dropped(units):
    data = workbook_sheets(
        [[HEADER, [1, "Phước Hưng", 3158, 2583, 1731]], [HEADER, [1, "Phước Quang", 2987, 2873, 9999]]]
    )
    parsed = parse_submission(data, ".xlsx", units)
    assert parsed.rows["unit_code"].to_list() == ["21961"]
    assert parsed.rejections["code"].to_list() == ["CLEANED_GT_UPDATED"]


def test_an_empty_template_sheet_beside_the_real_one_says_nothing(units):
    data = workbook_sheets([[HEADER], [HEADER, [1, "Phước Quang", 2987, 2873, 9999]]])
    parsed = parse_submission(data, ".xlsx", units)
    assert parsed.rejections["code"].to_list() == ["CLEANED_GT_UPDATED"]


def test_the_same_unit_on_two_sheets_with_different_figures_is_rejected(units):
    data = workbook_sheets(
        [[HEADER, [1, "Phước Hưng", 3158, 2583, 1576]], [HEADER, [1, "Phước Hưng", 3158, 2583, 1731]]]
    )
    parsed = parse_submission(data, ".xlsx", units)
    assert parsed.rows.is_empty()
    assert parsed.rejections["code"].to_list() == ["DUPLICATE_UNIT_CONFLICT"] * 2
    same = parse_submission(workbook_sheets([[HEADER, [1, "Phước Hưng", 3158, 2583, 1731]]] * 2), ".xlsx", units)
    assert same.rows.height == 1 and same.rejections.is_empty()


def test_figures_without_a_unit_name(units):
    parsed = parse_submission(workbook([HEADER, [1, None, 3158, 2583, 1731]]), ".xlsx", units)
    assert parsed.rejections.select("row_number", "code").rows() == [(2, "MISSING_UNIT_NAME")]
    assert "Dòng 2 có số liệu nhưng không ghi tên địa phương" in parsed.rejections["message"][0]
