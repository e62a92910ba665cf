"""The benchmark's generator, a tiny end-to-end run and the district mode (figures are
checked for shape, never timed)."""

import gc
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path, PurePath

import dagster as dg
import duckdb
import polars as pl
import pytest

from benchmarks.__main__ import main
from benchmarks.district import MEASURES, REPO_ROOT, District, environment, job_shape
from benchmarks.floor import floor_job
from benchmarks.national import national_figures, national_scope
from benchmarks.national import period_submissions as national_submissions
from benchmarks.synthetic import period_submissions, periods_ending, synthetic_figures, synthetic_units
from pipelines.core.scope import configured_scope, load_scope
from pipelines.core.units import unit_key
from pipelines.definitions import build_definitions
from pipelines.ingest.submissions import parse_submission
from pipelines.jobs import JOB_NAME
from pipelines.partitions import PROGRAMME

KEYS = {
    "files",
    "rows",
    "seconds_total",
    "seconds_baseline",
    "ratio",
    "seconds_fixed",
    "per_file_ms",
    "baseline_per_file_ms",
    "marginal_ratio",
    "peak_rss_mb",
    "seconds_stages",
}
DISTRICT_KEYS = {
    "district_seconds",
    "no_change_seconds",
    "floor_seconds",
    "render_floor_seconds",
    "district_ratio",
    "no_change_ratio",
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
            want["total_children"],
            want["updated"],
            want["cleaned"],
        )
    assert {"xlsx", "csv_utf8_bom", "csv_semicolon_vn", "txt_utf16_tab"} <= shapes


