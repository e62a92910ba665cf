"""Cheap checks on a received file's bytes before any parser touches them.

A hostile or broken file must cost nothing: the guards look at magic bytes, a zip's
central directory and the sizes its members really inflate to, an OLE2 container's
stream names, and the cell extent a sheet declares, and raise `UnreadableFile` with the
rejection code before python-calamine would allocate anything. The limits sit far above
any real submission (a commune's report is a few kilobytes, a compiled appendix a few
hundred rows) and far below what would hurt the machine.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

import olefile

MAX_FILE_BYTES = 10 * 1024 * 1024  # a real submission is ~10 KB; a workbook with a logo < 1 MB
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # all members of an .xlsx together, once inflated
MAX_ZIP_ENTRIES = 1_000
MAX_ROWS = 100_000
MAX_COLUMNS = 1_000
MAX_CELLS = 2_000_000  # rows × columns of a sheet's used area (calamine allocates it densely)

ZIP, OLE, PDF, IMAGE, HTML, XML_SPREADSHEET, BINARY, TEXT = (
    "zip",
    "ole",
    "pdf",
    "image",
    "html",
    "xml_spreadsheet",
    "binary",
    "text",
)

_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")
_ARCHIVE_MAGIC = (b"7z\xbc\xaf", b"Rar!", b"\x1f\x8b", b"BZh", b"\xfd7zXZ")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_XLSX_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,4})(\d{1,8})\"")
_XLSX_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d{1,8})\"")


class UnreadableFile(Exception):
    """The bytes cannot be read as a table; `code` names the rejection."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def human_size(n: int) -> str:
    """10485760 → "10 MB" (Vietnamese readers know MB, KB)."""
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f}".replace(".", ",").removesuffix(",0") + " " + unit
    return f"{n} byte"


def check_size(size: int) -> None:
    if size == 0:
        raise UnreadableFile("EMPTY_FILE")
    if size > MAX_FILE_BYTES:
        raise UnreadableFile("FILE_TOO_LARGE", f"{human_size(size)}, tối đa {human_size(MAX_FILE_BYTES)}")


def sniff(data: bytes) -> str:
    """What the bytes are, whatever the file is named."""
    head = data[:8]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return ZIP
    if head.startswith(_OLE_MAGIC):
        return OLE
    if head.startswith(b"%PDF"):
        return PDF
    if head.startswith(_IMAGE_MAGIC) or (head.startswith(b"RIFF") and data[8:12] == b"WEBP"):
        return IMAGE
    if head.startswith(_ARCHIVE_MAGIC):
        return BINARY
    start = data[:4096]
    for bom in _BOMS:
        if start.startswith(bom):
            start = start[len(bom) :]
            break
    lowered = start.replace(b"\x00", b"").lstrip().lower()
    if lowered.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in lowered:
        return XML_SPREADSHEET
    if lowered.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head", b"<body")) or (
        lowered.startswith(b"<") and b"<table" in lowered
    ):
        return HTML
    return TEXT


