"""A received file → the figures it carries, one row per unit, and its rejections.

Pure functions: bytes and reference units in, Polars frames out. The file's table is
located by its header (see `headers`), counts parsed as Vietnamese numbers (`numbers`),
units matched by name (`units`), and every row checked against the appendix's rules:
0 ≤ (6) ≤ (4) ≤ (3), and (5), (7), (8) when given agree with (3), (4), (6).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from pipelines import numbers
from pipelines.crosswalk import unit_not_in_period
from pipelines.file_guards import check_size
from pipelines.headers import SCAN_ROWS, find_header
from pipelines.period_text import label, periods_in, resolve_period
from pipelines.readers import RawSheet, UnreadableFile, read_table
from pipelines.rejections import COLUMN_LABELS, message, rejection_frame
from pipelines.units import code_mapping, key_names, suggest_units, unit_key, units_valid_in

COUNT_FIELDS = ("total_children", "updated", "cleaned")
DERIVED_FIELDS = ("not_updated", "not_cleaned", "clean_rate_pct")
TABLE_FIELDS = ("stt", "unit_code", "unit_name", *COUNT_FIELDS, *DERIVED_FIELDS)
TOTAL_ROW_KEYS = {"tong cong", "tong", "cong", "tong so", "toan huyen", "tong cong toan huyen"}

ROW_SCHEMA = {
    "row_number": pl.Int64,
    "unit_code": pl.String,
    "unit_name_sent": pl.String,
    "total_children": pl.Int64,
    "updated": pl.Int64,
    "cleaned": pl.Int64,
}
_PROBLEM_CODES = {
    numbers.EMPTY: "MISSING_VALUE",
    numbers.NOT_A_NUMBER: "NOT_A_NUMBER",
    numbers.NOT_WHOLE: "NOT_WHOLE_NUMBER",
    numbers.NEGATIVE: "NEGATIVE_NUMBER",
}


# Unreadable-file codes whose message shows the detail (the others' details are technical).
_SHOWN_DETAILS = {"UNSUPPORTED_TYPE", "FILE_TOO_LARGE"}


@dataclass
class ParsedFile:
    """What one file yields: accepted figures, rejections, and the raw sheets read."""

    rows: pl.DataFrame
    rejections: pl.DataFrame
    sheets: list[RawSheet] = field(default_factory=list)
    period: str | None = None  # the period the file counts for, when known

    @property
    def rejected_whole(self) -> bool:
        return self.rows.is_empty() and not self.rejections.is_empty()


def empty_rows() -> pl.DataFrame:
    return pl.DataFrame(schema=ROW_SCHEMA)


def file_rejection(code: str, **details: object) -> ParsedFile:
    return ParsedFile(
        empty_rows(), rejection_frame([{"code": code, "message": message(code, **details)}])
    )


Frame = pl.DataFrame | pl.LazyFrame


def table_of(sheet: Frame, columns: dict[str, str], header_row: int) -> Frame:
    """The rows under the header, with the header's columns renamed to fields."""
    body = sheet.filter(pl.col("row_number") > header_row)
    return body.select(
        "row_number",
        *[
            (pl.col(columns[f]) if f in columns else pl.lit(None, pl.String)).alias(f)
            for f in TABLE_FIELDS
        ],
    )


_BLANK = pl.all_horizontal([pl.col(f).is_null() for f in TABLE_FIELDS])
_NUMBERING = pl.col("unit_name").str.contains(r"^\(\d+\)$") | pl.col("total_children").str.contains(r"^\(\d+\)")


def drop_non_data_rows(table: Frame) -> Frame:
    """Without blank rows and the numbering row "(1) (2) … (5) = (3) - (4)"."""
    return table.filter(~_BLANK & ~_NUMBERING.fill_null(False))


def with_parsed_counts(table: Frame) -> Frame:
    """Adds <field>_value (Int64) and <field>_problem for counts; parsed derived columns."""
    return table.with_columns(*_PARSED_COUNTS)


# Built once: a file's parse reuses the same expressions.
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


def with_rule_flags(table: Frame) -> Frame:
    """Boolean columns, one per rule a row may break (null-safe: false when unknowable)."""
    return table.with_columns(*_RULE_FLAGS)


