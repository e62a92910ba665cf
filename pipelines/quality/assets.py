"""Quality assets: who reported and when, and figures that look wrong against the previous period.

Both run downstream of the appendix's blocking checks: nothing is published for a blocked period.
"""

import datetime as dt

import dagster as dg
import polars as pl

from pipelines.core.numbers import format_vn_int
from pipelines.core.scope import configured_scope
from pipelines.core.text import markdown_table
from pipelines.partitions import PERIODS, PROGRAMME
from pipelines.publish.csv_text import render_csv
from pipelines.publish.files import write_text
from pipelines.quality.completeness import COMPLETENESS_COLUMNS, day_vn, period_completeness, reminder_text, summary
from pipelines.quality.plausibility import WARNING_COLUMNS
from pipelines.quality.plausibility import plausibility_warnings as find_warnings
from pipelines.resources import Storage
from pipelines.warehouse import db

DISTRICT_APPENDIX = dg.AssetKey("district_appendix")


@dg.asset(
    partitions_def=PERIODS,
    group_name="quality",
    kinds={"duckdb", "polars", "csv"},
    deps=[DISTRICT_APPENDIX],
    description=(
        "Completeness and timeliness of the period: every unit expected (reference units valid "
        "in it), whether it reported, and whether its first accepted figures arrived by the "
        "deadline (config.toml [deadlines], else the end of the following month). Written to "
        "marts.completeness, published/YYYY-MM/completeness.csv and the Vietnamese reminder "
        "list nhac-bao-cao-YYYY-MM.txt."
    ),
)
def reporting_completeness(context: dg.AssetExecutionContext, storage: Storage) -> dg.MaterializeResult:
    period = context.partition_key
    folder = storage.layout.period_published(period)
    with storage.connect() as con:
        table, deadline = period_completeness(con, period, configured_scope().units_in(period), PROGRAMME)
        db.replace_period_rows(
            con,
            "marts.completeness",
            "delete_period_completeness",
            period,
            table.with_columns(pl.lit(period).alias("period")),
        )
    written = [
        write_text(folder / "completeness.csv", render_csv(table, COMPLETENESS_COLUMNS)),
        write_text(folder / f"nhac-bao-cao-{period}.txt", reminder_text(table, period, deadline)),
    ]
    not_on_time = table.filter(pl.col("status") != "on_time")
    return dg.MaterializeResult(
        metadata={
            **{name: format_vn_int(count) for name, count in summary(table).items()},
            "deadline": day_vn(deadline),
            "timeliness": timeliness_line(table, deadline),
            # Three columns, a name kept on one line: the UI's metadata column is narrow.
            "units_to_remind": dg.MetadataValue.md(
                markdown_table(
                    not_on_time.select(
                        pl.col("stt").alias("STT"),
                        pl.col("unit_name").str.replace_all(" ", NO_BREAK).alias("Đơn vị"),
                        reminder_status().alias("Tình trạng"),
                    )
                )
                if not_on_time.height
                else "Không có: mọi đơn vị đã báo cáo đúng hạn."
            ),
            "files": dg.MetadataValue.md("\n".join(f"- `{p}`" for p in written)),
        }
    )


# Between the words of a short cell (a unit's name): the UI's narrow metadata column would
# otherwise break it into one word per line.
NO_BREAK = "\u00a0"


def reminder_status() -> pl.Expr:
    """ "Chưa báo cáo", or "Trễ hạn 790 ngày, nhận 29/11/2026": a completeness row as the reminder reads it."""
    day = pl.col("first_received_local").str.slice(0, 10).str.to_date("%Y-%m-%d")
    received = pl.format("{}/{}/{}", day.dt.day(), day.dt.month(), day.dt.year())
    late = pl.format(
        "{} {} ngày, nhận {}", pl.col("status_vi"), pl.col("days_late").map_elements(format_vn_int, pl.String), received
    )
    return pl.when(pl.col("status") == "late").then(late).otherwise(pl.col("status_vi"))


def timeliness_line(table: pl.DataFrame, deadline: dt.date) -> str:
    """Who reported on time, in one Vietnamese line that says when the late units' files were
    received: a file received long after the deadline (the bundled samples of 2024, received
    when `make run` first reads them) is late by the definition, and the line shows why."""
    # In a sentence zero is written 0 (the letter's "-" stands in table cells); thousands grouped: 3.158.
    counts = {name: format_vn_int(count) if count else "0" for name, count in summary(table).items()}
    line = (
        f"{counts['units_reported']}/{counts['units_expected']} đơn vị đã báo cáo: {counts['units_on_time']} đúng hạn, "
        f"{counts['units_late']} trễ hạn, {counts['units_missing']} chưa báo cáo (hạn {day_vn(deadline)}"
    )
    late = table.filter(pl.col("status") == "late")["first_received_local"].str.slice(0, 10).drop_nulls()
    if late.is_empty():
        return line + ")."
    first, last = (day_vn(dt.date.fromisoformat(day)) for day in (late.min(), late.max()))
    received = f"ngày {first}" if first == last else f"từ {first} đến {last}"
    return line + f"; tệp của các đơn vị trễ hạn được nhận {received})."


@dg.asset(
    partitions_def=PERIODS,
    group_name="quality",
    kinds={"duckdb", "polars", "csv"},
    deps=[DISTRICT_APPENDIX],
    description=(
        "marts.plausibility_warnings and published/YYYY-MM/warnings.csv: units whose total "
        "children moved by more than 20 % from their previous period, or whose cleaned count "
        "went down. The figures stay in the appendix; the warning asks the commune to check."
    ),
)
def plausibility_warnings(context: dg.AssetExecutionContext, storage: Storage) -> dg.MaterializeResult:
    period = context.partition_key
    with storage.connect() as con:
        # The period and each unit's latest earlier report: not the whole history.
        snapshots = db.query(con, "select_snapshots_compared", period=period)
        warnings = find_warnings(snapshots, configured_scope().units, period)
        db.replace_period_rows(
            con, "marts.plausibility_warnings", "delete_period_plausibility_warnings", period, warnings
        )
    path = write_text(storage.layout.period_published(period) / "warnings.csv", render_csv(warnings, WARNING_COLUMNS))
    return dg.MaterializeResult(
        metadata={
            "warnings": format_vn_int(warnings.height),
            "file": dg.MetadataValue.path(str(path)),
            # Each message names its unit, as the check figures_change_plausibly lists them.
            "list": dg.MetadataValue.md("\n".join(f"- {m}" for m in warnings["message"]) or "Không có"),
        }
    )
