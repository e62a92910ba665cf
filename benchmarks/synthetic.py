"""A seeded synthetic country: reference units, figures for every period, submission files.

Everything is drawn from one seed, so the same arguments give the same bytes (and so the
same archive hashes). Unit names are built from the syllables in name_syllables.txt;
the units are grouped into provinces (2-digit codes) and districts (3-digit codes) of
roughly the real sizes (about 15 communes to a district, 11 districts to a province).

Files come in the shapes communes really send (FACTS.md, "How files arrive"):
about 70 % .xlsx written with xlsxwriter (some with a title row above the header, some
with counts typed as text "3.158"), the rest delimited text: UTF-8 with BOM and ",";
";" with Vietnamese "3.158" thousands; UTF-16 tab-separated "Unicode text". A few per
cent are malformed on purpose: a rule broken, a count that is not a number, an unknown
unit, an empty file, or bytes that are not a workbook.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import xlsxwriter

from pipelines.core.columns import headers as column_headers
from pipelines.core.periods import month_label, period_of, period_start
from pipelines.core.text import fold
from pipelines.core.units import UNIT_SCHEMA, unit_key

SYLLABLES_FILE = Path(__file__).with_name("name_syllables.txt")
COMMUNES_PER_DISTRICT = 15
DISTRICTS_PER_PROVINCE = 11
FIRST_UNIT_CODE = 10000

# Shares of the file shapes (they sum to 1).
SHAPES = {
    "xlsx": 0.70,
    "csv_utf8_bom": 0.12,
    "csv_semicolon_vn": 0.10,
    "txt_utf16_tab": 0.05,
    "malformed": 0.03,
}
MALFORMED_KINDS = ("rule_broken", "not_a_number", "unknown_unit", "empty", "not_a_workbook")
KINDS = (("xã", 0.85, "Xã"), ("phường", 0.10, "Phường"), ("thị trấn", 0.05, "TT"))
CODE_HEADER = "Mã xã"
# A code no unit has (a malformed file's unknown unit, when files carry codes).
UNKNOWN_CODE = "99999"


def syllables() -> list[str]:
    lines = SYLLABLES_FILE.read_text(encoding="utf-8").splitlines()
    return [unicodedata.normalize("NFC", s.strip()) for s in lines if s.strip() and not s.startswith("#")]


def periods_ending(last: str, count: int) -> list[str]:
    """`count` consecutive monthly periods ending with `last`, oldest first."""
    start = period_start(last)
    months = start.year * 12 + start.month - 1
    return [period_of(dt.date((m) // 12, m % 12 + 1, 1)) for m in range(months - count + 1, months + 1)]


def synthetic_units(n: int, seed: int) -> pl.DataFrame:
    """`n` communes with unique names (by matching key), in provinces and districts."""
    rng = np.random.default_rng(seed)
    words = syllables()
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        size = 2 if len(seen) < len(words) * 20 else 3
        name = " ".join(rng.choice(words, size=size, replace=False))
        key = unit_key(name)
        if key not in seen:
            seen.add(key)
            names.append(name)
    kind_draw = rng.choice(len(KINDS), size=n, p=[k[1] for k in KINDS])
    index = np.arange(n)
    district = index // COMMUNES_PER_DISTRICT
    province = district // DISTRICTS_PER_PROVINCE
    return pl.DataFrame(
        {
            "unit_code": [str(FIRST_UNIT_CODE + i) for i in range(n)],
            "unit_name": names,
            "kind": [KINDS[k][0] for k in kind_draw],
            "parent_code": [str(100 + d) for d in district],
            "appendix_order": index + 1,
            "valid_from": [dt.date(1900, 1, 1)] * n,
            "valid_to": [None] * n,
            "aliases": [None] * n,
            "province_code": [f"{10 + p:02d}" for p in province],
        },
        schema={**UNIT_SCHEMA, "province_code": pl.String},
    )


def drifting_counts(base: np.ndarray, p: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Totals, updated and cleaned (p periods × len(base) units) from each unit's first total:
    totals drift slowly, updating and cleaning advance."""
    growth = 1 + np.cumsum(rng.normal(0.002, 0.004, size=(p, len(base))), axis=0)
    total = np.maximum((base * growth).round().astype(np.int64), 1)
    progress = np.clip(np.linspace(0.4, 0.97, p)[:, None] + rng.normal(0, 0.05, size=(p, len(base))), 0, 1)
    updated = np.minimum((total * progress).round().astype(np.int64), total)
    cleaning = np.clip(np.linspace(0.2, 0.9, p)[:, None] + rng.normal(0, 0.08, size=(p, len(base))), 0, 1)
    cleaned = np.minimum((updated * cleaning).round().astype(np.int64), updated)
    return total, updated, cleaned


def synthetic_figures(units: pl.DataFrame, periods: list[str], seed: int) -> pl.DataFrame:
    """Each unit's counts in each period: totals drift slowly, updating and cleaning advance."""
    rng = np.random.default_rng(seed + 1)
    n, p = units.height, len(periods)
    total, updated, cleaned = drifting_counts(rng.integers(300, 6000, size=n), p, rng)
    return pl.DataFrame(
        {
            "period": np.repeat(periods, n),
            "unit_code": np.tile(units["unit_code"].to_numpy(), p),
            "unit_name": np.tile(units["unit_name"].to_numpy(), p),
            "kind": np.tile(units["kind"].to_numpy(), p),
            "total_children": total.ravel(),
            "updated": updated.ravel(),
            "cleaned": cleaned.ravel(),
        }
    )


