"""Reference administrative units (data/reference/units.csv) and matching names to them.

Units carry a validity interval, because a code names a different area before and
after the 2025 reorganisation: always select the units valid in a period first.
"""

from __future__ import annotations

import difflib
import heapq
from pathlib import Path

import polars as pl
from rapidfuzz import fuzz, process

from pipelines.core.periods import period_start
from pipelines.core.text import fold

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
# The national reference's too: a unit's level and where it lies; whether it reports.
REFERENCE_UNIT_SCHEMA = UNIT_SCHEMA | {
    "level": pl.String,
    "province_code": pl.String,
    "district_code": pl.String,
    "reporting": pl.Boolean,
}
_PREFIXES = ("thi tran ", "tt ", "xa ", "phuong ")


def read_reference(path: Path, schema: dict, defaults: dict[str, object]) -> pl.DataFrame:
    """A reference CSV in `schema`'s columns and types; a column the file lacks takes its
    default (`defaults`, else null), so an older or smaller file still loads."""
    present = pl.read_csv(path, n_rows=0, encoding="utf8").columns
    frame = pl.read_csv(path, schema_overrides={k: v for k, v in schema.items() if k in present}, encoding="utf8")
    return frame.select(
        pl.col(name) if name in present else pl.lit(defaults.get(name), dtype).alias(name)
        for name, dtype in schema.items()
    )


def load_units(path: Path) -> pl.DataFrame:
    """A units file: the national reference, or one with only the first eight columns
    (the benchmark's synthetic country: every unit a reporting commune)."""
    return read_reference(path, REFERENCE_UNIT_SCHEMA, {"level": "commune", "reporting": True})


# Per reference frame (by identity, the frame itself kept so its id is never reused):
# a period's units are matched against thousands of files, computed once.
_CACHE: dict[tuple[int, str], tuple[pl.DataFrame, object]] = {}


def _cached(units: pl.DataFrame, what: str, compute):
    hit = _CACHE.get((id(units), what))
    if hit is not None and hit[0] is units:
        return hit[1]
    if len(_CACHE) > 256:
        _CACHE.clear()
    value = compute()
    _CACHE[(id(units), what)] = (units, value)
    return value


def units_valid_in(units: pl.DataFrame, period: str) -> pl.DataFrame:
    """Units valid on the first day of `period`, in appendix order.

    The frame carries the period in `valid_period`, so a check that meets a name of
    another period can say which unit replaced it (see `crosswalk.unit_not_in_period`).
    """
    day = period_start(period)
    return _cached(
        units,
        f"valid:{period}",
        lambda: (
            units.filter((pl.col("valid_from") <= day) & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= day)))
            .sort("appendix_order")
            .with_columns(pl.lit(period, pl.String).alias("valid_period"))
        ),
    )


def unit_key(name: str | None) -> str:
    """A name reduced for matching: folded, without "Xã", "TT", "TT.", "Thị trấn"."""
    key = fold(name).replace(".", " ")
    key = " ".join(key.split())
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix) :].strip()
                changed = True
    return key


# The kind a leading word names (folded): "TT" is a thị trấn (town).
_KIND_OF_PREFIX = {"xa": "xa", "tt": "thi tran", "thi tran": "thi tran", "phuong": "phuong"}


def name_kind(name: str | None) -> str | None:
    """The folded kind a name states by its first word ("Xã …" → "xa", "TT. …" → "thi tran"), or None."""
    words = fold(name).replace(".", " ").split()
    for length in (2, 1):
        kind = _KIND_OF_PREFIX.get(" ".join(words[:length]))
        if kind and len(words) > length:
            return kind
    return None


def kind_agrees(name: str | None, kind: str | None) -> bool:
    """A name that states a kind only means a unit of that kind ("TT X" never means "Xã X")."""
    stated = name_kind(name)
    return stated is None or kind is None or stated == fold(kind)


