"""report.html: self-contained (opens offline), with the sentence, tables and charts."""

import re
from html.parser import HTMLParser

import pytest


class Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.urls = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]


@pytest.mark.e2e
def test_report_is_self_contained(published_samples):
    text = (published_samples / "published" / "2024-07" / "report.html").read_text(encoding="utf-8")
    page = Collector()
    page.feed(text)
    assert "script" not in page.tags and "link" not in page.tags
    assert page.urls and all(u.startswith("data:image/png;base64,") for u in page.urls)
    assert page.tags.count("img") == 2
    assert not re.search(r"https?://", text)
    assert "28.554/45.349 tổng số trẻ em, chiếm tỷ lệ 63%" in text
    assert "<td>Phước Hưng</td>" in text and "54,81" in text
    assert "Xu hướng" in text and "Cảnh báo" in text and "Tình hình nộp báo cáo" in text


def test_report_shows_completeness_and_rejections_when_present(tmp_path):
    import datetime as dt

    import polars as pl

    from pipelines.core.scope import configured_scope
    from pipelines.publish.appendix import build_appendix
    from pipelines.publish.report_html import render_report

    scope = configured_scope()
    snapshot = pl.DataFrame({"unit_code": ["21961"], "total_children": [10], "updated": [8], "cleaned": [5]})
    appendix = build_appendix(snapshot, scope.units_in("2024-07"))
    trends = pl.DataFrame(
        {
            "unit_code": ["21961"],
            "unit_name": ["Phước Hưng"],
            "clean_rate_pct": [50.0],
            "change_pct_points": [0.0],
            "rank": [1],
            "pace_per_month": [0.0],
            "projected_period": [None],
            "status": ["stalled"],
            "flagged": [True],
        }
    )
    rejections = pl.DataFrame(
        {"original_name": ["x<y>.xlsx"], "row_number": [3], "code": ["NOT_A_NUMBER"], "message": ["Sai số"]}
    )
    completeness = pl.DataFrame(
        {
            "stt": [1],
            "unit_code": ["21961"],
            "unit_name": ["Phước Hưng"],
            "status": ["late"],
            "status_vi": ["Báo cáo trễ hạn"],
            "days_late": [3],
        }
    )
    html = render_report(
        "2024-07", scope.texts("2024-07"), "Câu tóm tắt.", appendix, trends, [], rejections, completeness
    )
    assert "<th>Tình trạng</th>" in html and "<td>Báo cáo trễ hạn</td>" in html and "<th>Số ngày trễ</th>" in html
    assert "status_vi" not in html and "<td>late</td>" not in html
    assert "Chưa báo cáo: Phước Quang" in html
    assert "Phước Hưng: Chững lại" in html and 'class="flagged"' in html
    assert "x&lt;y&gt;.xlsx" in html and "NOT_A_NUMBER" in html
    assert dt.date.today().isoformat() not in html


def _appendix(reported: int):
    import polars as pl

    from pipelines.core.scope import configured_scope
    from pipelines.publish.appendix import build_appendix

    units = configured_scope().units_in("2024-07")
    codes = units.sort("appendix_order")["unit_code"].to_list()[:reported]
    snapshot = pl.DataFrame(
        {
            "unit_code": codes,
            "total_children": [1000] * reported,
            "updated": [900] * reported,
            "cleaned": [0] * reported,
        }
    )
    return build_appendix(snapshot, units)


@pytest.mark.parametrize("reported", [13, 12])
def test_appendix_table_and_markdown_show_the_note_column_only_when_a_unit_has_a_note(reported):
    from pipelines.core.columns import COLUMNS, headers, numbering_row
    from pipelines.publish.appendix_md import appendix_markdown
    from pipelines.publish.report_html import appendix_table

    appendix = _appendix(reported)
    html = appendix_table(appendix, "2024-07")
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html)
    head, numbering = (re.findall(r"<th>(.*?)</th>", row) for row in rows[:2])
    with_note = reported < 13
    assert head == headers("2024-07") + (["Ghi chú"] if with_note else [])
    assert numbering == numbering_row() + ([""] if with_note else [])
    first = re.findall(r"<td[^>]*>(.*?)</td>", rows[2])
    assert first == ["1", "Phước Hưng", "1.000", "900", "100", "-", "900", "0,00"] + ([""] if with_note else [])
    assert '<td class="num">1.000</td>' in rows[2] and '<td class="center">1</td>' in rows[2]
    assert rows[-1].startswith('<td colspan="2" class="center">Tổng cộng</td>')
    assert ("Chưa báo cáo" in html) == with_note
    markdown = appendix_markdown(appendix, "2024-07", "T").splitlines()
    assert markdown[2] == "| " + " | ".join(c.short for c in COLUMNS) + (" | Ghi chú |" if with_note else " |")
    assert markdown[3] == "|:---:|---|---:|---:|---:|---:|---:|---:|" + ("---|" if with_note else "")
    assert markdown[4] == "| 1 | Phước Hưng | 1.000 | 900 | 100 | - | 900 | 0,00 |" + ("  |" if with_note else "")
    if with_note:
        assert markdown[-2] == "| 13 | TT Diêu Trì |  |  |  |  |  |  | Chưa báo cáo |"


def test_dates_read_as_the_letter_writes_them_and_counts_are_right_aligned():
    import datetime as dt

    import polars as pl

    from pipelines.publish.report_html import completeness_table, date_text

    assert date_text(dt.date(2024, 9, 30)) == "30/9/2024" == date_text("2024-09-30")
    assert date_text("2024-08-10 09:00:00") == "10/8/2024 09:00" == date_text(dt.datetime(2024, 8, 10, 9, 0, 59))
    assert date_text(None) == "" and date_text(3) == "3" and date_text("Đúng hạn") == "Đúng hạn"
    table = completeness_table(
        pl.DataFrame(
            {
                "stt": [1],
                "unit_name": ["Phước Hưng"],
                "status_vi": ["Trễ hạn"],
                "deadline": [dt.date(2024, 9, 30)],
                "first_received_local": ["2024-10-02 08:05:00"],
                "last_received_local": ["2024-10-03 17:30:00"],
                "versions": [2],
                "days_late": [2],
            }
        )
    )
    cells = re.findall(r"<td[^>]*>.*?</td>", table)
    assert cells == [
        '<td class="center">1</td>',
        "<td>Phước Hưng</td>",
        "<td>Trễ hạn</td>",
        "<td>30/9/2024</td>",
        "<td>2/10/2024 08:05</td>",
        "<td>3/10/2024 17:30</td>",
        '<td class="num">2</td>',
        '<td class="num">2</td>',
    ]
