"""Received files → the figures they carry, one row per unit, and their rejections.

Pure functions: bytes and reference units in, Polars frames out, in two stages so that
thousands of one-row files cost little more than reading them:

1. `read_submission`, per file, plain Python: the bytes read to sheets (`readers`), the
   period squared with the one the file states, the sheets to take figures from chosen,
   each one's header located (`headers`) and the cells under it taken by field.
2. `parse_batch`, once over many files: every table row of every file in one frame, with
   the file and sheet it came from; counts parsed as Vietnamese numbers (`numbers`),
   units matched by name (`units`, among those valid in each file's period), every row
   checked against the appendix's rules: 0 ≤ (6) ≤ (4) ≤ (3), and (5), (7), (8) when
   given agree with (3), (4), (6); duplicates and a compiled table's total row checked by
   file and sheet. Only rows with something to say are visited one by one, to word
   their Vietnamese messages.

`parse_submission` is the batch of one file: every file goes through the same code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import repeat

import polars as pl
import pyarrow as pa

from pipelines.core import numbers
from pipelines.core.columns import LABELS
from pipelines.core.crosswalk import unit_not_in_period
from pipelines.core.period_text import label, periods_in, resolve_period
from pipelines.core.scope import configured_scope
from pipelines.core.text import fold
from pipelines.core.units import candidates, code_mapping, key_names, suggest_units, unit_key, units_valid_in
from pipelines.ingest.file_guards import check_size
from pipelines.ingest.headers import SCAN_ROWS, find_header
from pipelines.ingest.readers import RawSheet, UnreadableFile, read_table
from pipelines.quality.rejections import REJECTION_SCHEMA, message
from pipelines.quality.rules import ROW_RULES, SUBMITTED, flags

# Bump when parsing changes what a file yields: files are then parsed again from the archive.
PARSER_VERSION = 2

COUNT_FIELDS = ("total_children", "updated", "cleaned")
DERIVED_FIELDS = ("not_updated", "not_cleaned", "clean_rate_pct")
TABLE_FIELDS = ("stt", "unit_code", "unit_name", "district", *COUNT_FIELDS, *DERIVED_FIELDS)
TOTAL_ROW_KEYS = [
    "tong cong",
    "tong",
    "cong",
    "tong so",
    "toan huyen",
    "tong cong toan huyen",
    "toan tinh",
    "tong cong toan tinh",
    "toan xa",
    "tong cong toan xa",
]
# A district's row in a compiled table: its subtotal ("Cộng huyện An Lão") or its heading
# ("Huyện An Lão", "I. Thị xã An Nhơn"), folded as unit_key folds names.
DISTRICT_KINDS = r"huyen|thi xa|thanh pho|quan"
DISTRICT_ROW = rf"^(?:[ivx]+ |\d+ )?(?:cong |tong cong |tong )?({DISTRICT_KINDS}) (.+)$"
# The lines under a table that carry no figures of a unit: who made it, who signs, where
# and when, notes.
FOOTER = (
    r"nguoi lap|lap bieu|chu tich|ky,? ghi ro|ky ten|ho ten|thu truong|xac nhan|noi nhan|ghi chu|truong phong"
    r"|tm ubnd|t/m|ngay .*thang|can bo|ke toan|giam doc|dong dau"
)
VALUES = [f"{f}_value" for f in COUNT_FIELDS]

ROW_SCHEMA = {
    "row_number": pl.Int64,
    "unit_code": pl.String,
    "unit_name_sent": pl.String,
    "total_children": pl.Int64,
    "updated": pl.Int64,
    "cleaned": pl.Int64,
}
# A batch's frames carry the index of the file (in the batch's order) each row came from.
BATCH_ROW_SCHEMA = {"file": pl.Int64, **ROW_SCHEMA}
BATCH_REJECTION_SCHEMA = {"file": pl.Int64, **REJECTION_SCHEMA}
SHEET_ROWS_SCHEMA = {"file": pl.Int64, "sheet": pl.String, "row_number": pl.Int64, "cells": pl.List(pl.String)}
_TABLE_SCHEMA = {
    "file": pl.Int64,
    "sheet": pl.Int64,
    "units_key": pl.String,
    "title_district": pl.String,
    "row_number": pl.Int64,
    **{f: pl.String for f in TABLE_FIELDS},
}
_PROBLEM_CODES = {
    numbers.EMPTY: "MISSING_VALUE",
    numbers.NOT_A_NUMBER: "NOT_A_NUMBER",
    numbers.NOT_WHOLE: "NOT_WHOLE_NUMBER",
    numbers.NEGATIVE: "NEGATIVE_NUMBER",
}

# Unreadable-file codes whose message shows the detail (the others' details are technical).
_SHOWN_DETAILS = {"UNSUPPORTED_TYPE", "FILE_TOO_LARGE"}
# The units a file is matched against: those valid in its period, or (no period at all)
# the units as given. Keys of `parse_batch`'s lookups.
_AS_GIVEN = ""


@dataclass
class ParsedFile:
    """What one file yields: accepted figures, rejections, and the raw sheets read."""

    rows: pl.DataFrame
    rejections: pl.DataFrame
    sheets: list[RawSheet] = field(default_factory=list)
    period: str | None = None  # the period the file counts for, when known


# ---------------------------------------------------------------------------------------
# Stage 1: one file, plain Python.


@dataclass
class SheetTable:
    """A chosen sheet's table: the cells under its header, one list per field of
    TABLE_FIELDS (None where the header lacks the field), or the fields it misses."""

    row_numbers: list[int]
    columns: list[list[str | None]]
    missing: list[str] = field(default_factory=list)
    title: str = ""  # the rows above the header, folded: "uy ban nhan dan huyen an lao …"


@dataclass
class ReadFile:
    """A file read to its tables, ready for `parse_batch`."""

    sheets: list[RawSheet]
    period: str | None  # the period the file counts for, when known
    units_period: str | None = None  # match units valid in it; None: the units as given
    rejection: dict | None = None  # {"code", "message"} when the whole file is rejected
    tables: list[SheetTable] = field(default_factory=list)


def rejected_file(
    code: str, counts_for: str | None, sheets: list[RawSheet] | None = None, **details: object
) -> ReadFile:
    """A file rejected whole (its sheets kept when read), counting for `counts_for`."""
    return ReadFile(sheets or [], counts_for, rejection={"code": code, "message": message(code, **details)})


def stated_periods(sheets: list[RawSheet]) -> list[str]:
    """The periods a file names in its sheet names and its first rows (titles, header)."""
    texts: list[str | None] = [s.name for s in sheets]
    for sheet in sheets:
        for row in sheet.rows[:SCAN_ROWS]:
            texts.extend(row)
    return periods_in(texts)


def sheets_with_figures(sheets: list[RawSheet], period: str | None) -> list[RawSheet]:
    """The sheets to take figures from: the visible ones (a hidden sheet often keeps an
    old copy) and, in a workbook with a sheet per month, those of `period` or naming none."""
    chosen = [s for s in sheets if s.visible] or sheets
    if period is not None:
        of_period = [s for s in chosen if period in (stated_periods([s]) or [period])]
        chosen = of_period or chosen
    return chosen


def sheet_table(sheet: RawSheet) -> SheetTable | None:
    """The table under the sheet's header; None when the sheet has no header at all."""
    header = find_header(sheet.rows)
    if header is None:
        return None
    if header.missing:
        return SheetTable([], [], header.missing)
    body = sheet.rows[header.row_number :]
    columns = []
    for name in TABLE_FIELDS:
        index = header.columns.get(name)
        if index is None:
            columns.append([None] * len(body))
        else:
            columns.append([row[index] if index < len(row) else None for row in body])
    above = [cell for row in sheet.rows[: header.row_number - 1] for cell in row if cell]
    numbers_ = list(range(header.row_number + 1, header.row_number + 1 + len(body)))
    return SheetTable(numbers_, columns, title=fold(" ".join(above))[:2000])


