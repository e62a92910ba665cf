"""parse_many: the pool gives each file the ParsedFile parse_submission gives it, in order."""

from pathlib import Path

from polars.testing import assert_frame_equal

from pipelines import parallel_parse
from pipelines.bench.synthetic import period_submissions, synthetic_figures, synthetic_units


def test_pool_and_in_process_parse_agree_file_for_file(tmp_path: Path, monkeypatch):
    units = synthetic_units(parallel_parse.MIN_PARALLEL_FILES + 10, seed=9)
    figures = synthetic_figures(units, ["2024-07"], seed=9)
    files = []
    for sub in period_submissions(figures, "2024-07", 9):
        path = tmp_path / sub.name
        path.write_bytes(sub.data)
        files.append((path, path.suffix))
    monkeypatch.setenv(parallel_parse.WORKERS_ENV, "2")
    pooled = parallel_parse.parse_many(files, units)
    assert parallel_parse._POOL, "a run this large should use the worker pool"
    parallel_parse.shutdown()
    here = parallel_parse.parse_files([(str(p), s) for p, s in files], units)
    assert len(pooled) == len(here) == len(files)
    for a, b in zip(pooled, here, strict=True):
        assert_frame_equal(a.rows, b.rows)
        assert_frame_equal(a.rejections, b.rejections)
        assert [s.rows for s in a.sheets] == [s.rows for s in b.sheets]
    assert sum(p.rows.height for p in pooled) > len(files) * 0.9


def test_small_runs_and_one_worker_parse_in_process(tmp_path: Path, monkeypatch):
    units = synthetic_units(20, seed=4)
    figures = synthetic_figures(units, ["2024-07"], seed=4)
    files = []
    for sub in period_submissions(figures, "2024-07", 4):
        (tmp_path / sub.name).write_bytes(sub.data)
        files.append((tmp_path / sub.name, (tmp_path / sub.name).suffix))
    monkeypatch.setenv(parallel_parse.WORKERS_ENV, "1")
    parallel_parse.shutdown()
    parsed = parallel_parse.parse_many(files, units)
    assert len(parsed) == 20 and not parallel_parse._POOL
