"""The letter's opening sentence, generated for any period."""

import pytest

from pipelines.publish.summary_sentence import summary_sentence, whole_percent

LETTER = (
    "Hiện nay, trên phần mềm quản lý thông tin trẻ em của huyện, số trẻ em đã được cập nhật và làm sạch "
    "dữ liệu là 28.554/45.349 tổng số trẻ em, chiếm tỷ lệ 63% (có phụ lục kèm theo)."
)


def test_july_2024_reads_as_the_letter():
    assert summary_sentence(28554, 45349, "của huyện") == LETTER


@pytest.mark.e2e
def test_published_summary_of_july_2024(published_samples):
    text = (published_samples / "published" / "2024-07" / "summary.txt").read_text(encoding="utf-8")
    assert text == LETTER + "\n"


def test_whole_percent_rounds_half_up_without_overstating():
    assert whole_percent(28554, 45349) == 63
    assert whole_percent(1, 2) == 50 and whole_percent(5, 1000) == 1 and whole_percent(4, 1000) == 1
    assert whole_percent(999, 1000) == 99 and whole_percent(1000, 1000) == 100 and whole_percent(0, 10) == 0


def test_no_figures_yet():
    assert "chưa có số liệu" in summary_sentence(None, None, "của địa phương")