def too_large(size: int, period: str | None = None) -> ReadFile | None:
    """The rejection of a file by its size alone (read nothing), or None when it may be read."""
    try:
        check_size(size)
    except UnreadableFile as exc:
        return rejected_file(exc.code, period, detail=exc.detail)
    return None


def read_submission(
    data: bytes, suffix: str, period: str | None = None, *, loose_bounds: tuple[str, str] | None = None
) -> ReadFile:
    """Read one received file to its tables (see `parse_submission` for the arguments)."""
    try:
        sheets = read_table(data, suffix)
    except UnreadableFile as exc:
        return rejected_file(exc.code, period, detail=exc.detail if exc.code in _SHOWN_DETAILS else "")
    units_period = None
    if period is not None or loose_bounds is not None:
        first, last = loose_bounds or (period, period)
        verdict = resolve_period(stated_periods(sheets), period, first, last)
        if verdict.code:
            return rejected_file(
                verdict.code,
                verdict.period,
                sheets,
                detail=verdict.detail,
                period=verdict.detail if verdict.code == "PERIOD_IMPOSSIBLE" else label(period or first),
            )
        period = units_period = verdict.period
    tables = [t for t in map(sheet_table, sheets_with_figures(sheets, period)) if t is not None]
    if not tables:
        return rejected_file("NO_HEADER", period, sheets)
    return ReadFile(sheets, period, units_period, None, tables)


