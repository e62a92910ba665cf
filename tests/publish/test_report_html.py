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
