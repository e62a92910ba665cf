"""What every asset module shares: the programme, the period partitions, reference units."""

import datetime as dt
from functools import lru_cache

import polars as pl

from pipelines.partitions import period_partitions
from pipelines.scope import configured_scope
from pipelines.settings import Programme

PROGRAMME = Programme.load()
PERIODS = period_partitions(PROGRAMME)


@lru_cache(maxsize=1)
def reference_units() -> pl.DataFrame:
    """The configured scope's units (one loading path: `scope.configured_scope`)."""
    return configured_scope().units


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def markdown_table(frame: pl.DataFrame, limit: int = 50) -> str:
    """A frame as a Markdown table for asset metadata (the first `limit` rows)."""
    if frame.is_empty():
        return "_(none)_"
    head = frame.head(limit)
    lines = ["| " + " | ".join(head.columns) + " |", "|" + "---|" * len(head.columns)]
    for row in head.iter_rows():
        lines.append("| " + " | ".join("" if v is None else str(v).replace("|", "\\|") for v in row) + " |")
    if frame.height > limit:
        lines.append(f"\n… {frame.height - limit} more")
    return "\n".join(lines)
