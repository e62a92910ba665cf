"""Generate, in the test run, the files communes really send and the ones nobody should.

Every builder returns bytes; nothing binary is committed. `HOSTILE` lists malformed or
hostile files, each with the rejection code it must get; `ACCEPTED` lists the shapes a
commune's Excel produces, each with the figures it must yield.
"""

import io
import random
import struct
import unicodedata
import zipfile
from dataclasses import dataclass

import xlsxwriter
import xlwt
from helpers import GOLDEN, HEADER

LONG_HEADER = [
    "TT",
    "Tên địa phương",
    "Tổng số trẻ em theo báo cáo của địa phương đến tháng 7/2024",
    "Số trẻ em đã được cập nhật dữ liệu",
    "Số trẻ em chưa được cập nhật dữ liệu",
    "Số trẻ em đã làm sạch dữ liệu",
    "Số trẻ em chưa làm sạch dữ liệu",
    "Tỷ lệ trẻ em được làm sạch dữ liệu (%)",
]
NUMBERING = ["(1)", "(2)", "(3)", "(4)", "(5) = (3) - (4)", "(6)", "(7) = (4) - (6)", "(8)"]
HUNG = [1, "Phước Hưng", 3158, 2583, 1731]
HUNG_FIGURES = [("21961", 3158, 2583, 1731)]
# The letter's first three rows, long form: (3) (4) (5) (6) (7) (8).
LETTER_ROWS = [
    [1, "Phước Hưng", 3158, 2583, 575, 1731, 852, "54,81"],
    [2, "Phước Quang", 2987, 2873, 114, 2345, 528, "78,51"],
    [3, "Phước Hòa", 3370, 2874, 496, 1612, 1262, "47,83"],
]
LETTER_FIGURES = [("21961", 3158, 2583, 1731), ("21964", 2987, 2873, 2345), ("21967", 3370, 2874, 1612)]


def letter_appendix() -> tuple[list[list], tuple]:
    """The July 2024 letter's appendix as printed (from tests/golden): "3.158", "-", "54,81",
    and its "Tổng cộng:" row in the TT column with the rounded rate "63"; and its figures."""
    import csv

    from pipelines.core.numbers import format_vn_int, format_vn_rate

    golden = GOLDEN / "appendix-2024-07.csv"
    rows = list(csv.DictReader(golden.read_text(encoding="utf-8").splitlines()))
    counts = ["total_children", "updated", "not_updated", "cleaned", "not_cleaned"]
    table = [
        ["Thông kê dữ liệu trẻ em địa phương trên phần mềm quản lý thông tin trẻ em"],
        ["(Kèm theo Công văn số /UBND-VX ngày /7/2024"],
        ["của Chủ tịch UBND huyện)"],
        [],
        LONG_HEADER,
        ["(1)", "(2)", "(3)", "(4)", "(5) = (3) - (4)", "(6)", "(7) = (4)-(6)", "(8)"],
    ]
    figures = []
    for row in rows:
        printed = [format_vn_int(int(row[c])) for c in counts]
        if row["stt"]:
            table.append([row["stt"], row["commune_name"], *printed, format_vn_rate(float(row["clean_rate_pct"]))])
            figures.append((row["commune_code"], int(row["total_children"]), int(row["updated"]), int(row["cleaned"])))
        else:
            table.append(["Tổng cộng:", None, *printed, "63"])
    return table, tuple(figures)


def two_row_header() -> list[list]:
    return [
        ["TT", "Xã, thị trấn", "Tổng số trẻ em", "Cập nhật dữ liệu", None, "Làm sạch dữ liệu", None],
        [None, None, None, "Đã cập nhật", "Chưa cập nhật", "Đã làm sạch", "Chưa làm sạch"],
        [1, "Phước Hưng", 3158, 2583, 575, 1731, 852],
    ]


# --- builders -----------------------------------------------------------------------


