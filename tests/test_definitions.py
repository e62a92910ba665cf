"""The whole code location loads, and its asset graph is what the README describes."""

import dagster as dg
import pytest

from pipelines.definitions import defs

EXPECTED_ASSETS = [
    "received_files",
    "staged_submissions",
    "submission_history",
    "commune_snapshot",
    "clean_rate_history",
    "district_appendix",
    "published_appendix",
    "plausibility_warnings",
    "reporting_completeness",
    "analyst_warehouse",
]


def test_code_location_loads():
    assert isinstance(defs, dg.Definitions)
    repo = defs.get_repository_def()
    keys = {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()}
    assert keys == set(EXPECTED_ASSETS)
    job = defs.resolve_job_def("publish_period")
    assert job.partitions_def is not None
    assert "2024-07" in job.partitions_def.get_partition_keys()


def test_every_asset_is_described_grouped_and_kinded():
    repo = defs.get_repository_def()
    for key in repo.asset_graph.get_all_asset_keys():
        node = repo.asset_graph.get(key)
        assert node.description, key
        assert node.group_name != "default", key
        assert node.kinds, key


def test_lineage():
    graph = defs.get_repository_def().asset_graph
    parents = {
        k.to_user_string(): {p.to_user_string() for p in graph.get(k).parent_keys} for k in graph.get_all_asset_keys()
    }
    assert parents["staged_submissions"] == {"received_files"}
    assert parents["district_appendix"] == {"commune_snapshot"}
    assert parents["published_appendix"] == {
        "district_appendix",
        "clean_rate_history",
        "reporting_completeness",
        "plausibility_warnings",
    }


def test_blocking_checks_and_warnings_on_the_appendix():
    graph = defs.get_repository_def().asset_graph
    specs = {key.name: graph.get_check_spec(key) for key in graph.asset_check_keys}
    blocking = {name for name, spec in specs.items() if spec.blocking}
    assert blocking == {
        "appendix_rows_follow_rules",
        "appendix_total_is_sum",
        "appendix_derived_columns_agree",
        "appendix_units_are_reference_units",
    }
    assert set(specs) - blocking == {
        "appendix_units_all_reported",
        "figures_change_plausibly",
        "no_file_or_row_rejected",
    }
    elsewhere = {"figures_change_plausibly": "plausibility_warnings", "no_file_or_row_rejected": "staged_submissions"}
    assert {name: spec.asset_key.to_user_string() for name, spec in specs.items()} == {
        name: elsewhere.get(name, "district_appendix") for name in specs
    }


def test_partitions_run_from_the_programmes_first_period_to_the_current_one():
    from pipelines.core.settings import Programme
    from pipelines.partitions import period_bounds

    first = Programme.load().first_period
    assert first == "2024-04"  # the bundled samples' first period: no years nobody reported
    keys = defs.resolve_job_def("publish_period").partitions_def.get_partition_keys()
    assert (keys[0], keys[-1]) == period_bounds() == (first, keys[-1])
    year, month = (int(part) for part in keys[-1].split("-"))
    assert len(keys) == (year - 2024) * 12 + month - 4 + 1


def test_schedule_and_sensor_target_the_period_job_and_run_by_default():
    repo = defs.get_repository_def()
    assert [(s.name, s.job_name, s.default_status) for s in repo.schedule_defs] == [
        ("daily_publication", "publish_period", dg.DefaultScheduleStatus.RUNNING)
    ]
    assert [(s.name, s.job_name, s.default_status) for s in repo.sensor_defs] == [
        ("inbox_sensor", "publish_period", dg.DefaultSensorStatus.RUNNING)
    ]


def test_the_appendix_has_a_freshness_policy():
    graph = defs.get_repository_def().asset_graph
    for name in ("district_appendix", "published_appendix"):
        policy = graph.get(dg.AssetKey(name)).freshness_policy
        assert policy is not None and policy.fail_window.to_timedelta().days == 2


def test_runs_of_the_job_are_serial_and_retried():
    job = defs.resolve_job_def("publish_period")
    assert job.executor_def.name == "in_process"
    assert job.op_retry_policy.max_retries == 2


@pytest.mark.e2e
def test_a_transient_failure_is_retried_and_the_run_succeeds(tmp_path, monkeypatch):
    from helpers import copy_samples

    from pipelines.definitions import build_definitions
    from pipelines.quality import assets as completeness_asset

    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    real, calls = completeness_asset.period_completeness, []

    def flaky(con, period, *args):
        calls.append(period)
        if len(calls) == 1:
            raise OSError("disk briefly unavailable")
        return real(con, period, *args)

    monkeypatch.setattr(completeness_asset, "period_completeness", flaky)
    job = build_definitions(str(data_dir)).resolve_job_def("publish_period")
    result = job.execute_in_process(
        partition_key="2024-07", instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )
    assert result.success
    assert calls == ["2024-07", "2024-07"]
    restarts = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert [e.step_key for e in restarts] == ["reporting_completeness"]
    assert (data_dir / "published" / "2024-07" / "completeness.csv").exists()