# ---------------------------------------------------------------------------------------
# Stage 2: many files at once, expressions over all their rows.

_BLANK = pl.all_horizontal([pl.col(f).is_null() for f in TABLE_FIELDS])
_NUMBERING = pl.col("unit_name").str.contains(r"^\(\d+\)$") | pl.col("total_children").str.contains(r"^\(\d+\)")

# Built once: every batch reuses the same expressions.
_PARSED_COUNTS = (
    *[numbers.count_expr(pl.col(f)).alias(f"{f}_value") for f in COUNT_FIELDS],
    *[numbers.count_problem_expr(pl.col(f)).alias(f"{f}_problem") for f in COUNT_FIELDS],
    numbers.count_expr(pl.col("not_updated")).alias("not_updated_value"),
    numbers.count_expr(pl.col("not_cleaned")).alias("not_cleaned_value"),
    numbers.rate_expr(pl.col("clean_rate_pct")).alias("clean_rate_pct_value"),
    pl.col("clean_rate_pct")
    .str.extract(r"[.,](\d+)\s*%?$")
    .str.len_chars()
    .fill_null(0)
    .cast(pl.Int32)
    .alias("rate_decimals"),
)


_RULE_FLAGS = flags(ROW_RULES, SUBMITTED)
_READABLE = pl.all_horizontal([pl.col(f"{f}_problem") == numbers.OK for f in COUNT_FIELDS])
# "Tổng cộng" (or "Tổng cộng:") in the name column, or in the TT column merged across both.
_IS_TOTAL = (
    pl.col("unit_key").is_in(TOTAL_ROW_KEYS) | (pl.col("unit_name").is_null() & pl.col("stt_key").is_in(TOTAL_ROW_KEYS))
).fill_null(False)
_NO_COUNTS = pl.all_horizontal([pl.col(f).is_null() for f in COUNT_FIELDS])
# Rows of units: not a total, a district's subtotal or heading, a footer (who made the
# table, who signs it), nor a line naming no known unit and carrying no figures (a note).
_IN_BODY = (
    ~pl.col("is_total") & ~pl.col("district_row") & ~pl.col("footer") & ~(pl.col("unit_code").is_null() & _NO_COUNTS)
)
# A row that needs no message: a known unit, three valid counts, no rule broken.
_CLEAN_ROW = (
    pl.col("unit_code").is_not_null() & _READABLE & ~pl.any_horizontal([pl.col(rule.code) for rule in ROW_RULES])
)


def row_rejections(row: dict, unit_label: str) -> list[dict]:
    """Every rule `row` breaks, as rejection records."""
    found = []
    base = {"row_number": row["row_number"], "unit_code": row["unit_code"]}
    for f in COUNT_FIELDS:
        problem = row[f"{f}_problem"]
        if problem != numbers.OK:
            code = _PROBLEM_CODES[problem]
            found.append({**base, "code": code, "message": message(code, column=f, value=row[f], unit=unit_label)})
    if found:
        return found
    counts = [row[v] for v in VALUES]
    for rule in ROW_RULES:
        if row[rule.code]:
            found.append({**base, "code": rule.code, "message": rule.describe(unit_label, row, *counts)})
    return found


def _listed(codes: list[str], units: pl.DataFrame) -> str:
    """ "Phường Ngô Mây (Thị xã An Nhơn, mã 21577); …": units of the same name told apart."""
    districts = dict(configured_scope().districts.iter_rows())
    found = units.filter(pl.col("unit_code").is_in(codes)).sort("unit_code")
    return "; ".join(
        f"{name} ({districts[d] + ', ' if d in districts else ''}mã {code})"
        for code, name, d in found.select("unit_code", "unit_name", "district_code").iter_rows()
    )


