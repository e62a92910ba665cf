"""A province's appendix grouped by district (issue 16): the rows as printed, a subtotal
after each district's units, and how the workbook, the Word table, appendix.md and
report.html print them, with the units' codes when asked."""

import datetime as dt
import io
import pickle
import re
from functools import partial

import openpyxl
import polars as pl
import pytest

from pipelines.core.columns import COUNT_COLUMNS, printed_rows, shown_columns
from pipelines.core.numbers import format_vn_rate
from pipelines.core.scope import load_scope
from pipelines.publish.appendix import (
    DISTRICT,
    TOTAL,
    UNIT,
    build_appendix,
    district_names,
    grouped_by_district,
    subtotal_name,
    total_row,
    units_rows,
)
from pipelines.publish.csv_text import appendix_csv

PERIOD = "2024-07"
TEXTS = {"title": "Thống kê dữ liệu trẻ em", "attachment_line": "(Kèm theo Công văn ngày /{month}/{year})"}
CREATED = dt.datetime(2024, 8, 1)
SILENT_DISTRICT = "546"  # Vĩnh Thạnh: none of its units has reported


@pytest.fixture(scope="module")
def province() -> pl.DataFrame:
    """Gia Lai's 373 communes of 2024-07 (scope "52"), in the scope's order."""
    return load_scope({"scope": {"code": "52"}}).units_in(PERIOD)


@pytest.fixture(scope="module")
def appendix(province) -> pl.DataFrame:
    """Invented figures: every seventh unit and Vĩnh Thạnh's have not reported."""
    reported = province.with_row_index("i").filter(
        (pl.col("i") % 7 != 3) & (pl.col("district_code") != SILENT_DISTRICT)
    )
    i = pl.col("i").cast(pl.Int64)
    snapshot = reported.select(
        "unit_code",
        (1000 + i * 37 % 900).alias("total_children"),
        (800 + i * 11 % 200).alias("updated"),
        (300 + i * 29 % 500).alias("cleaned"),
    )
    return build_appendix(snapshot, province)


@pytest.fixture(scope="module")
def groups(appendix, province) -> pl.DataFrame:
    grouped = grouped_by_district(appendix, province, district_names(PERIOD))
    assert grouped is not None
    return grouped


