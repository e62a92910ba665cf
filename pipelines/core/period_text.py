"""The reporting period a file states in its own text, and how it squares with the inbox.

Officers write the month as "tháng 7 năm 2024", "tháng 07/2024", "T7/2024", "T07-2024"
(in a title, a header such as "Tổng số trẻ em … đến tháng 7/2024", or the sheet's
name). A file in an inbox period folder is checked against it; a file loose in the inbox
takes its period from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pipelines.core.text import fold

# On folded text (lower case, no diacritics): "thang 7 nam 2024", "thang 07/2024", "t7/2024".
_PATTERNS = (
    re.compile(r"\bthang\s*(\d{1,2})\s*(?:nam|/|-|\.)\s*(\d{4})\b"),
    re.compile(r"\bt\s?(\d{1,2})\s*[/.\-]\s*(\d{4})\b"),
)
# A date ("<nơi ký>, ngày 05 tháng 8 năm 2024" under the signature) names the day a
# report was written, not its period: dates are removed before periods are looked for.
_DATE = re.compile(r"\bngay\s*\d{1,2}\s*(?:thang|/|-|\.)\s*\d{1,2}(?:\s*(?:nam|/|-|\.)\s*\d{4})?")


def periods_in(texts: Iterable[str | None]) -> list[str]:
    """Every distinct period ("YYYY-MM") the texts name, in order of first mention."""
    found: dict[str, None] = {}
    for text in texts:
        # Every pattern needs a "t" ("tháng", "T7"): figures and most names are skipped unread.
        if text and ("t" in text or "T" in text):
            for period in _periods_of(text):
                found.setdefault(period, None)
    return list(found)


# Titles and headers recur in thousands of files copied from one template.
@lru_cache(maxsize=8192)
def _periods_of(text: str) -> tuple[str, ...]:
    folded = _DATE.sub(" ", fold(text))
    found = []
    for pattern in _PATTERNS:
        for month, year in pattern.findall(folded):
            if 1 <= int(month) <= 12:
                found.append(f"{int(year):04d}-{int(month):02d}")
    return tuple(found)


@dataclass(frozen=True)
class PeriodVerdict:
    """The period a file counts for (None when unknown) or why it has none: a rejection code."""

    period: str | None
    code: str | None = None
    detail: str = ""


def resolve_period(stated: list[str], folder_period: str | None, first_period: str, last_period: str) -> PeriodVerdict:
    """Square the folder's period with the periods written in the file.

    In a folder: the folder decides, unless the file names other periods and never the
    folder's (PERIOD_MISMATCH). Loose: the one period the file names, within
    [first_period, last_period] (else PERIOD_IMPOSSIBLE); none or several: PERIOD_UNKNOWN.
    """
    if folder_period is not None:
        if stated and folder_period not in stated:
            return PeriodVerdict(folder_period, "PERIOD_MISMATCH", ", ".join(label(p) for p in stated))
        return PeriodVerdict(folder_period)
    if len(stated) != 1:
        return PeriodVerdict(None, "PERIOD_UNKNOWN", ", ".join(label(p) for p in stated))
    period = stated[0]
    if not first_period <= period <= last_period:
        return PeriodVerdict(None, "PERIOD_IMPOSSIBLE", label(period))
    return PeriodVerdict(period)


def label(period: str) -> str:
    """ "2024-07" → "tháng 7/2024"."""
    year, month = period.split("-")
    return f"tháng {int(month)}/{year}"