def unit_rejections(row: dict, units: pl.DataFrame) -> list[dict]:
    """The rejections of a body row with something to say: no name, a name of no unit of
    the period (or of another period), or figures breaking a rule."""
    if row["unit_code"] is None and not row["unit_name"]:
        return [
            {
                "row_number": row["row_number"],
                "unit_code": None,
                "code": "MISSING_UNIT_NAME",
                "message": message("MISSING_UNIT_NAME", detail=row["row_number"]),
            }
        ]
    if row["unit_code"] is None:
        scope = configured_scope()
        elsewhere = unit_not_in_period(row["unit_name"], units, scope.units, scope.crosswalk)
        if elsewhere:
            return [
                {
                    "row_number": row["row_number"],
                    "unit_code": None,
                    "code": "UNIT_NOT_IN_PERIOD",
                    "message": message("UNIT_NOT_IN_PERIOD", value=row["unit_name"], **elsewhere),
                }
            ]
        found = candidates(row["unit_name"], units)
        if len(found) > 1:
            return [
                {
                    "row_number": row["row_number"],
                    "unit_code": None,
                    "code": "AMBIGUOUS_UNIT",
                    "message": message("AMBIGUOUS_UNIT", value=row["unit_name"], detail=_listed(found, units)),
                }
            ]
        suggestions = suggest_units(row["unit_name"] or "", units)
        hint = f"Có phải là: {', '.join(suggestions)}? " if suggestions else ""
        return [
            {
                "row_number": row["row_number"],
                "unit_code": None,
                "code": "UNKNOWN_UNIT",
                "message": message("UNKNOWN_UNIT", value=row["unit_name"] or "", detail=hint),
            }
        ]
    return row_rejections(row, row["unit_name"] or "Dòng số liệu")


@dataclass
class ParsedBatch:
    """What a batch of files yields, each frame keyed by the file's index in the batch."""

    rows: pl.DataFrame  # BATCH_ROW_SCHEMA: accepted figures
    rejections: pl.DataFrame  # BATCH_REJECTION_SCHEMA, each file's in the order found
    sheet_rows: pl.DataFrame  # SHEET_ROWS_SCHEMA: every sheet's raw cells, kept
    periods: list[str | None]  # the period each file counts for, when known
    sheets: list[list[RawSheet]] | None = None  # the sheets read, when asked for

    def file(self, index: int) -> ParsedFile:
        """One file's result, as `parse_submission` gives it."""
        rows = self.rows.filter(pl.col("file") == index).drop("file")
        rejections = self.rejections.filter(pl.col("file") == index).drop("file")
        return ParsedFile(rows, rejections, self.sheets[index] if self.sheets else [], self.periods[index])

    @staticmethod
    def concat(batches: Sequence[ParsedBatch]) -> ParsedBatch:
        """Batches of consecutive files as one, the file indices renumbered."""
        offsets, total = [], 0
        for batch in batches:
            offsets.append(total)
            total += len(batch.periods)

        def joined(name: str, schema: dict) -> pl.DataFrame:
            frames = [getattr(b, name).with_columns(pl.col("file") + o) for b, o in zip(batches, offsets, strict=True)]
            return pl.concat(frames) if frames else pl.DataFrame(schema=schema)

        return ParsedBatch(
            joined("rows", BATCH_ROW_SCHEMA),
            joined("rejections", BATCH_REJECTION_SCHEMA),
            joined("sheet_rows", SHEET_ROWS_SCHEMA),
            [p for b in batches for p in b.periods],
        )


def tables_frame(files: Sequence[ReadFile]) -> pl.DataFrame:
    """Every row under a complete header, of every file: file, sheet (index among the
    file's tables), units_key (the period whose units apply), row_number, TABLE_FIELDS."""
    ids: list[int] = []
    sheet_ids: list[int] = []
    unit_keys: list[str] = []
    title_districts: list[str | None] = []
    row_numbers: list[int] = []
    cells: list[list[str | None]] = [[] for _ in TABLE_FIELDS]
    for index, file in enumerate(files):
        key = file.units_period or _AS_GIVEN
        for sheet, table in enumerate(file.tables):
            if table.missing:
                continue
            n = len(table.row_numbers)
            ids.extend(repeat(index, n))
            sheet_ids.extend(repeat(sheet, n))
            unit_keys.extend(repeat(key, n))
            title_districts.extend(repeat(_district_key(table.title), n))  # once a sheet
            row_numbers.extend(table.row_numbers)
            for column, values in zip(cells, table.columns, strict=True):
                column.extend(values)
    data = [ids, sheet_ids, unit_keys, title_districts, row_numbers, *cells]
    return pl.DataFrame(dict(zip(_TABLE_SCHEMA, data, strict=True)), schema=_TABLE_SCHEMA)


