"""Load P-1 periods of history into a warehouse in bulk, through the production tables.

Generating and ingesting 60 periods × 10,000 files one by one would take longer than the
benchmark itself, so history is loaded in bulk: one row per unit and period into
raw.received_files, staging.parsed_files, raw.sheet_rows and staging.submission_rows
(what ingesting an accepted one-row file leaves there), then the marts are computed with
the same Polars functions the assets call (submission history, snapshot, clean-rate
history as of every period, appendix of every period) and inserted in bulk. The history
files themselves are not written: their archive paths point at files that do not exist,
which no incremental run reads. The timed runs then go through the Dagster assets.

Each period is loaded in the units valid in it. Given the scope's crosswalk (the national
mode), a period's clean-rate history is computed as the asset computes it, through the
crosswalk (`clean_rate_history_as_of`); the synthetic country has none.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from pipelines.core.periods import month_label
from pipelines.core.units import units_valid_in
from pipelines.ingest.submissions import PARSER_VERSION
from pipelines.publish.appendix import build_appendix
from pipelines.warehouse import db
from pipelines.warehouse.history import (
    clean_rate_history,
    clean_rate_history_as_of,
    commune_snapshot,
    submission_history,
)


def _received(figures: pl.DataFrame, seed: int) -> pl.DataFrame:
    """One received file per unit and period, with a stable made-up content hash."""
    shas = [
        hashlib.sha256(f"{seed}:{p}:{u}".encode()).hexdigest()
        for p, u in figures.select("period", "unit_code").iter_rows()
    ]
    day = pl.col("period").str.to_date("%Y-%m") + pl.duration(days=20)
    return figures.with_columns(
        pl.Series("sha256", shas),
        (pl.col("unit_code") + ".xlsx").alias("original_name"),
        day.cast(pl.Datetime("us")).alias("received_at"),
    ).with_columns(
        (pl.col("period") + "/" + pl.col("original_name")).alias("inbox_path"),
        pl.col("period").alias("period_folder"),
        pl.lit(6000, pl.Int64).alias("size_bytes"),
        ("archive/sha256/" + pl.col("sha256").str.slice(0, 2) + "/" + pl.col("sha256") + ".xlsx").alias("archive_path"),
    )


def load_history(
    data_dir: Path,
    units: pl.DataFrame,
    figures: pl.DataFrame,
    seed: int,
    progress=None,
    crosswalk: pl.DataFrame | None = None,
) -> int:
    """Insert every period of `figures` as history into data_dir/warehouse.duckdb; rows loaded.
    `units`: every version of the scope's units; `crosswalk`: the scope's, if it has one."""
    files = _received(figures, seed)
    periods = sorted(files["period"].unique().to_list())
    with db.connect(data_dir / "warehouse.duckdb") as con:
        db.insert(
            con,
            "raw.received_files",
            files.select(
                "sha256",
                "original_name",
                "inbox_path",
                "period_folder",
                "period",
                "size_bytes",
                "archive_path",
                "received_at",
            ),
        )
        db.insert(
            con,
            "staging.parsed_files",
            files.select(
                "sha256",
                "period",
                pl.lit(PARSER_VERSION, pl.Int32).alias("parser_version"),
                pl.lit("accepted").alias("status"),
                pl.lit(1, pl.Int32).alias("rows_accepted"),
                pl.lit(0, pl.Int32).alias("rows_rejected"),
                pl.col("received_at").alias("parsed_at"),
            ),
        )
        counts = ["total_children", "updated", "cleaned"]
        header = pl.concat_list(
            pl.lit("TT"),
            pl.lit("Tên địa phương"),
            pl.lit("Tổng số trẻ em theo báo cáo của địa phương đến tháng ") + pl.col("label"),
            pl.lit("Số trẻ em đã được cập nhật dữ liệu"),
            pl.lit("Số trẻ em đã làm sạch dữ liệu"),
        )
        data_row = pl.concat_list(pl.lit("1"), pl.col("unit_name"), *[pl.col(c).cast(pl.String) for c in counts])
        labels = pl.DataFrame({"period": periods, "label": [month_label(p) for p in periods]})
        with_label = files.join(labels, on="period")
        db.insert(
            con,
            "raw.sheet_rows",
            pl.concat(
                [
                    with_label.select(
                        "sha256",
                        pl.lit("Báo cáo").alias("sheet"),
                        pl.lit(1, pl.Int64).alias("row_number"),
                        header.alias("cells"),
                    ),
                    with_label.select(
                        "sha256",
                        pl.lit("Báo cáo").alias("sheet"),
                        pl.lit(2, pl.Int64).alias("row_number"),
                        data_row.alias("cells"),
                    ),
                ]
            ),
        )
        rows = files.select(
            "sha256",
            pl.lit(2, pl.Int64).alias("row_number"),
            "period",
            "unit_code",
            pl.col("unit_name").alias("unit_name_sent"),
            *counts,
        )
        db.insert(con, "staging.submission_rows", rows)
        history = submission_history(
            files.select(
                "period",
                "unit_code",
                "sha256",
                "original_name",
                "received_at",
                pl.lit(2, pl.Int64).alias("row_number"),
                *counts,
            )
        )
        db.insert(con, "marts.submission_history", history)
        snapshot = commune_snapshot(history)
        db.insert(con, "marts.commune_snapshot", snapshot)
        for period in periods:
            valid = units_valid_in(units, period)
            own = snapshot.filter(pl.col("period") == period).select("period", "unit_code", *counts)
            if crosswalk is None:
                rates = clean_rate_history(own, valid, period)
            else:
                rates = clean_rate_history_as_of(own, units, crosswalk, period).select(
                    pl.lit(period).alias("as_of_period"), pl.all()
                )
            db.insert(con, "marts.clean_rate_history", rates)
            appendix = build_appendix(snapshot.filter(pl.col("period") == period), valid)
            db.insert(con, "marts.district_appendix", appendix.with_columns(pl.lit(period).alias("period")))
            if progress is not None:
                progress.update(1)
        con.execute("CHECKPOINT")
    return rows.height
