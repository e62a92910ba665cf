"""The national reference files, generated from the statistics office's two tables.

Reads `data/reference/nso/` (the official tables, copied unchanged; see its README) and
writes `data/reference/vn/`:

- `units.csv`: every province, district (until 2025-06-30) and commune, one row per
  version of a unit (a code is reused across 2025-07-01: a unit is its code and its
  `valid_from`), with the columns of `data/reference/units.csv` first;
- `crosswalk.csv`: one row per (old unit → new commune) pair of 2025-07-01, with what
  moved (`moved`) and whether the old unit's figures may be summed into the new commune's
  (`comparable`, at most one pair per old unit), and why not (`reason`);
- `report.md`: the source, the counts, every distinct note with its class, and every flaw
  of the source found and how it was treated.

Run from the repository root (or `make reference`):
    .venv/bin/python scripts/make_reference.py [--source DIR] [--out DIR]

The csv module, not Polars: the work is row by row (notes, repairs, a graph of pairs)
over ten thousand rows, and the writer's bytes (quoting, "\\n", no BOM) are fixed by this
file alone, so a regeneration is byte for byte the committed files. An unknown note, an
unknown kind of unit or a changed layout of a table stops the generator with an error.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "data" / "reference" / "nso"
OUT = REPO / "data" / "reference" / "vn"
CONVERSION = "old-to-new-communes-2025-07-01.csv"
LISTING = "communes-2025-01-04.csv"

CITATION = (
    "Tổng cục Thống kê / Cục Thống kê (Vietnam's statistics office), as published for the 2025 "
    "reorganisation, copied unchanged (UTF-8) from the seed data of the public VietnamProvinces project "
    "(sunshine-tech/VietnamProvinces, `dev/seed-data/`), which took them from the office: "
    f"`{CONVERSION}` (*Bảng chuyển đổi đơn vị hành chính mới – cũ*) and `{LISTING}` (the communes valid "
    "on 2025-01-04). Kept in `data/reference/nso/`."
)

OLD_FROM = "1900-01-01"  # as data/reference/units.csv: the start is not in the tables
OLD_TO = "2025-06-30"
NEW_FROM = "2025-07-01"
LISTED_ON = "2025-01-04"  # the list's day: a unit only in it was valid then, not on 2025-06-30
AFTER_LISTED = "2025-01-05"  # a unit only in the conversion table was valid on 2025-06-30, not on 2025-01-04

# The 2025 resolutions are one per new province and are not in the tables. The one known
# to the project (docs: FACTS.md, new Gia Lai) is given; the others get a generic text.
RESOLUTIONS = {"52": "1664/NQ-UBTVQH15 ngày 16/6/2025"}
GENERIC_RESOLUTION = "Nghị quyết của UBTVQH về sắp xếp ĐVHC cấp xã năm 2025"

UNIT_COLUMNS = [
    "unit_code",
    "unit_name",
    "kind",
    "parent_code",
    "appendix_order",
    "valid_from",
    "valid_to",
    "aliases",
    "level",
    "province_code",
    "district_code",
    "reporting",
]
CROSSWALK_COLUMNS = [
    "from_code",
    "from_name",
    "to_code",
    "to_name",
    "effective_date",
    "resolution",
    "moved",
    "comparable",
    "reason",
    "area_group",
    "note",
    "from_level",
    "from_district_code",
    "from_province_code",
    "to_province_code",
]

# What moved, from the note. The population moved whole in the first four.
WHOLE, AREA_ALL_POPULATION, UNCHANGED, RENAMED = "whole", "area_all_population", "unchanged", "renamed"
AREA_ONLY, PART_UNKNOWN_SHARE = "area_only", "part_unknown_share"
MOVED = [WHOLE, AREA_ALL_POPULATION, UNCHANGED, RENAMED, AREA_ONLY, PART_UNKNOWN_SHARE]
WHOLE_UNIT = {WHOLE, UNCHANGED, RENAMED}  # the whole unit, so its only pair

# Why a pair is not comparable (empty when it is).
REASONS = {
    "area_only": "the pair moved area without its people: the old unit's figures went with another pair",
    "share_unknown": "part of the old unit, share unknown",
    "successor_has_unknown_share": (
        "the old unit's people all went to the new commune, but the new commune also took people in unknown "
        "number from elsewhere (a part of another unit, or an area that was no unit): its earlier figures are "
        "not comparable (its area group's total is, where no area without a unit joined it)"
    ),
    "source_conflict": "the old unit's pairs contradict each other (flaw of the source)",
    "population_unplaced": "every pair of the old unit moved area only: where its people went is unknown",
}

# Notes, folded (no marks, lower case, single spaces): full matches first, then patterns.
_NOTES = {
    "nhap toan bo": WHOLE,
    "nhap mot phan": PART_UNKNOWN_SHARE,
    "nhap mot phan dan so": PART_UNKNOWN_SHARE,
    "nhap mot phan dien tich": AREA_ONLY,
    "nhap toan bo dien tich": AREA_ONLY,  # the whole area; its people went with the other pairs
    "nhap mot phan dien tich, toan bo dan so": AREA_ALL_POPULATION,
    "giu nguyen": UNCHANGED,
    "doi ten": RENAMED,
    "doi loai hinh": RENAMED,  # a kind changed (Thị trấn X → Xã X): the name changes with it
}
_NOTE_PATTERNS = [
    (re.compile(r"^sap xep toan bo (huyen|xa) .+ thanh dac khu .+$"), WHOLE),
    (re.compile(r"^phan con lai sau khi tach mot phan vao .+$"), PART_UNKNOWN_SHARE),
    (re.compile(r"^doi ten(, doi loai hinh)? tu mot phan .+$"), PART_UNKNOWN_SHARE),
]

# Kinds of unit by the leading words of a name (folded), per level.
_KINDS = {
    "province": {"tinh": ("Tỉnh", "tỉnh"), "thanh pho": ("Thành phố", "thành phố")},
    "district": {
        "quan": ("Quận", "quận"),
        "huyen": ("Huyện", "huyện"),
        "thi xa": ("Thị xã", "thị xã"),
        "thanh pho": ("Thành phố", "thành phố"),
    },
    "commune": {
        "xa": ("Xã", "xã"),
        "phuong": ("Phường", "phường"),
        "thi tran": ("Thị trấn", "thị trấn"),
        "dac khu": ("Đặc khu", "đặc khu"),
    },
}
_OLD_COMMUNE_KINDS = {"xã", "phường", "thị trấn"}
_NEW_COMMUNE_KINDS = {"xã", "phường", "đặc khu"}
_LISTING_KINDS = {"Xã": "xã", "Phường": "phường", "Thị trấn": "thị trấn"}
# The tables' headers, folded.
_CONVERSION_HEADER = "tinh, thanh pho|ten xa moi|ma xa moi|ten xa cu|ma xa cu|ghi chu|quan/huyen|tinh cu".split("|")
_LISTING_HEADER = "tinh thanh pho|ma tp|quan huyen|ma qh|phuong xa|ma px|cap".split("|")
_NAMED_CODE = re.compile(r"^(.*\S)\s*\((\d+)\)$")


class SourceError(ValueError):
    """The official tables are not as this generator reads them."""


def fold(text: str) -> str:
    """Lower case, without tone or vowel marks (đ → d), single spaces: for comparing only."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.replace("đ", "d").replace("Đ", "D").lower().split())


