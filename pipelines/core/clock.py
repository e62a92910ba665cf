"""The time of a run: one clock, so a test can fix it (the received times, the deadlines)."""

import datetime as dt


def now() -> dt.datetime:
    """Now, in UTC without a time zone (how the warehouse stores times)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