def rate(cleaned: int, total: int) -> str:
    """(6) / (3) × 100, rounded half-up to two decimals, as the letter prints it (the float
    Polars divides out may be 43.910000000000004 for 43.91)."""
    return format_vn_rate((cleaned * 20000 + total) // (total * 2) / 100 if total else None)


def test_every_unit_once_by_district_then_in_its_order_numbered_again(groups, appendix, province):
    units = groups.filter(pl.col("row_kind") == UNIT)
    assert units.height == province.height == 373
    assert sorted(units["commune_code"]) == sorted(units_rows(appendix)["commune_code"])
    assert units["stt"].to_list() == list(range(1, 374))
    where = dict(province.select("unit_code", "district_code").iter_rows())
    order = dict(province.select("unit_code", "appendix_order").iter_rows())
    keys = [(where[code], order[code]) for code in units["commune_code"]]
    assert keys == sorted(keys) and units["district_code"].to_list() == [k[0] for k in keys]
    # The same figures as the appendix's row of each unit.
    joined = units.join(appendix, on="commune_code", suffix="_appendix")
    for column in [*COUNT_COLUMNS, "clean_rate_pct", "note", "commune_name"]:
        assert joined[column].to_list() == joined[f"{column}_appendix"].to_list(), column


def test_a_subtotal_after_each_district_its_units_sums_the_total_the_units(groups, appendix):
    kinds = groups["row_kind"].to_list()
    assert kinds[-1] == TOTAL and kinds.count(TOTAL) == 1
    districts = groups.filter(pl.col("row_kind") == DISTRICT)
    assert districts.height == 28  # Bình Định's 11 districts and Gia Lai's 17, before 2025-07
    assert districts["district_code"].to_list() == sorted(districts["district_code"])
    # Each subtotal follows its district's last unit, and sums its units.
    current: list[dict] = []
    for row in groups.iter_rows(named=True):
        if row["row_kind"] == UNIT:
            assert not current or current[-1]["district_code"] == row["district_code"]
            current.append(row)
            continue
        if row["row_kind"] == TOTAL:
            assert current == []
            break
        assert current and current[-1]["district_code"] == row["district_code"]
        assert row["stt"] is None and row["commune_code"] is None and row["note"] is None
        for column in COUNT_COLUMNS:
            assert row[column] == sum(unit[column] or 0 for unit in current), column
        assert format_vn_rate(row["clean_rate_pct"]) == rate(row["cleaned"], row["total_children"])
        current = []
    silent = districts.filter(pl.col("district_code") == SILENT_DISTRICT).row(0, named=True)
    assert silent["commune_name"] == "Cộng huyện Vĩnh Thạnh"
    assert silent["total_children"] == 0 and silent["clean_rate_pct"] is None  # as a total nobody reported to
    # The grand total is the appendix's: the sum of the units, never of units and subtotals.
    units = groups.filter(pl.col("row_kind") == UNIT)
    total = groups.row(-1, named=True)
    assert {k: total[k] for k in appendix.columns} == total_row(appendix)
    for column in COUNT_COLUMNS:
        assert total[column] == units[column].sum() == districts[column].sum(), column
    assert format_vn_rate(total["clean_rate_pct"]) == rate(total["cleaned"], total["total_children"])


def test_subtotals_are_named_from_the_district(groups):
    names = dict(groups.filter(pl.col("row_kind") == DISTRICT).select("district_code", "commune_name").iter_rows())
    assert names["540"] == "Cộng thành phố Quy Nhơn"
    assert names["542"] == "Cộng huyện An Lão"
    assert names["543"] == "Cộng thị xã Hoài Nhơn"
    assert names["550"] == "Cộng huyện Tuy Phước"
    assert names["622"] == "Cộng thành phố Pleiku"


@pytest.mark.parametrize(
    ("name", "kind", "label"),
    [
        ("Huyện Tuy Phước", "huyện", "Cộng huyện Tuy Phước"),
        ("Thị xã An Nhơn", "thị xã", "Cộng thị xã An Nhơn"),
        ("Thành phố Quy Nhơn", "thành phố", "Cộng thành phố Quy Nhơn"),
        ("Quận 1", "quận", "Cộng quận 1"),
        ("Tuy Phước", "huyện", "Cộng huyện Tuy Phước"),
        ("Huyện Tuy Phước", None, "Cộng Huyện Tuy Phước"),
    ],
)
def test_subtotal_name(name, kind, label):
    assert subtotal_name(name, kind) == label


def reported_by_all(units: pl.DataFrame) -> pl.DataFrame:
    snapshot = units.select("unit_code", total_children=pl.lit(100), updated=pl.lit(90), cleaned=pl.lit(45))
    return build_appendix(snapshot, units)


def test_nothing_to_group_after_2025_07_in_one_district_or_without_districts(appendix, province):
    new_units = load_scope({"scope": {"code": "52"}}).units_in("2025-08")
    assert new_units.height == 135 and new_units["district_code"].null_count() == 135
    assert grouped_by_district(reported_by_all(new_units), new_units, district_names("2025-08")) is None
    tuy_phuoc = load_scope({"scope": {"code": "550"}}).units_in(PERIOD)  # one district: its subtotal is the total
    assert grouped_by_district(reported_by_all(tuy_phuoc), tuy_phuoc, district_names(PERIOD)) is None
    assert grouped_by_district(appendix, province.drop("district_code"), district_names(PERIOD)) is None


def test_the_appendix_and_appendix_csv_stay_the_units_and_the_total(appendix, province):
    before, csv = appendix.clone(), appendix_csv(appendix)
    grouped_by_district(appendix, province, district_names(PERIOD))
    assert appendix.equals(before) and appendix_csv(appendix) == csv
    assert appendix.height == 374


def test_markdown_prints_the_subtotals_bold_and_the_codes(appendix, groups):
    from pipelines.publish.appendix_md import appendix_markdown

    plain = appendix_markdown(appendix, PERIOD, "T")
    assert appendix_markdown(appendix, PERIOD, "T", groups=None, show_codes=False) == plain
    lines = appendix_markdown(appendix, PERIOD, "T", groups=groups, show_codes=True).splitlines()
    assert lines[2].startswith("| TT | Mã | Tên địa phương | Tổng số trẻ em (3) |") and lines[2].endswith("| Ghi chú |")
    assert lines[3].startswith("|:---:|:---:|---|---:|")
    body = lines[4:]
    assert len(body) == 373 + 28 + 1
    assert body[0].startswith("| 1 | 21550 | Phường Nhơn Bình | ")
    quy_nhon = next(i for i, line in enumerate(body) if "Cộng thành phố Quy Nhơn" in line)
    assert body[quy_nhon].startswith("|  |  | **Cộng thành phố Quy Nhơn** | ")
    assert body[quy_nhon + 1].startswith("| 18 | 21609 | Thị trấn An Lão | ")
    assert body[-1].startswith("|  |  | **Tổng cộng** | ")
    assert sum("| **Cộng " in line for line in body) == 28
    # Codes without groups: in the unit rows, never the total's.
    codes_only = appendix_markdown(appendix, PERIOD, "T", show_codes=True).splitlines()[4:]
    assert len(codes_only) == 374 and codes_only[-1].startswith("|  |  | **Tổng cộng** |")


def test_report_html_prints_the_subtotals_like_the_total(appendix, groups):
    from pipelines.publish.report_html import appendix_table

    assert appendix_table(appendix, PERIOD, None, False) == appendix_table(appendix, PERIOD)
    html = appendix_table(appendix, PERIOD, groups, show_codes=True)
    rows = re.findall(r"<tr([^>]*)>(.*?)</tr>", html)
    head = re.findall(r"<th>(.*?)</th>", rows[0][1])
    assert head[:3] == ["TT", "Mã", "Tên địa phương"]
    body = rows[2:]
    assert len(body) == 373 + 28 + 1
    subtotals = [cells for css, cells in body if css == ' class="total subtotal"']
    assert len(subtotals) == 28
    assert subtotals[0].startswith('<td colspan="3" class="center">Cộng thành phố Quy Nhơn</td><td class="num">')
    assert body[-1][0] == ' class="total"' and body[-1][1].startswith('<td colspan="3" class="center">Tổng cộng</td>')
    assert '<td class="center">1</td><td class="center">21550</td><td>Phường Nhơn Bình</td>' in body[0][1]
    grouped_only = appendix_table(appendix, PERIOD, groups)
    assert '<tr class="total subtotal"><td colspan="2" class="center">Cộng huyện An Lão</td>' in grouped_only


def test_workbook_prints_the_subtotals_on_the_appendix_sheet_the_data_sheet_stays_appendix_csv(appendix, groups):
    from pipelines.publish.appendix_xlsx import appendix_xlsx_bytes

    data = appendix_xlsx_bytes(appendix, PERIOD, TEXTS, CREATED, None, groups, True)
    assert data == appendix_xlsx_bytes(appendix, PERIOD, TEXTS, CREATED, groups=groups, show_codes=True)
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Phụ lục"]
    assert [sheet.cell(5, c).value for c in (1, 2, 3)] == ["TT", "Mã", "Tên địa phương"]
    assert sheet.max_row == 6 + 373 + 28 + 1
    merged = {str(r) for r in sheet.merged_cells.ranges}
    expected = printed_rows(groups, shown_columns(appendix, show_codes=True))
    for offset, cells in enumerate(expected):
        row = 7 + offset
        values = [sheet.cell(row, c + 1).value or "" for c in range(len(cells))]
        if cells[0] == "":  # a subtotal or the total: the label across TT, the code and the name, bold
            assert f"A{row}:C{row}" in merged
            assert values[0] == cells[2] and values[3:] == cells[3:]
            assert sheet.cell(row, 1).font.b and sheet.cell(row, 4).font.b
        else:
            assert values == cells
            assert not sheet.cell(row, 4).font.b
    assert sheet.cell(7 + 17, 1).value == "Cộng thành phố Quy Nhơn"
    assert sheet.column_dimensions["C"].width > 20  # "Phường Nguyễn Văn Cừ" and longer names fit
    numbers = book["Số liệu"]
    assert numbers.max_row == 1 + 374  # appendix.csv's rows: the units in official order and the total
    assert [numbers.cell(r, 2).value for r in range(2, 376)] == appendix["commune_code"].to_list()


def test_word_table_prints_the_subtotals_and_its_copied_rows_are_python_docx_rows(tmp_path, appendix, groups):
    from docx import Document

    from pipelines.publish.appendix_docx import appendix_docx_bytes, build_document, read_docx_table

    copied = appendix_docx_bytes(appendix, PERIOD, TEXTS, CREATED, True, groups, True)
    assert copied == appendix_docx_bytes(appendix, PERIOD, TEXTS, CREATED, False, groups, True)
    _, rows_xml = build_document(appendix, PERIOD, TEXTS, CREATED, groups=groups, show_codes=True)
    # The units between two subtotals go in as one spliced run each (the first unit built).
    assert len(rows_xml) == 28 and sum(xml.count("<w:tr>") for xml in rows_xml.values()) == 373 - 1
    path = tmp_path / "phu-luc.docx"
    path.write_bytes(copied)
    table = read_docx_table(path)
    assert table[0][:3] == ["TT", "Mã", "Tên địa phương"]
    expected = printed_rows(groups, shown_columns(appendix, show_codes=True))
    assert table[2:] == [cells if cells[0] else cells[2:] for cells in expected]
    rows = Document(str(path)).tables[0].rows
    subtotal = rows[2 + 17]
    assert subtotal.cells[0].text == "Cộng thành phố Quy Nhơn" and subtotal.cells[0]._tc is subtotal.cells[2]._tc
    assert all(run.bold for cell in subtotal.cells for p in cell.paragraphs for run in p.runs)
    assert not any(run.bold for cell in rows[2 + 18].cells for p in cell.paragraphs for run in p.runs)
    # Grouped without codes: the label spans TT and the name.
    plain = appendix_docx_bytes(appendix, PERIOD, TEXTS, CREATED, True, groups)
    assert plain == appendix_docx_bytes(appendix, PERIOD, TEXTS, CREATED, False, groups)


def test_the_switches_reach_a_worker(appendix, groups):
    """render.py hands the Word table and the workbook to a worker (`scale.start` passes
    positional arguments): the renderers with their switches bound travel whole."""
    from pipelines.publish.appendix_docx import appendix_docx_bytes

    bound = pickle.loads(pickle.dumps(partial(appendix_docx_bytes, groups=groups, show_codes=True)))
    assert bound(appendix, PERIOD, TEXTS, CREATED) == appendix_docx_bytes(
        appendix, PERIOD, TEXTS, CREATED, groups=groups, show_codes=True
    )
