import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from pipelines.core.text import fold, spreadsheet_safe


def test_fold_strips_marks_case_and_spaces():
    assert fold("  Xã PHƯỚC  Hưng ") == "xa phuoc hung"
    assert fold("Đề án 06") == "de an 06"
    assert fold(unicodedata.normalize("NFD", "Diêu Trì")) == "dieu tri"


@given(st.text())
def test_fold_is_idempotent_and_form_blind(text):
    assert fold(fold(text)) == fold(text)
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))


def test_formula_text_is_neutralised():
    assert spreadsheet_safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("-") == "-"
    assert spreadsheet_safe("Phước Hưng") == "Phước Hưng"