@dataclass(frozen=True)
class Submission:
    name: str
    shape: str
    data: bytes


def _vn(n: int) -> str:
    """3158 → "3.158", as a Vietnamese-locale officer types it."""
    return f"{n:,}".replace(",", ".")


def _spelling(name: str, kind: str, r: float) -> str:
    """The unit's name as a commune officer writes it: bare, with its kind, unaccented, NFD."""
    prefix = next(k[2] for k in KINDS if k[0] == kind)
    if r < 0.45:
        return name
    if r < 0.80:
        return f"{prefix} {name}"
    if r < 0.90:
        return fold(name).title()
    return unicodedata.normalize("NFD", f"{prefix}. {name}")


def _header(period: str, code: bool = False) -> list[str]:
    """A commune's submission header: the appendix's TT, name, (3), (4) and (6) columns,
    with a "Mã xã" column after TT when `code` (as across the country, where names repeat)."""
    headers = column_headers(period)
    cells = [headers[i] for i in (0, 1, 2, 3, 5)]
    return cells[:1] + [CODE_HEADER] + cells[1:] if code else cells


def _xlsx(period: str, row: list, title: bool, as_text: bool, code: bool = False) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"created": dt.datetime(2024, 7, 31, 8, 0, 0)})
    sheet = workbook.add_worksheet("Báo cáo")
    first = 0
    if title:
        sheet.write(0, 0, f"BÁO CÁO SỐ LIỆU TRẺ EM THÁNG {month_label(period)}")
        first = 2
    sheet.write_row(first, 0, _header(period, code))
    values = [_vn(v) if as_text and isinstance(v, int) and i > 1 else v for i, v in enumerate(row)]
    sheet.write_row(first + 1, 0, values)
    workbook.close()
    return buffer.getvalue()


def _quoted(cell: str, delimiter: str) -> str:
    return f'"{cell}"' if delimiter in cell else cell


def _delimited(period: str, row: list, delimiter: str, vn_numbers: bool, code: bool = False) -> str:
    cells = [_vn(v) if vn_numbers and isinstance(v, int) and i > 1 else str(v) for i, v in enumerate(row)]
    lines = [delimiter.join(_quoted(c, delimiter) for c in cells_) for cells_ in (_header(period, code), cells)]
    return "\r\n".join(lines) + "\r\n"


def submission(
    figures: dict, period: str, shape: str, rng: np.random.Generator, code: bool = False, as_named: bool = False
) -> Submission:
    """One commune's file for one period in the given shape.

    `code`: the file carries the unit's code in a "Mã xã" column after TT; `as_named`: the
    name as the reference has it (else as an officer writes it, see `_spelling`)."""
    name = figures["unit_name"] if as_named else _spelling(figures["unit_name"], figures["kind"], rng.random())
    row: list = [1, name, figures["total_children"], figures["updated"], figures["cleaned"]]
    if code:
        row.insert(1, figures["unit_code"])
    at = 1 if code else 0  # where the name column is, less one
    stem = f"{figures['unit_code']} {fold(figures['unit_name']).replace(' ', '-')}"
    if shape == "malformed":
        kind = MALFORMED_KINDS[rng.integers(len(MALFORMED_KINDS))]
        if kind == "rule_broken":
            row[at + 4] = row[at + 3] + 1 + int(rng.integers(50))
        elif kind == "not_a_number":
            row[at + 2] = "khoảng " + _vn(row[at + 2])
        elif kind == "unknown_unit":
            row[at + 1] = f"{name} {rng.integers(1000, 9999)}"
            if code:
                row[1] = UNKNOWN_CODE
        elif kind == "empty":
            return Submission(f"{stem}.csv", f"malformed_{kind}", b"")
        else:
            return Submission(f"{stem}.xlsx", f"malformed_{kind}", rng.bytes(2048))
        return Submission(f"{stem}.xlsx", f"malformed_{kind}", _xlsx(period, row, False, False, code))
    if shape == "xlsx":
        return Submission(f"{stem}.xlsx", shape, _xlsx(period, row, rng.random() < 0.3, rng.random() < 0.1, code))
    if shape == "csv_utf8_bom":
        return Submission(f"{stem}.csv", shape, _delimited(period, row, ",", False, code).encode("utf-8-sig"))
    if shape == "csv_semicolon_vn":
        return Submission(f"{stem}.csv", shape, _delimited(period, row, ";", True, code).encode("utf-8"))
    return Submission(f"{stem}.txt", shape, _delimited(period, row, "\t", True, code).encode("utf-16"))


def period_submissions(figures: pl.DataFrame, period: str, seed: int):
    """Every unit's file for `period` (figures of that period only), one after another."""
    rng = np.random.default_rng([seed, int(period.replace("-", ""))])
    rows = figures.filter(pl.col("period") == period)
    shapes = rng.choice(list(SHAPES), size=rows.height, p=list(SHAPES.values()))
    for shape, record in zip(shapes, rows.iter_rows(named=True), strict=True):
        yield submission(record, period, str(shape), rng)
