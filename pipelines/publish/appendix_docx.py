"""phu-luc-<YYYY-MM>.docx: the appendix as a Word table, ready to attach to an official letter.

The letter's layout: A4 landscape, Times New Roman, "PHỤ LỤC", the scope's title and
attachment line, the column headers and the numbering row (1)…(8), one row per unit and
the bold "Tổng cộng" row (a large scope's units may go by district, each district's
bold subtotal row after its units, and their codes between TT and the name). Numbers are written as the letter prints them (3.158; 54,81;
zero as "-"). The columns have the same widths in Word and LibreOffice (the table's grid
carries the cells' widths, `_set_grid`), the cells centred top to bottom. The package is
stamped with the period's data time and fixed zip dates, so the same figures give the
same bytes.
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import itertools
import re
import zipfile
from copy import deepcopy
from pathlib import Path
from xml.sax.saxutils import escape

import polars as pl
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from lxml import etree

from pipelines.core.columns import FONT, headers, label_span, numbering_row, printed_rows, shown_columns
from pipelines.core.periods import month_label, period_start

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
PAGE_CM, MARGIN_CM = (29.7, 21.0), 1.5  # A4 landscape
TEXT_WIDTH_CM = PAGE_CM[0] - 2 * MARGIN_CM
ALIGN = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT}


def _set_font(document: Document) -> None:
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(12)
    # East-Asian and complex-script slots too, so Word never substitutes another font.
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)


def _paragraph(document: Document, text: str, bold: bool = False, italic: bool = False, size: int = 12) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)


def _cell(
    cell, text: str, bold: bool = False, italic: bool = False, align=WD_ALIGN_PARAGRAPH.RIGHT, size: int = 12
) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    run = paragraph.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)


def _set_grid(table, widths: list[float]) -> None:
    """The table's grid carries the cells' widths, at a fixed layout and the grid's total
    width: LibreOffice lays a table out by its grid (python-docx writes equal columns),
    Word by the cells; both then draw the same columns."""
    table.autofit = False
    for grid_col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        grid_col.w = Cm(width)
    tbl_width = table._tbl.tblPr.find(qn("w:tblW"))
    if tbl_width is None:
        tbl_width = table._tbl.tblPr.makeelement(qn("w:tblW"), {})
        table._tbl.tblPr.append(tbl_width)
    tbl_width.set(qn("w:type"), "dxa")
    tbl_width.set(qn("w:w"), str(sum(Cm(width).twips for width in widths)))


def _set_widths(row, widths: list[float]) -> None:
    """Each cell's width; a merged cell spans several grid columns and gets their sum."""
    spans: list[list] = []  # [cell, width]
    for cell, width in zip(row.cells, widths, strict=False):
        if spans and spans[-1][0]._tc is cell._tc:
            spans[-1][1] += width
        else:
            spans.append([cell, width])
    for cell, width in spans:
        cell.width = Cm(width)


_TC = qn("w:tc")
_RUN_IN_CELL = f"{qn('w:p')}/{qn('w:r')}"
_T, _RPR, _SPACE = qn("w:t"), qn("w:rPr"), qn("xml:space")


def _replace_text(tc, text: str) -> None:
    """A copied cell's text replaced, as python-docx's `run.text = text` writes it.

    A plain text (`_plain`), or none, in a run that holds one plain <w:t> (or nothing)
    is the same XML with other characters: set directly, without python-docx's
    per-character rebuilding (seconds for a country's 90,000 cells). Anything else goes
    through python-docx.
    """
    run = tc.find(_RUN_IN_CELL)
    content = [child for child in run if child.tag != _RPR] if run is not None else None
    plain = _plain(text)
    if content == [] and text == "":
        return
    if content is not None and len(content) == 1 and content[0].tag == _T and content[0].get(_SPACE) is None and plain:
        if text:
            content[0].text = text
        else:
            run.remove(content[0])
        return
    tc.p_lst[0].r_lst[0].text = text


# Control characters (python-docx writes a tab or a line break as its own element) and
# the characters XML cannot hold (lxml refuses them: such a row is copied through lxml,
# and raises as python-docx does).
_NOT_PLAIN = re.compile("[\x00-\x1f\ud800-\udfff\ufffe\uffff]")


def _plain(text: str) -> bool:
    """A text python-docx writes as one <w:t> with no attribute: no control character
    (tab, line break, …), no character XML cannot hold, and no space at either end."""
    return text.strip() == text and _NOT_PLAIN.search(text) is None