def xlsx(
    rows: list[list],
    merge_title: str | None = None,
    sheets: dict[str, list[list]] | None = None,
    hidden: tuple[str, ...] = (),
) -> bytes:
    """An .xlsx as xlsxwriter writes it; a merged title over the first row when asked."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    for name, content in (sheets or {"Sheet1": rows}).items():
        sheet = book.add_worksheet(name)
        if name in hidden:
            sheet.hide()
        offset = 0
        if merge_title:
            sheet.merge_range(0, 0, 1, 7, merge_title)
            offset = 2
        for i, row in enumerate(content):
            for j, value in enumerate(row):
                if value is not None:
                    if isinstance(value, str):
                        sheet.write_string(i + offset, j, value)
                    else:
                        sheet.write(i + offset, j, value)
    book.close()
    return buffer.getvalue()


def xls(rows: list[list]) -> bytes:
    """A legacy BIFF8 .xls as xlwt writes it."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Báo cáo")
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is not None:
                sheet.write(i, j, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def delimited(rows: list[list], delimiter: str = ";") -> str:
    return "\r\n".join(delimiter.join("" if v is None else str(v) for v in row) for row in rows) + "\r\n"


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as older tools write it: tone marks as combining characters."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            marks = "".join(c for c in parts if c in tones)
            out.append((base + marks).encode("cp1258"))
    return b"".join(out)


def html_table(rows: list[list], title: str = "") -> bytes:
    cells = "".join("<tr>" + "".join(f"<td>{'' if v is None else v}</td>" for v in row) + "</tr>\n" for row in rows)
    caption = f'<tr><td colspan="5"><b>{title}</b></td></tr>' if title else ""
    page = (
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head>'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>'
        f"<table border=1>{caption}{cells}</table></body></html>"
    )
    return page.encode("utf-8")


def spreadsheet_xml(rows: list[list], title: str = "") -> bytes:
    """Excel 2003 XML as web applications export it under a ".xls" name."""

    def cell(value) -> str:
        if value is None:
            return "<Cell/>"
        kind = "Number" if isinstance(value, (int, float)) else "String"
        return f'<Cell><Data ss:Type="{kind}">{value}</Data></Cell>'

    body = "".join("<Row>" + "".join(cell(v) for v in row) + "</Row>" for row in rows)
    head = f'<Row><Cell ss:MergeAcross="4"><Data ss:Type="String">{title}</Data></Cell></Row>' if title else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
        f'<Worksheet ss:Name="Báo cáo"><Table>{head}<Row ss:Index="3"/>{body}</Table></Worksheet></Workbook>'
    ).encode()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table><Row><Cell>'
    b"<Data>&lol9;</Data></Cell></Row></Table></Worksheet></Workbook>"
)


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return buffer.getvalue()


