"""The benchmark's generator and a tiny end-to-end run (figures are checked for shape, never timed)."""

import json
import os
from pathlib import PurePath

import polars as pl

from pipelines.assets.common import PROGRAMME, reference_units
from pipelines.bench.__main__ import main
from pipelines.bench.synthetic import period_submissions, periods_ending, synthetic_figures, synthetic_units
from pipelines.scope import configured_scope
from pipelines.settings import REFERENCE_DIR
from pipelines.submissions import parse_submission
from pipelines.units import load_units, unit_key

KEYS = {
    "files", "rows", "seconds_total", "seconds_baseline", "ratio", "seconds_fixed", "per_file_ms",
    "baseline_per_file_ms", "marginal_ratio", "peak_rss_mb", "seconds_stages",
}


def test_units_are_unique_by_matching_key_and_grouped_into_districts_and_provinces():
    units = synthetic_units(400, seed=3)
    assert units.height == 400
    assert units["unit_name"].map_elements(unit_key, return_dtype=pl.String).n_unique() == 400
    assert units["unit_code"].n_unique() == 400
    assert units["parent_code"].n_unique() > units["province_code"].n_unique() > 1


def test_generation_is_seeded():
    units = synthetic_units(30, seed=5)
    figures = synthetic_figures(units, periods_ending("2024-07", 3), seed=5)
    first = [(s.name, s.data) for s in period_submissions(figures, "2024-07", 5)]
    again = [(s.name, s.data) for s in period_submissions(figures, "2024-07", 5)]
    assert [name for name, _ in first] == [name for name, _ in again]
    # Workbooks embed no clock (fixed creation time): identical bytes, identical hashes.
    assert [data for _, data in first] == [data for _, data in again]


def test_files_carry_the_figures_and_malformed_ones_are_rejected():
    units = synthetic_units(200, seed=11)
    figures = synthetic_figures(units, ["2024-07"], seed=11)
    expected = {r["unit_code"]: r for r in figures.iter_rows(named=True)}
    shapes = set()
    for sub in period_submissions(figures, "2024-07", 11):
        shapes.add(sub.shape)
        parsed = parse_submission(sub.data, PurePath(sub.name).suffix, units)
        if sub.shape.startswith("malformed"):
            assert parsed.rows.is_empty() and not parsed.rejections.is_empty(), sub.shape
            continue
        assert parsed.rejections.is_empty(), (sub.shape, parsed.rejections)
        row = parsed.rows.row(0, named=True)
        want = expected[row["unit_code"]]
        assert sub.name.startswith(row["unit_code"])
        assert (row["total_children"], row["updated"], row["cleaned"]) == (
            want["total_children"], want["updated"], want["cleaned"])
    assert {"xlsx", "csv_utf8_bom", "csv_semicolon_vn", "txt_utf16_tab"} <= shapes


def test_tiny_benchmark_run_writes_every_key(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["--communes", "12", "--periods", "3", "--json", str(out), "--rebuild-periods", "2",
                 "--bench-dir", str(tmp_path / "bench"), "--quiet"]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert KEYS <= result.keys()
    assert result["files"] == 12 and result["periods"] == 3
    assert 0 < result["rows"] <= 12 and result["history_rows"] == 24
    for key in ("seconds_total", "seconds_baseline", "ratio", "seconds_fixed", "baseline_per_file_ms", "peak_rss_mb"):
        assert result[key] > 0, key
    assert set(result["seconds_stages"]) >= {"received_files", "staged_submissions", "published_appendix"}
    assert all(v > 0 for v in result["seconds_stages"].values())
    assert result["files_rebuild"] == 24 and len(result["seconds_rebuild_by_period"]) == 2
    assert result["seconds_rebuild"] > 0 and result["rebuild_per_file_ms"] > 0
    assert "marginal_ratio" in capsys.readouterr().out
    steps = [sum(result[k][s] for s in ("received_files", "staged_submissions"))
             for k in ("seconds_stages", "seconds_stages_fifth")]
    expected = (steps[0] - steps[1]) / (result["files"] - result["files_fifth"]) * 1000
    assert abs(result["file_steps_per_file_ms"] - expected) < 1e-3
    assert abs(result["file_steps_marginal_ratio"] - expected / result["baseline_per_file_ms"]) < 0.01
    # Afterwards the pipeline reads the real reference units again.
    assert "TRE_EM_UNITS_FILE" not in os.environ
    real = REFERENCE_DIR / PROGRAMME.scope.get("units", "units.csv")
    assert reference_units()["unit_code"].to_list() == load_units(real)["unit_code"].to_list()
    assert configured_scope().units["unit_code"].to_list() == reference_units()["unit_code"].to_list()


def test_a_history_loaded_by_another_schema_is_loaded_again(tmp_path, monkeypatch):
    """The cached history warehouse is the current schema's: else every timed run would
    first bring its copy up to date (rebuilding tables), and measure that."""
    from pipelines.bench import runner

    setup = runner.Setup(12, 3, 2024, tmp_path, 0)
    setup.history.mkdir(parents=True)
    assert not runner.history_is_current(setup)
    (setup.history / "complete").touch()  # as caches were marked before
    assert not runner.history_is_current(setup)
    (setup.history / "complete").write_text(runner.warehouse_sql_digest(), encoding="utf-8")
    assert runner.history_is_current(setup)
    monkeypatch.setattr(runner, "warehouse_sql_digest", lambda: "another schema")
    assert not runner.history_is_current(setup)
