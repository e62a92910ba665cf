"""parse_many: the pool gives each file what parsing it in-process gives it, in order."""

from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from benchmarks.synthetic import period_submissions, synthetic_figures, synthetic_units
from pipelines import scale
from pipelines.ingest import parallel_parse

BOUNDS = ("2024-01", "2024-12")


def _registered(tmp_path: Path, units, seed: int) -> list[dict]:
    """The period's synthetic files archived under tmp_path, as raw.received_files rows."""
    figures = synthetic_figures(units, ["2024-07"], seed=seed)
    files = []
    for sub in period_submissions(figures, "2024-07", seed):
        (tmp_path / "archive").mkdir(exist_ok=True)
        (tmp_path / "archive" / sub.name).write_bytes(sub.data)
        files.append(
            {
                "archive_path": f"archive/{sub.name}",
                "original_name": sub.name,
                "size_bytes": len(sub.data),
                "period": "2024-07",
                "period_folder": "2024-07",
                "sha256": "unused by the parser",
            }
        )
    return files


def test_pool_and_in_process_parse_agree_file_for_file(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(scale, "MIN_PARALLEL_FILES", 100)
    units = synthetic_units(130, seed=9)
    files = _registered(tmp_path, units, 9)
    # One file loose in the inbox (no folder, period unknown at registration): parsed with the bounds.
    files[0] = {**files[0], "period": None, "period_folder": None}
    monkeypatch.setenv(scale.WORKERS_ENV, "2")
    pooled = parallel_parse.parse_many(tmp_path, files, "2024-07", units, BOUNDS)
    assert scale._POOL, "a run this large should use the worker pool"
    scale.shutdown()
    here = parallel_parse.parse_files(tmp_path, files, "2024-07", units, BOUNDS)
    assert len(pooled.periods) == len(here.periods) == len(files)
    assert_frame_equal(pooled.rows, here.rows)
    assert_frame_equal(pooled.rejections, here.rejections)
    assert_frame_equal(pooled.sheet_rows, here.sheet_rows)
    assert pooled.periods == here.periods
    assert pooled.rows["file"].n_unique() > len(files) * 0.9
    # Each file's share of the batch is what parsing that file alone gives.
    for index in (0, 1, len(files) // 2, len(files) - 1):
        alone = parallel_parse.parse_files(tmp_path, [files[index]], "2024-07", units, BOUNDS)
        assert_frame_equal(pooled.rows.filter(pl.col("file") == index).drop("file"), alone.rows.drop("file"))
        assert_frame_equal(
            pooled.rejections.filter(pl.col("file") == index).drop("file"), alone.rejections.drop("file")
        )
        assert_frame_equal(
            pooled.sheet_rows.filter(pl.col("file") == index).drop("file"), alone.sheet_rows.drop("file")
        )


def test_small_runs_and_one_worker_parse_in_process(tmp_path: Path, monkeypatch):
    units = synthetic_units(20, seed=4)
    files = _registered(tmp_path, units, 4)
    monkeypatch.setenv(scale.WORKERS_ENV, "1")
    scale.shutdown()
    parsed = parallel_parse.parse_many(tmp_path, files, "2024-07", units, BOUNDS)
    assert len(parsed.periods) == 20 and not scale._POOL
    assert parsed.rows["file"].n_unique() > 15


def test_a_task_on_a_worker_runs_as_it_would_here():
    """`released` (what every task on a worker runs through) only gives memory back first."""
    assert scale.released(sorted, [3, 1, 2]) == [1, 2, 3]
    assert scale.released(divmod, 7, 2) == (3, 1)
