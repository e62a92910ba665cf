"""phu-luc-<period>.docx: opened back, its table equals appendix.csv; the official layout."""

import csv
import io

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT

from pipelines.core.columns import COLUMNS, headers
from pipelines.core.numbers import count_expr, rate_expr
from pipelines.publish.appendix_docx import read_docx_table


def vn_to_csv(text: str, rate: bool = False) -> str:
    """A cell as printed ("3.158", "-", "54,81") back to appendix.csv's notation."""
    import polars as pl

    value = pl.select((rate_expr if rate else count_expr)(pl.lit(text))).item()
    return f"{value:.2f}" if rate else str(value)


@pytest.mark.e2e
def test_docx_table_equals_appendix_csv(published_samples):
    folder = published_samples / "published" / "2024-07"
    with open(folder / "appendix.csv", encoding="utf-8", newline="") as f:
        expected = list(csv.DictReader(f))
    table = read_docx_table(folder / "phu-luc-2024-07.docx")
    assert table[0] == headers("2024-07")
    assert table[1] == [c.number for c in COLUMNS]
    body = table[2:]
    assert len(body) == len(expected) == 14
    counts = ["total_children", "updated", "not_updated", "cleaned", "not_cleaned"]
    for cells, row in zip(body, expected, strict=True):
        if row["stt"]:
            stt, name, figures = cells[0], cells[1], cells[2:]
            assert stt == row["stt"]
        else:  # The total row: TT and name merged into one cell "Tổng cộng".
            stt, name, figures = "", cells[0], cells[1:]
        assert name == row["commune_name"]
        assert [vn_to_csv(c) for c in figures[:5]] == [row[k] for k in counts]
        assert vn_to_csv(figures[5], rate=True) == row["clean_rate_pct"]


@pytest.mark.e2e
def test_docx_layout(published_samples):
    document = Document(str(published_samples / "published" / "2024-07" / "phu-luc-2024-07.docx"))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert document.paragraphs[0].text == "PHỤ LỤC"
    assert "7/2024" in document.paragraphs[2].text
    table = document.tables[0]
    total = table.rows[-1]
    assert total.cells[0].text == "Tổng cộng"
    assert all(run.bold for cell in total.cells for p in cell.paragraphs for run in p.runs)
    assert not any(run.bold for cell in table.rows[2].cells for p in cell.paragraphs for run in p.runs)
    assert document.core_properties.title == "Phụ lục tháng 7/2024"


def test_copied_unit_rows_read_and_look_like_rows_built_cell_by_cell(tmp_path):
    """Rows after the first unit's are copies of it with new texts: the same formatting,
    and any text (empty cells, spaces at the ends, a tab, a line break) as written."""
    import datetime as dt

    import polars as pl

    from pipelines.core.columns import printed_rows
    from pipelines.publish.appendix_docx import appendix_docx_bytes

    names = ["Xã Một", " Phường  Hai ", "Thị trấn\tBa", "Xã\nBốn", "Xã Năm"]
    appendix = pl.DataFrame(
        {
            "stt": [1, 2, 3, 4, 5, None],
            "commune_code": ["1", "2", "3", "4", "5", None],
            "commune_name": [*names, "Tổng cộng"],
            "total_children": [10, 20, None, 0, 1234, 1264],
            "updated": [9, 20, None, 0, 1000, 1029],
            "not_updated": [1, 0, None, 0, 234, 235],
            "cleaned": [8, 20, None, 0, 999, 1027],
            "not_cleaned": [1, 0, None, 0, 1, 2],
            "clean_rate_pct": [80.0, 100.0, None, None, 80.96, 81.25],
            "note": [None, None, "Chưa báo cáo", None, None, None],
        }
    )
    path = tmp_path / "a.docx"
    path.write_bytes(
        appendix_docx_bytes(
            appendix, "2024-07", {"title": "T", "attachment_line": "{month}/{year}"}, dt.datetime(2024, 8, 1)
        )
    )
    expected = printed_rows(appendix)
    assert read_docx_table(path)[2:] == [*expected[:-1], [expected[-1][1], *expected[-1][2:]]]
    table = Document(str(path)).tables[0]
    first = table.rows[2]._tr
    for row in table.rows[3:-1]:
        for tc, tc_first in zip(row._tr.tc_lst, first.tc_lst, strict=True):
            assert tc.tcPr.xml == tc_first.tcPr.xml and tc.p_lst[0].pPr.xml == tc_first.p_lst[0].pPr.xml
            assert tc.p_lst[0].r_lst[0].rPr.xml == tc_first.p_lst[0].r_lst[0].rPr.xml