def _name_lookup(names: pl.DataFrame, units_by_key: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """units_key, unit_name → unit_code (null when the name means no unit of that period)."""
    keys, sent, codes = [], [], []
    for (key,), group in names.group_by("units_key"):
        mapping = code_mapping(group["unit_name"].to_list(), units_by_key[key])
        keys.extend(repeat(key, len(mapping)))
        sent.extend(mapping)
        codes.extend(mapping.values())
    return pl.DataFrame(
        {"units_key": keys, "unit_name": sent, "unit_code": codes},
        schema={"units_key": pl.String, "unit_name": pl.String, "unit_code": pl.String},
    )


def _keys(column: pl.Series) -> dict[str, str]:
    return {n: unit_key(n) for n in column.drop_nulls().unique().to_list()}


def _codes_sent(units_by_key: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """units_key, code: the codes a file's code column may name (the units of its period)."""
    return pl.concat(
        [
            u.select(pl.lit(k).alias("units_key"), pl.col("unit_code").alias("code_sent"))
            for k, u in units_by_key.items()
        ]
    ).unique()


def _district_key(text: str | None) -> str | None:
    """ "huyen an lao" of a folded district row or title ("ubnd huyen an lao tinh binh dinh")."""
    found = re.search(rf"\b(?:{DISTRICT_KINDS}) ([a-z0-9 ]+?)(?: tinh .*| thanh pho .*|$)", text or "")
    return found.group(1).strip() if found else None


def _resolve_repeated_names(rows: pl.DataFrame, units_by_key: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Rows naming a unit whose name repeats in the scope, told apart by the district the
    file gives: a district column, the district row above (its heading) or below (its
    subtotal), or the title above the table. Still several: left unmatched (AMBIGUOUS_UNIT)."""
    repeated = rows.filter(pl.col("unit_code").is_null() & pl.col("unit_name").is_not_null())
    if repeated.is_empty():
        return rows
    districts = {_district_key(fold(name)): code for code, name in configured_scope().districts.iter_rows()}
    context = rows.select(
        "file",
        "sheet",
        "row_number",
        pl.coalesce(
            pl.col("district_key"),
            pl.when(pl.col("district_row") & pl.col("subtotal_style"))
            .then(pl.col("row_district"))
            .backward_fill()
            .over("file", "sheet"),
            pl.when(pl.col("district_row") & ~pl.col("subtotal_style"))
            .then(pl.col("row_district"))
            .forward_fill()
            .over("file", "sheet"),
            pl.col("title_district"),
        ).alias("context"),
    )
    resolved = {}
    for row in repeated.join(context, on=["file", "sheet", "row_number"], how="left").iter_rows(named=True):
        units = units_by_key[row["units_key"]]
        found = candidates(row["unit_name"], units)
        district = districts.get(row["context"] or "")
        if len(found) > 1 and district is not None:
            in_district = units.filter(pl.col("unit_code").is_in(found) & (pl.col("district_code") == district))
            if in_district.height == 1:
                resolved[(row["file"], row["sheet"], row["row_number"])] = in_district["unit_code"][0]
    if not resolved:
        return rows
    fixes = pl.DataFrame(
        [(f, s_, r, c) for (f, s_, r), c in resolved.items()],
        schema={"file": pl.Int64, "sheet": pl.Int64, "row_number": pl.Int64, "resolved": pl.String},
        orient="row",
    )
    return (
        rows.join(fixes, on=["file", "sheet", "row_number"], how="left", maintain_order="left")
        .with_columns(pl.coalesce("unit_code", "resolved").alias("unit_code"))
        .drop("resolved")
    )


def checked_rows(files: Sequence[ReadFile], units_by_key: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """The batch's table rows with counts parsed, rules flagged, units matched (by the code
    column when it names a unit of the period, else by name, a repeated name by its
    district), each row classified (`is_total`, `is_subtotal`, `district_row`, `footer`),
    and in_body / clean / readable, in file, sheet, row order."""
    table = tables_frame(files).filter(~_BLANK & ~_NUMBERING.fill_null(False))
    names = table.select("units_key", "unit_name").drop_nulls().unique()
    lookup = _name_lookup(names, units_by_key)
    texts = pl.concat_str([pl.col(f) for f in ("stt", "unit_name", *COUNT_FIELDS)], separator=" ", ignore_nulls=True)
    code_sent = pl.col("unit_code").str.replace_all(r"\D", "").str.pad_start(5, "0")
    rows = (
        table.lazy()
        .with_columns(code_sent.alias("code_sent"), texts.alias("row_text"))
        .drop("unit_code")
        .join(lookup.lazy(), on=["units_key", "unit_name"], how="left", maintain_order="left")
        .join(
            _codes_sent(units_by_key).lazy().with_columns(pl.col("code_sent").alias("code_known")),
            on=["units_key", "code_sent"],
            how="left",
            maintain_order="left",
        )
        .with_columns(pl.coalesce("code_known", "unit_code").alias("unit_code"))
        .with_columns(*_PARSED_COUNTS)
        .with_columns(
            *_RULE_FLAGS,
            pl.col("unit_name")
            .replace_strict(_keys(table["unit_name"]), default=None, return_dtype=pl.String)
            .alias("unit_key"),
            pl.col("stt").replace_strict(_keys(table["stt"]), default=None, return_dtype=pl.String).alias("stt_key"),
            pl.col("district")
            .replace_strict(_keys(table["district"]), default=None, return_dtype=pl.String)
            .alias("district_key"),
        )
        .with_columns(
            _IS_TOTAL.alias("is_total"),
            (pl.col("unit_code").is_null() & pl.col("unit_key").str.contains(DISTRICT_ROW).fill_null(False)).alias(
                "district_row"
            ),
            pl.col("unit_key").str.extract(DISTRICT_ROW, 2).alias("row_district"),
            pl.col("unit_key").str.starts_with("cong ").fill_null(False).alias("is_cong"),
        )
        .with_columns(
            # Subtotals after their units ("Cộng huyện …") or headings before them ("Huyện …").
            pl.col("is_cong").any().over("file", "sheet").alias("subtotal_style"),
            (pl.col("district_row") & ~_NO_COUNTS).alias("is_subtotal"),
        )
        .collect()
    )
    rows = _resolve_repeated_names(rows, units_by_key)
    # A footer line, and below it the lines without figures (the signers' names). Only
    # rows naming no unit and carrying no valid figures can be one: only their text is folded.
    maybe = pl.col("unit_code").is_null() & ~_READABLE
    folded = _keys(rows.filter(maybe)["row_text"])
    line = pl.col("row_text").replace_strict(folded, default=None, return_dtype=pl.String).str.contains(FOOTER)
    rows = rows.with_columns((maybe & line.fill_null(False).cum_max().over("file", "sheet")).alias("footer"))
    return (
        rows.lazy()
        .with_columns(_IN_BODY.alias("in_body"), _READABLE.alias("readable"))
        .with_columns((pl.col("in_body") & _CLEAN_ROW).alias("clean"))
        .collect()
    )


class _Records:
    """Rejection records with where they belong: file, sheet (index among the file's
    tables; file-level records come first, cross-sheet ones last) and the order found."""

    FILE, CROSS = -1, 1 << 30

    def __init__(self) -> None:
        self.records: list[dict] = []

    def add(self, file: int, sheet: int, phase: int, record: dict) -> None:
        self.records.append({"file": file, "sheet": sheet, "phase": phase, "seq": len(self.records), **record})

    def frame(self) -> pl.DataFrame:
        schema = {"file": pl.Int64, "sheet": pl.Int64, "phase": pl.Int64, "seq": pl.Int64, **REJECTION_SCHEMA}
        return pl.DataFrame([{k: r.get(k) for k in schema} for r in self.records], schema=schema)


def _dedupe(rows: pl.DataFrame, within: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Same unit twice within `within`: identical figures are kept once (the first);
    a unit with different figures is rejected whole. Returns (kept, conflicting rows)."""
    by_unit = [*within, "unit_code"]
    deduped = rows.unique(subset=[*by_unit, *VALUES], keep="first", maintain_order=True)
    conflicted = deduped.group_by(by_unit).len().filter(pl.col("len") > 1).drop("len")
    if conflicted.is_empty():
        return deduped, deduped.clear()
    return (
        deduped.join(conflicted, on=by_unit, how="anti", maintain_order="left"),
        deduped.join(conflicted, on=by_unit, how="semi", maintain_order="left"),
    )


def parse_batch(files: Sequence[ReadFile], units: pl.DataFrame, *, keep_sheets: bool = False) -> ParsedBatch:
    """The figures and rejections of many read files, checked together.

    Each file gets exactly what parsing it alone gives: within a sheet, rows are checked
    one by one, the same unit twice with different figures is rejected, a "Tổng cộng" row
    must equal the rows above it; every sheet with content counts (an empty template sheet
    beside the real one says nothing); the same unit on two sheets with different figures
    is rejected.
    """
    units_by_key = {_AS_GIVEN: units}
    for file in files:
        if file.units_period and file.units_period not in units_by_key:
            units_by_key[file.units_period] = units_valid_in(units, file.units_period)
    rows = checked_rows(files, units_by_key)
    found = _Records()
    for index, file in enumerate(files):
        if file.rejection is not None:
            found.add(index, _Records.FILE, 0, file.rejection)
        for sheet, table in enumerate(file.tables):
            if table.missing:
                detail = ", ".join(LABELS[f] for f in table.missing)
                found.add(
                    index, sheet, 0, {"code": "MISSING_COLUMN", "message": message("MISSING_COLUMN", detail=detail)}
                )

    official = {key: key_names(u) for key, u in units_by_key.items()}

    def named(row: dict, record: dict) -> dict:
        # Only a known unit's official name: a cell of an unknown row may hold anything (a
        # child's name, when a list of children was sent by mistake); its message quotes it short.
        name = official[row["units_key"]].get(record.get("unit_code"))
        return {"unit_name": name, **record}

    # Rows with something to say, each worded.
    for row in rows.filter(pl.col("in_body") & ~pl.col("clean")).iter_rows(named=True):
        for record in unit_rejections(row, units_by_key[row["units_key"]]):
            found.add(row["file"], row["sheet"], 1, named(row, record))

    # The same unit twice in a sheet.
    accepted, conflicting = _dedupe(rows.filter("clean"), ["file", "sheet"])
    groups: dict[tuple, list[dict]] = {}
    for row in conflicting.iter_rows(named=True):
        groups.setdefault((row["file"], row["sheet"], row["unit_code"]), []).append(row)
    for (file, sheet, code), same_unit in groups.items():
        listed = ", ".join(str(r["row_number"]) for r in same_unit)
        for row in same_unit:
            found.add(
                file,
                sheet,
                2,
                named(
                    row,
                    {
                        "row_number": row["row_number"],
                        "unit_code": code,
                        "code": "DUPLICATE_UNIT_CONFLICT",
                        "message": message("DUPLICATE_UNIT_CONFLICT", unit=row["unit_name"], detail=listed),
                    },
                ),
            )

    # A compiled table's "Tổng cộng" row must equal the sum of the rows above it that carry
    # three valid counts, rejected or not: a row rejected for a rule must not make the
    # total look wrong too.
    sums = (
        rows.filter("in_body", "readable")
        .group_by("file", "sheet")
        .agg(pl.col(v).sum().alias(f"{v}_sum") for v in VALUES)
    )
    totals = (
        rows.filter("is_total")
        .join(sums, on=["file", "sheet"], how="left", maintain_order="left")
        .with_columns(pl.col(f"{v}_sum").fill_null(0) for v in VALUES)
    )
    # A district's subtotal must equal its units' rows: those below its heading, or above
    # its "Cộng …" row, up to the next district row.
    block = pl.col("district_row").cast(pl.Int64).cum_sum().over("file", "sheet")
    blocked = rows.with_columns(
        pl.when(pl.col("subtotal_style"))
        .then(block - pl.col("district_row").cast(pl.Int64))
        .otherwise(block)
        .alias("block")
    )
    block_sums = (
        blocked.filter("in_body", "readable")
        .group_by("file", "sheet", "block")
        .agg(pl.col(v).sum().alias(f"{v}_sum") for v in VALUES)
    )
    subtotals = (
        blocked.filter("is_subtotal")
        .join(block_sums, on=["file", "sheet", "block"], how="left", maintain_order="left")
        .with_columns(pl.col(f"{v}_sum").fill_null(0) for v in VALUES)
    )
    totals = pl.concat(
        [
            totals.with_columns(pl.lit("TOTAL_ROW_MISMATCH").alias("check")),
            subtotals.select(totals.columns).with_columns(pl.lit("SUBTOTAL_ROW_MISMATCH").alias("check")),
        ]
    )
    wrong = pl.any_horizontal([pl.col(v).is_not_null() & (pl.col(v) != pl.col(f"{v}_sum")) for v in VALUES])
    for row in totals.filter(wrong).iter_rows(named=True):
        for f, v in zip(COUNT_FIELDS, VALUES, strict=True):
            if row[v] is not None and row[v] != row[f"{v}_sum"]:
                found.add(
                    row["file"],
                    row["sheet"],
                    3,
                    named(
                        row,
                        {
                            "row_number": row["row_number"],
                            "unit_code": None,
                            "code": row["check"],
                            "message": message(
                                row["check"],
                                unit=row["unit_name"],
                                column=f,
                                value=numbers.format_vn_int(row[v]),
                                expected=numbers.format_vn_int(row[f"{v}_sum"]),
                            ),
                        },
                    ),
                )

    # Sheets: one with no body rows and nothing said about its total has no data; one
    # with figures or a word about a row has content, and only those count (or the first).
    with_body = set(rows.filter("in_body").select("file", "sheet").unique().iter_rows())
    said = {(r["file"], r["sheet"]) for r in found.records if r.get("row_number") is not None}
    for index, file in enumerate(files):
        for sheet, table in enumerate(file.tables):
            if not table.missing and (index, sheet) not in with_body and (index, sheet) not in said:
                found.add(index, sheet, 4, {"code": "NO_DATA_ROWS", "message": message("NO_DATA_ROWS")})
    content = said | set(accepted.select("file", "sheet").unique().iter_rows())
    usable = []
    for index, file in enumerate(files):
        counted = [s for s in range(len(file.tables)) if (index, s) in content] or [0] * bool(file.tables)
        usable.extend((index, s) for s in counted)
    usable_frame = pl.DataFrame(usable, schema={"file": pl.Int64, "sheet": pl.Int64}, orient="row")

    # The same unit on several sheets of a file (a file cannot correct itself).
    accepted = accepted.join(usable_frame, on=["file", "sheet"], how="semi", maintain_order="left")
    accepted, conflicting = _dedupe(accepted, ["file"])
    for row in conflicting.iter_rows(named=True):
        found.add(
            row["file"],
            _Records.CROSS,
            0,
            {
                "row_number": row["row_number"],
                "unit_code": row["unit_code"],
                "unit_name": row["unit_name"],
                "code": "DUPLICATE_UNIT_CONFLICT",
                "message": message(
                    "DUPLICATE_UNIT_CONFLICT",
                    unit=row["unit_name"],
                    detail=f"{row['row_number']}, trên nhiều trang tính",
                ),
            },
        )

    # Only the counted sheets' rejections are kept (an empty template sheet says nothing).
    records = found.frame()
    kept = pl.concat(
        [
            records.filter(pl.col("sheet").is_in([_Records.FILE, _Records.CROSS])),
            records.join(usable_frame, on=["file", "sheet"], how="semi"),
        ]
    ).sort("file", "sheet", "phase", "seq")
    return ParsedBatch(
        accepted.select(
            "file",
            "row_number",
            "unit_code",
            pl.col("unit_name").alias("unit_name_sent"),
            *[pl.col(v).alias(f) for f, v in zip(COUNT_FIELDS, VALUES, strict=True)],
        ),
        kept.select(BATCH_REJECTION_SCHEMA.keys()),
        sheet_rows_frame([file.sheets for file in files]),
        [file.period for file in files],
        [file.sheets for file in files] if keep_sheets else None,
    )


def sheet_rows_frame(sheets_by_file: Sequence[list[RawSheet]]) -> pl.DataFrame:
    """Every row of every sheet read, as raw text cells: file, sheet name, row_number, cells."""
    ids: list[int] = []
    names: list[str] = []
    numbers_: list[int] = []
    cells: list[list[str | None]] = []
    for index, sheets in enumerate(sheets_by_file):
        for sheet in sheets:
            n = len(sheet.rows)
            ids.extend(repeat(index, n))
            names.extend(repeat(sheet.name, n))
            numbers_.extend(range(1, n + 1))
            cells.extend(sheet.rows)
    # Arrow converts nested lists of text about twice as fast as Polars' constructor.
    nested = pl.from_arrow(pa.array(cells, type=pa.list_(pa.large_string())))
    return pl.DataFrame(
        {"file": ids, "sheet": names, "row_number": numbers_, "cells": nested}, schema=SHEET_ROWS_SCHEMA
    )


def parse_submission(
    data: bytes,
    suffix: str,
    units: pl.DataFrame,
    period: str | None = None,
    *,
    loose_bounds: tuple[str, str] | None = None,
) -> ParsedFile:
    """Parse one received file: a pure function.

    `period` is the inbox folder's period: the file must not state another one
    (PERIOD_MISMATCH) and is matched against the units valid in it. A file loose in the
    inbox passes `loose_bounds` = (first, last) acceptable period instead and takes its
    period from its own text (PERIOD_UNKNOWN, PERIOD_IMPOSSIBLE when it cannot). With
    neither, `units` are used as given. The result's `period` says where it counts.
    """
    read = read_submission(data, suffix, period, loose_bounds=loose_bounds)
    return parse_batch([read], units, keep_sheets=True).file(0)
