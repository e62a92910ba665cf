"""Implausible but possible figures: warned about, never rejected."""

import datetime as dt

import polars as pl
import pytest

from pipelines.core.scope import configured_scope
from pipelines.core.units import UNIT_SCHEMA
from pipelines.quality.plausibility import WARNING_COLUMNS, plausibility_warnings

UNITS = configured_scope().units


def snapshots(*rows) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "period": pl.String,
            "unit_code": pl.String,
            "total_children": pl.Int64,
            "updated": pl.Int64,
            "cleaned": pl.Int64,
        },
        orient="row",
    )


def test_a_sharp_change_of_total_children_is_warned():
    frame = snapshots(
        ("2024-06", "21961", 3000, 2000, 1500),
        ("2024-07", "21961", 3700, 2500, 1600),
        ("2024-06", "21964", 3000, 2000, 1500),
        ("2024-07", "21964", 3500, 2500, 1600),
    )
    warnings = plausibility_warnings(frame, UNITS, "2024-07")
    assert warnings.columns == WARNING_COLUMNS
    assert warnings.select("unit_code", "code", "previous_value", "value", "change_pct").rows() == [
        ("21961", "TOTAL_CHANGED_SHARPLY", 3000, 3700, 23.33)
    ]  # +16.7 % for 21964 is within the limit
    assert warnings["message"][0].startswith("Phước Hưng: tổng số trẻ em 3.700 thay đổi +23,3% so với tháng 6/2024")


@pytest.mark.parametrize("before, after, warned", [(1000, 790, True), (1000, 800, False), (1000, 1250, True)])
def test_the_limit_is_twenty_percent_either_way(before, after, warned):
    frame = snapshots(("2024-06", "21961", before, 0, 0), ("2024-07", "21961", after, 0, 0))
    assert plausibility_warnings(frame, UNITS, "2024-07").height == int(warned)


def test_cleaned_going_down_is_warned_against_the_latest_earlier_report():
    frame = snapshots(
        ("2024-04", "21961", 3000, 2000, 1000),
        ("2024-05", "21961", 3000, 2000, 1800),
        ("2024-07", "21961", 3000, 2000, 1700),
        ("2024-07", "21964", 3000, 2000, 1700),
    )
    warnings = plausibility_warnings(frame, UNITS, "2024-07")
    assert warnings.select("unit_code", "code", "previous_period", "previous_value", "value").rows() == [
        ("21961", "CLEANED_DECREASED", "2024-05", 1800, 1700)
    ]
    assert "giảm từ 1.800 (tháng 5/2024) xuống 1.700" in warnings["message"][0]


def test_a_code_reused_by_the_reorganisation_is_not_compared_across_it():
    merged = pl.DataFrame(
        [
            {
                "unit_code": "21952",
                "unit_name": "Xã Tuy Phước",
                "kind": "xã",
                "parent_code": None,
                "appendix_order": 1,
                "valid_from": dt.date(2025, 7, 1),
                "valid_to": None,
                "aliases": None,
            }
        ],
        schema=UNIT_SCHEMA,
    )
    units = pl.concat([UNITS.filter(pl.col("valid_from") < dt.date(2025, 7, 1)).select(list(UNIT_SCHEMA)), merged])
    frame = snapshots(
        ("2025-06", "21952", 1000, 900, 800),
        ("2025-07", "21952", 9000, 5000, 100),
        ("2025-08", "21952", 9100, 5000, 50),
    )
    assert plausibility_warnings(frame, units, "2025-07").is_empty()
    assert plausibility_warnings(frame, units, "2025-08")["code"].to_list() == ["CLEANED_DECREASED"]


def test_nothing_to_compare_gives_no_warning():
    frame = snapshots(("2024-07", "21961", 3000, 2000, 1000))
    assert plausibility_warnings(frame, UNITS, "2024-07").is_empty()
    assert plausibility_warnings(frame.clear(), UNITS, "2024-07").columns == WARNING_COLUMNS


@pytest.mark.e2e
def test_published_beside_the_appendix_and_the_figures_stay(tmp_path):
    import csv
    import io

    from corpus import HEADER, xlsx
    from helpers import copy_samples

    from pipelines.cli import main

    data_dir = copy_samples(tmp_path / "data", ["2024-06", "2024-07"])
    lower = xlsx([HEADER, [1, "Phước Hưng", 3158, 2583, 1000]])  # cleaned 1731 in the sample, now less than June's
    (data_dir / "inbox" / "2024-07" / "Phước Hưng.xlsx").write_bytes(lower)
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    folder = data_dir / "published" / "2024-07"
    assert (folder / "appendix.csv").read_text(encoding="utf-8").splitlines()[
        1
    ] == "1,21961,Phước Hưng,3158,2583,575,1000,1583,31.67"
    rows = list(csv.DictReader(io.StringIO((folder / "warnings.csv").read_text(encoding="utf-8"))))
    assert [(r["unit_code"], r["code"], r["previous_period"]) for r in rows] == [
        ("21961", "CLEANED_DECREASED", "2024-06")
    ]
    june = (data_dir / "published" / "2024-06" / "warnings.csv").read_text(encoding="utf-8")
    assert june.splitlines() == [",".join(WARNING_COLUMNS)]


def test_the_warehouse_gives_the_warnings_only_what_they_compare(tmp_path):
    """select_snapshots_compared (the current period and each unit's latest earlier one)
    gives the same warnings as every period up to it, a reorganisation included."""
    import random

    from pipelines.warehouse import db

    merged = pl.DataFrame(
        [
            {
                "unit_code": "21952",
                "unit_name": "Xã Tuy Phước",
                "kind": "xã",
                "parent_code": None,
                "appendix_order": 1,
                "valid_from": dt.date(2025, 7, 1),
                "valid_to": None,
                "aliases": None,
            }
        ],
        schema=UNIT_SCHEMA,
    )
    units = pl.concat([UNITS.select(list(UNIT_SCHEMA)), merged])
    codes = [*UNITS["unit_code"].unique().sort().to_list(), "21952"]
    periods = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]
    chance = random.Random(6)
    rows = [
        (p, c, chance.randint(800, 1200), 700, chance.randint(100, 700))
        for p in periods
        for c in codes
        if chance.random() < 0.6
    ]
    frame = snapshots(*rows)
    with db.connect(tmp_path / "w.duckdb") as con:
        db.insert(
            con,
            "marts.commune_snapshot",
            frame.with_columns(
                not_updated=pl.lit(0),
                not_cleaned=pl.lit(0),
                version=pl.lit(1),
                sha256=pl.lit("s"),
                received_at=pl.lit(dt.datetime(2026, 1, 1)),
            ),
        )
        found = 0
        for period in ["2024-01", "2024-07", "2025-06", "2025-07", "2025-08", "2025-12", "2026-01"]:
            every = db.query(con, "select_snapshots_until", period=period, after=None)
            compared = db.query(con, "select_snapshots_compared", period=period)
            assert compared.height <= 2 * len(codes)
            assert plausibility_warnings(compared, units, period).equals(plausibility_warnings(every, units, period))
            found += plausibility_warnings(every, units, period).height
    assert found > 0