def _rule_flags() -> tuple[pl.Expr, ...]:
    total, updated, cleaned = (pl.col(f"{f}_value") for f in COUNT_FIELDS)
    computed_rate = numbers.clean_rate_pct(cleaned, total)
    exact_rate = cleaned * 100 / total
    given_rate = pl.col("clean_rate_pct_value")
    tolerance = 0.5 * pl.lit(10.0).pow(-pl.col("rate_decimals")) + 1e-9
    rate_ok = ((given_rate - exact_rate).abs() <= tolerance) | (
        (given_rate <= 1) & ((given_rate * 100 - exact_rate).abs() <= tolerance * 100)
    )
    return (
        (updated > total).fill_null(False).alias("UPDATED_GT_TOTAL"),
        (cleaned > updated).fill_null(False).alias("CLEANED_GT_UPDATED"),
        (pl.col("not_updated").is_not_null() & (pl.col("not_updated_value").is_null() | (pl.col("not_updated_value") != total - updated)))
        .fill_null(False)
        .alias("INCONSISTENT_NOT_UPDATED"),
        (pl.col("not_cleaned").is_not_null() & (pl.col("not_cleaned_value").is_null() | (pl.col("not_cleaned_value") != updated - cleaned)))
        .fill_null(False)
        .alias("INCONSISTENT_NOT_CLEANED"),
        (pl.col("clean_rate_pct").is_not_null() & (given_rate.is_null() | ~rate_ok))
        .fill_null(False)
        .alias("INCONSISTENT_RATE"),
        computed_rate.alias("computed_rate"),
    )


