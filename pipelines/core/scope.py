"""The reporting scope: which units one appendix covers, and how its titles read on a date.

All of it comes from the [scope] table of data/config.toml and the reference files it
names, so the old district, the new communes or another district or province is a
matter of configuration. Texts may change from a date on (`[[scope.editions]]`): after
1 July 2025 an appendix can no longer be "of the district".
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl

from pipelines.core.crosswalk import load_crosswalk
from pipelines.core.periods import period_start
from pipelines.core.settings import CONFIG_FILE, REFERENCE_DIR, UNITS_FILE_ENV, load_config
from pipelines.core.units import load_units, units_valid_in

TEXT_KEYS = ("title", "attachment_line", "area")
DEFAULT_TARGET_PCT = 100.0


@dataclass(frozen=True)
class Scope:
    """Every version of the scope's units, the crosswalk between them, and the settings."""

    units: pl.DataFrame
    crosswalk: pl.DataFrame
    settings: dict = field(default_factory=dict)

    @property
    def target_pct(self) -> float:
        return float(self.settings.get("target_pct", DEFAULT_TARGET_PCT))

    def units_in(self, period: str) -> pl.DataFrame:
        return units_valid_in(self.units, period)

    def texts(self, period: str) -> dict:
        """title, attachment_line and area as they read for `period` (latest edition wins)."""
        texts = {key: self.settings.get(key, "") for key in TEXT_KEYS}
        start = period_start(period).isoformat()
        editions = sorted(self.settings.get("editions", []), key=lambda e: str(e["from"]))
        for edition in editions:
            if str(edition["from"]) <= start:
                texts.update({k: v for k, v in edition.items() if k in TEXT_KEYS})
        return texts


def reference_path(name: str, reference_dir: Path) -> Path:
    """A reference file named in the config: relative to `reference_dir`, or absolute."""
    return reference_dir / name


def load_scope(config: dict, reference_dir: Path = REFERENCE_DIR) -> Scope:
    settings = dict(config.get("scope", {}))
    units = load_units(reference_path(settings.get("units", "units.csv"), reference_dir))
    crosswalk_name = settings.get("crosswalk")
    crosswalk = load_crosswalk(reference_path(crosswalk_name, reference_dir) if crosswalk_name else None)
    return Scope(units, crosswalk, settings)


@lru_cache(maxsize=1)
def configured_scope() -> Scope:
    """The scope of data/config.toml (read once per process). TRE_EM_UNITS_FILE, when set,
    replaces its units (the crosswalk, which names the configured units, is then empty)."""
    scope = load_scope(load_config(CONFIG_FILE))
    if os.environ.get(UNITS_FILE_ENV):
        return Scope(load_units(Path(os.environ[UNITS_FILE_ENV])), load_crosswalk(None), scope.settings)
    return scope
