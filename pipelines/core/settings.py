"""Where things live and the programme's settings (data/config.toml)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = REPO_ROOT / "sql"
DEFAULT_DATA_DIR = REPO_ROOT / "data"
REFERENCE_DIR = DEFAULT_DATA_DIR / "reference"
CONFIG_FILE = DEFAULT_DATA_DIR / "config.toml"
# A run may use another units file (the benchmark's synthetic country): an absolute path.
UNITS_FILE_ENV = "TRE_EM_UNITS_FILE"
# The data directory of this process (the CLI sets it from --data-dir; a Dagster deployment
# sets it in its environment); data/ when unset.
DATA_DIR_ENV = "TRE_EM_DATA_DIR"


def config_file() -> Path:
    """The configuration in force: the data directory's own config.toml, which it keeps
    from its first run (its scope above all), else the default data/config.toml."""
    data_dir = os.environ.get(DATA_DIR_ENV)
    if data_dir and (Path(data_dir) / "config.toml").exists():
        return Path(data_dir) / "config.toml"
    return CONFIG_FILE


def load_config(path: Path | None = None) -> dict:
    with open(path or config_file(), "rb") as f:
        return tomllib.load(f)


@dataclass(frozen=True)
class DataDir:
    """The layout of one data directory: inbox, archive, warehouse, published."""

    root: Path

    @classmethod
    def at(cls, root: str | Path) -> DataDir:
        return cls(Path(root).resolve())

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        return self.root / "published"

    def period_inbox(self, period: str) -> Path:
        return self.inbox / period

    def period_published(self, period: str) -> Path:
        return self.published / period


@dataclass(frozen=True)
class Programme:
    """The reporting programme's configuration: periods, deadlines, scope."""

    config: dict

    @classmethod
    def load(cls, path: Path | None = None) -> Programme:
        return cls(load_config(path))

    @property
    def period_type(self) -> str:
        return self.config.get("periods", {}).get("type", "monthly")

    @property
    def first_period(self) -> str:
        return self.config.get("periods", {}).get("first", "2024-04")

    @property
    def deadlines(self) -> dict[str, str]:
        return dict(self.config.get("deadlines", {}))

    @cached_property
    def scope(self) -> dict:
        return dict(self.config.get("scope", {}))
