"""The history of the periods before the units last changed, kept in data/.history/.

Tuy Phước's 2024-06 and 2024-07 samples (13 old units), then months of its 4 successor
communes: the history each month publishes is the one re-expressed from every snapshot,
whether the earlier periods come from the store or not, and a correction to an earlier
period makes them again.
"""

import polars as pl
import pytest
from helpers import copy_samples
from polars.testing import assert_frame_equal

from pipelines.cli import main
from pipelines.core.scope import configured_scope
from pipelines.publish.csv_text import render_csv
from pipelines.publish.render import HISTORY_COLUMNS
from pipelines.publish.stored_history import FOLDER
from pipelines.warehouse import db
from pipelines.warehouse.history import clean_rate_history_as_of, settled_until

HEADER = "TT,Tên địa phương,Tổng số trẻ em,Số trẻ em đã được cập nhật dữ liệu,Số trẻ em đã làm sạch dữ liệu\n"
COMMUNES = ["Xã Tuy Phước", "Xã Tuy Phước Đông", "Xã Tuy Phước Tây", "Xã Tuy Phước Bắc"]


def month(data_dir, period: str, figures: dict[str, tuple[int, int, int]]) -> None:
    folder = data_dir / "inbox" / period
    folder.mkdir(parents=True, exist_ok=True)
    for name, (total, updated, cleaned) in figures.items():
        (folder / f"{name}.csv").write_text(HEADER + f"1,{name},{total},{updated},{cleaned}\n", encoding="utf-8")


def run(data_dir, period: str | None = None) -> None:
    assert main(["run", "--data-dir", str(data_dir), *(["--period", period] if period else [])]) == 0


def stored(data_dir) -> list[str]:
    return sorted(p.name for p in (data_dir / FOLDER).iterdir())


def published_history(data_dir, period: str) -> str:
    return (data_dir / "published" / period / "clean_rate_history.csv").read_text(encoding="utf-8")


def recomputed_history(data_dir, period: str) -> str:
    """The history of `period` re-expressed from every snapshot, without the store."""
    scope = configured_scope()
    with db.connect(data_dir / "warehouse.duckdb") as con:
        snapshots = db.query(con, "select_snapshots_until", period=period, after=None)
    return render_csv(clean_rate_history_as_of(snapshots, scope.units, scope.crosswalk, period), HISTORY_COLUMNS)


@pytest.fixture
def data_dir(tmp_path):
    data_dir = copy_samples(tmp_path / "data", ["2024-06", "2024-07"])
    month(data_dir, "2025-08", {name: (10000 + i, 9000, 8000) for i, name in enumerate(COMMUNES)})
    run(data_dir)
    return data_dir


@pytest.mark.e2e
def test_later_months_take_the_earlier_periods_from_the_store(data_dir):
    assert settled_until(configured_scope().units, configured_scope().crosswalk, "2025-09") == "2025-06"
    [first] = stored(data_dir)
    assert published_history(data_dir, "2025-08") == recomputed_history(data_dir, "2025-08")
    month(data_dir, "2025-09", {name: (10100 + i, 9500, 8800) for i, name in enumerate(COMMUNES)})
    run(data_dir, "2025-09")
    assert stored(data_dir) == [first]  # nothing before July 2025 changed
    history = published_history(data_dir, "2025-09")
    assert history == recomputed_history(data_dir, "2025-09")
    assert [line.split(",")[0] for line in history.splitlines()[1:]] == [
        *["2024-06"] * 5,
        *["2024-07"] * 5,
        *["2025-08"] * 5,
        *["2025-09"] * 5,
    ]


@pytest.mark.e2e
def test_a_correction_before_the_change_makes_them_again(data_dir):
    [first] = stored(data_dir)
    before = published_history(data_dir, "2025-08")
    # Phước Thành's 2024-07 figures corrected: summed into Xã Tuy Phước Tây's 2024-07.
    month(data_dir, "2024-07", {"Phước Thành": (9999, 9000, 8000)})
    run(data_dir)
    after = published_history(data_dir, "2025-08")
    assert stored(data_dir) != [first] and len(stored(data_dir)) == 1
    assert after == recomputed_history(data_dir, "2025-08") and after != before


@pytest.mark.e2e
def test_an_unreadable_store_is_made_again(data_dir):
    [first] = stored(data_dir)
    expected = published_history(data_dir, "2025-08")
    (data_dir / FOLDER / first).write_bytes(b"not parquet")
    (data_dir / "published" / "2025-08" / "clean_rate_history.csv").unlink()  # so that it is rendered again
    run(data_dir, "2025-08")
    assert published_history(data_dir, "2025-08") == expected
    assert stored(data_dir) == [first] and pl.read_parquet(data_dir / FOLDER / first).height > 0


def test_the_periods_before_the_change_are_the_same_at_every_later_month():
    scope = configured_scope()
    periods = ["2024-05", "2024-06", "2024-07", "2025-07", "2025-08", "2025-09"]
    snapshots = pl.concat(
        scope.units_in(p).select(
            pl.lit(p).alias("period"),
            "unit_code",
            (pl.int_range(pl.len()) * 7 + 100 + i).alias("total_children"),
            (pl.int_range(pl.len()) * 5 + 90 + i).alias("updated"),
            (pl.int_range(pl.len()) * 3 + 50).alias("cleaned"),
        )
        for i, p in enumerate(periods)
    )
    old = pl.col("period") <= "2025-06"
    for as_of in ["2025-07", "2025-09"]:
        whole = clean_rate_history_as_of(snapshots, scope.units, scope.crosswalk, as_of)
        parts = [
            clean_rate_history_as_of(snapshots.filter(c), scope.units, scope.crosswalk, as_of) for c in (old, ~old)
        ]
        # Counts exact; rates within a float's last bit (Polars divides a longer column by
        # its reciprocal), the same to the two decimals every output prints.
        assert_frame_equal(pl.concat(parts), whole, check_exact=False)
    at = [
        clean_rate_history_as_of(snapshots.filter(old), scope.units, scope.crosswalk, p) for p in ("2025-07", "2025-09")
    ]
    assert_frame_equal(at[0], at[1])
    assert at[0].height == 3 * 5
