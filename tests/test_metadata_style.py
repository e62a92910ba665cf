"""The metadata an operator reads in the Dagster UI writes numbers one way, the letter's
(62,97; 3.158; "-" for zero in a cell), and its tables have Vietnamese headers."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from helpers import copy_samples, run

# A number as the letter writes it: 3.158, 62,97, "-" (zero).
VN_NUMBER = re.compile(r"^(-|\d{1,3}(\.\d{3})*(,\d+)?)$")
NUMBER_LIKE = re.compile(r"^-?[\d.,]+$")
SNAKE_CASE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


def tables(markdown: str) -> list[list[list[str]]]:
    """The Markdown tables in `markdown`, each as rows of cells (the separator row left out)."""
    found, current = [], []
    for line in markdown.splitlines() + [""]:
        if line.startswith("|"):
            if not re.match(r"^\|(-+\|)+$", line):
                current.append([cell.strip() for cell in line.strip("|").split(" | ")])
        elif current:
            found.append(current)
            current = []
    return found


def readable_metadata(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    """Every metadata entry a run recorded, by asset or check name."""
    shown = {
        e.asset_key.to_user_string(): e.materialization.metadata for e in result.get_asset_materialization_events()
    }
    shown |= {e.check_name: e.metadata for e in result.get_asset_check_evaluations()}
    return shown


def problems_of(shown: dict[str, dict]) -> list[str]:
    problems = []
    for owner, metadata in shown.items():
        for label, entry in metadata.items():
            where = f"{owner}.{label}"
            if isinstance(entry, dg.IntMetadataValue | dg.FloatMetadataValue):
                problems.append(f"{where}: a bare number {entry.value!r} (the UI prints 3158, 62.97)")
            elif isinstance(entry, dg.TextMetadataValue) and NUMBER_LIKE.match(entry.value):
                if not VN_NUMBER.match(entry.value):
                    problems.append(f"{where}: {entry.value!r} is not written as the letter writes numbers")
            elif isinstance(entry, dg.MarkdownMetadataValue):
                for table in tables(entry.value):
                    header, *rows = table
                    english = [cell for cell in header if SNAKE_CASE.match(cell)]
                    if english:
                        problems.append(f"{where}: English column names {english}")
                    for row in rows:
                        for name, cell in zip(header, row, strict=False):
                            if NUMBER_LIKE.match(cell) and not VN_NUMBER.match(cell):
                                problems.append(f"{where}: {name} = {cell!r}")
    return problems


def test_the_checks_on_the_style_catch_what_the_issue_saw():
    shown = {
        "district_appendix": {"clean_rate_pct": dg.MetadataValue.float(62.97)},
        "published_appendix": {"clean_rate_pct": dg.MetadataValue.text("62,97"), "rows": dg.MetadataValue.text("3158")},
        "reporting_completeness": {
            "units_to_remind": dg.MetadataValue.md(
                "| stt | unit_name | days_late |\n|---|---|---|\n| 1 | Phước An | 1250 |"
            )
        },
    }
    assert len(problems_of(shown)) == 4


@pytest.mark.e2e
def test_every_number_in_the_metadata_is_written_as_the_letter_writes_it(tmp_path):
    data_dir = copy_samples(tmp_path / "data", ["2024-06", "2024-07"])
    assert run(data_dir, "2024-06").success
    (data_dir / "inbox" / "2024-07" / "Phước Sơn.xlsx").unlink()  # a unit to remind
    result = run(data_dir, "2024-07")
    assert result.success
    shown = readable_metadata(result)
    assert problems_of(shown) == []
    # The same rate, written once: the appendix's and the published files'.
    rate = shown["district_appendix"]["clean_rate_pct"].value
    assert re.match(r"^\d{1,2},\d{2}$", rate) and shown["published_appendix"]["clean_rate_pct"].value == rate
    # Three columns, a unit's name kept on one line: the UI's metadata column is narrow.
    remind = tables(shown["reporting_completeness"]["units_to_remind"].value)[0]
    assert remind[0] == ["STT", "Đơn vị", "Tình trạng"]
    assert ["5", "Phước\u00a0Sơn", "Chưa báo cáo"] in remind
    today = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    assert [
        "1",
        "Phước\u00a0Hưng",
        f"Trễ hạn {(today - dt.date(2024, 9, 30)).days} ngày, nhận {today:%-d/%-m/%Y}",
    ] in remind
    history = tables(shown["clean_rate_history"]["scope_clean_rate"].value)[0]
    assert history[0] == ["Kỳ", "Tỷ lệ làm sạch (%)"] and history[-1] == ["2024-07", rate]
    received = tables(shown["received_files"]["new"].value)[0]
    assert received[0] == ["Tệp", "Kỳ", "Dung lượng (byte)"]
    assert all(re.match(r"^\d{1,3}(\.\d{3})+$", row[2]) for row in received[1:])  # a workbook: thousands of bytes