def clean(text: str) -> str:
    """NFC, trimmed, any run of white space (line breaks too) as one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def classify_note(note: str) -> str:
    """The class of what moved, from a note read leniently; an unknown note is an error."""
    key = re.sub(r"\s*,\s*", ", ", fold(note))
    if key in _NOTES:
        return _NOTES[key]
    for pattern, moved in _NOTE_PATTERNS:
        if pattern.match(key):
            return moved
    raise SourceError(f"unknown note {note!r}: add it to _NOTES or _NOTE_PATTERNS in scripts/make_reference.py")


def split_kind(name: str, level: str) -> tuple[str | None, str, str]:
    """(kind, name with its kind word spelt canonically, name without it) for a cleaned name.

    The kind is None when the name states none of `level` ("Quảng Trị", "Khu vực …").
    """
    words = name.split(" ")
    for length in (2, 1):
        found = _KINDS[level].get(fold(" ".join(words[:length])))
        if found and len(words) > length:
            rest = " ".join(words[length:])
            return found[1], f"{found[0]} {rest}", rest
    return None, name, name


def bare_name(name: str, level: str) -> str:
    """A name folded without its kind word: for telling a spelling from another name."""
    return fold(split_kind(name, level)[2])


def named_code(text: str, what: str, line: int) -> tuple[str, str]:
    """A name and its code: 'Tỉnh Bình Định (52)' → ('Tỉnh Bình Định', '52')."""
    match = _NAMED_CODE.match(clean(text))
    if not match:
        raise SourceError(f"{CONVERSION} line {line}: {what} {text!r} is not 'Name (code)'")
    return match.group(1), match.group(2)


@dataclass
class Row:
    """One (new commune, old unit) row of the conversion table, cleaned."""

    line: int
    new_province_name: str
    new_province: str
    new_name: str
    new_code: str
    old_name: str
    old_code: str
    note: str
    district_name: str
    district: str
    province_name: str
    province: str


@dataclass
class Listed:
    """One row of the 2025-01-04 list, cleaned."""

    line: int
    province_name: str
    province: str
    district_name: str
    district: str
    name: str
    code: str
    level_word: str


@dataclass
class Found:
    """What the generator found in the source, for the report."""

    banners: list[str] = field(default_factory=list)
    raw_notes: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    raw_multi: int = 0
    raw_old_codes: int = 0
    code_repairs: list[str] = field(default_factory=list)
    province_repairs: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    unit_less: set[str] = field(default_factory=set)  # new communes that took an area that was no unit
    district_units: list[str] = field(default_factory=list)
    listing_only: list[str] = field(default_factory=list)
    table_only: list[str] = field(default_factory=list)
    other_names: list[str] = field(default_factory=list)
    kindless: list[str] = field(default_factory=list)
    listing_kinds: list[str] = field(default_factory=list)
    other_kinds: list[str] = field(default_factory=list)
    other_districts: list[str] = field(default_factory=list)
    district_changes: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def read_conversion(path: Path, found: Found) -> list[Row]:
    rows = read_csv(path)
    if [fold(c) for c in rows[1][:8]] != _CONVERSION_HEADER or not fold(rows[0][0]).startswith(
        "don vi hanh chinh tu ngay 01/7/2025"
    ):
        raise SourceError(f"{CONVERSION}: the two title rows are not as expected: {rows[:2]}")
    result = []
    for line, cells in enumerate(rows[2:], start=3):
        if len(cells) != 9 or any(cells[8:]):
            raise SourceError(f"{CONVERSION} line {line}: {len(cells)} cells, expected 9 (the last empty)")
        if not any(c.strip() for c in cells[1:]):
            found.banners.append(clean(cells[0]))
            continue
        new_province_name, new_province = named_code(cells[0], "the new province", line)
        district_name, district = named_code(cells[6], "the old district", line)
        province_name, province = named_code(cells[7], "the old province", line)
        row = Row(
            line,
            new_province_name,
            new_province,
            clean(cells[1]),
            clean(cells[2]),
            clean(cells[3]),
            clean(cells[4]),
            clean(cells[5]),
            district_name,
            district,
            province_name,
            province,
        )
        if not re.fullmatch(r"\d{5}", row.new_code) or not re.fullmatch(r"(\d{5})?", row.old_code):
            raise SourceError(f"{CONVERSION} line {line}: a commune code is not 5 digits: {cells}")
        found.raw_notes[row.note][cells[5]] += 1
        result.append(row)
    return result


def read_listing(path: Path) -> list[Listed]:
    rows = read_csv(path)
    if [fold(c) for c in rows[0][:7]] != _LISTING_HEADER:
        raise SourceError(f"{LISTING}: the header is not as expected: {rows[0]}")
    result = []
    for line, cells in enumerate(rows[1:], start=2):
        if len(cells) != 8:
            raise SourceError(f"{LISTING} line {line}: {len(cells)} cells, expected 8")
        listed = Listed(line, *(clean(c) for c in cells[:7]))
        if listed.level_word not in (*_LISTING_KINDS, "Huyện") or not re.fullmatch(r"(\d{5})?", listed.code):
            raise SourceError(f"{LISTING} line {line}: not a commune (or a district without communes): {cells}")
        result.append(listed)
    return result


def most_common(spellings: list[str]) -> str:
    """The spelling used most, the first in sorted order among equals."""
    counts = Counter(spellings)
    return min(counts, key=lambda s: (-counts[s], s))


def canonical(name: str, level: str, where: str) -> tuple[str, str]:
    """(kind, name) of an official name; a name that states no kind of `level` is an error."""
    kind, name, _ = split_kind(name, level)
    if kind is None:
        raise SourceError(f"{where}: {name!r} names no kind of {level}")
    return kind, name


def aliases(name: str, others: list[str], level: str) -> str:
    """The other names of a unit that are more than another spelling of `name`, "|"-separated."""
    own_kind, own = split_kind(name, level)[0], bare_name(name, level)
    kept = set()
    for other in others:
        kind = split_kind(other, level)[0]
        if bare_name(other, level) != own or (kind is not None and kind != own_kind):
            kept.add(other)
    return "|".join(sorted(kept))


def repair_codes(rows: list[Row], listing: list[Listed], found: Found) -> None:
    """Rows whose old code is another unit's: the code of the unit they name, where certain.

    A code the table gives under two names, where the list gives it one of them and gives
    the other name, in the same district, to exactly one unit whose code the table never
    uses under another name: that row's code is a typo for that unit's code.
    """
    listed = {u.code: u for u in listing if u.code}
    by_name = defaultdict(list)
    for unit in listing:
        if unit.code:
            by_name[(unit.district, bare_name(unit.name, "commune"))].append(unit)
    names = defaultdict(set)
    for row in rows:
        if row.old_code:
            names[row.old_code].add(bare_name(row.old_name, "commune"))
    for row in rows:
        if len(names.get(row.old_code, ())) < 2 or row.old_code not in listed:
            continue
        bare = bare_name(row.old_name, "commune")
        if bare == bare_name(listed[row.old_code].name, "commune"):
            continue
        candidates = by_name.get((row.district, bare), [])
        if len(candidates) == 1 and names.get(candidates[0].code, {bare}) <= {bare}:
            target = candidates[0]
            found.code_repairs.append(
                f"line {row.line}: {row.old_name} ({row.district_name}) → {row.new_name} ({row.new_code}), "
                f"“{row.note}”: old code {row.old_code} is {listed[row.old_code].name} in both tables; "
                f"{row.old_name} is {target.code} in the list (line {target.line}) → read as {target.code}"
            )
            row.old_code = target.code


def repair_provinces(rows: list[Row], listing: list[Listed], found: Found) -> None:
    """A row's old province is its district's, as the list gives it (every district is in it)."""
    province_of = {u.district: (u.province, u.province_name) for u in listing}
    for row in rows:
        if row.district not in province_of:
            raise SourceError(f"{CONVERSION} line {row.line}: district {row.district} is not in {LISTING}")
        province, name = province_of[row.district]
        if province != row.province:
            found.province_repairs.append(
                f"line {row.line}: {row.old_name or row.district_name} ({row.district_name} {row.district}) "
                f"under old province “{row.province_name} ({row.province})”; the list puts district "
                f"{row.district} in {name} ({province}) → read as {province}"
            )
            row.province = province


def build(source: Path) -> tuple[list[dict], list[dict], str]:
    """(units rows, crosswalk rows, report text) from the two official tables in `source`."""
    found = Found()
    rows = read_conversion(source / CONVERSION, found)
    listing = read_listing(source / LISTING)
    raw_targets = defaultdict(set)
    for row in rows:
        raw_targets[row.old_code].add(row.new_code)
    found.raw_multi = sum(1 for targets in raw_targets.values() if len(targets) > 1)
    found.raw_old_codes = len({r.old_code for r in rows if r.old_code})

    repair_codes(rows, listing, found)
    repair_provinces(rows, listing, found)

    # Rows without an old code: a district without communes (its own unit), or an area that is no unit.
    districts_listed = {u.district for u in listing if not u.code}
    kept = []
    for row in rows:
        if row.old_code:
            kept.append(row)
        elif not row.old_name and row.district in districts_listed:
            found.district_units.append(f"{row.district_name} ({row.district}) → {row.new_name} ({row.new_code})")
            kept.append(row)
        else:
            found.unit_less.add(row.new_code)
            found.left_out.append(
                f"line {row.line}: “{row.old_name}” ({row.district_name}) → {row.new_name} ({row.new_code}), "
                f"“{row.note}”: no code, not a unit of either table; left out of the crosswalk, and the "
                f"new commune's earlier figures not comparable (the area's people, if any, are in no unit's)"
            )
    rows = kept

    units = build_units(rows, listing, found)
    crosswalk = build_crosswalk(rows, units, found)
    return units, crosswalk, report(units, crosswalk, rows, listing, found)


def build_units(rows: list[Row], listing: list[Listed], found: Found) -> list[dict]:
    listed = {u.code: u for u in listing if u.code}
    listed_districts = {u.district: u for u in listing}
    province_names = defaultdict(list)
    district_names = defaultdict(list)
    commune_rows = defaultdict(list)
    new_names, new_provinces, new_province_names = defaultdict(list), defaultdict(set), defaultdict(list)
    for row in rows:
        province_names[row.province].append(row.province_name)
        district_names[row.district].append(row.district_name)
        if row.old_code:
            commune_rows[row.old_code].append(row)
        new_names[row.new_code].append(row.new_name)
        new_provinces[row.new_code].add(row.new_province)
        new_province_names[row.new_province].append(row.new_province_name)
    for unit in listing:
        province_names.setdefault(unit.province, []).append(unit.province_name)

    units = []

    def add(code, name, kind, parent, valid_from, valid_to, other_names, level, province, district, reporting):
        units.append(
            {
                "unit_code": code,
                "unit_name": name,
                "kind": kind,
                "parent_code": parent,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "aliases": aliases(name, other_names, level),
                "level": level,
                "province_code": province,
                "district_code": district,
                "reporting": "true" if reporting else "false",
            }
        )

    # Old provinces: their names in the conversion table (the latest), else the list's.
    listing_province = {u.province: u.province_name for u in listing}
    for code in sorted(listing_province):
        spelled = [n for n in province_names[code] if split_kind(n, "province")[0]] or [listing_province[code]]
        kind, name = canonical(most_common(spelled), "province", f"old province {code}")
        add(code, name, kind, "", OLD_FROM, OLD_TO, [listing_province[code]], "province", code, "", False)

    # Old districts: every district is in the list; their names in the conversion table (the latest).
    # A kind changed between the two tables' days: two versions, the list's until its day.
    has_communes = {u.district for u in listing if u.code} | {r.district for r in rows if r.old_code}
    for code in sorted(listed_districts):
        unit = listed_districts[code]
        kind, name = canonical(most_common(district_names.get(code) or [unit.district_name]), "district", code)
        listed_kind, listed_name = canonical(unit.district_name, "district", f"{LISTING} line {unit.line}")
        row = (unit.province, "district", unit.province, code, code not in has_communes)
        if listed_kind != kind:
            found.district_changes.append(
                f"{code}: {listed_name} (list) → {name} (conversion table): two versions, "
                f"until {LISTED_ON} and from {AFTER_LISTED}"
            )
            add(code, listed_name, listed_kind, row[0], OLD_FROM, LISTED_ON, [], *row[1:])
            add(code, name, kind, row[0], AFTER_LISTED, OLD_TO, [], *row[1:])
            continue
        if aliases(name, [listed_name], "district"):
            found.district_changes.append(f"{code}: {listed_name} (list) / {name} (conversion table): one version")
        add(code, name, kind, row[0], OLD_FROM, OLD_TO, [listed_name], *row[1:])

    # Old communes: those of either table; valid on the days the tables attest. A kind
    # changed between the tables' days (Xã X → Phường X): two versions, as for districts.
    for code in sorted(set(listed) | set(commune_rows)):
        unit, pairs = listed.get(code), commune_rows.get(code, [])
        spelled = [r.old_name for r in pairs]
        # The conversion table's name (the latest) where it states a kind, else the list's.
        stated = [n for n in spelled if split_kind(n, "commune")[0]]
        district = most_common([r.district for r in pairs]) if pairs else unit.district
        name = most_common(stated) if stated else unit.name if unit else spelled[0]
        if len(stated) < len(spelled):
            found.kindless.append(
                f"{code} “{most_common([n for n in spelled if n not in stated])}” (conversion table) → {name}"
            )
        kind, name = canonical(name, "commune", f"old commune {code}")
        if kind not in _OLD_COMMUNE_KINDS:
            raise SourceError(f"old commune {code} {name!r}: a kind ({kind}) no commune had before 2025-07-01")
        row = ("commune", listed_districts[district].province, district, True)
        if unit is None:
            first = pairs[0]
            found.table_only.append(
                f"{code} {name} ({first.district_name}, {first.province_name}): only in the conversion table "
                f"(→ {', '.join(sorted({r.new_name + ' ' + r.new_code for r in pairs}))}); valid from {AFTER_LISTED}"
            )
            add(code, name, kind, district, AFTER_LISTED, OLD_TO, spelled, *row)
            continue
        listed_kind, listed_name = canonical(unit.name, "commune", f"{LISTING} line {unit.line}")
        if _LISTING_KINDS[unit.level_word] != listed_kind:
            found.listing_kinds.append(f"{code} {listed_name}: `Cấp` {unit.level_word} (the name's kind taken)")
        if not pairs:
            found.listing_only.append(
                f"{code} {name} ({unit.district_name}, {unit.province_name}): only in the 2025-01-04 list, "
                f"no successor in the conversion table; valid until {LISTED_ON}"
            )
            add(code, name, kind, district, OLD_FROM, LISTED_ON, [], *row)
            continue
        if unit.district != district:
            found.other_districts.append(f"{code} {name}: district {unit.district} (list) / {district} (table)")
        if listed_kind != kind:
            found.other_kinds.append(
                f"{code}: {listed_name} (list) → {name} (conversion table): two versions, "
                f"until {LISTED_ON} and from {AFTER_LISTED}"
            )
            add(code, listed_name, listed_kind, unit.district, OLD_FROM, LISTED_ON, [], *row)
            add(code, name, kind, district, AFTER_LISTED, OLD_TO, spelled, *row)
            continue
        if aliases(name, [listed_name], "commune"):
            found.other_names.append(f"{code}: {listed_name} (list) / {name} (conversion table)")
        add(code, name, kind, district, OLD_FROM, OLD_TO, [*spelled, listed_name], *row)

    # New provinces and communes, from 2025-07-01.
    for code in sorted(new_province_names):
        kind, name = canonical(most_common(new_province_names[code]), "province", f"new province {code}")
        add(code, name, kind, "", NEW_FROM, "", new_province_names[code], "province", code, "", False)
    for code in sorted(new_names):
        if len(new_provinces[code]) != 1:
            raise SourceError(f"new commune {code} is in provinces {sorted(new_provinces[code])}")
        kind, name = canonical(most_common(new_names[code]), "commune", f"new commune {code}")
        if kind not in _NEW_COMMUNE_KINDS:
            raise SourceError(f"new commune {code} {name!r}: a kind ({kind}) no commune has from 2025-07-01")
        if len({fold(n) for n in new_names[code]}) > 1:
            raise SourceError(f"new commune {code} has several names: {sorted(set(new_names[code]))}")
        province = next(iter(new_provinces[code]))
        add(code, name, kind, province, NEW_FROM, "", [], "commune", province, "", True)

    # The official order: by code within the parent, before and after 2025-07-01 (a code's
    # versions share its place).
    siblings = defaultdict(set)
    for unit in units:
        siblings[(unit["level"], unit["parent_code"], unit["valid_from"] < NEW_FROM)].add(unit["unit_code"])
    places = {key: {code: i for i, code in enumerate(sorted(codes), start=1)} for key, codes in siblings.items()}
    for unit in units:
        key = (unit["level"], unit["parent_code"], unit["valid_from"] < NEW_FROM)
        unit["appendix_order"] = str(places[key][unit["unit_code"]])
    rank = {"province": 0, "district": 1, "commune": 2}
    units.sort(key=lambda u: (rank[u["level"]], u["unit_code"], u["valid_from"]))
    return units


class Groups:
    """Union-find over old units and new communes."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, node: str) -> str:
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def build_crosswalk(rows: list[Row], units: list[dict], found: Found) -> list[dict]:
    old = {u["unit_code"]: u for u in units if u["valid_to"] == OLD_TO and u["level"] != "province"}
    new = {u["unit_code"]: u for u in units if not u["valid_to"] and u["level"] == "commune"}
    pairs = []
    for row in rows:
        from_code = row.old_code or row.district
        pairs.append(
            {
                "from_code": from_code,
                "from_name": old[from_code]["unit_name"],
                "to_code": row.new_code,
                "to_name": new[row.new_code]["unit_name"],
                "effective_date": NEW_FROM,
                "resolution": RESOLUTIONS.get(row.new_province, GENERIC_RESOLUTION),
                "moved": classify_note(row.note),
                "note": row.note,
                "from_level": old[from_code]["level"],
                "from_district_code": row.district,
                "from_province_code": row.province,
                "to_province_code": row.new_province,
            }
        )
    duplicates = [k for k, n in Counter((p["from_code"], p["to_code"]) for p in pairs).items() if n > 1]
    if duplicates:
        raise SourceError(f"pairs given twice: {duplicates}")

    by_old = defaultdict(list)
    for pair in pairs:
        by_old[pair["from_code"]].append(pair)
    # Per old unit: where its people went. "resolved": one pair carries them all.
    state = {}
    for code, own in by_old.items():
        moved = Counter(p["moved"] for p in own)
        named = f"{code} {own[0]['from_name']} → " + "; ".join(
            f"{p['to_name']} {p['to_code']} ({p['moved']}: “{p['note']}”)"
            for p in sorted(own, key=lambda p: p["to_code"])
        )
        whole_unit = sum(moved[m] for m in WHOLE_UNIT)
        if (
            (whole_unit and len(own) > 1)
            or moved[AREA_ALL_POPULATION] > 1
            or (moved[AREA_ALL_POPULATION] and moved[PART_UNKNOWN_SHARE])
        ):
            state[code] = "source_conflict"
            found.conflicts.append(named)
        elif moved[AREA_ONLY] == len(own):
            state[code] = "population_unplaced"
            found.unplaced.append(named)
        elif moved[PART_UNKNOWN_SHARE]:
            state[code] = "split"
        else:
            state[code] = "resolved"

    def carries_people(pair: dict) -> bool | None:
        """True: all of the old unit's people; False: none; None: an unknown share of them."""
        kind = state[pair["from_code"]]
        if kind in ("source_conflict", "population_unplaced"):
            return None
        if pair["moved"] == AREA_ONLY:
            return False
        return None if pair["moved"] == PART_UNKNOWN_SHARE else True

    groups = Groups()
    tainted = set(found.unit_less)
    for pair in pairs:
        people = carries_people(pair)
        if people is not False:
            groups.union("new:" + pair["to_code"], "old:" + pair["from_code"])
        if people is None:
            tainted.add(pair["to_code"])
    labels = defaultdict(list)
    for code in new:
        labels[groups.find("new:" + code)].append(code)
    label_of = {code: min(members) for members in labels.values() for code in members}

    for pair in pairs:
        kind = state[pair["from_code"]]
        if kind in ("source_conflict", "population_unplaced"):
            reason = kind
        elif pair["moved"] == AREA_ONLY:
            reason = "area_only"
        elif pair["moved"] == PART_UNKNOWN_SHARE:
            reason = "share_unknown"
        elif pair["to_code"] in tainted:
            reason = "successor_has_unknown_share"
        else:
            reason = ""
        pair["comparable"] = "false" if reason else "true"
        pair["reason"] = reason
        pair["area_group"] = label_of[pair["to_code"]]
    comparable = Counter(p["from_code"] for p in pairs if p["comparable"] == "true")
    twice = [code for code, n in comparable.items() if n > 1]
    if twice:  # never: at most one pair carries a unit's people
        raise AssertionError(f"old units with two comparable pairs: {twice}")
    pairs.sort(key=lambda p: (p["from_code"], p["to_code"]))
    return pairs


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return lines


