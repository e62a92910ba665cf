"""phu-luc-<period>.docx: opened back, its table equals appendix.csv; the official layout."""

import csv

from docx import Document
from docx.enum.section import WD_ORIENT

from pipelines.appendix_docx import read_docx_table
from pipelines.appendix_xlsx import NUMBERING, column_headers
from pipelines.numbers import count_expr, rate_expr


def vn_to_csv(text: str, rate: bool = False) -> str:
    """A cell as printed ("3.158", "-", "54,81") back to appendix.csv's notation."""
    import polars as pl

    value = pl.select((rate_expr if rate else count_expr)(pl.lit(text))).item()
    return f"{value:.2f}" if rate else str(value)


def test_docx_table_equals_appendix_csv(published_samples):
    folder = published_samples / "published" / "2024-07"
    with open(folder / "appendix.csv", encoding="utf-8", newline="") as f:
        expected = list(csv.DictReader(f))
    table = read_docx_table(folder / "phu-luc-2024-07.docx")
    assert table[0] == column_headers("2024-07")
    assert table[1] == NUMBERING
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
