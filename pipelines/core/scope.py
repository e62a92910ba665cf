"""The reporting scope: which units one appendix covers, and how its titles read on a date.

A scope is any unit of the national reference (data/reference/vn/, generated from the
statistics office's tables): a province, a district (until 2025-06-30), a commune, or
"VN" for the country. Its configuration ([scope] of a data directory's config.toml)
names it by code, and by a date when the code named different units at different
times ("21952@2024-07-01"); without one, the unit valid today (or, when none is, the
last unit that had the code: "550" is the district of Tuy Phước).

For every period, the units in scope are the reporting units valid on the period's
first day that lie in the scope's area. A unit lies in it when everything it was formed
from did: the scope is defined at its own date (the old district's communes, or today's
province's communes), and a unit of the other side of the 2025 reorganisation belongs to
it only when all its crosswalk pairs stay inside. A unit formed partly from outside is
left out and named in `notes`. The letter of a scope may print its own names and order
([[scope.display]]) over the official ones.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl

from pipelines.core.crosswalk import load_crosswalk
from pipelines.core.periods import period_start
from pipelines.core.settings import CONFIG_FILE, REFERENCE_DIR, UNITS_FILE_ENV, config_file, load_config
from pipelines.core.units import load_units, units_valid_in

TEXT_KEYS = ("title", "attachment_line", "area")
DEFAULT_TARGET_PCT = 100.0
COUNTRY = "VN"
NATIONAL_DIR = REFERENCE_DIR / "vn"
# The day the two-level local government began: units before it are "old", from it "new".
REORGANISATION = dt.date(2025, 7, 1)
NOTE_SCHEMA = {"unit_code": pl.String, "unit_name": pl.String, "valid_from": pl.Date, "reason": pl.String}


@dataclass(frozen=True)
class Scope:
    """Every version of the scope's units, the crosswalk between them, and the settings."""

    units: pl.DataFrame
    crosswalk: pl.DataFrame
    settings: dict = field(default_factory=dict)
    name: str = ""
    notes: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=NOTE_SCHEMA))
    # The districts its units lay in before 2025-07 (unit_code, unit_name): a compiled file
    # or a title names them, and they tell apart communes of the same name.
    districts: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema={"unit_code": pl.String, "unit_name": pl.String})
    )

    @property
    def code(self) -> str:
        return str(self.settings.get("code", ""))

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


def parse_scope_code(text: str) -> tuple[str, dt.date | None]:
    """ "52" → ("52", None); "21952@2024-07-01" → ("21952", 2024-07-01)."""
    code, _, day = str(text).strip().partition("@")
    return code.strip(), dt.date.fromisoformat(day.strip()) if day.strip() else None


def scope_unit(units: pl.DataFrame, text: str, today: dt.date | None = None) -> dict:
    """The unit a scope's code names: valid on the given date, else the one valid today."""
    code, day = parse_scope_code(text)
    if code.upper() == COUNTRY:
        return {"unit_code": COUNTRY, "unit_name": "Việt Nam", "level": "country", "valid_from": None}
    named = units.filter(pl.col("unit_code") == code)
    on = day or today or dt.date.today()
    found = named.filter((pl.col("valid_from") <= on) & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= on)))
    if found.is_empty() and day is None:  # no unit has it today: the last that had it (550: Tuy Phước)
        found = named.sort("valid_from", descending=True).head(1)
    if found.is_empty():
        raise ValueError(f"no unit has code {code} on {on.isoformat()} (data/reference/vn/units.csv)")
    return found.row(0, named=True)