def zip_bomb(inflated_bytes: int) -> bytes:
    """An .xlsx-looking zip whose sheet inflates to `inflated_bytes` of zeros (~1/1000 on disk)."""
    buffer = io.BytesIO()
    chunk = b"\x00" * (1 << 20)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(inflated_bytes // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def lying_zip(member: str = "xl/worksheets/sheet1.xml", inflated: bytes = b" " * (20 << 20)) -> bytes:
    """A zip whose `member` declares 100 bytes but inflates to `inflated` (20 MB of spaces)."""
    members = {
        "[Content_Types].xml": b"<Types/>",
        "xl/workbook.xml": b"<workbook/>",
        "xl/worksheets/sheet1.xml": b"<worksheet/>",
        member: inflated,
    }
    data = bytearray(zip_of(members))
    target = member.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at >= 0:
            name_len = struct.unpack_from("<H", data, at + (26 if signature == b"PK\x03\x04" else 28))[0]
            start = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[start : start + name_len] == target:
                struct.pack_into("<I", data, at + offset, 100)
            at = data.find(signature, at + 4)
    return bytes(data)


def ole2(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 (compound file) container, each stream padded to 4096 bytes.

    An encrypted .xlsx is exactly this: EncryptionInfo and EncryptedPackage streams.
    """
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    names = list(streams)
    fat = [fat_sector, end]
    starts = []
    for _ in names:
        first = len(fat)
        starts.append(first)
        fat.extend(range(first + 1, first + 8))
        fat.append(end)
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, start: int, size: int, left=free, right=free, child=free) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le") if name else b""
        raw = encoded.ljust(64, b"\x00") + struct.pack("<HBB", len(encoded), kind, 1)
        raw += struct.pack("<III", left, right, child) + b"\x00" * 36
        return raw + struct.pack("<IQ", start, size)

    entries = [entry("Root Entry", 5, end, 0, child=1 if names else free)]
    for i, name in enumerate(names):
        entries.append(entry(name, 2, starts[i], 4096, right=i + 2 if i + 1 < len(names) else free))
    assert len(entries) <= 4, "one directory sector holds four entries"
    directory = b"".join(entries + [entry("", 0, 0, 0)] * (4 - len(entries)))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108
    body = struct.pack("<128I", *fat) + directory
    for name in names:
        body += streams[name].ljust(4096, b"\x00")[:4096]
    return header + body


def encrypted_xlsx() -> bytes:
    return ole2(
        {
            "EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00" + b"x" * 200,
            "EncryptedPackage": random.Random(1).randbytes(4000),
        }
    )


def huge_extent_xlsx() -> bytes:
    """Two cells, A1 and XFD1048576: 17 billion cells if a reader makes the range dense."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write(0, 0, "TT")
    sheet.write(1048575, 16383, 1)
    book.close()
    return buffer.getvalue()


# --- the corpus ---------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str  # the file name as received (odd ones included)
    data: bytes
    code: str | None = None  # the rejection code a hostile file must get
    figures: tuple = ()  # (unit_code, total, updated, cleaned) rows an accepted file must yield
    folder: str | None = "2024-07"  # the inbox period folder; None: loose in the inbox
    other_codes: tuple = ()  # further codes the same file gets (rows rejected beside)

    @property
    def suffix(self) -> str:
        dot = self.name.rfind(".")
        return self.name[dot:].lower() if dot > 0 else ""


def _rand(n: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(n)


def hostile_cases() -> list[Case]:
    good = xlsx([HEADER, HUNG])
    long_header = LONG_HEADER
    return [
        Case("trống.xlsx", b"", "EMPTY_FILE"),
        Case("trống.csv", b"", "EMPTY_FILE"),
        Case("chỉ khoảng trắng.csv", b"\xef\xbb\xbf  \r\n\r\n ;; \r\n", "EMPTY_FILE"),
        Case("sheet trống.xlsx", xlsx([]), "EMPTY_FILE"),
        Case("báo cáo.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "UNSUPPORTED_TYPE"),
        Case("báo cáo pdf đổi tên.xlsx", b"%PDF-1.7\n" + _rand(3000), "NOT_A_SPREADSHEET"),
        Case("ảnh chụp.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF" + _rand(2000), "UNSUPPORTED_TYPE"),
        Case("ảnh chụp đổi tên.xls", b"\x89PNG\r\n\x1a\n" + _rand(2000), "NOT_A_SPREADSHEET"),
        Case("rác.xlsx", _rand(5000), "NOT_A_SPREADSHEET"),
        Case("rác.csv", _rand(5000, seed=8), "NOT_A_SPREADSHEET"),
        Case("văn bản.docx", zip_of({"word/document.xml": b"<w:document>docx</w:document>"}), "UNSUPPORTED_TYPE"),
        Case("văn bản word đổi tên.xlsx", zip_of({"word/document.xml": b"<w:document/>"}), "NOT_A_SPREADSHEET"),
        Case("tệp hỏng.xlsx", good[: len(good) // 2], "NOT_A_SPREADSHEET"),
        Case("word cũ đổi tên.xls", ole2({"WordDocument": b"\xec\xa5" + b"w" * 1000}), "NOT_A_SPREADSHEET"),
        Case("có mật khẩu.xlsx", encrypted_xlsx(), "ENCRYPTED_WORKBOOK"),
        Case("bom giải nén.xlsx", zip_bomb(64 << 20), "DECOMPRESSION_BOMB"),
        Case(
            "nhiều mục.xlsx",
            zip_of({f"xl/x{i}.xml": b"" for i in range(1500)} | {"xl/workbook.xml": b""}),
            "DECOMPRESSION_BOMB",
        ),
        Case("kích thước khai sai.xlsx", lying_zip(), "NOT_A_SPREADSHEET"),
        Case("vùng ô khổng lồ.xlsx", huge_extent_xlsx(), "FILE_TOO_LARGE"),
        Case("quá lớn.csv", delimited([HEADER, HUNG]).encode() + b" " * (11 << 20), "FILE_TOO_LARGE"),
        Case("hàng triệu cột.csv", b"TT;" + b";" * 3_000_000 + b"\n", "FILE_TOO_LARGE"),
        Case("xml bom thực thể.xls", BILLION_LAUGHS, "NOT_A_SPREADSHEET"),
        Case(
            "excel 2003 xml số lẻ.xls", spreadsheet_xml([HEADER, [1, "Phước Hưng", 3624.5, 10, 5]]), "NOT_WHOLE_NUMBER"
        ),
        Case(
            "xml vùng ô khổng lồ.xls",
            spreadsheet_xml([]).replace(
                b'<Row ss:Index="3"/>',
                b'<Row ss:Index="1048576"><Cell ss:Index="16384"><Data ss:Type="Number">1</Data></Cell></Row>',
            ),
            "FILE_TOO_LARGE",
        ),
        Case("trang web.xls", b"<html><body><p>Xin ch\xc3\xa0o</p></body></html>", "HTML_WITHOUT_TABLE"),
        Case("bảng mã lạ.csv", b"TT;T\x81n \x8a\x90\n1;Ph\x9d\n", "UNKNOWN_ENCODING"),
        Case("không tiêu đề.xlsx", xlsx([["Báo cáo"], ["xin chào", 1, 2]]), "NO_HEADER"),
        Case("không tiêu đề.csv", b"a;b;c\n1;2;3\n", "NO_HEADER"),
        Case("thiếu cột.xlsx", xlsx([HEADER[:4], HUNG[:4]]), "MISSING_COLUMN"),
        Case("chỉ tiêu đề.xlsx", xlsx([HEADER]), "NO_DATA_ROWS"),
        Case("chữ thay số.xlsx", xlsx([HEADER, [1, "Phước Hưng", "năm nghìn", 10, 5]]), "NOT_A_NUMBER"),
        Case("số lẻ.xlsx", xlsx([HEADER, [1, "Phước Hưng", "3624,5", 10, 5]]), "NOT_WHOLE_NUMBER"),
        Case("số lẻ excel.xls", xls([HEADER, [1, "Phước Hưng", 3624.5, 10, 5]]), "NOT_WHOLE_NUMBER"),
        Case("số âm.xlsx", xlsx([HEADER, [1, "Phước Hưng", -5, 10, 5]]), "NEGATIVE_NUMBER"),
        Case("ô trống.csv", delimited([HEADER, [1, "Phước Hưng", "", 10, 5]]).encode(), "MISSING_VALUE"),
        Case("làm sạch lớn hơn.xlsx", xlsx([HEADER, [1, "Phước Hưng", 3158, 2583, 2900]]), "CLEANED_GT_UPDATED"),
        Case("cập nhật lớn hơn.xlsx", xlsx([HEADER, [1, "Phước Hưng", 100, 200, 50]]), "UPDATED_GT_TOTAL"),
        Case(
            "cột 5 sai.xlsx",
            xlsx([long_header, [1, "Phước Hưng", 3158, 2583, 500, 1731, 852, "54,81"]]),
            "INCONSISTENT_NOT_UPDATED",
        ),
        Case(
            "cột 7 sai.xlsx",
            xlsx([long_header, [1, "Phước Hưng", 3158, 2583, 575, 1731, 800, "54,81"]]),
            "INCONSISTENT_NOT_CLEANED",
        ),
        Case(
            "cột 8 sai.xlsx",
            xlsx([long_header, [1, "Phước Hưng", 3158, 2583, 575, 1731, 852, "60,00"]]),
            "INCONSISTENT_RATE",
        ),
        Case(
            "trùng đơn vị.xlsx", xlsx([HEADER, HUNG, [2, "Xã Phước Hưng", 3158, 2583, 1700]]), "DUPLICATE_UNIT_CONFLICT"
        ),
        Case("đơn vị lạ.xlsx", xlsx([HEADER, [1, "Phước Hưngg", 10, 5, 1]]), "UNKNOWN_UNIT"),
        Case(
            "=HYPERLINK công thức.xlsx",
            xlsx([HEADER, [1, '=HYPERLINK("http://x.example","Bấm")', 10, 5, 1]]),
            "UNKNOWN_UNIT",
        ),
        Case(
            "tổng sai.xlsx",
            xlsx([HEADER, HUNG, [2, "Phước Quang", 2987, 2873, 2345], [None, "Tổng cộng", 6145, 5456, 4000]]),
            "TOTAL_ROW_MISMATCH",
            figures=(HUNG_FIGURES[0], ("21964", 2987, 2873, 2345)),
        ),
        Case(
            "tổng đúng một dòng sai.xlsx",
            xlsx([HEADER, HUNG, [2, "Phước Quang", 2987, 2873, 2900], ["Tổng cộng:", None, 6145, 5456, 4631]]),
            "CLEANED_GT_UPDATED",
            figures=tuple(HUNG_FIGURES),
        ),
        Case("kỳ khác thư mục.xlsx", xlsx([["BÁO CÁO THÁNG 6 NĂM 2024"], HEADER, HUNG]), "PERIOD_MISMATCH"),
        Case("tệp rời không ghi kỳ.xlsx", xlsx([HEADER, HUNG]), "PERIOD_UNKNOWN", folder=None),
        Case(
            "tệp rời hai kỳ.xlsx", xlsx([["Tháng 6/2024 và tháng 7/2024"], HEADER, HUNG]), "PERIOD_UNKNOWN", folder=None
        ),
        Case(
            "tệp rời kỳ tương lai.xlsx",
            xlsx([["Báo cáo tháng 7 năm 2099"], HEADER, HUNG]),
            "PERIOD_IMPOSSIBLE",
            folder=None,
        ),
        Case(
            "tệp rời kỳ quá cũ.csv",
            delimited([["Báo cáo T7/2001"], HEADER, HUNG]).encode(),
            "PERIOD_IMPOSSIBLE",
            folder=None,
        ),
        Case("-bắt đầu bằng gạch ngang.pdf", b"%PDF-1.4", "UNSUPPORTED_TYPE"),
        Case("không có đuôi", delimited([HEADER, HUNG]).encode(), "UNSUPPORTED_TYPE"),
    ]


def accepted_cases() -> list[Case]:
    letter = [LONG_HEADER, NUMBERING[:8], *LETTER_ROWS]
    title = ["ỦY BAN NHÂN DÂN HUYỆN TUY PHƯỚC"], ["PHỤ LỤC"], ["Thống kê dữ liệu trẻ em tháng 7/2024"], []
    short_upper = ["STT", "TÊN ĐỊA PHƯƠNG", "TONG SO TRE EM", "DA CAP NHAT", "  Đã   làm  sạch "]
    shuffled = ["Số đã làm sạch", "Ghi chú", "Tổng số trẻ em", None, "Tên địa phương", "Đã cập nhật"]
    signature = [["Người lập biểu"], ["(ký, ghi rõ họ tên)"], [None, "Nguyễn Văn A"]]
    compiled = [
        *title,
        LONG_HEADER,
        NUMBERING,
        [1, "Phước Hưng", 3158, 2583, 575, 1731, 852, "54,81"],
        [2, "Phước Quang", 2987, 2873, 114, 2345, 528, "78,51"],
        [None, "Tổng cộng", 6145, 5456, 689, 4076, 1380, "66,33"],
    ]
    nfd = unicodedata.normalize("NFD", delimited([HEADER, HUNG], ","))
    cp1258 = to_cp1258(
        delimited([["Báo cáo tháng 7 năm 2024"], HEADER, [1, "Xã Phước Hưng", "3.158", "2.583", "1.731"]])
    )
    printed, letter_figures = letter_appendix()
    return [
        Case("mẫu đơn giản.xlsx", xlsx([HEADER, HUNG]), figures=tuple(HUNG_FIGURES)),
        Case("phụ lục như công văn.xlsx", xlsx(printed), figures=letter_figures),
        Case("phụ lục như công văn.txt", delimited(printed, "\t").encode("utf-16"), figures=letter_figures),
        Case("tiêu đề hai dòng.xlsx", xlsx(two_row_header()), figures=tuple(HUNG_FIGURES)),
        Case("tiêu đề hai dòng.html.xls", html_table(two_row_header()), figures=tuple(HUNG_FIGURES)),
        Case("Phụ lục công văn.xlsx", xlsx([*title, *letter]), figures=tuple(LETTER_FIGURES)),
        Case(
            "tiêu đề gộp ô.xlsx",
            xlsx([[], LONG_HEADER, *LETTER_ROWS], merge_title="PHỤ LỤC THÁNG 7/2024"),
            figures=tuple(LETTER_FIGURES),
        ),
        Case(
            "tiêu đề ngắn viết hoa không dấu.xlsx",
            xlsx([short_upper, [1, "TT. Diêu Trì", "2.345", "1.234", "-"]]),
            figures=(("21955", 2345, 1234, 0),),
        ),
        Case(
            "cột đảo thứ tự.xlsx",
            xlsx([shuffled, [1731, "ghi chú", 3158, None, "Thị trấn Tuy Phước", 2583]]),
            figures=(("21952", 3158, 2583, 1731),),
        ),
        Case("chữ ký cuối trang.xlsx", xlsx([HEADER, HUNG, [], *signature]), figures=tuple(HUNG_FIGURES)),
        Case("cả huyện có tổng cộng.xlsx", xlsx(compiled), figures=tuple(LETTER_FIGURES[:2])),
        Case(
            "nhiều sheet.xlsx",
            xlsx([], sheets={"Hướng dẫn": [["Điền số liệu"]], "Báo cáo": [HEADER, HUNG]}),
            figures=tuple(HUNG_FIGURES),
        ),
        Case(
            "sheet ẩn bản cũ.xlsx",
            xlsx(
                [],
                sheets={"Báo cáo": [HEADER, HUNG], "Cũ": [HEADER, [1, "Phước Hưng", 3000, 2000, 1000]]},
                hidden=("Cũ",),
            ),
            figures=tuple(HUNG_FIGURES),
        ),
        Case(
            "mỗi tháng một sheet.xlsx",
            xlsx([], sheets={"T6-2024": [HEADER, [1, "Phước Hưng", 3100, 2500, 1700]], "T7-2024": [HEADER, HUNG]}),
            figures=tuple(HUNG_FIGURES),
        ),
        Case("excel cũ.xls", xls([*title, *letter]), figures=tuple(LETTER_FIGURES)),
        Case("xlsx đặt tên xls.xls", xlsx([HEADER, HUNG]), figures=tuple(HUNG_FIGURES)),
        Case(
            "dấu chấm phẩy.csv",
            delimited([HEADER, [1, "Phước Hưng", "3.158", "2.583", "1.731"]]).encode("utf-8-sig"),
            figures=tuple(HUNG_FIGURES),
        ),
        Case("dấu phẩy không BOM.csv", delimited([HEADER, HUNG], ",").encode("utf-8"), figures=tuple(HUNG_FIGURES)),
        Case("tab unicode.txt", delimited([HEADER, HUNG], "\t").encode("utf-16"), figures=tuple(HUNG_FIGURES)),
        Case("tab.tsv", delimited([HEADER, HUNG], "\t").encode("utf-8"), figures=tuple(HUNG_FIGURES)),
        Case("utf16 không BOM.txt", delimited([HEADER, HUNG], "\t").encode("utf-16-le"), figures=tuple(HUNG_FIGURES)),
        Case("windows-1258.csv", cp1258, figures=tuple(HUNG_FIGURES)),
        Case("mac nfd.csv", nfd.encode("utf-8"), figures=tuple(HUNG_FIGURES)),
        Case(
            "tỷ lệ có dấu chấm.csv",
            delimited([LONG_HEADER, [1, "Phuoc Hung", 3158, 2583, 575, 1731, 852, "54.81"]]).encode(),
            figures=tuple(HUNG_FIGURES),
        ),
        Case(
            "bảng html.xls",
            html_table([HEADER, [1, "Phước Hưng", "3.158", "2.583", "1.731"]], "Báo cáo tháng 7/2024"),
            figures=tuple(HUNG_FIGURES),
        ),
        Case(
            "excel 2003 xml.xls", spreadsheet_xml([HEADER, HUNG], "Báo cáo tháng 7/2024"), figures=tuple(HUNG_FIGURES)
        ),
        Case("csv đặt tên xls.xls", delimited([HEADER, HUNG]).encode("utf-8-sig"), figures=tuple(HUNG_FIGURES)),
        Case(
            "tệp rời tháng 7.xlsx",
            xlsx([["Báo cáo tháng 7 năm 2024"], HEADER, HUNG]),
            folder=None,
            figures=tuple(HUNG_FIGURES),
        ),
        Case(
            "ký ngày tháng sau.xlsx",
            xlsx([HEADER, HUNG, [], [None, "Tuy Phước, ngày 05 tháng 8 năm 2024"]]),
            figures=tuple(HUNG_FIGURES),
        ),
        Case(
            "tệp rời ký ngày tháng sau.xlsx",
            xlsx([["Báo cáo tháng 7 năm 2024"], HEADER, HUNG, [], [None, "Tuy Phước, ngày 05 tháng 8 năm 2024"]]),
            folder=None,
            figures=tuple(HUNG_FIGURES),
        ),
        Case(
            "tệp rời T7.csv",
            delimited([["Số liệu T7/2024"], HEADER, HUNG]).encode(),
            folder=None,
            figures=tuple(HUNG_FIGURES),
        ),
        Case(
            "tệp rời tháng 07.xlsx",
            xlsx([["TT", "Xã", "Tổng số trẻ em đến tháng 07/2024", "Đã cập nhật", "Đã làm sạch"], HUNG]),
            folder=None,
            figures=tuple(HUNG_FIGURES),
        ),
        Case("-- tên lạ  (bản sao) " + "rất dài " * 20 + ".xlsx", xlsx([HEADER, HUNG]), figures=tuple(HUNG_FIGURES)),
    ]