def check_cell_extent(rows: int, columns: int) -> None:
    if rows > MAX_ROWS or columns > MAX_COLUMNS or rows * columns > MAX_CELLS:
        raise UnreadableFile("FILE_TOO_LARGE", f"bảng tính {rows:,} dòng × {columns:,} cột".replace(",", "."))


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _zip_entry_count(data: bytes) -> int | None:
    """Entries declared by the end-of-central-directory record (None if absent)."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        return None
    return struct.unpack_from("<H", data, at + 10)[0]


def check_zip(data: bytes) -> None:
    """An .xlsx: a real workbook whose members inflate to a sane size, each sheet a sane extent.

    Declared sizes are not trusted: every member is inflated (in C, chunk by chunk) up
    to its declared size, and the CRC check then catches a member that lies. Only the
    worksheets need inflating when the members could not inflate past the limit even if
    they lied: a reader inflates at most a member's compressed bytes, and deflate
    expands a byte to at most 1,032 (a commune's 6 KB workbook: at most about 6 MB).
    """
    entries = _zip_entry_count(data)
    if entries is None:
        raise UnreadableFile("NOT_A_SPREADSHEET", "zip without central directory")
    if entries == 0xFFFF or entries > MAX_ZIP_ENTRIES:
        raise UnreadableFile("DECOMPRESSION_BOMB", f"{entries} entries")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableFile("NOT_A_SPREADSHEET", str(exc)) from exc
    infos = archive.infolist()
    names = {info.filename for info in infos}
    if any(info.flag_bits & 0x1 for info in infos):
        raise UnreadableFile("ENCRYPTED_WORKBOOK", "zip encryption")
    if "xl/workbook.xml" not in names:
        raise UnreadableFile("NOT_A_SPREADSHEET", "zip is not an Excel workbook")
    declared = sum(info.file_size for info in infos)
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableFile("DECOMPRESSION_BOMB", f"declares {declared} bytes")
    inflated = 0
    could_lie = sum(_most_inflated(info, len(data)) for info in infos) > MAX_UNCOMPRESSED_BYTES
    for info in infos:
        worksheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        if not (worksheet or could_lie):
            continue
        try:
            with archive.open(info) as member:
                content = member.read(MAX_UNCOMPRESSED_BYTES - inflated + 1)
                member.read(1)  # reaching the end triggers the CRC check
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            NotImplementedError,
            RuntimeError,
            EOFError,
            OSError,
            ValueError,
        ) as exc:
            raise UnreadableFile("NOT_A_SPREADSHEET", f"{info.filename}: {exc}") from exc
        inflated += len(content)
        if inflated > MAX_UNCOMPRESSED_BYTES:
            raise UnreadableFile("DECOMPRESSION_BOMB", f"inflates beyond {MAX_UNCOMPRESSED_BYTES} bytes")
        if worksheet:
            last_row = max((int(m) for m in _XLSX_ROW.findall(content)), default=0)
            cells = _XLSX_CELL.findall(content)
            last_row = max(last_row, max((int(r) for _, r in cells), default=0))
            last_column = max((_column_number(c) for c, _ in set(cells)), default=0)
            check_cell_extent(last_row, last_column)


# The most a deflate stream can expand (RFC 1951: a 258-byte match costs at least 2 bits).
DEFLATE_MAX_RATIO = 1032


def _most_inflated(info: zipfile.ZipInfo, file_size: int) -> float:
    """The most bytes a member can inflate to, whatever it declares."""
    compressed = min(info.compress_size, file_size)
    if info.compress_type == zipfile.ZIP_STORED:
        return compressed
    if info.compress_type == zipfile.ZIP_DEFLATED:
        return compressed * DEFLATE_MAX_RATIO
    return float("inf")  # other methods expand further: always inflated and checked


# BIFF8 records that carry a cell value: row (u16) and column (u16) open their data.
_BIFF_CELLS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0205, 0x0204, 0x00D6}
_BIFF_MULRK = 0x00BD
_BIFF_FILEPASS = 0x002F


def check_ole(data: bytes) -> None:
    """A legacy .xls (BIFF in an OLE2 container), not encrypted, with sane sheet extents.

    An encrypted .xlsx is an OLE2 container holding EncryptionInfo and EncryptedPackage;
    an encrypted .xls carries a FILEPASS record in its Workbook stream.
    """
    try:
        ole = olefile.OleFileIO(data)
    except Exception as exc:  # olefile raises OSError and others on damaged containers
        raise UnreadableFile("NOT_A_SPREADSHEET", str(exc)) from exc
    try:
        if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
            raise UnreadableFile("ENCRYPTED_WORKBOOK", "OLE2 EncryptedPackage")
        stream = "Workbook" if ole.exists("Workbook") else "Book" if ole.exists("Book") else None
        if stream is None:
            raise UnreadableFile("NOT_A_SPREADSHEET", "OLE2 file without a workbook stream")
        try:
            workbook = ole.openstream(stream).read()
        except Exception as exc:
            raise UnreadableFile("NOT_A_SPREADSHEET", str(exc)) from exc
    finally:
        ole.close()
    scan_biff(workbook)


def scan_biff(stream: bytes) -> None:
    """Walk the BIFF records once: encryption, and the extent of every sheet's cells."""
    at, end = 0, len(stream)
    last_row = last_column = 0
    while at + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, at)
        body = at + 4
        if kind == _BIFF_FILEPASS:
            raise UnreadableFile("ENCRYPTED_WORKBOOK", "BIFF FILEPASS")
        if kind == 0x0809:  # BOF of a sheet: extents are per sheet
            check_cell_extent(last_row, last_column)
            last_row = last_column = 0
        elif kind in _BIFF_CELLS and length >= 4:
            row, column = struct.unpack_from("<HH", stream, body)
            last_row, last_column = max(last_row, row + 1), max(last_column, column + 1)
        elif kind == _BIFF_MULRK and length >= 6:
            row = struct.unpack_from("<H", stream, body)[0]
            column = struct.unpack_from("<H", stream, body + length - 2)[0]
            last_row, last_column = max(last_row, row + 1), max(last_column, column + 1)
        at = body + length
    check_cell_extent(last_row, last_column)


def check_text_shape(text: str, delimiter: str) -> None:
    """Delimited text: bounded rows and columns before it is split into cells."""
    lines = text.count("\n") + 1
    check_cell_extent(lines, 1)
    widest = max((line.count(delimiter) + 1 for line in text.splitlines()), default=0)
    check_cell_extent(lines, widest)