def _cell_frames(template) -> tuple[str, list[tuple[str, str]]] | None:
    """The template row as text around its cells' texts: (the row's opening tag with its
    namespaces, [(a cell's XML before its text, after it)]), or None when a cell is not
    one run holding one plain <w:t> (or none)."""
    if template.attrib or any(child.tag != _TC for child in template):
        return None
    for tc in template:  # a run holding a tab or a line break beside its text: not plain
        runs = tc.findall(_RUN_IN_CELL)
        if len(runs) != 1 or any(child.tag not in (_RPR, _T) for child in runs[0]):
            return None
    xml = etree.tostring(template, encoding="unicode")
    opening = xml[: xml.index(">") + 1]
    if opening.endswith("/>") or not xml.endswith("</w:tr>"):
        return None
    cells = xml[len(opening) : -len("</w:tr>")].split("</w:tc>")
    if cells[-1] != "" or len(cells) - 1 != len(template):
        return None
    frames = []
    for cell in cells[:-1]:
        if cell.count("<w:r>") != 1 or not cell.endswith("</w:r></w:p>") or "<w:t " in cell or cell.count("<w:t>") > 1:
            return None
        if "<w:t>" in cell:
            cell = cell[: cell.index("<w:t>")] + cell[cell.index("</w:t>") + len("</w:t>") :]
        end = len(cell) - len("</w:r></w:p>")
        frames.append((cell[:end], cell[end:] + "</w:tc>"))
    return opening, frames


def _copies(template, rows: list[list[str]]) -> list:
    """A copy of the template row (a <w:tr>) per row of texts, each cell's text replaced.

    Rows of plain texts are their XML text, written around the template's cells: they go
    into the document's XML as text (`_splice`), never parsed nor serialised again (a
    country has tens of thousands of cells). The others are deep copies whose
    texts are set one by one (`_replace_text`). Both are the XML python-docx writes.
    """
    if not rows:
        return []  # no unit beside the first (or none at all): nothing to copy
    frames = _cell_frames(template)
    cells_xml = frames[1] if frames is not None else None
    copies = []
    for cells in rows:
        if cells_xml is not None and all(map(_plain, cells)):
            copies.append(
                "<w:tr>"
                + "".join(
                    before + (f"<w:t>{escape(text)}</w:t>" if text else "") + after
                    for (before, after), text in zip(cells_xml, cells, strict=True)
                )
                + "</w:tr>"
            )
            continue
        row_element = deepcopy(template)
        for tc, text in zip(row_element.iterchildren(_TC), cells, strict=True):
            _replace_text(tc, text)
        copies.append(row_element)
    return copies


_MARKER = "tre-em-rows-"


def _placed(copies: list, rows_xml: dict[str, str]) -> list:
    """The copies as elements to insert: each run of rows kept as XML text becomes one
    comment, a placeholder that `_splice` replaces with the run's text (added to
    `rows_xml` under the placeholder's text)."""
    elements = []
    for is_text, run in itertools.groupby(copies, key=lambda copy: isinstance(copy, str)):
        if is_text:
            marker = f"{_MARKER}{len(rows_xml)}"
            rows_xml[marker] = "".join(run)
            elements.append(etree.Comment(marker))
        else:
            elements.extend(run)
    return elements


def _splice(document_xml: bytes, rows: dict[str, str]) -> bytes:
    """The document part's XML with each placeholder comment replaced by its rows' text.
    No text of the document can read as a comment (lxml escapes every "<" in a text)."""
    pieces = re.split(rb"<!--(" + _MARKER.encode() + rb"\d+)-->", document_xml)
    found = pieces[1::2]
    if sorted(found) != sorted(marker.encode() for marker in rows):
        raise ValueError(f"placeholders {found!r} are not the copied rows' {sorted(rows)!r}")
    for i in range(1, len(pieces), 2):
        pieces[i] = rows[pieces[i].decode()].encode("utf-8")
    return b"".join(pieces)


