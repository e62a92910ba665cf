"""Excel 2003 XML (SpreadsheetML), which many web applications export under a ".xls" name.

<Workbook><Worksheet ss:Name><Table><Row ss:Index?><Cell ss:Index? ss:MergeAcross?>
<Data ss:Type="Number|String|…">…</Data>. Parsed with the standard library's expat
(external entities are never fetched; expat ≥ 2.4 refuses entity-expansion bombs), with
the same cell extent limits as any sheet.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pipelines.ingest.file_guards import UnreadableFile, check_cell_extent

NS = "urn:schemas-microsoft-com:office:spreadsheet"


def _attr(element: ET.Element, name: str) -> str | None:
    return element.get(f"{{{NS}}}{name}")


def _index(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def xml_sheets(data: bytes, render) -> list[tuple[str, list[list[str | None]]]]:
    """(sheet name, rows of text cells) per worksheet; `render` turns a typed value into text."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise UnreadableFile("NOT_A_SPREADSHEET", f"SpreadsheetML: {exc}") from exc
    sheets = []
    for worksheet in root.iter(f"{{{NS}}}Worksheet"):
        rows: list[list[str | None]] = []
        for row in worksheet.iter(f"{{{NS}}}Row"):
            at = _index(_attr(row, "Index"))
            if at is not None:
                check_cell_extent(at, 1)
                rows.extend([] for _ in range(max(0, at - 1 - len(rows))))
            cells: list[str | None] = []
            for cell in row.iter(f"{{{NS}}}Cell"):
                column = _index(_attr(cell, "Index"))
                span = _index(_attr(cell, "MergeAcross")) or 0
                check_cell_extent(len(rows) + 1, max(column or 0, len(cells) + 1) + span)
                if column is not None:
                    cells.extend([None] * max(0, column - 1 - len(cells)))
                data_element = cell.find(f"{{{NS}}}Data")
                text = "".join(data_element.itertext()) if data_element is not None else None
                if data_element is not None and _attr(data_element, "Type") == "Number" and text:
                    try:
                        text = render(float(text))
                    except ValueError:
                        pass
                cells.append(render(text) if isinstance(text, str) else text)
                cells.extend([None] * span)
            rows.append(cells)
            check_cell_extent(len(rows), max(len(cells), 1))
        sheets.append((_attr(worksheet, "Name") or "", rows))
    if not sheets:
        raise UnreadableFile("NOT_A_SPREADSHEET", "SpreadsheetML without worksheets")
    return sheets
