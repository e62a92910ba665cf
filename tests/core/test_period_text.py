import pytest

from pipelines.core.period_text import PeriodVerdict, label, periods_in, resolve_period


@pytest.mark.parametrize(
    "text, periods",
    [
        ("Báo cáo tháng 7 năm 2024", ["2024-07"]),
        ("BÁO CÁO THÁNG 07/2024", ["2024-07"]),
        ("Tổng số trẻ em theo báo cáo của địa phương đến tháng 7/2024", ["2024-07"]),
        ("Số liệu T7/2024", ["2024-07"]),
        ("t07-2024", ["2024-07"]),
        ("thang 12 nam 2024", ["2024-12"]),
        ("Tuy Phước, ngày 05 tháng 8 năm 2024", []),  # the day the report was signed
        ("(Kèm theo Công văn số /UBND-VX ngày /7/2024", []),
        ("từ ngày 01/7/2024 đến ngày 31/7/2024", []),
        ("tháng 13/2024", []),
        ("TT 7/2024", []),
    ],
)
def test_periods_written_in_a_file(text, periods):
    assert periods_in([text]) == periods


def test_several_texts_keep_first_mention_order():
    assert periods_in(["Tháng 7/2024", None, "ngày 5 tháng 8 năm 2024", "so với tháng 6/2024", "T7/2024"]) == [
        "2024-07",
        "2024-06",
    ]


@pytest.mark.parametrize(
    "stated, folder, verdict",
    [
        ([], "2024-07", PeriodVerdict("2024-07")),
        (["2024-07"], "2024-07", PeriodVerdict("2024-07")),
        (["2024-06", "2024-07"], "2024-07", PeriodVerdict("2024-07")),
        (["2024-06"], "2024-07", PeriodVerdict("2024-07", "PERIOD_MISMATCH", "tháng 6/2024")),
        (["2024-07"], None, PeriodVerdict("2024-07")),
        ([], None, PeriodVerdict(None, "PERIOD_UNKNOWN", "")),
        (["2024-06", "2024-07"], None, PeriodVerdict(None, "PERIOD_UNKNOWN", "tháng 6/2024, tháng 7/2024")),
        (["2018-12"], None, PeriodVerdict(None, "PERIOD_IMPOSSIBLE", "tháng 12/2018")),
        (["2026-12"], None, PeriodVerdict(None, "PERIOD_IMPOSSIBLE", "tháng 12/2026")),
    ],
)
def test_folder_and_text_squared(stated, folder, verdict):
    assert resolve_period(stated, folder, "2019-01", "2026-11") == verdict


def test_label():
    assert label("2024-07") == "tháng 7/2024"