@pytest.mark.parametrize("first_name", ["Xã Một", " Xã Một có dấu cách ", "Xã <Một> & Hai", "Xã Một\t", "Xã\nMột"])
@pytest.mark.parametrize("with_notes", [False, True])
def test_copied_rows_are_the_xml_python_docx_writes(first_name, with_notes):
    """Rows copied from the first unit's (as XML text, or deep copies for texts with spaces
    at the ends, tabs or line breaks) are exactly the rows python-docx builds cell by cell;
    also when the first unit's own cell holds such a text, or no text at all."""
    import datetime as dt

    import polars as pl

    from pipelines.publish.appendix_docx import appendix_docx_bytes, build_document

    names = [
        first_name,
        "Phường Hai",
        " Phường  Ba ",
        "Thị trấn\tBốn",
        "Xã\nNăm",
        "A & B <C>",
        "Xã \"Sáu\" 'Bảy'",
        "Xã <!--tre-em-rows-0--> Tám",
        "Xã Chín",
    ]
    n = len(names)
    appendix = pl.DataFrame(
        {
            "stt": [*range(1, n + 1), None],
            "commune_code": [*map(str, range(1, n + 1)), None],
            "commune_name": [*names, "Tổng cộng"],
            "total_children": [10, None, 20, 0, 1234, 7, 3, 5, 6, 1285],
            "updated": [9, None, 20, 0, 1000, 7, 3, 5, 6, 1050],
            "not_updated": [1, None, 0, 0, 234, 0, 0, 0, 0, 235],
            "cleaned": [8, None, 20, 0, 999, 7, 3, 5, 6, 1048],
            "not_cleaned": [1, None, 0, 0, 1, 0, 0, 0, 0, 2],
            "clean_rate_pct": [80.0, None, 100.0, None, 80.96, 100.0, 100.0, 100.0, 100.0, 81.56],
            "note": [None, "Chưa báo cáo", *[None] * (n - 1)] if with_notes else [None] * (n + 1),
        },
        schema_overrides={"stt": pl.Int32},
    )
    texts = {"title": "T", "attachment_line": "{month}/{year}"}
    created = dt.datetime(2024, 8, 1)
    copied = appendix_docx_bytes(appendix, "2024-07", texts, created)
    reference = appendix_docx_bytes(appendix, "2024-07", texts, created, copy_rows=False)
    assert copied == reference
    # Not vacuous: two runs of rows went in as text (around the rows copied one by one),
    # unless the first unit's name has spaces at its ends, a tab or a line break (then
    # every row is a deep copy), and the reference was built cell by cell.
    _, rows_xml = build_document(appendix, "2024-07", texts, created)
    plain_first = first_name.strip() == first_name and not any(c in first_name for c in "\t\n")
    assert len(rows_xml) == (2 if plain_first else 0)
    assert build_document(appendix, "2024-07", texts, created, copy_rows=False)[1] == {}


@pytest.mark.parametrize("units", [0, 1, 2])
def test_appendices_with_few_rows_are_built_as_python_docx_builds_them(units):
    """No unit (the total alone), one unit (nothing to copy), two (one copy)."""
    import datetime as dt

    import polars as pl

    from pipelines.publish.appendix_docx import appendix_docx_bytes

    appendix = pl.DataFrame(
        {
            "stt": [*range(1, units + 1), None],
            "commune_code": [*map(str, range(1, units + 1)), None],
            "commune_name": [*(f"Xã {i}" for i in range(1, units + 1)), "Tổng cộng"],
            **{
                c: [*range(10, 10 + units), 10 * units]
                for c in ("total_children", "updated", "not_updated", "cleaned", "not_cleaned")
            },
            "clean_rate_pct": [*([50.0] * units), 50.0],
            "note": [None] * (units + 1),
        },
        schema_overrides={"stt": pl.Int32, "note": pl.String},
    )
    texts, created = {"title": "T", "attachment_line": "{month}/{year}"}, dt.datetime(2024, 8, 1)
    copied = appendix_docx_bytes(appendix, "2024-07", texts, created)
    reference = appendix_docx_bytes(appendix, "2024-07", texts, created, copy_rows=False)
    assert copied == reference
    assert len(Document(io.BytesIO(copied)).tables[0].rows) == 2 + units + 1