def name_keys(units: pl.DataFrame) -> pl.DataFrame:
    """Every accepted spelling of each unit: unit_code, key (name and aliases)."""
    rows = []
    for code, name, aliases in units.select("unit_code", "unit_name", "aliases").iter_rows():
        spellings = [name] + [a for a in (aliases or "").split("|") if a.strip()]
        rows.extend((code, unit_key(s)) for s in spellings)
    return pl.DataFrame(rows, schema={"unit_code": pl.String, "key": pl.String}, orient="row").unique()


def unit_versions(units: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each row of `units` (a unit over one validity interval) with a `version_id`, and
    every accepted spelling of each (unit_code: the version_id, key); built once per frame."""

    def build() -> tuple[pl.DataFrame, pl.DataFrame]:
        versions = units.with_row_index("version_id").with_columns(pl.col("version_id").cast(pl.String))
        return versions, name_keys(versions.with_columns(pl.col("version_id").alias("unit_code")))

    return _cached(units, "versions", build)


def key_codes(units: pl.DataFrame) -> dict[str, list[str]]:
    """key → every unit_code with that spelling among `units` (several where names repeat:
    a province has three Ngô Mây)."""

    def build() -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for code, key in name_keys(units).sort("unit_code").iter_rows():
            index.setdefault(key, []).append(code)
        return index

    return _cached(units, "keys", build)


def candidates(name: str, units: pl.DataFrame) -> list[str]:
    """The unit_codes `name` may mean among `units`: its spelling, and the kind it states."""
    kinds = code_kinds(units)
    return [code for code in key_codes(units).get(unit_key(name), []) if kind_agrees(name, kinds.get(code))]


def key_names(units: pl.DataFrame) -> dict[str, str]:
    """unit_code → official name among `units`."""
    return _cached(units, "names", lambda: dict(units.select("unit_code", "unit_name").iter_rows()))


def code_kinds(units: pl.DataFrame) -> dict[str, str]:
    """unit_code → kind among `units`."""
    return _cached(units, "kinds", lambda: dict(units.select("unit_code", "kind").iter_rows()))


def code_mapping(names: list[str], units: pl.DataFrame) -> dict[str, str | None]:
    """name → the unit_code it means among `units` (None when none, or several), for distinct `names`.

    A name stating a kind ("Xã", "TT", "Thị trấn") matches only a unit of that kind.
    """
    mapping = {}
    for name in names:
        found = candidates(name, units)
        mapping[name] = found[0] if len(found) == 1 else None  # several: told apart by code or district
    return mapping


def match_units(names: pl.Series, units: pl.DataFrame) -> pl.Series:
    """The unit_code each name means among `units`, or null when it matches none."""
    mapping = code_mapping(names.drop_nulls().unique().to_list(), units)
    return names.replace_strict(mapping, default=None, return_dtype=pl.String)


def official_keys(units: pl.DataFrame) -> dict[str, str]:
    """key → official name among `units` (built once per frame)."""
    return _cached(units, "official", lambda: {unit_key(n): n for n in units["unit_name"].to_list()})


def suggest_units(name: str, units: pl.DataFrame, n: int = 3) -> list[str]:
    """The official names closest to `name`, best first: difflib's `get_close_matches`.

    Among thousands of units, difflib's ratio is computed only where it can matter:
    rapidfuzz's ratio (from the longest common subsequence) is never below difflib's, so
    names are visited best bound first and the visit stops when no bound left can beat
    the n-th best ratio found; the result is what difflib gives over every name.
    """
    official = official_keys(units)
    key = unit_key(name)
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(key)
    found: list[tuple[float, str]] = []
    for choice, bound, _ in process.extract(
        key, list(official), scorer=fuzz.ratio, limit=None, score_cutoff=_CUTOFF * 100 - 1e-6
    ):
        if len(found) >= n and bound / 100 + 1e-9 < heapq.nlargest(n, found)[-1][0]:
            break
        matcher.set_seq1(choice)
        if matcher.real_quick_ratio() >= _CUTOFF and matcher.quick_ratio() >= _CUTOFF:
            ratio = matcher.ratio()
            if ratio >= _CUTOFF:
                found.append((ratio, choice))
    return [official[k] for _, k in heapq.nlargest(n, found)]


_CUTOFF = 0.5