def _members(units: pl.DataFrame, crosswalk: pl.DataFrame, unit: dict) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The reporting units lying in `unit`'s area (every version), and the ones left out
    because they were formed partly from outside it (unit_code, unit_name, valid_from, reason)."""
    reporting = units.filter(pl.col("reporting"))
    if unit["level"] == "country":
        return reporting, pl.DataFrame(schema=NOTE_SCHEMA)
    new_side = unit["valid_from"] is not None and unit["valid_from"] >= REORGANISATION
    old = reporting.filter(pl.col("valid_from") < REORGANISATION)
    new = reporting.filter(pl.col("valid_from") >= REORGANISATION)
    by_level = {"province": "province_code", "district": "district_code", "commune": "unit_code"}[unit["level"]]
    side, other = (new, old) if new_side else (old, new)
    base = side.filter(pl.col(by_level) == unit["unit_code"])
    base_codes = set(base["unit_code"].to_list())
    # The other side's units, by where all their pairs lead (new side: an old unit's
    # successors; old side: a new unit's sources).
    mine, theirs = ("to_code", "from_code") if new_side else ("from_code", "to_code")
    pairs = crosswalk.group_by(theirs).agg(pl.col(mine).is_in(list(base_codes)).alias("inside"))
    whole = pairs.filter(pl.col("inside").list.all())[theirs].to_list()
    partly = pairs.filter(pl.col("inside").list.any() & ~pl.col("inside").list.all())[theirs].to_list()
    kept = other.filter(pl.col("unit_code").is_in(whole))
    left_out = other.filter(pl.col("unit_code").is_in(partly)).select(
        "unit_code",
        "unit_name",
        "valid_from",
        pl.lit("hình thành một phần từ đơn vị ngoài phạm vi báo cáo: không tính vào phụ lục").alias("reason"),
    )
    return pl.concat([base, kept], how="vertical_relaxed"), left_out


def _display(units: pl.DataFrame, crosswalk: pl.DataFrame, display: list[dict]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The names and order a scope's letters print ([[scope.display]]: per `valid_from`, a
    list of [code, name] in the letter's order), over the official ones, which stay
    accepted spellings. Units not listed follow in official order."""
    names: dict[tuple[str, dt.date], tuple[str, int]] = {}
    for edition in display:
        since = edition["valid_from"]
        since = since if isinstance(since, dt.date) else dt.date.fromisoformat(str(since))
        for order, (code, name) in enumerate(edition["units"], start=1):
            names[(str(code), since)] = (name, order)
    if not names:
        return units, crosswalk
    rows = []
    for row in units.iter_rows(named=True):
        shown = names.get((row["unit_code"], row["valid_from"]))
        if shown is not None:
            official = row["unit_name"]
            aliases = [a for a in (row["aliases"] or "").split("|") if a] + [official]
            row = {**row, "unit_name": shown[0], "appendix_order": shown[1], "aliases": "|".join(aliases)}
        else:
            row = {**row, "appendix_order": 10_000 + row["appendix_order"]}
        rows.append(row)
    shown_units = pl.DataFrame(rows, schema=units.schema)

    def rename(frame: pl.DataFrame, code: str, name: str, before: bool) -> pl.DataFrame:
        day = pl.col("effective_date") - pl.duration(days=1) if before else pl.col("effective_date")
        versions = shown_units.select(
            pl.col("unit_code").alias(code), "valid_from", pl.col("valid_to"), pl.col("unit_name").alias("shown")
        )
        joined = frame.with_row_index("_i").with_columns(day.alias("_day")).join(versions, on=code, how="left")
        joined = joined.filter(
            pl.col("shown").is_null()
            | (
                (pl.col("valid_from") <= pl.col("_day"))
                & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= pl.col("_day")))
            )
        )
        joined = joined.unique("_i", keep="first", maintain_order=True).sort("_i")
        return joined.with_columns(pl.coalesce("shown", name).alias(name)).select(frame.columns)

    shown_crosswalk = rename(rename(crosswalk, "from_code", "from_name", True), "to_code", "to_name", False)
    return shown_units, shown_crosswalk


