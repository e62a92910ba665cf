"""The clean-rate history of the periods before the units last changed, kept between runs
in data/.history/.

The history a period publishes re-expresses every earlier period in its units. The rows
of the periods before the units last changed (`settled_until`) come out the same at every
period until the units change again or one of those periods' figures does: for a
province or the country, years of communes summed through the crosswalk, a large part
of what publishing a month costs. They are kept in one Parquet file named by a digest of
everything they are made from (the code, the Polars version, the units, the crosswalk,
a fingerprint of those periods' snapshots), so a change to any of them makes them again.
Deleting the folder costs one re-expression, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.core.scope import Scope
from pipelines.core.settings import DataDir
from pipelines.publish.files import write_atomically
from pipelines.warehouse.history import clean_rate_history_as_of, settled_until
from pipelines.warehouse.output_records import code_digest, fingerprint, inputs_digest, package_versions

FOLDER = ".history"


@dataclass(frozen=True)
class Earlier:
    """The periods up to `until`, the digest `key` of what their history is made from,
    and that history when it is stored."""

    until: str
    key: str
    history: pl.DataFrame | None


def lookup(con: duckdb.DuckDBPyConnection, layout: DataDir, scope: Scope, period: str) -> Earlier | None:
    """What `period`'s history can take from the store; None when no period before the
    units' last change has figures."""
    until = settled_until(scope.units, scope.crosswalk, period)
    if until is None:
        return None
    snapshots = fingerprint(con, "select_snapshots_fingerprint", period=until)
    if snapshots["row_count"] == 0:
        return None
    key = inputs_digest(
        {
            "code": code_digest(),
            "packages": package_versions("polars"),
            "until": until,
            "snapshots": snapshots,
            "units": scope.units,
            "crosswalk": scope.crosswalk,
        }
    )
    try:
        history = pl.read_parquet(_path(layout, key))
    except (OSError, pl.exceptions.PolarsError):  # not stored, or unreadable: made again
        history = None
    return Earlier(until, key, history)


def history_as_of(
    layout: DataDir, snapshots: pl.DataFrame, scope: Scope, period: str, earlier: Earlier | None
) -> pl.DataFrame:
    """`clean_rate_history_as_of` every period up to `period`. With `earlier.history`,
    `snapshots` holds only the periods after `earlier.until`; without it, the periods up
    to `earlier.until` are re-expressed and stored."""

    def as_of(frame: pl.DataFrame) -> pl.DataFrame:
        return clean_rate_history_as_of(frame, scope.units, scope.crosswalk, period)

    if earlier is None:
        return as_of(snapshots)
    stored = earlier.history
    if stored is None:
        before = pl.col("period") <= earlier.until
        stored = as_of(snapshots.filter(before))
        path = _path(layout, earlier.key)
        write_atomically(path, stored.write_parquet)
        for other in path.parent.iterdir():  # older keys, a killed run's temporary file
            if other != path:
                other.unlink()
        snapshots = snapshots.filter(~before)
    # Each period's rows depend only on its own snapshots: the two parts are the whole.
    return pl.concat([stored, as_of(snapshots)])


def _path(layout: DataDir, key: str) -> Path:
    return layout.root / FOLDER / f"{key}.parquet"
