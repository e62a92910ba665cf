"""Guards before any parser: hostile files are refused cheaply, in memory as in time."""

import json
import subprocess
import sys

import pytest
from corpus import huge_extent_xlsx, zip_bomb
from helpers import REPO

from pipelines.ingest import file_guards
from pipelines.ingest.file_guards import UnreadableFile

MEASURE = """
import json, resource, sys
from pathlib import Path
import polars as pl
from pipelines.core.settings import REFERENCE_DIR
from pipelines.ingest.submissions import parse_submission
from pipelines.core.scope import configured_scope
units = configured_scope().units
data = Path(sys.argv[1]).read_bytes() if len(sys.argv) > 1 else None
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
codes = parse_submission(data, ".xlsx", units, "2024-07").rejections["code"].to_list() if data else []
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"codes": codes, "extra_kb": after - before}))
"""


def peak_extra_mb(path=None) -> tuple[list[str], float]:
    """Parse the file in a fresh interpreter; the rise of its peak RSS while parsing, in MB."""
    args = [sys.executable, "-c", MEASURE] + ([str(path)] if path else [])
    out = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=300, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return result["codes"], result["extra_kb"] / 1024


@pytest.mark.parametrize(
    "name, build, code",
    [
        ("bomb-1gib.xlsx", lambda: zip_bomb(1 << 30), "DECOMPRESSION_BOMB"),
        ("extent.xlsx", huge_extent_xlsx, "FILE_TOO_LARGE"),
    ],
)
def test_hostile_workbooks_cost_little_memory(tmp_path, name, build, code):
    path = tmp_path / name
    path.write_bytes(build())
    assert path.stat().st_size < file_guards.MAX_FILE_BYTES  # small on disk, under the size cap…
    codes, extra_mb = peak_extra_mb(path)
    assert codes == [code]
    assert extra_mb < 300, f"parsing raised peak RSS by {extra_mb:.0f} MB"  # …and far below 1 GB to refuse


def test_a_lying_member_size_is_caught_by_its_checksum():
    from corpus import lying_zip

    with pytest.raises(UnreadableFile) as caught:
        file_guards.check_zip(lying_zip())
    assert caught.value.code == "NOT_A_SPREADSHEET"


def test_a_lying_member_that_is_not_a_sheet_is_inflated_when_it_could_be_a_bomb():
    """Only sheets are inflated when no member could inflate past the limit; a styles
    part that could (64 MB of zeros in 64 KB, declaring 100 bytes) is inflated and caught."""
    from corpus import lying_zip

    bomb = lying_zip("xl/styles.xml", b"\x00" * (64 << 20))
    assert len(bomb) * file_guards.DEFLATE_MAX_RATIO > file_guards.MAX_UNCOMPRESSED_BYTES
    with pytest.raises(UnreadableFile) as caught:
        file_guards.check_zip(bomb)
    assert caught.value.code in {"NOT_A_SPREADSHEET", "DECOMPRESSION_BOMB"}


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"PK\x03\x04rest", file_guards.ZIP),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", file_guards.OLE),
        (b"%PDF-1.7", file_guards.PDF),
        (b"\x89PNG\r\n", file_guards.IMAGE),
        (b"\xff\xd8\xff\xe0", file_guards.IMAGE),
        (b"\xef\xbb\xbf<html><table>", file_guards.HTML),
        (b"  <TABLE><tr>", file_guards.HTML),
        (b"TT;Ten\n1;A\n", file_guards.TEXT),
        (b"\x1f\x8b\x08", file_guards.BINARY),
    ],
)
def test_sniff_by_content(data, kind):
    assert file_guards.sniff(data) == kind


def test_size_and_extent_limits():
    with pytest.raises(UnreadableFile) as caught:
        file_guards.check_size(file_guards.MAX_FILE_BYTES + 1)
    assert caught.value.code == "FILE_TOO_LARGE" and "MB" in caught.value.detail
    file_guards.check_cell_extent(500, 30)
    with pytest.raises(UnreadableFile):
        file_guards.check_cell_extent(1_048_576, 16_384)


def biff(*records: tuple[int, bytes]) -> bytes:
    import struct

    return b"".join(struct.pack("<HH", kind, len(body)) + body for kind, body in records)


def test_biff_scan_finds_encryption_and_sheet_extents():
    import struct

    bof = (0x0809, b"\x00\x06\x10\x00" + b"\x00" * 12)
    number = lambda row, col: (0x0203, struct.pack("<HHH", row, col, 0) + b"\x00" * 8)  # noqa: E731
    file_guards.scan_biff(biff(bof, number(0, 0), number(40, 7)))  # a real appendix's extent passes
    with pytest.raises(UnreadableFile) as caught:
        file_guards.scan_biff(biff(bof, (0x002F, b"\x01\x00" + b"\x00" * 52), number(0, 0)))
    assert caught.value.code == "ENCRYPTED_WORKBOOK"
    with pytest.raises(UnreadableFile) as caught:
        file_guards.scan_biff(biff(bof, number(0, 0), number(65535, 255)))
    assert caught.value.code == "FILE_TOO_LARGE"
    mulrk = (0x00BD, struct.pack("<HH", 10, 0) + b"\x00" * 6 * 3 + struct.pack("<H", 1500))
    with pytest.raises(UnreadableFile):
        file_guards.scan_biff(biff(bof, mulrk))


def test_a_real_xls_passes_the_guards():
    from corpus import HEADER, HUNG, xls

    file_guards.check_ole(xls([HEADER, HUNG]))