def _items(title: str, items: list[str], none: str = "None.") -> list[str]:
    lines = ["", f"### {title} ({len(items)})", ""]
    return lines + ([f"- {item}" for item in sorted(items)] if items else [none])


def report(units: list[dict], pairs: list[dict], rows: list[Row], listing: list[Listed], found: Found) -> str:
    def count(level: str, valid_to: str | None = None, **where) -> int:
        return sum(
            1
            for u in units
            if u["level"] == level
            and (valid_to is None or (u["valid_to"] != "") == (valid_to != ""))
            and all(u[k] == v for k, v in where.items())
        )

    old_communes = len({u["unit_code"] for u in units if u["level"] == "commune" and u["valid_to"]})
    versions = Counter((u["level"], u["unit_code"]) for u in units if u["valid_to"])
    two_versions = sum(1 for n in versions.values() if n > 1)
    new_communes = count("commune", "")
    gia_lai = [u for u in units if u["level"] == "commune" and not u["valid_to"] and u["province_code"] == "52"]
    old_52 = sum(1 for u in units if u["level"] == "commune" and u["valid_to"] and u["province_code"] == "52")
    old_64 = sum(1 for u in units if u["level"] == "commune" and u["valid_to"] and u["province_code"] == "64")
    targets = defaultdict(set)
    for pair in pairs:
        targets[pair["from_code"]].add(pair["to_code"])
    multi = sum(1 for t in targets.values() if len(t) > 1)
    listed_communes = sum(1 for u in listing if u.code)
    members = defaultdict(set)
    for pair in pairs:
        members[pair["area_group"]].add(pair["to_code"])
    group_sizes = Counter(len(m) for m in members.values())

    out = [
        "# National reference units and crosswalk (generated)",
        "",
        "Generated by `scripts/make_reference.py` (`make reference`) from the official tables; do not edit by hand:",
        "a test regenerates these files byte for byte. Source: " + CITATION,
        "",
        "Files: `units.csv` (one row per version of a unit: a code is reused across 2025-07-01, so a unit is its "
        "code and its `valid_from`), `crosswalk.csv` (one row per old unit → new commune pair of 2025-07-01), "
        "this report.",
        "",
        "## Counts",
        "",
    ]
    out += _table(
        ["what", "generated", "the source's README"],
        [
            ["provinces before 2025-07-01", count("province", OLD_TO), "63"],
            ["provinces from 2025-07-01", count("province", ""), "34"],
            ["districts until 2025-06-30", len({u["unit_code"] for u in units if u["level"] == "district"}), ""],
            ["… of them without communes (their own reporting unit)", len(found.district_units), ""],
            ["old communes (either table)", old_communes, ""],
            ["old districts and communes with two versions (a kind changed in 2025-01…06)", two_versions, ""],
            ["… in the 2025-01-04 list (rows: communes + districts without communes)", len(listing), "10,056"],
            ["… … communes", listed_communes, ""],
            ["… old codes in the conversion table, as given", found.raw_old_codes, "10,033"],
            [
                "… old codes in the conversion table, after the repairs below",
                len({r.old_code for r in rows if r.old_code}),
                "",
            ],
            ["new communes from 2025-07-01", new_communes, "3,321"],
            [
                "… of which xã / phường / đặc khu",
                " / ".join(str(count("commune", "", kind=k)) for k in ("xã", "phường", "đặc khu")),
                "",
            ],
            [
                "old codes under more than one new commune, as given (rows without a code counted as one)",
                found.raw_multi,
                "442",
            ],
            ["old units under more than one new commune, after the repairs", multi, ""],
            [
                "today's Gia Lai (52): old Bình Định (52) + old Gia Lai (64) communes",
                f"{old_52} + {old_64}",
                "155 + 218",
            ],
            [
                "today's Gia Lai (52): communes (xã, phường)",
                f"{len(gia_lai)} ({sum(u['kind'] == 'xã' for u in gia_lai)}, {sum(u['kind'] == 'phường' for u in gia_lai)})",
                "135 (110, 25)",
            ],
            ["crosswalk pairs", len(pairs), ""],
        ],
    )

    out += ["", "## Pairs by what moved", ""]
    by_moved = Counter((p["moved"], p["comparable"]) for p in pairs)
    out += _table(
        ["moved", "pairs", "comparable", "not comparable"],
        [
            [m, by_moved[(m, "true")] + by_moved[(m, "false")], by_moved[(m, "true")], by_moved[(m, "false")]]
            for m in MOVED
        ],
    )
    out += ["", "Why a pair is not comparable (`reason`):", ""]
    reasons = Counter(p["reason"] for p in pairs if p["reason"])
    out += _table(["reason", "pairs", "meaning"], [[r, reasons[r], REASONS[r]] for r in REASONS])
    out += [
        "",
        f"Old units: {len({p['from_code'] for p in pairs})}; with one comparable pair: "
        f"{len({p['from_code'] for p in pairs if p['comparable'] == 'true'})}; with two or more: none (checked). "
        "`area_group`: the new communes with the same value together took all the people of the old units that "
        "moved people (or an unknown share of them) into any of them, so their combined earlier figures are "
        "comparable where each one's are not. Group sizes (new communes: groups): "
        + ", ".join(f"{size}: {n}" for size, n in sorted(group_sizes.items()))
        + ".",
        "",
        "## Notes (`Ghi chú`) and their classes",
        "",
        "Read leniently (case, spaces, marks such as `Nhâp`); the note kept in `crosswalk.csv` is the official "
        "text with its white space collapsed. An unknown note stops the generator.",
        "",
    ]
    notes = Counter(r.note for r in rows)
    all_notes = sorted(found.raw_notes, key=lambda n: (-sum(found.raw_notes[n].values()), n))
    out += _table(
        ["note", "class", "pairs", "spellings in the table"],
        [[n, classify_note(n), notes.get(n, 0), len(found.raw_notes[n])] for n in all_notes],
    )
    left = sum(found.raw_notes[n].total() for n in found.raw_notes) - len(rows)
    if left:
        out += ["", f"({left} row(s) left out of the crosswalk, below, are not counted.)"]

    out += [
        "",
        "## Flaws of the source and how they are treated",
        "",
        "Conservatively: where the source contradicts itself, the pairs are not comparable; no old unit's "
        "people are counted twice.",
    ]
    out += _items(
        "Old codes that name another unit (repaired: the code of the unit the row names)",
        found.code_repairs,
    )
    out += _items(
        "Old provinces given wrong in the conversion table (the district's province taken)", found.province_repairs
    )
    out += _items(
        "Old units whose pairs contradict each other (all their pairs not comparable: `source_conflict`)",
        found.conflicts,
        "None after the repairs above.",
    )
    out += _items(
        "Old units whose every pair moved area only (their people's destination unknown: `population_unplaced`)",
        found.unplaced,
        "None after the repairs above.",
    )
    out += _items(
        f"Communes only in the 2025-01-04 list (no successor; valid until {LISTED_ON}, the change date between "
        f"then and 2025-06-30 is not in the tables)",
        found.listing_only,
    )
    out += _items(
        f"Communes only in the conversion table (formed after 2025-01-04; valid from {AFTER_LISTED}, the day "
        "after the list's: the true date is not in the tables)",
        found.table_only,
    )
    out += _items("Rows left out (no code, not a unit)", found.left_out)
    out += _items(
        "Districts without communes (in the list as `Cấp` Huyện): their own reporting unit, `from_level` district "
        "in the crosswalk",
        found.district_units,
    )
    out += _items("Districts named otherwise in the two tables", found.district_changes)
    out += _items(
        "Old communes named without their kind in the conversion table (the list's name taken)", found.kindless
    )
    out += _items("Communes of the list whose `Cấp` contradicts their name", found.listing_kinds)
    out += _items("Communes of another kind in the two tables", found.other_kinds)
    out += _items("Communes whose district differs between the tables", found.other_districts)
    out += _items(
        "Communes spelt or named otherwise in the list (one version: the conversion table's name, the list's in "
        "`aliases`; a spelling cannot be told from a renaming)",
        found.other_names,
    )
    out += _items("Province banner rows of the conversion table (skipped)", found.banners)

    out += ["", "## Provinces from 2025-07-01 and the old provinces they took communes from", ""]
    old_names = {u["unit_code"]: u["unit_name"] for u in units if u["level"] == "province" and u["valid_to"]}
    new_names = {u["unit_code"]: u["unit_name"] for u in units if u["level"] == "province" and not u["valid_to"]}
    sources = defaultdict(set)
    communes_of = Counter(u["province_code"] for u in units if u["level"] == "commune" and not u["valid_to"])
    for pair in pairs:
        sources[pair["to_province_code"]].add(pair["from_province_code"])
    out += _table(
        ["code", "province", "communes", "from old provinces"],
        [
            [
                code,
                new_names[code],
                communes_of[code],
                ", ".join(f"{old_names[o]} ({o})" for o in sorted(sources[code])),
            ]
            for code in sorted(new_names)
        ],
    )
    return "\n".join(out) + "\n"


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE, help="folder of the official tables")
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write units.csv, crosswalk.csv, report.md")
    args = parser.parse_args(argv)
    try:
        units, pairs, text = build(args.source)
    except SourceError as error:
        print(f"make_reference: {error}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(args.out / "units.csv", UNIT_COLUMNS, units)
    write_csv(args.out / "crosswalk.csv", CROSSWALK_COLUMNS, pairs)
    (args.out / "report.md").write_bytes(text.encode("utf-8"))
    print(f"make_reference: {len(units)} units, {len(pairs)} pairs → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
