"""The national mode: the real country (data/reference/vn/), synthetic figures and files.

The scope is "VN" as a data directory configured for it reads it (`configure_data_dir`,
then TRE_EM_DATA_DIR): every reporting unit of the national reference, with the real
crosswalk across 2025-07-01. A period before it is reported by the units valid in it
(10,056 communes, wards and towns in 2024), a later one by the 3,321 communes of the
two-level government. Every unit version gets its own series of figures; a commune formed
on 2025-07-01 starts from the sum of the shares of the units it was formed from, so the
figures run on across the reorganisation. Files name the unit as the reference has it
and carry its code in a "Mã xã" column (names repeat across the country).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np
import polars as pl

from benchmarks import synthetic
from pipelines.core.periods import period_start
from pipelines.core.scope import COUNTRY, NATIONAL_DIR, REORGANISATION, Scope, load_scope
from pipelines.core.units import units_valid_in

SCOPE_CODE = COUNTRY
# The first period reported by the new communes, and the default timed period: the month
# after it, so that every history of two periods or more crosses the reorganisation.
REORGANISED = f"{REORGANISATION.year:04d}-{REORGANISATION.month:02d}"
DEFAULT_PERIOD = "2025-08"


@lru_cache(maxsize=1)
def reference_digest() -> str:
    """A short digest of the national units and crosswalk: the cache (files, history) is
    this reference's, made again when `make reference` changes it."""
    digest = hashlib.sha256()
    for name in ("units.csv", "crosswalk.csv"):
        digest.update((NATIONAL_DIR / name).read_bytes())
    return digest.hexdigest()[:10]


@lru_cache(maxsize=1)
def national_scope() -> Scope:
    """The whole country, as `load_scope` gives it for [scope] code = "VN"."""
    return load_scope({"scope": {"code": SCOPE_CODE}})


def _bases(units: pl.DataFrame, crosswalk: pl.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Each unit version's starting total: drawn, or for a unit formed at the reorganisation
    from units before it, the sum of their totals shared evenly among what each became."""
    base = rng.integers(300, 6000, size=units.height).astype(np.float64)
    before = units_valid_in(units, f"{REORGANISATION.year:04d}-06").select("_v", "unit_code")
    after = units_valid_in(units, REORGANISED).select("_v", "unit_code")
    pairs = crosswalk.filter(pl.col("effective_date") == REORGANISATION).select("from_code", "to_code")
    shares = (
        pairs.join(before.rename({"_v": "from_v", "unit_code": "from_code"}), on="from_code")
        .join(after.rename({"_v": "to_v", "unit_code": "to_code"}), on="to_code")
        .with_columns(pl.len().over("from_code").alias("ways"))
        .filter(pl.col("from_v") != pl.col("to_v"))  # a unit that stayed as it was keeps its own
    )
    if shares.height:
        share = base[shares["from_v"].to_numpy()] / shares["ways"].to_numpy()
        formed = pl.DataFrame({"to_v": shares["to_v"], "share": share}).group_by("to_v").agg(pl.col("share").sum())
        base[formed["to_v"].to_numpy()] = formed["share"].to_numpy()
    return np.maximum(base, 1)


def national_figures(scope: Scope, periods: list[str], seed: int) -> pl.DataFrame:
    """Each period's counts for the units valid in it (period, unit_code, unit_name, kind and
    the three counts): totals drift slowly, updating and cleaning advance, as the synthetic
    country's (`synthetic.synthetic_figures`)."""
    rng = np.random.default_rng(seed + 1)
    units = scope.units.with_row_index("_v").with_columns(pl.col("_v").cast(pl.Int64))
    total, updated, cleaned = synthetic.drifting_counts(_bases(units, scope.crosswalk, rng), len(periods), rng)
    frames = []
    for i, period in enumerate(periods):
        valid = units_valid_in(units, period)
        v = valid["_v"].to_numpy()
        frames.append(
            valid.select(
                pl.lit(period).alias("period"),
                "unit_code",
                "unit_name",
                "kind",
                pl.Series("total_children", total[i, v]),
                pl.Series("updated", updated[i, v]),
                pl.Series("cleaned", cleaned[i, v]),
            )
        )
    return pl.concat(frames)


def period_submissions(figures: pl.DataFrame, period: str, seed: int):
    """Every unit's file for `period`, in the synthetic shapes (`synthetic.SHAPES`, a few
    malformed), the unit named as the reference has it and its code in "Mã xã"."""
    rng = np.random.default_rng([seed, int(period.replace("-", "")), 84])
    rows = figures.filter(pl.col("period") == period)
    shapes = rng.choice(list(synthetic.SHAPES), size=rows.height, p=list(synthetic.SHAPES.values()))
    for shape, record in zip(shapes, rows.iter_rows(named=True), strict=True):
        yield synthetic.submission(record, period, str(shape), rng, code=True, as_named=True)


def check_period(period: str) -> str | None:
    """Why `period` cannot be the national run's timed period, or None."""
    if period_start(period) <= REORGANISATION:
        return f"the national run times a period after {REORGANISED} (its history crosses the reorganisation)"
    return None
