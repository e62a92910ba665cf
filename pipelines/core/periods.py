"""Reporting periods, named "YYYY-MM" by the month they start in."""

from __future__ import annotations

import datetime as dt
import re

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def is_period(text: str) -> bool:
    return bool(_PERIOD.match(text or ""))


def period_start(period: str) -> dt.date:
    match = _PERIOD.match(period)
    if not match:
        raise ValueError(f"not a period (YYYY-MM): {period!r}")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def period_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_label(period: str) -> str:
    """ "2024-07" → "7/2024", as the letter writes a month."""
    start = period_start(period)
    return f"{start.month}/{start.year}"