@pytest.mark.e2e
def test_tiny_benchmark_run_writes_every_key(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert (
        main(
            [
                "--communes",
                "12",
                "--periods",
                "3",
                "--json",
                str(out),
                "--rebuild-periods",
                "2",
                "--bench-dir",
                str(tmp_path / "bench"),
                "--quiet",
            ]
        )
        == 0
    )
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
    steps = [
        sum(result[k][s] for s in ("received_files", "staged_submissions"))
        for k in ("seconds_stages", "seconds_stages_fifth")
    ]
    expected = (steps[0] - steps[1]) / (result["files"] - result["files_fifth"]) * 1000
    assert abs(result["file_steps_per_file_ms"] - expected) < 1e-3
    assert abs(result["file_steps_marginal_ratio"] - expected / result["baseline_per_file_ms"]) < 0.01
    # Afterwards the pipeline reads the real reference units again.
    assert "TRE_EM_UNITS_FILE" not in os.environ
    real = load_scope({"scope": PROGRAMME.scope})
    assert configured_scope().units["unit_code"].to_list() == real.units["unit_code"].to_list()


def test_national_figures_are_each_periods_units_and_run_on_across_the_reorganisation():
    scope = national_scope()
    periods = periods_ending("2025-08", 3)
    figures = national_figures(scope, periods, seed=7)
    for period in periods:
        in_period = figures.filter(pl.col("period") == period)
        assert in_period["unit_code"].to_list() == scope.units_in(period)["unit_code"].to_list(), period
    assert figures.filter(pl.col("period") == "2025-06").height == 10_040
    assert figures.filter(pl.col("period") == "2025-08").height == 3_321
    totals = figures.group_by("period").agg(pl.col("total_children").sum()).sort("period")["total_children"]
    # The new communes start from what the units they were formed from had: no jump.
    assert abs(totals[1] / totals[0] - 1) < 0.02
    assert (figures["updated"] <= figures["total_children"]).all() and (figures["cleaned"] <= figures["updated"]).all()


def test_national_files_name_units_as_the_reference_does_and_carry_their_code():
    scope = national_scope()
    units = scope.units_in("2025-08")
    figures = national_figures(scope, ["2025-08"], seed=7)
    expected = {r["unit_code"]: r for r in figures.iter_rows(named=True)}
    submissions = list(national_submissions(figures, "2025-08", 7))
    assert len(submissions) == 3_321 and len({s.name for s in submissions}) == 3_321
    csv = next(s for s in submissions if s.shape == "csv_utf8_bom")
    header, row = csv.data.decode("utf-8-sig").splitlines()[:2]
    assert header.split(",")[1] == "Mã xã"
    code = row.split(",")[1]
    assert row.split(",")[2] == expected[code]["unit_name"]
    for sub in submissions[::10]:
        parsed = parse_submission(sub.data, PurePath(sub.name).suffix, units)
        if sub.shape.startswith("malformed"):
            assert parsed.rows.is_empty() and not parsed.rejections.is_empty(), sub.shape
            continue
        assert parsed.rejections.is_empty(), (sub.shape, parsed.rejections)
        row = parsed.rows.row(0, named=True)
        assert sub.name.startswith(row["unit_code"])
        want = expected[row["unit_code"]]
        assert (row["total_children"], row["updated"], row["cleaned"]) == (
            want["total_children"],
            want["updated"],
            want["cleaned"],
        )


def test_the_national_mode_has_its_own_units_and_times_a_period_after_the_reorganisation(capsys):
    assert main(["--national", "--communes", "300"]) == 2
    assert main(["--national", "--period", "2025-07"]) == 2
    assert main(["--national", "--period", "2025-8"]) == 2
    assert "--communes" in capsys.readouterr().err


@pytest.mark.e2e
def test_tiny_national_run_publishes_the_whole_country(tmp_path, capsys):
    out, bench = tmp_path / "national.json", tmp_path / "bench"
    before = {name: os.environ.get(name) for name in ("TRE_EM_UNITS_FILE", "TRE_EM_DATA_DIR")}
    assert main(["--national", "--periods", "3", "--json", str(out), "--bench-dir", str(bench), "--quiet"]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert KEYS <= result.keys()
    assert result["scope"] == "VN" and result["period"] == "2025-08" and result["periods"] == 3
    assert result["files"] == result["communes"] == result["units_period"] == 3_321
    # Two periods of history ending just before the timed one, across the reorganisation:
    # 2025-06 in the 10,040 units of then, 2025-07 in the new communes.
    assert result["periods_before_reorganisation"] == 1 and result["units_first_period"] == 10_040
    assert result["history_rows"] == 10_040 + 3_321
    assert result["crosswalk_pairs"] > 10_000
    for key in ("seconds_total", "seconds_baseline", "seconds_fixed", "marginal_ratio", "peak_rss_mb"):
        assert result[key] > 0, key
    assert "national (VN" in capsys.readouterr().out
    full = bench / "runs" / "full"
    with duckdb.connect(str(full / "warehouse.duckdb"), read_only=True) as con:
        periods = con.sql("SELECT DISTINCT period FROM staging.submission_rows ORDER BY period").fetchall()
    assert [p for (p,) in periods] == ["2025-06", "2025-07", "2025-08"]
    # The run read scope VN from a data directory's configuration, and published the country.
    assert 'code = "VN"' in (full / "config.toml").read_text(encoding="utf-8")
    appendix = pl.read_csv(full / "published" / "2025-08" / "appendix.csv", infer_schema=False)
    assert appendix.height == 3_321 + 1
    communes = load_scope({"scope": {"code": "VN"}}).units_in("2025-08")["unit_code"].to_list()
    assert appendix["commune_code"].head(3_321).to_list() == communes
    assert appendix["commune_name"][-1] == "Tổng cộng"
    # Afterwards the pipeline reads the default configuration again.
    assert {name: os.environ.get(name) for name in before} == before
    assert configured_scope().code == PROGRAMME.scope["code"]


def test_a_history_loaded_by_another_schema_is_loaded_again(tmp_path, monkeypatch):
    """The cached history warehouse is the current schema's: else every timed run would
    first bring its copy up to date (rebuilding tables), and measure that."""
    from benchmarks import runner

    setup = runner.Setup(12, 3, 2024, tmp_path, 0)
    setup.history.mkdir(parents=True)
    assert not runner.history_is_current(setup)
    (setup.history / "complete").touch()  # as caches were marked before
    assert not runner.history_is_current(setup)
    (setup.history / "complete").write_text(runner.warehouse_sql_digest(), encoding="utf-8")
    assert not runner.history_is_current(setup)  # its analysts' copy is part of it
    (setup.history / "analyst.duckdb").touch()
    assert runner.history_is_current(setup)
    monkeypatch.setattr(runner, "warehouse_sql_digest", lambda: "another schema")
    assert not runner.history_is_current(setup)


def test_benchmarks_runs_as_a_top_level_module_from_anywhere(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--help"], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert "--communes" in done.stdout and "--district" in done.stdout and "--repeat" in done.stdout


def test_district_mode_refuses_no_repetition():
    assert main(["--district", "--repeat", "0"]) == 2


def _shape(job: dg.JobDefinition) -> dict:
    graph = job.asset_layer.asset_graph
    return {
        "assets": {
            k.to_user_string(): sorted(p.to_user_string() for p in graph.get(k).parent_keys)
            for k in graph.get_all_asset_keys()
        },
        "checks": {(c.asset_key.to_user_string(), c.name): graph.get(c).blocking for c in graph.asset_check_keys},
        "steps": sorted(node.name for node in job.graph.node_defs),
        "executor": job.executor_def.name,
    }


def test_the_floor_job_has_the_real_jobs_assets_checks_and_partitions():
    real = build_definitions(str(REPO_ROOT / "data")).resolve_job_def(JOB_NAME)
    floor = floor_job(job_shape("2024-07"))
    assert _shape(floor) == _shape(real)
    assert floor.name == real.name
    assert floor.partitions_def == real.partitions_def
    assert floor.partitions_def.start.strftime("%Y-%m") == PROGRAMME.first_period
    assert floor.partitions_def.end_offset == 1 and floor.partitions_def.fmt == "%Y-%m"
    assert all(
        check.partitions_def == real.partitions_def
        for check in (floor.asset_layer.asset_graph.get(c) for c in floor.asset_layer.asset_graph.asset_check_keys)
    )


def _runs(home: Path, monkeypatch) -> list[Counter]:
    """Each run recorded in the Dagster home: how many steps, materialisations and check evaluations."""
    kinds = {"STEP_SUCCESS", "ASSET_MATERIALIZATION", "ASSET_CHECK_EVALUATION"}
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    instance = dg.DagsterInstance.get()
    try:
        return [
            Counter(
                r.dagster_event.event_type_value
                for r in instance.all_logs(run.run_id)
                if r.dagster_event is not None and r.dagster_event.event_type_value in kinds
            )
            for run in instance.get_runs()
        ]
    finally:
        instance.dispose()


@pytest.mark.e2e
def test_the_floor_process_imports_neither_pipelines_nor_unasked_the_renderers(tmp_path, monkeypatch):
    district = District(tmp_path)
    district.prepare("2024-07")
    home = tmp_path / "home"
    shutil.copytree(district.template, home)
    data = tmp_path / "data"

    def modules(render: bool) -> set[str]:
        done = subprocess.run(
            district.floor_command(data, render) + ["--list-modules"],
            cwd=REPO_ROOT,
            env=environment(home),
            capture_output=True,
            text=True,
            check=True,
        )
        return set(json.loads(done.stdout.splitlines()[-1]))

    plain, render = modules(False), modules(True)
    assert "pipelines" not in plain | render
    assert {"dagster", "duckdb", "polars"} <= plain
    assert not {"matplotlib", "docx", "xlsxwriter", "lxml"} & plain
    assert {"matplotlib", "docx", "xlsxwriter", "lxml"} <= render
    # Each did what every run does at the least: a DuckDB file and a CSV file written.
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        assert con.sql("SELECT count(*) FROM floor_runs").fetchall() == [(2,)]
    assert (data / "published" / "2024-07" / "floor.csv").exists()
    # On the Dagster home it was given (the template's own run, then these two), every step run.
    runs = _runs(home, monkeypatch)
    shape = json.loads(district.spec.read_text(encoding="utf-8"))
    steps = len(shape["assets"]) + len(shape["checks"])
    assert len(runs) == 3
    assert all(run["STEP_SUCCESS"] == steps for run in runs)


@pytest.mark.e2e
def test_district_mode_times_four_cold_processes_and_writes_every_key(tmp_path, capsys, monkeypatch):
    out = tmp_path / "district.json"
    assert (
        main(
            [
                "--district",
                "--repeat",
                "1",
                "--warmup",
                "0",
                "--json",
                str(out),
                "--bench-dir",
                str(tmp_path),
                "--quiet",
            ]
        )
        == 0
    )
    result = json.loads(out.read_text(encoding="utf-8"))
    assert DISTRICT_KEYS <= result.keys()
    assert result["period"] == "2024-07" and result["files"] == 13 and result["repeat"] == 1
    for m in MEASURES:
        assert result[f"{m}_seconds"] > 0, m
        assert result[f"{m}_seconds_min"] <= result[f"{m}_seconds"] <= result[f"{m}_seconds_max"], m
        assert len(result[f"{m}_seconds_runs"]) == 1, m
    assert result["district_ratio"] == pytest.approx(
        result["district_seconds"] / result["render_floor_seconds"], abs=1e-4
    )
    assert result["no_change_ratio"] == pytest.approx(result["no_change_seconds"] / result["floor_seconds"], abs=1e-4)
    printed = capsys.readouterr().out
    assert "district_ratio" in printed and "no_change_ratio" in printed
    root = tmp_path / "district"
    assert (root / "pipeline-data" / "published" / "2024-07" / "appendix.csv").exists()
    # The CLI ran on the bench's Dagster home, not the project's, and both pairs went through
    # the same steps, materialisations and check evaluations (the template's run, then two).
    pipeline_runs, floor_runs = _runs(root / "pipeline-home", monkeypatch), _runs(root / "floor-home", monkeypatch)
    assert len(pipeline_runs) == len(floor_runs) == 3
    assert all(run == floor_runs[0] for run in pipeline_runs + floor_runs)
    shape = json.loads((root / "job_shape.json").read_text(encoding="utf-8"))
    assert floor_runs[0]["ASSET_CHECK_EVALUATION"] == len(shape["checks"])
    assert floor_runs[0]["STEP_SUCCESS"] == len(shape["assets"]) + len(shape["checks"])


def test_without_turns_each_country_size_path_off_and_is_refused_unknown(monkeypatch, capsys):
    from benchmarks import without
    from pipelines import scale
    from pipelines.analysts import analyst_db

    # Each attribute is set through monkeypatch first, so the test puts it back.
    for name in ("MIN_PARALLEL_FILES", "RENDER_ON_WORKERS_FROM", "SYNCFS_FROM"):
        monkeypatch.setattr(scale, name, getattr(scale, name))
    monkeypatch.setattr(analyst_db, "copy_to_disk", analyst_db.copy_to_disk)
    monkeypatch.setattr(scale, "frozen_heap", scale.frozen_heap)
    without.turn_off(sorted(without.PATHS))
    assert scale.MIN_PARALLEL_FILES == scale.RENDER_ON_WORKERS_FROM == scale.SYNCFS_FROM == without.NEVER
    assert analyst_db.copy_to_disk is without._copy_then_flush
    with scale.frozen_heap():
        assert gc.get_freeze_count() == 0
    with pytest.raises(SystemExit):
        main(["--without", "pool", "--communes", "5", "--periods", "2"])
    assert "invalid choice" in capsys.readouterr().err


def test_copy_then_flush_copies_byte_for_byte(tmp_path):
    from benchmarks.without import _copy_then_flush

    source = tmp_path / "a.duckdb"
    source.write_bytes(os.urandom(3 << 20))
    _copy_then_flush(source, tmp_path / "b.duckdb")
    assert (tmp_path / "b.duckdb").read_bytes() == source.read_bytes()
