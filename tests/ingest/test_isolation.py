"""One file never takes its reader's process, or the run, down with it.

Workbooks are read in a child process with a memory cap and a time limit
(`ingest.sandbox`); every other reader's failure is caught where Python can catch it.
Whatever a file does, it gets a rejection code; the next file reads as usual.
"""

import resource
import subprocess
import sys

import pytest
from corpus import HEADER, HUNG, delimited, html_table, to_cp1258, xlsx, zip_of
from helpers import GOLDEN

from pipelines.core.text import quote_short, readable_name
from pipelines.ingest import sandbox
from pipelines.ingest.readers import UnreadableFile, read_table
from pipelines.ingest.submissions import read_submission

CRASHERS = sorted((GOLDEN / "crashers").iterdir())
GOOD = xlsx([HEADER, HUNG])


def code_of(data: bytes, suffix: str) -> str:
    with pytest.raises(UnreadableFile) as caught:
        read_table(data, suffix)
    return caught.value.code


@pytest.mark.parametrize("path", CRASHERS, ids=lambda p: p.name)
def test_a_workbook_that_crashes_the_reader_is_rejected_and_the_next_one_reads(path):
    """Found by mutating sample workbooks: python-calamine panics on some and aborts its
    whole process on others. Each is rejected; the next workbook reads as usual."""
    assert code_of(path.read_bytes(), ".xls") == "NOT_A_SPREADSHEET"
    assert read_table(GOOD, ".xlsx")[0].rows[1][1] == "Phước Hưng"


def test_a_reader_that_dies_or_hangs_costs_its_file(monkeypatch):
    def child(code: str):
        return lambda: subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    monkeypatch.setattr(sandbox._Child, "process", None)
    monkeypatch.setattr(sandbox._Child, "get", child("import os; os.abort()"))
    assert code_of(GOOD, ".xlsx") == "NOT_A_SPREADSHEET"
    monkeypatch.setattr(sandbox, "TIME_LIMIT", 1.0)
    monkeypatch.setattr(sandbox._Child, "get", child("import time; time.sleep(60)"))
    assert code_of(GOOD, ".xlsx") == "READ_TIMEOUT"
    monkeypatch.undo()
    assert read_table(GOOD, ".xlsx")[0].rows[1][1] == "Phước Hưng"


def shared_string_bomb(cells: int, length: int) -> bytes:
    """A small .xlsx whose every cell shows one long shared string."""
    row = "".join(f'<c r="{col}1" t="s"><v>0</v></c>' for col in ("A", "B"))
    rows = "".join(f'<row r="{r}">' + row.replace('1"', f'{r}"') + "</row>" for r in range(1, cells // 2 + 1))
    return workbook_xml(rows, "x" * length)


def workbook_xml(rows: str, shared: str) -> bytes:
    """An .xlsx from its sheet's rows as XML and one shared string."""
    return zip_of(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            "xl/workbook.xml": b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
            "xl/_rels/workbook.xml.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
            "xl/sharedStrings.xml": (
                '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
                f'uniqueCount="1"><si><t>{shared}</t></si></sst>'
            ).encode(),
            "xl/worksheets/sheet1.xml": (
                '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f"<sheetData>{rows}</sheetData></worksheet>"
            ).encode(),
        }
    )


def test_a_small_workbook_that_would_balloon_in_memory_is_rejected_within_bounds():
    """Every cell points at one 100,000-character shared string: inside every size limit
    on disk, gigabytes once read. The child stops it; the whole process tree stays small."""
    sandbox._Child.stop()  # a fresh child, so its peak is this file's
    bomb = shared_string_bomb(40_000, 100_000)
    assert len(bomb) < 2 << 20
    # Too much text, or the child out of its memory: rejected either way, never the run.
    assert code_of(bomb, ".xlsx") in {"FILE_TOO_LARGE", "NOT_A_SPREADSHEET"}
    sandbox._Child.stop()
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert peak_mb <= sandbox.MEMORY_LIMIT / (1 << 20)


def test_cells_without_references_do_not_pass_the_column_limit():
    wide = workbook_xml("<row>" + "<c><v>1</v></c>" * 1_500 + "</row>", "x")
    assert code_of(wide, ".xlsx") == "FILE_TOO_LARGE"


def test_a_csv_with_bare_carriage_returns_is_read():
    """Excel for Mac's "CSV (Macintosh)" ends lines with a bare CR."""
    data = delimited([HEADER, HUNG]).replace("\r\n", "\r").encode("utf-8")
    read = read_submission(data, ".csv", "2024-07")
    assert read.rejection is None
    assert read.sheets[0].rows[1][:3] == ["1", "Phước Hưng", "3158"]


@pytest.mark.parametrize(
    ("data", "suffix", "code"),
    [
        (b"a;b\n1;" + b"y" * 140_000 + b"\n", ".csv", "FILE_TOO_LARGE"),
        (b'a;b\n"' + b"x" * 200_000 + b";1\n", ".csv", "FILE_TOO_LARGE"),
        (b"<html><body><![if !supportLists]><table><tr><td>1</td></tr></table>", ".xls", None),
        (html_table([HEADER, HUNG]).replace(b"utf-8", b"x-no-such-charset"), ".xls", None),
    ],
    ids=["long cell", "unclosed quote", "html marked section", "html unknown charset"],
)
def test_files_that_stopped_a_period_now_read_or_get_a_code(data, suffix, code):
    if code is None:
        try:
            read_table(data, suffix)
        except UnreadableFile as exc:
            assert exc.code
    else:
        assert code_of(data, suffix) == code


def test_names_are_readable_whatever_their_bytes():
    assert readable_name("Phước Hưng.xlsx") == "Phước Hưng.xlsx"
    windows = to_cp1258("Phước Hưng.xlsx")
    assert readable_name(windows.decode("utf-8", "surrogateescape")) == "Phước Hưng.xlsx"
    assert readable_name(b"\x81.csv".decode("utf-8", "surrogateescape")) == "\\x81.csv"
    assert readable_name("a\r\nb.csv") == "a\\x0d\\x0ab.csv"
    assert quote_short("x" * 100) == "x" * 39 + "…" and quote_short("ngắn") == "ngắn"


def test_a_reader_killed_mid_stream_costs_its_file_and_the_rest_read():
    """A run's workbooks go to the reader as one stream (`prefetched`): one that kills the
    reader is rejected, and those after it are read by a new reader."""
    other = xlsx([HEADER, ["2", "Phước Lộc", "1.000", "900", "800"]])
    stream = [GOOD, *(path.read_bytes() for path in CRASHERS), other, xlsx([HEADER, HUNG])]
    with sandbox.prefetched(stream):
        assert read_table(stream[0], ".xlsx")[0].rows[1][1] == "Phước Hưng"
        for crasher in stream[1:-2]:
            assert code_of(crasher, ".xls") == "NOT_A_SPREADSHEET"
        assert read_table(stream[-2], ".xlsx")[0].rows[1][1] == "Phước Lộc"
        assert read_table(stream[-1], ".xlsx")[0].rows[1][1] == "Phước Hưng"
