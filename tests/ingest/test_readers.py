import unicodedata

import pytest
from corpus import to_cp1258

from pipelines.ingest.file_guards import UnreadableFile
from pipelines.ingest.readers import decode_text, read_table, sniff_delimiter

TEXT = "Tên địa phương;Phước Hưng;Diêu Trì\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        TEXT.encode("utf-8-sig"),
        TEXT.encode("utf-16"),
        TEXT.encode("utf-16-le"),
        TEXT.encode("utf-16-be"),
        to_cp1258(TEXT),
        unicodedata.normalize("NFD", TEXT).encode("utf-8"),
    ],
)
def test_every_encoding_decodes_to_the_same_nfc_text(data):
    assert decode_text(data) == TEXT


def test_windows_1258_writes_tone_marks_apart():
    raw = to_cp1258("Phước")
    assert len(raw) == 6  # P h ư ơ + combining acute + c
    assert decode_text(raw) == "Phước"


@pytest.mark.parametrize(
    "lines, delimiter",
    [
        (["UBND huyện Tuy Phước, tỉnh Bình Định", "TT;Tên;Tổng số", "1;Phước Hưng;3.158", "2;Phước Quang;54,81"], ";"),
        (["TT\tTên\tTổng", "1\tA, B\t3"], "\t"),
        (["TT,Tên,Tổng", "1,A,3"], ","),
        (["TT|Tên|Tổng", "1|A|3"], "|"),
    ],
)
def test_delimiter_is_the_one_the_table_agrees_on(lines, delimiter):
    assert sniff_delimiter("\n".join(lines)) == delimiter


def test_the_suffix_gates_but_the_content_decides():
    with pytest.raises(UnreadableFile) as caught:
        read_table(b"TT;Ten\n1;A\n", ".docx")
    assert caught.value.code == "UNSUPPORTED_TYPE"
    [sheet] = read_table(b"TT;Ten\n1;A\n", ".XLS")
    assert sheet.rows == [["TT", "Ten"], ["1", "A"]]