def load_scope(config: dict, reference_dir: Path = NATIONAL_DIR) -> Scope:
    """The scope a configuration names, from the national reference in `reference_dir`."""
    settings = dict(config.get("scope", {}))
    national = load_units(reference_dir / "units.csv")
    crosswalk = load_crosswalk(reference_dir / "crosswalk.csv")
    unit = scope_unit(national, settings.get("code", COUNTRY))
    members, notes = _members(national, crosswalk, unit)
    codes = set(members["unit_code"].to_list())
    inside = crosswalk.filter(pl.col("from_code").is_in(list(codes)) & pl.col("to_code").is_in(list(codes)))
    # Official order across the whole scope: province, district, then the order within it
    # (the reference's own order restarts in each district).
    ordered = members.sort("province_code", "district_code", "appendix_order", "unit_code", nulls_last=True)
    ordered = ordered.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("appendix_order"))
    units, inside = _display(ordered, inside, settings.get("display", []))
    in_districts = units["district_code"].drop_nulls().unique().to_list()
    districts = national.filter((pl.col("level") == "district") & pl.col("unit_code").is_in(in_districts))
    return Scope(units, inside, settings, unit["unit_name"], notes, districts.select("unit_code", "unit_name"))


def configured_scope() -> Scope:
    """The scope of the configuration in force (`settings.config_file`), read once per file.
    TRE_EM_UNITS_FILE, when set, replaces its units (the benchmark's synthetic country;
    the crosswalk is then empty)."""
    return _scope_of(config_file(), os.environ.get(UNITS_FILE_ENV))


@lru_cache(maxsize=4)
def _scope_of(path: Path, units_file: str | None) -> Scope:
    config = load_config(path)
    if units_file:
        return Scope(load_units(Path(units_file)), load_crosswalk(None), dict(config.get("scope", {})), "")
    return load_scope(config)


configured_scope.cache_clear = _scope_of.cache_clear  # as before: the benchmark swaps its units


LEVEL_WORDS = {"province": "tỉnh", "district": "huyện", "commune": "xã", "country": ""}


def configure_data_dir(data_dir: Path, requested: str | None) -> str | None:
    """Give a data directory its own configuration at its first run, and keep its scope.

    A directory without config.toml gets a copy of the default, for the `requested` scope
    when one is given (its letter's names and order are the default scope's, so they are
    dropped, and the texts name the new scope's level). A directory that has one keeps it;
    asking it for another scope returns the refusal to print (nothing is changed): one
    warehouse never mixes two scopes' histories. None when all is well.
    """
    own = Path(data_dir) / "config.toml"
    default = load_config(CONFIG_FILE)
    if own.exists():
        current = str(load_config(own).get("scope", {}).get("code", COUNTRY))
    else:
        current = None
    unit = None
    if requested is not None:
        try:
            unit = scope_unit(load_units(NATIONAL_DIR / "units.csv"), requested)
        except ValueError as exc:
            return f"Không có đơn vị nào mã {requested} ({exc})."
        if current is not None and parse_scope_code(current) != parse_scope_code(requested):
            return (
                f"Thư mục dữ liệu {data_dir} đã dùng phạm vi {current}; không thể chạy cho phạm vi {requested} "
                "(một kho dữ liệu không trộn lịch sử của hai phạm vi). Hãy dùng một thư mục dữ liệu khác."
            )
    if current is not None or Path(data_dir).resolve() == CONFIG_FILE.parent.resolve():
        return None
    text = CONFIG_FILE.read_text(encoding="utf-8")
    default_code = str(default.get("scope", {}).get("code", COUNTRY))
    if unit is not None and parse_scope_code(requested) != parse_scope_code(default_code):
        word = LEVEL_WORDS[unit["level"]]
        text = text.split("\n[[scope.display]]")[0].split("\n# The names and order the district's")[0] + "\n"
        text = text.replace(f'code = "{default_code}"', f'code = "{requested}"')
        if unit["level"] == "country":  # no one People's Committee signs for the country
            text = text.replace(" của Chủ tịch UBND huyện", "").replace('"của huyện"', '"toàn quốc"')
        text = text.replace("Chủ tịch UBND huyện", f"Chủ tịch UBND {word}").replace('"của huyện"', f'"của {word}"')
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    own.write_text(text, encoding="utf-8")
    return None
