"""`--without PATH`: the scale benchmark with one of the country-size paths turned off,
to see what it buys against the code as it is (BENCHMARKS.md, "What each kept
optimisation buys"). Each is set back to what a district does: parse and render in the
run's process, flush the archive path by path, copy the analysts' copy whole then flush, let the
cycle collector walk the whole heap.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from pipelines import scale
from pipelines.analysts import analyst_db

NEVER = 1 << 62  # a threshold no run reaches


def _copy_then_flush(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    scale.fsync_path(target)


PATHS = {
    "parse-workers": lambda: setattr(scale, "MIN_PARALLEL_FILES", NEVER),
    "render-workers": lambda: setattr(scale, "RENDER_ON_WORKERS_FROM", NEVER),
    "syncfs": lambda: setattr(scale, "SYNCFS_FROM", NEVER),
    "chunked-copy": lambda: setattr(analyst_db, "copy_to_disk", _copy_then_flush),
    "frozen-heap": lambda: setattr(scale, "frozen_heap", contextlib.nullcontext),
}


def turn_off(paths: list[str]) -> None:
    for path in paths:
        PATHS[path]()
