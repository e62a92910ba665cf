"""The analytics views as Parquet, for tools that do not speak DuckDB: data/analytics/.

One file per view, `data/analytics/<view>.parquet` (e.g. latest_figures.parquet), written
from the analysts' copy each time it is made. The set is replaced as a whole:
`data/analytics` is a symbolic link to a directory holding one run's complete set,
`data/.analytics/<UTC time>/`; a new set is written beside it under a temporary name,
flushed, renamed, and the link is swapped in one rename. At any moment the link shows one
run's files, never two runs' mixed. The set it replaced is kept until the next one
replaces it (older sets are deleted), so a reader that resolved the link once
(`Path("data/analytics").resolve()`) reads that whole set even while a run swaps it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import duckdb
import polars as pl

from pipelines.core.settings import DataDir
from pipelines.scale import fsync_path

LINK = "analytics"  # data/analytics -> .analytics/<set>
SETS = ".analytics"  # data/.analytics/<set>/<view>.parquet
TMP = ".tmp"
COMPRESSION = "uncompressed"


def extracts_path(layout: DataDir) -> Path:
    """data/analytics: the current set (a symbolic link to it)."""
    return layout.root / LINK


def current_set(layout: DataDir) -> str | None:
    """Where the link points (relative to the data directory), None without one."""
    try:
        return os.readlink(extracts_path(layout))
    except (FileNotFoundError, OSError):
        return None


def clear_stale(layout: DataDir) -> None:
    """Remove what a run killed while writing a set left: unfinished sets, a link not swapped."""
    sets = layout.root / SETS
    if sets.is_dir():
        for path in sets.glob(f"*{TMP}"):
            shutil.rmtree(path, ignore_errors=True)
    (layout.root / f"{SETS}.link{TMP}").unlink(missing_ok=True)


def new_set(layout: DataDir) -> Path:
    """A new, empty set directory, under its temporary name."""
    name = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    path = layout.root / SETS / f"{name}{TMP}"
    path.mkdir(parents=True)
    return path


def write_view(
    con: duckdb.DuckDBPyConnection,
    view: str,
    path: Path,
    previous: Path | None = None,
    periods: list[str | None] | None = None,
) -> None:
    """Write the rows of `view` (a quoted, qualified name from our own catalog) to `path`.

    With `previous`, the same view's file in the set being replaced, only the rows of
    `periods` (those that changed) are read from the view, the others from `previous`:
    for a view whose rows of a period come only from rows of that period. Files are
    written by Polars, uncompressed: faster to write than compressed, for few more bytes
    (their bulk, each row's sha256, is hex that Snappy hardly shrinks)."""
    if previous is not None and previous.exists() and periods is not None:
        values, nulls = [p for p in periods if p is not None], None in periods
        listed = pl.col("period").is_in(pl.Series(values, dtype=pl.String).implode()).fill_null(False)
        changed = listed | (pl.col("period").is_null() & nulls)
        where, params = periods_filter('"period"', periods)
        new = _frame(con, f"FROM {view} WHERE {where}", params)
        old = pl.scan_parquet(previous)
        if old.collect_schema() == new.schema:
            pl.concat([old.filter(~changed), new.lazy()]).sink_parquet(path, compression=COMPRESSION)
            return
    _frame(con, f"FROM {view}").write_parquet(path, compression=COMPRESSION)


def periods_filter(column: str, periods: list[str | None]) -> tuple[str, dict[str, str]]:
    """An SQL condition true on the rows whose `column` is one of `periods` (None: null),
    with its parameters: an IN list of parameters, which DuckDB pushes into the scans."""
    params = {f"period_{i}": p for i, p in enumerate(p for p in periods if p is not None)}
    terms = [f"{column} IN ({', '.join(f'${name}' for name in params)})"] if params else []
    terms += [f"{column} IS NULL"] if None in periods else []
    return " OR ".join(terms) or "false", params


def _frame(con: duckdb.DuckDBPyConnection, query: str, params: dict | None = None) -> pl.DataFrame:
    return con.sql(query, params=params).pl()


def publish_set(layout: DataDir, folder: Path) -> Path:
    """Put the set written in `folder` (from `new_set`) in place of the current one; its path.

    The files and the folder are flushed and renamed first, then the link is swapped in
    one rename. The set replaced is kept, older ones are deleted."""
    for path in folder.iterdir():
        fsync_path(path)
    final = folder.with_name(folder.name.removesuffix(TMP))
    os.rename(folder, final)
    fsync_path(final.parent)
    previous = current_set(layout)
    link = extracts_path(layout)
    if link.is_dir() and not link.is_symlink():
        # A data directory copied by a tool that follows links (shutil.copytree, cp -L)
        # holds a set as a plain folder: moved among the sets (and deleted below).
        os.rename(link, final.parent / f"{final.name}.copied")
    staged = layout.root / f"{SETS}.link{TMP}"
    staged.unlink(missing_ok=True)
    os.symlink(os.path.relpath(final, layout.root), staged)
    os.replace(staged, link)
    fsync_path(layout.root)
    keep = {final.name} | ({Path(previous).name} if previous else set())
    for path in final.parent.iterdir():
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)
    return final