def test_rows_built_between_the_copies_and_texts_xml_cannot_hold():
    """Rows with no TT between units (each built by python-docx) split the copies into
    several runs, each spliced where it belongs; a text XML cannot hold (U+FFFE) raises
    as python-docx raises, never writes a document Word cannot open."""
    import datetime as dt

    import polars as pl

    from pipelines.publish.appendix_docx import appendix_docx_bytes, build_document

    def appendix(names: list[str], stts: list[int | None]) -> pl.DataFrame:
        n = len(names)
        return pl.DataFrame(
            {
                "stt": stts,
                "commune_code": [str(i) for i in range(n)],
                "commune_name": names,
                **{c: list(range(n)) for c in ("total_children", "updated", "not_updated", "cleaned", "not_cleaned")},
                "clean_rate_pct": [50.0] * n,
                "note": [None] * n,
            },
            schema_overrides={"stt": pl.Int32, "note": pl.String},
        )

    texts, created = {"title": "T", "attachment_line": "{month}/{year}"}, dt.datetime(2024, 8, 1)
    names = ["Xã Một", "Xã Hai", "Xã Ba", "Cộng A", "Xã Bốn", "Xã Năm", "Cộng B", "Xã Sáu", "Tổng cộng"]
    split = appendix(names, [1, 2, 3, None, 4, 5, None, 6, None])
    _, rows_xml = build_document(split, "2024-07", texts, created)
    assert len(rows_xml) == 3
    copied = appendix_docx_bytes(split, "2024-07", texts, created)
    assert copied == appendix_docx_bytes(split, "2024-07", texts, created, copy_rows=False)
    assert [row.cells[1].text for row in Document(io.BytesIO(copied)).tables[0].rows[2:]] == names

    for bad in ("Xã Hai\ufffe", "Xã Hai\uffff", "Xã\x01Hai"):
        odd = appendix(["Xã Một", bad, "Xã Ba", "Tổng cộng"], [1, 2, 3, None])
        for copy_rows in (True, False):
            with pytest.raises(ValueError, match="XML compatible"):
                appendix_docx_bytes(odd, "2024-07", texts, created, copy_rows=copy_rows)


@pytest.mark.parametrize("with_notes", [False, True])
def test_the_table_grid_carries_the_cells_widths(with_notes):
    """LibreOffice lays a Word table out by its grid (w:tblGrid), Word by its cells: both
    say the same widths, the columns' (narrowed alike to fit the page with the note
    column), at a fixed layout; the header cells are centred top to bottom."""
    import datetime as dt

    import polars as pl
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.shared import Cm

    from pipelines.core.columns import NOTE
    from pipelines.publish.appendix_docx import TEXT_WIDTH_CM, appendix_docx_bytes

    appendix = pl.DataFrame(
        {
            "stt": [1, 2, 3, None],
            "commune_code": ["1", "2", "3", None],
            "commune_name": ["Xã Một", "Xã Hai", "Xã Ba", "Tổng cộng"],
            **{c: [5, 6, None, 11] for c in ("total_children", "updated", "cleaned")},
            **{c: [0, 0, None, 0] for c in ("not_updated", "not_cleaned")},
            "clean_rate_pct": [100.0, 100.0, None, 100.0],
            "note": [None, None, "Chưa báo cáo" if with_notes else None, None],
        },
        schema_overrides={"stt": pl.Int32},
    )
    data = appendix_docx_bytes(appendix, "2024-07", {"title": "T"}, dt.datetime(2024, 8, 1))
    table = Document(io.BytesIO(data)).tables[0]
    grid = [col.w for col in table._tbl.tblGrid.gridCol_lst]
    columns = [*COLUMNS, NOTE] if with_notes else list(COLUMNS)
    assert len(grid) == len(columns)
    natural = [Cm(c.width_cm) for c in columns]
    if with_notes:  # wider than the page: every column narrowed alike
        assert sum(c.width_cm for c in columns) > TEXT_WIDTH_CM
        assert abs(sum(grid) - Cm(TEXT_WIDTH_CM)) < Cm(0.1)
        assert max(abs(g / n - grid[0] / natural[0]) for g, n in zip(grid, natural, strict=True)) < 0.01
    else:
        assert [abs(g - n) < Cm(0.01) for g, n in zip(grid, natural, strict=True)] == [True] * len(grid)
    for row in table.rows:
        spans = [(tc.grid_span, tc.width) for tc in row._tr.tc_lst]
        at = 0
        for span, width in spans:
            assert width == sum(grid[at : at + span])
            at += span
        assert at == len(grid)
    assert table._tbl.tblPr.xpath("./w:tblLayout/@w:type") == ["fixed"]
    assert table._tbl.tblPr.xpath("./w:tblW/@w:w") == [str(sum(g.twips for g in grid))]
    for row in table.rows[:2]:
        assert {c.vertical_alignment for c in row.cells} == {WD_CELL_VERTICAL_ALIGNMENT.CENTER}