RULES = (
    "UPDATED_GT_TOTAL",
    "CLEANED_GT_UPDATED",
    "INCONSISTENT_NOT_UPDATED",
    "INCONSISTENT_NOT_CLEANED",
    "INCONSISTENT_RATE",
)
_RULE_FLAGS = _rule_flags()
# A row that needs no message: a known unit, three valid counts, no rule broken.
_CLEAN_ROW = (
    pl.col("unit_code").is_not_null()
    & pl.all_horizontal([pl.col(f"{f}_problem") == numbers.OK for f in COUNT_FIELDS])
    & ~pl.any_horizontal([pl.col(rule) for rule in RULES])
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
    figures = {f: numbers.format_vn_int(row[f"{f}_value"]) for f in COUNT_FIELDS}
    expected = {
        "INCONSISTENT_NOT_UPDATED": (row["not_updated"], numbers.format_vn_int(row["total_children_value"] - row["updated_value"])),
        "INCONSISTENT_NOT_CLEANED": (row["not_cleaned"], numbers.format_vn_int(row["updated_value"] - row["cleaned_value"])),
        "INCONSISTENT_RATE": (row["clean_rate_pct"], numbers.format_vn_rate(row["computed_rate"])),
    }
    for rule in RULES:
        if row[rule]:
            value, exp = expected.get(rule, (None, None))
            found.append({**base, "code": rule, "message": message(rule, unit=unit_label, value=value, expected=exp, **figures)})
    return found


def check_total_row(total_rows: pl.DataFrame, unit_rows: pl.DataFrame) -> list[dict]:
    """A compiled table's "Tổng cộng" row must equal the sum of the rows above it."""
    found = []
    for row in total_rows.iter_rows(named=True):
        for f in COUNT_FIELDS:
            given = row[f"{f}_value"]
            expected = unit_rows[f"{f}_value"].sum()
            if given is not None and given != expected:
                found.append({
                    "row_number": row["row_number"], "unit_code": None, "code": "TOTAL_ROW_MISMATCH",
                    "message": message("TOTAL_ROW_MISMATCH", column=f, value=numbers.format_vn_int(given),
                                       expected=numbers.format_vn_int(expected)),
                })
    return found


def duplicate_conflicts(accepted: pl.DataFrame) -> tuple[pl.DataFrame, list[dict]]:
    """Same unit twice: identical figures are kept once; different figures reject all."""
    figures = ["unit_code", *[f"{f}_value" for f in COUNT_FIELDS]]
    deduped = accepted.unique(subset=figures, keep="first", maintain_order=True)
    counts = deduped.group_by("unit_code").len()
    conflicted = counts.filter(pl.col("len") > 1)["unit_code"]
    found = []
    for code in conflicted.to_list():
        rows = deduped.filter(pl.col("unit_code") == code)
        numbers_list = ", ".join(str(n) for n in rows["row_number"].to_list())
        for row in rows.iter_rows(named=True):
            found.append({"row_number": row["row_number"], "unit_code": code, "code": "DUPLICATE_UNIT_CONFLICT",
                          "message": message("DUPLICATE_UNIT_CONFLICT", unit=row["unit_name"], detail=numbers_list)})
    return deduped.filter(~pl.col("unit_code").is_in(conflicted.implode())), found


def _mapped(column: str, mapping: dict[str, str | None]) -> pl.Expr:
    if not mapping:
        return pl.lit(None, pl.String)
    return pl.col(column).replace_strict(mapping, default=None, return_dtype=pl.String)


def parse_table(sheet: pl.DataFrame, units: pl.DataFrame) -> ParsedFile | None:
    """Figures and rejections of one sheet; None when the sheet has no header at all."""
    header = find_header(sheet)
    if header is None:
        return None
    if header.missing:
        labels = ", ".join(COLUMN_LABELS[f] for f in header.missing)
        return file_rejection("MISSING_COLUMN", detail=labels)
    names = sheet[header.columns["unit_name"]].drop_nulls().unique().to_list()
    stt = sheet[header.columns["stt"]].drop_nulls().unique().to_list() if "stt" in header.columns else []
    codes = code_mapping(names, units)
    table = (
        with_rule_flags(with_parsed_counts(drop_non_data_rows(table_of(sheet.lazy(), header.columns, header.row_number))))
        .with_columns(
            _mapped("unit_name", codes).alias("unit_code"),
            _mapped("unit_name", {n: unit_key(n) for n in names}).alias("unit_key"),
            _mapped("stt", {n: unit_key(n) for n in stt}).alias("stt_key"),
        )
        .collect()
    )
    # "Tổng cộng" (or "Tổng cộng:") in the name column, or in the TT column merged across both.
    is_total = (
        pl.col("unit_key").is_in(list(TOTAL_ROW_KEYS))
        | (pl.col("unit_name").is_null() & pl.col("stt_key").is_in(list(TOTAL_ROW_KEYS)))
    ).fill_null(False)
    no_counts = pl.all_horizontal([pl.col(f).is_null() for f in COUNT_FIELDS])
    total_rows = table.filter(is_total)
    # A row naming no known unit and carrying no figures is a note or signature line.
    body = table.filter(~is_total & ~(pl.col("unit_code").is_null() & no_counts))

    records: list[dict] = []
    ok_rows = body.filter(_CLEAN_ROW)["row_number"].to_list()
    # Only rows with something to say are visited one by one, to word their messages.
    for row in body.filter(~_CLEAN_ROW).iter_rows(named=True):
        label = row["unit_name"] or "Dòng số liệu"
        if row["unit_code"] is None and not row["unit_name"]:
            records.append({"row_number": row["row_number"], "unit_code": None, "code": "MISSING_UNIT_NAME",
                            "message": message("MISSING_UNIT_NAME", detail=row["row_number"])})
            continue
        if row["unit_code"] is None:
            elsewhere = unit_not_in_period(row["unit_name"], units)
            if elsewhere:
                records.append({"row_number": row["row_number"], "unit_code": None, "code": "UNIT_NOT_IN_PERIOD",
                                "message": message("UNIT_NOT_IN_PERIOD", value=row["unit_name"], **elsewhere)})
                continue
            suggestions = suggest_units(row["unit_name"] or "", units)
            hint = f"Có phải là: {', '.join(suggestions)}? " if suggestions else ""
            records.append({"row_number": row["row_number"], "unit_code": None, "code": "UNKNOWN_UNIT",
                            "message": message("UNKNOWN_UNIT", value=row["unit_name"] or "", detail=hint)})
            continue
        found = row_rejections(row, label)
        if found:
            records.extend(found)
        else:
            ok_rows.append(row["row_number"])
    accepted = body.filter(pl.col("row_number").is_in(ok_rows))
    accepted, conflicts = duplicate_conflicts(accepted)
    records.extend(conflicts)
    # The total is checked against every row above it that carries three valid counts,
    # rejected or not: a row rejected for a rule must not make the total look wrong too.
    readable = pl.all_horizontal([pl.col(f"{f}_problem") == numbers.OK for f in COUNT_FIELDS])
    records.extend(check_total_row(total_rows, body.filter(readable)))
    if body.is_empty() and not records:
        records.append({"code": "NO_DATA_ROWS", "message": message("NO_DATA_ROWS")})
    rows = accepted.select(
        "row_number",
        "unit_code",
        pl.col("unit_name").alias("unit_name_sent"),
        *[pl.col(f"{f}_value").alias(f) for f in COUNT_FIELDS],
    )
    official = key_names(units)
    sent = dict(zip(table["row_number"].to_list(), table["unit_name"].to_list(), strict=True))
    for record in records:
        record.setdefault("unit_name", official.get(record.get("unit_code")) or sent.get(record.get("row_number")))
    return ParsedFile(rows, rejection_frame(records))


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


def has_content(parsed: ParsedFile) -> bool:
    """A sheet that yielded figures or said something about one of its rows (not just
    "no data" or "missing column", as an empty template sheet beside the real one does)."""
    return not parsed.rows.is_empty() or parsed.rejections["row_number"].is_not_null().any()


def cross_sheet_conflicts(rows: pl.DataFrame) -> tuple[pl.DataFrame, list[dict]]:
    """The same unit on several sheets: identical figures are kept once; different figures
    reject every copy, as within one sheet (a file cannot correct itself)."""
    figures = ["unit_code", *COUNT_FIELDS]
    deduped = rows.unique(subset=figures, keep="first", maintain_order=True)
    conflicted = deduped.group_by("unit_code").len().filter(pl.col("len") > 1)["unit_code"]
    found = []
    for row in deduped.filter(pl.col("unit_code").is_in(conflicted.implode())).iter_rows(named=True):
        found.append({"row_number": row["row_number"], "unit_code": row["unit_code"], "unit_name": row["unit_name_sent"],
                      "code": "DUPLICATE_UNIT_CONFLICT",
                      "message": message("DUPLICATE_UNIT_CONFLICT", unit=row["unit_name_sent"],
                                         detail=f"{row['row_number']}, trên nhiều trang tính")})
    return deduped.filter(~pl.col("unit_code").is_in(conflicted.implode())), found


def parse_sheets(sheets: list[RawSheet], units: pl.DataFrame) -> ParsedFile:
    """Figures and rejections of a file's sheets: every sheet with content counts, its
    rejections included; an empty template sheet beside them says nothing."""
    parsed = [p for p in (parse_table(s.to_frame(), units) for s in sheets) if p is not None]
    if not parsed:
        result = file_rejection("NO_HEADER")
    else:
        usable = [p for p in parsed if has_content(p)] or parsed[:1]
        rows, conflicts = cross_sheet_conflicts(pl.concat([p.rows for p in usable]))
        result = ParsedFile(rows, pl.concat([*(p.rejections for p in usable), rejection_frame(conflicts)]))
    result.sheets = sheets
    return result


def too_large(size: int) -> ParsedFile | None:
    """The rejection of a file by its size alone (read nothing), or None when it may be read."""
    try:
        check_size(size)
    except UnreadableFile as exc:
        return file_rejection(exc.code, detail=exc.detail)
    return None


def parse_submission(
    data: bytes,
    suffix: str,
    units: pl.DataFrame,
    period: str | None = None,
    *,
    loose_bounds: tuple[str, str] | None = None,
) -> ParsedFile:
    """Parse one received file: a pure function, safe to run in a process pool.

    `period` is the inbox folder's period: the file must not state another one
    (PERIOD_MISMATCH) and is matched against the units valid in it. A file loose in the
    inbox passes `loose_bounds` = (first, last) acceptable period instead and takes its
    period from its own text (PERIOD_UNKNOWN, PERIOD_IMPOSSIBLE when it cannot). With
    neither, `units` are used as given. The result's `period` says where it counts.
    """
    try:
        sheets = read_table(data, suffix)
    except UnreadableFile as exc:
        result = file_rejection(exc.code, detail=exc.detail if exc.code in _SHOWN_DETAILS else "")
        result.period = period
        return result
    if period is not None or loose_bounds is not None:
        first, last = loose_bounds or (period, period)
        verdict = resolve_period(stated_periods(sheets), period, first, last)
        if verdict.code:
            result = file_rejection(
                verdict.code, detail=verdict.detail,
                period=verdict.detail if verdict.code == "PERIOD_IMPOSSIBLE" else label(period or first),
            )
            result.sheets, result.period = sheets, verdict.period
            return result
        period = verdict.period
        units = units_valid_in(units, period)
    result = parse_sheets(sheets_with_figures(sheets, period), units)
    result.sheets = sheets
    result.period = period
    return result
