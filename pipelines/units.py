"""Reference administrative units (data/reference/units.csv) and matching names to them.

Units carry a validity interval, because a code names a different area before and
after the 2025 reorganisation: always select the units valid in a period first.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import polars as pl

from pipelines.periods import period_start
from pipelines.text import fold

UNIT_SCHEMA = {
    "unit_code": pl.String,
    "unit_name": pl.String,
    "kind": pl.String,
    "parent_code": pl.String,
    "appendix_order": pl.Int64,
    "valid_from": pl.Date,
    "valid_to": pl.Date,
    "aliases": pl.String,
}
_PREFIXES = ("thi tran ", "tt ", "xa ", "phuong ")


def load_units(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, schema=UNIT_SCHEMA, encoding="utf8")


def units_valid_in(units: pl.DataFrame, period: str) -> pl.DataFrame:
    """Units valid on the first day of `period`, in appendix order."""
    day = period_start(period)
    return units.filter(
        (pl.col("valid_from") <= day) & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= day))
    ).sort("appendix_order")


def unit_key(name: str | None) -> str:
    """A name reduced for matching: folded, without "Xã", "TT", "TT.", "Thị trấn"."""
    key = fold(name).replace(".", " ")
    key = " ".join(key.split())
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix):].strip()
                changed = True
    return key


def name_keys(units: pl.DataFrame) -> pl.DataFrame:
    """Every accepted spelling of each unit: unit_code, key (name and aliases)."""
    rows = []
    for code, name, aliases in units.select("unit_code", "unit_name", "aliases").iter_rows():
        spellings = [name] + [a for a in (aliases or "").split("|") if a.strip()]
        rows.extend((code, unit_key(s)) for s in spellings)
    return pl.DataFrame(rows, schema={"unit_code": pl.String, "key": pl.String}, orient="row").unique()


# The key lookup of the last units frame seen: a run passes the same frame for every file.
_LAST_LOOKUP: list = [None, {}]


def key_lookup(units: pl.DataFrame) -> dict[str, str]:
    """{matching key: unit_code} of `units`, built once per units frame (not once per file)."""
    if _LAST_LOOKUP[0] is not units:
        _LAST_LOOKUP[:] = [units, {key: code for code, key in name_keys(units).iter_rows()}]
    return _LAST_LOOKUP[1]


def match_units(names: pl.Series, units: pl.DataFrame) -> pl.Series:
    """The unit_code each name means among `units`, or null when it matches none."""
    distinct = names.drop_nulls().unique().to_list()
    by_key = key_lookup(units)
    mapping = {n: by_key.get(unit_key(n)) for n in distinct}
    return names.replace_strict(mapping, default=None, return_dtype=pl.String)


def suggest_units(name: str, units: pl.DataFrame, n: int = 3) -> list[str]:
    """The official names closest to `name`, best first."""
    official = dict(units.select("unit_name").with_columns(
        pl.col("unit_name").map_elements(unit_key, return_dtype=pl.String).alias("key")
    ).select("key", "unit_name").iter_rows())
    close = difflib.get_close_matches(unit_key(name), list(official), n=n, cutoff=0.5)
    return [official[k] for k in close]
