"""Completeness and timeliness of a period's reports: who was expected, who reported, who is late.

Pure functions on Polars frames and dates, tested without Dagster:

- the units expected in a period are the reference units valid in it;
- a unit has reported when it has at least one accepted version of its figures;
- it reported on time when its first accepted version arrived (was archived by the
  pipeline) on or before the period's deadline, in Vietnam's time (UTC+7);
- the deadline is configuration per period (data/config.toml [deadlines]); a period not
  listed there is due on the last day of the month after the period ends.
"""

from __future__ import annotations

import calendar
import datetime as dt

import polars as pl

from pipelines.core.periods import month_label, period_of, period_start
from pipelines.core.settings import Programme
from pipelines.warehouse import db

LOCAL_TIME_ZONE = "Asia/Ho_Chi_Minh"
MONTHS_PER_PERIOD = {"monthly": 1, "quarterly": 3}

ON_TIME, LATE, MISSING = "on_time", "late", "missing"
STATUS_VI = {ON_TIME: "Đúng hạn", LATE: "Trễ hạn", MISSING: "Chưa báo cáo"}

COMPLETENESS_COLUMNS = [
    "stt",
    "unit_code",
    "unit_name",
    "status",
    "status_vi",
    "deadline",
    "first_received_local",
    "last_received_local",
    "versions",
    "days_late",
]
RECEIPT_SCHEMA = {
    "unit_code": pl.String,
    "first_received_at": pl.Datetime("us"),
    "last_received_at": pl.Datetime("us"),
    "versions": pl.Int64,
}


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_per_period(period_type: str) -> int:
    if period_type not in MONTHS_PER_PERIOD:
        raise ValueError(f"unknown period type: {period_type!r}")
    return MONTHS_PER_PERIOD[period_type]


def period_last_day(period: str, period_type: str = "monthly") -> dt.date:
    """The last day a period covers: 2024-07 monthly → 2024-07-31; quarterly → 2024-09-30."""
    return _add_months(period_start(period), months_per_period(period_type)) - dt.timedelta(days=1)


def default_deadline(period: str, period_type: str = "monthly") -> dt.date:
    """Last day of the month after the period ends: 2024-07 monthly → 2024-08-31."""
    month_after = period_last_day(period, period_type) + dt.timedelta(days=1)
    return month_after.replace(day=calendar.monthrange(month_after.year, month_after.month)[1])


def deadline_for(period: str, deadlines: dict[str, str], period_type: str = "monthly") -> dt.date:
    """The configured deadline of `period` (ISO date), else `default_deadline`."""
    configured = deadlines.get(period)
    return dt.date.fromisoformat(configured) if configured else default_deadline(period, period_type)


def period_containing(day: dt.date, period_type: str = "monthly") -> str:
    """The period (named by its first month) that `day` falls in."""
    months = months_per_period(period_type)
    first_month = (day.month - 1) // months * months + 1
    return period_of(dt.date(day.year, first_month, 1))


def previous_periods(period: str, count: int, period_type: str = "monthly") -> list[str]:
    """`period` and the `count - 1` periods before it, newest first."""
    months = months_per_period(period_type)
    start = period_start(period)
    return [period_of(_add_months(start, -i * months)) for i in range(count)]


def local_date(column: str) -> pl.Expr:
    """A naive UTC timestamp column as the calendar date in Vietnam."""
    return pl.col(column).dt.replace_time_zone("UTC").dt.convert_time_zone(LOCAL_TIME_ZONE).dt.date()


def _local_text(column: str) -> pl.Expr:
    return (
        pl.col(column)
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone(LOCAL_TIME_ZONE)
        .dt.strftime("%Y-%m-%d %H:%M:%S")
    )


