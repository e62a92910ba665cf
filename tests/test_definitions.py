"""The whole code location loads, and its asset graph is what the README describes."""

import dagster as dg

from pipelines.definitions import defs

EXPECTED_ASSETS = [
    "received_files", "staged_submissions", "submission_history", "commune_snapshot",
    "clean_rate_history", "district_appendix", "published_appendix", "plausibility_warnings",
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
    parents = {k.to_user_string(): {p.to_user_string() for p in graph.get(k).parent_keys} for k in graph.get_all_asset_keys()}
    assert parents["staged_submissions"] == {"received_files"}
    assert parents["district_appendix"] == {"commune_snapshot"}
    assert parents["published_appendix"] == {"district_appendix", "clean_rate_history"}


def test_blocking_checks_on_the_appendix():
    checks = list(defs.get_repository_def().asset_graph.asset_check_keys)
    assert {c.name for c in checks} == {
        "appendix_rows_follow_rules", "appendix_total_is_sum", "appendix_derived_columns_agree",
        "appendix_units_are_reference_units"}