def build_document(
    appendix: pl.DataFrame,
    period: str,
    texts: dict,
    created: dt.datetime,
    copy_rows: bool = True,
    groups: pl.DataFrame | None = None,
    show_codes: bool = False,
) -> tuple[Document, dict[str, str]]:
    """The appendix as a python-docx Document, and the unit rows kept as XML text by their
    placeholder comment in the table (`_splice` puts them in the saved XML; only
    `appendix_docx_bytes` gives the whole document). `copy_rows=False` builds every row
    through python-docx, with no placeholder (slow: the reference the copies are tested
    against). `groups` (`appendix.grouped_by_district`), when given, are the rows printed,
    each district's subtotal built like the total; `show_codes` prints the units' codes."""
    start = period_start(period)
    columns = shown_columns(appendix, show_codes)
    span = label_span(columns)  # the cells a total's label spans: TT to the name
    document = Document()
    _set_font(document)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(MARGIN_CM))

    _paragraph(document, "PHỤ LỤC", bold=True, size=14)
    _paragraph(document, texts.get("title", ""), bold=True)
    _paragraph(document, texts.get("attachment_line", "").format(month=start.month, year=start.year), italic=True)
    document.add_paragraph()

    titles = headers(period, columns)
    numbering = numbering_row(columns)
    # The columns' widths, narrowed alike when they are wider than the page (with the note
    # column): the table never runs off the page.
    natural = [c.width_cm for c in columns]
    scale = min(1.0, TEXT_WIDTH_CM / sum(natural))
    widths = [round(width * scale, 2) for width in natural]
    table = document.add_table(rows=2, cols=len(titles))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _set_grid(table, widths)
    header_rows = list(table.rows)  # taken now: listing a country's 10,000 rows later is slow
    for i, text in enumerate(titles):
        _cell(table.rows[0].cells[i], text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell(table.rows[1].cells[i], numbering[i], italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=11)
    # A unit's row is built once through python-docx (slow per cell), then copied
    # for every other unit with only its texts replaced: the same XML, at any scope size.
    # The rows python-docx builds (the first unit's, the total and the districts'
    # subtotals) are built while the table is small (python-docx walks every row to add or
    # merge one); the copies then go in between them, in the printed order.
    rows = printed_rows(appendix if groups is None else groups, columns)
    first_unit = next((i for i, cells in enumerate(rows) if cells[0] != ""), None)
    built = [i for i, cells in enumerate(rows) if cells[0] == "" or i == first_unit or not copy_rows]
    built_rows, template = {}, None
    for index in built:
        cells = rows[index]
        is_total = cells[0] == ""
        added = table.add_row()
        row = added.cells
        for i, text in enumerate(cells):
            align = WD_ALIGN_PARAGRAPH.CENTER if is_total and i == span - 1 else ALIGN[columns[i].align]
            _cell(row[i], text, bold=is_total, align=align)
        if is_total:
            merged = row[0].merge(row[span - 1])
            # Merging joins both cells' paragraphs; keep the name only, centred.
            for paragraph in merged.paragraphs[1:]:
                paragraph._element.getparent().remove(paragraph._element)
            merged.paragraphs[0].clear()
            _cell(merged, cells[span - 1], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _set_widths(added, widths)
        built_rows[index] = added._tr
        if not is_total:
            template = added._tr
    others = [index for index in range(len(rows)) if index not in built_rows]
    copies = _copies(template, [rows[index] for index in others])
    # Each run of copies goes in at once, before the first row built after it (or at the end).
    runs: dict[int, list] = {}
    for index, copy in zip(others, copies, strict=True):
        runs.setdefault(bisect.bisect(built, index), []).append(copy)
    tbl, rows_xml = table._tbl, {}
    for following, run in sorted(runs.items()):
        at = tbl.index(built_rows[built[following]]) if following < len(built) else len(tbl)
        tbl[at:at] = _placed(run, rows_xml)
    for row in header_rows:
        _set_widths(row, widths)
    # The header rows repeat on every page.
    for row in header_rows:
        row._tr.get_or_add_trPr().append(row._tr.makeelement(qn("w:tblHeader"), {}))

    properties = document.core_properties
    properties.title = f"Phụ lục tháng {month_label(period)}"
    properties.author = properties.last_modified_by = ""
    properties.created = properties.modified = properties.last_printed = created
    properties.revision = 1
    return document, rows_xml


def appendix_docx_bytes(
    appendix: pl.DataFrame,
    period: str,
    texts: dict,
    created: dt.datetime,
    copy_rows: bool = True,
    groups: pl.DataFrame | None = None,
    show_codes: bool = False,
) -> bytes:
    """The document's bytes; zip entries get a fixed date so equal content gives equal bytes.
    `copy_rows` as for `build_document`: either gives the same bytes (or raises the same
    error, for a text XML cannot hold); `groups` and `show_codes` as for it too."""
    buffer, out = io.BytesIO(), io.BytesIO()
    document, rows_xml = build_document(appendix, period, texts, created, copy_rows, groups, show_codes)
    document.save(buffer)
    part, spliced = document.part.partname.lstrip("/"), False
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            data = source.read(item.filename)
            if item.filename == part:
                data, spliced = _splice(data, rows_xml), True
            target.writestr(info, data)
    if not spliced:
        raise ValueError(f"the package has no {part}: the copied rows were not written")
    return out.getvalue()


def read_docx_table(path: Path) -> list[list[str]]:
    """The appendix table of a written document, cell texts row by row (merged cells once)."""
    table = Document(str(path)).tables[0]
    rows = []
    for row in table.rows:
        elements, cells = [], []
        for cell in row.cells:
            if any(cell._tc is e for e in elements):
                continue
            elements.append(cell._tc)
            cells.append(cell.text)
        rows.append(cells)
    return rows