def completeness(units: pl.DataFrame, receipts: pl.DataFrame, deadline: dt.date) -> pl.DataFrame:
    """One row per expected unit, in appendix order, with its status against `deadline`.

    `units`: the reference units valid in the period (unit_code, unit_name, appendix_order);
    `receipts`: per unit that reported, when its first and latest accepted versions arrived
    (naive UTC) and how many versions there are (RECEIPT_SCHEMA). Receipts of units not
    expected in the period are ignored here (the blocking checks report those).
    """
    first_day = local_date("first_received_at")
    days_late = (first_day - pl.lit(deadline)).dt.total_days()
    return (
        units.sort("appendix_order")
        .with_row_index("stt", offset=1)
        .join(receipts.cast(RECEIPT_SCHEMA), on="unit_code", how="left")
        .with_columns(
            pl.when(pl.col("first_received_at").is_null())
            .then(pl.lit(MISSING))
            .when(first_day > pl.lit(deadline))
            .then(pl.lit(LATE))
            .otherwise(pl.lit(ON_TIME))
            .alias("status"),
        )
        .select(
            pl.col("stt").cast(pl.Int32),
            "unit_code",
            "unit_name",
            "status",
            pl.col("status").replace_strict(STATUS_VI, return_dtype=pl.String).alias("status_vi"),
            pl.lit(deadline).alias("deadline"),
            _local_text("first_received_at").alias("first_received_local"),
            _local_text("last_received_at").alias("last_received_local"),
            pl.col("versions").fill_null(0),
            pl.when(pl.col("status") == LATE).then(days_late).alias("days_late"),
        )
    )


def summary(table: pl.DataFrame) -> dict[str, int]:
    counts = table["status"].value_counts()
    by_status = dict(zip(counts["status"].to_list(), counts["count"].to_list(), strict=True))
    return {
        "units_expected": table.height,
        "units_reported": table.height - by_status.get(MISSING, 0),
        "units_on_time": by_status.get(ON_TIME, 0),
        "units_late": by_status.get(LATE, 0),
        "units_missing": by_status.get(MISSING, 0),
    }


def period_completeness(con, period: str, units: pl.DataFrame, programme: Programme) -> tuple[pl.DataFrame, dt.date]:
    """The completeness table of `period` from the warehouse (`units`: those valid in it), and its deadline."""
    deadline = deadline_for(period, programme.deadlines, programme.period_type)
    receipts = db.query(con, "select_unit_receipts", period=period)
    return completeness(units, receipts, deadline), deadline


def day_vn(day: dt.date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


def reminder_text(table: pl.DataFrame, period: str, deadline: dt.date) -> str:
    """The short Vietnamese list of units to remind (nhac-bao-cao-<period>.txt)."""
    counts = summary(table)
    lines = [
        f"NHẮC BÁO CÁO SỐ LIỆU TRẺ EM — KỲ {month_label(period)}",
        f"Hạn báo cáo: {day_vn(deadline)}.",
        f"Đã báo cáo: {counts['units_reported']}/{counts['units_expected']} đơn vị"
        + (f" (trong đó {counts['units_late']} đơn vị báo cáo trễ hạn)." if counts["units_late"] else "."),
        "",
    ]
    missing = table.filter(pl.col("status") == MISSING)
    if missing.is_empty():
        lines.append("Tất cả đơn vị đã báo cáo.")
    else:
        lines.append(f"Đơn vị chưa báo cáo, cần nhắc ({missing.height}):")
        lines += [f"{i}. {name}" for i, name in enumerate(missing["unit_name"].to_list(), start=1)]
    late = table.filter(pl.col("status") == LATE)
    if not late.is_empty():
        lines += ["", f"Đơn vị báo cáo trễ hạn ({late.height}):"]
        for i, row in enumerate(late.iter_rows(named=True), start=1):
            received = dt.date.fromisoformat(row["first_received_local"][:10])
            lines.append(f"{i}. {row['unit_name']} — nhận ngày {day_vn(received)}, trễ {row['days_late']} ngày")
    return "\n".join(lines) + "\n"
