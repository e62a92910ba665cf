"""The published files: their names, and writing them atomically (a reader sees the old file or the new one, never half)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from pipelines.core.settings import DataDir

CHART_FORMATS = ("png", "svg")
CHART_STEMS = ("bieu-do-ty-le", "xep-hang")  # the clean rate over the periods; the period's ranking


def write_atomically(path: Path, write: Callable[[Path], None]) -> Path:
    """Call `write(tmp_path)`, flush it to disk, then rename it over `path`.

    When the new bytes equal the published ones the old file stays untouched, so a
    re-run with nothing new changes nothing, not even a modification time.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # A run killed mid-write leaves its temporary file; runs never overlap, so any is stale.
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        if path.exists() and path.read_bytes() == tmp.read_bytes():
            return path
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def write_text(path: Path, text: str) -> Path:
    return write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def chart_names(period: str) -> list[str]:
    """The chart files of `period`, in the order `charts.period_charts` returns them."""
    return [f"{stem}-{period}.{fmt}" for stem in CHART_STEMS for fmt in CHART_FORMATS]


def published_paths(layout: DataDir, period: str) -> list[Path]:
    """Every file published_appendix writes for `period`, in the order it writes them."""
    folder = layout.period_published(period)
    return [
        folder / "appendix.csv",
        folder / f"phu-luc-{period}.xlsx",
        folder / f"phu-luc-{period}.docx",
        folder / "appendix.md",
        folder / "rejections.csv",
        folder / "clean_rate_history.csv",
        folder / "clean_rate_history_notes.csv",
        folder / "trends.csv",
        folder / "summary.txt",
        *[folder / name for name in chart_names(period)],
        folder / "report.html",
        layout.published / "rejections.csv",
    ]
