"""Asset checks on crafted bad data: blocking checks stop publishing, warnings do not."""

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from helpers import copy_samples

from pipelines.definitions import ALL_ASSETS
from pipelines.quality.checks import CHECKS
from pipelines.resources import Storage


def run(data_dir: Path, period: str, instance: dg.DagsterInstance | None = None) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [*ALL_ASSETS, *CHECKS],
        partition_key=period,
        resources={"storage": Storage(data_dir=str(data_dir))},
        raise_on_error=False,
        instance=instance,
    )


def published(data_dir: Path) -> dict[str, bytes]:
    root = data_dir / "published"
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def tamper(data_dir: Path, sql: str) -> None:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    try:
        con.execute(sql)
    finally:
        con.close()


def evaluations(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


@pytest.mark.e2e
def test_figures_breaking_the_rules_block_publication(tmp_path):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    assert run(data_dir, "2024-07").success
    before = published(data_dir)
    analyst_before = (data_dir / "analyst.duckdb").read_bytes()
    # Figures that slipped past parsing: cleaned (6) greater than updated (4) for Phước Hưng.
    tamper(data_dir, "UPDATE staging.submission_rows SET cleaned = updated + 5 WHERE unit_code = '21961'")
    result = run(data_dir, "2024-07")
    assert not result.success
    checks = evaluations(result)
    assert not checks["appendix_rows_follow_rules"].passed
    assert checks["appendix_rows_follow_rules"].severity == dg.AssetCheckSeverity.ERROR
    problems = checks["appendix_rows_follow_rules"].metadata["problems"].value
    assert "Phước Hưng" in problems or "21961" in problems
    assert "published_appendix" not in materialized(result)
    assert "reporting_completeness" not in materialized(result)
    assert "analyst_warehouse" not in materialized(result)
    assert published(data_dir) == before
    assert (data_dir / "analyst.duckdb").read_bytes() == analyst_before


@pytest.mark.e2e
def test_a_missing_unit_is_a_warning_and_publication_goes_on(tmp_path):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    (data_dir / "inbox" / "2024-07" / "Phước Sơn.xlsx").unlink()
    result = run(data_dir, "2024-07")
    assert result.success
    warning = evaluations(result)["appendix_units_all_reported"]
    assert not warning.passed and warning.severity == dg.AssetCheckSeverity.WARN
    assert warning.metadata["units_missing"].value == "1"
    assert "Phước Sơn: chưa báo cáo (hạn 30/9/2024)" in warning.metadata["problems"].value
    assert all(e.passed for name, e in evaluations(result).items() if name != "appendix_units_all_reported")
    folder = data_dir / "published" / "2024-07"
    assert (folder / "appendix.csv").exists()
    completeness = (folder / "completeness.csv").read_text(encoding="utf-8").splitlines()
    assert completeness[0] == (
        "stt,unit_code,unit_name,status,status_vi,deadline,first_received_local,last_received_local,versions,days_late"
    )
    assert completeness[5] == "5,21970,Phước Sơn,missing,Chưa báo cáo,2024-09-30,,,0,"
    reminder = (folder / "nhac-bao-cao-2024-07.txt").read_text(encoding="utf-8")
    assert "Đơn vị chưa báo cáo, cần nhắc (1):\n1. Phước Sơn\n" in reminder
    metadata = next(
        e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "reporting_completeness"
    ).materialization.metadata
    assert metadata["units_missing"].value == "1" and metadata["units_expected"].value == "13"
    assert metadata["deadline"].value == "30/9/2024"


@pytest.mark.e2e
def test_an_implausible_change_is_a_warning_and_publication_goes_on(tmp_path):
    from helpers import HEADER, workbook

    data_dir = copy_samples(tmp_path / "data", ["2024-06", "2024-07"])
    assert run(data_dir, "2024-06").success
    result = run(data_dir, "2024-07")
    check = evaluations(result)["figures_change_plausibly"]
    assert check.passed and check.metadata["warnings"].value == "-"  # zero, as the letter writes it
    # A correction moves Phước Hưng's total children to 5.000: more than 20 % above June's.
    jump = workbook([HEADER, [1, "Phước Hưng", 5000, 2583, 1731]])
    (data_dir / "inbox" / "2024-07" / "Phước Hưng - sửa.xlsx").write_bytes(jump)
    result = run(data_dir, "2024-07")
    assert result.success
    check = evaluations(result)["figures_change_plausibly"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["warnings"].value == "1"
    assert "Phước Hưng: tổng số trẻ em 5.000" in check.metadata["problems"].value
    assert "5000" in (data_dir / "published" / "2024-07" / "appendix.csv").read_text(encoding="utf-8")


@pytest.mark.e2e
def test_the_report_lists_completeness_and_implausible_changes_on_the_first_run(tmp_path):
    from helpers import HEADER, workbook

    data_dir = copy_samples(tmp_path / "data", ["2024-06", "2024-07"])
    (data_dir / "inbox" / "2024-07" / "Phước Hưng.xlsx").write_bytes(
        workbook([HEADER, [1, "Phước Hưng", 5000, 2583, 1731]])
    )
    (data_dir / "inbox" / "2024-07" / "Phước Sơn.xlsx").unlink()
    assert run(data_dir, "2024-06").success
    assert run(data_dir, "2024-07").success
    report = (data_dir / "published" / "2024-07" / "report.html").read_text(encoding="utf-8")
    assert "Phước Hưng: tổng số trẻ em 5.000" in report
    assert "Chưa có số liệu về tình hình nộp báo cáo" not in report


@pytest.mark.e2e
def test_before_the_deadline_a_unit_yet_to_report_is_no_warning(tmp_path, monkeypatch):
    """Received on 10/8/2024, July's reports are on time; Phước Sơn, due by 30/9/2024, is not late yet."""
    from pipelines.core import clock

    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2024, 8, 10, 2, 0, 0))
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    (data_dir / "inbox" / "2024-07" / "Phước Sơn.xlsx").unlink()
    result = run(data_dir, "2024-07")
    assert result.success
    check = evaluations(result)["appendix_units_all_reported"]
    assert check.passed and check.metadata["units_missing"].value == "1"
    assert check.metadata["units_to_report"].value == "- Phước Sơn (hạn 30/9/2024, chưa đến hạn)"
    metadata = next(
        e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "reporting_completeness"
    ).materialization.metadata
    assert metadata["timeliness"].value == (
        "12/13 đơn vị đã báo cáo: 12 đúng hạn, 0 trễ hạn, 1 chưa báo cáo (hạn 30/9/2024)."
    )


@pytest.mark.e2e
def test_a_rejected_file_is_a_warning_a_run_tag_and_a_readable_list(tmp_path):
    from helpers import HEADER, workbook

    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    instance = dg.DagsterInstance.ephemeral()
    clean = run(data_dir, "2024-07", instance)
    assert clean.success and evaluations(clean)["no_file_or_row_rejected"].passed
    assert "tre_em/rejections" not in instance.get_run_by_id(clean.run_id).tags

    # A period whose only file is rejected (a count that is not a number): the run succeeds, and says so.
    folder = data_dir / "inbox" / "2024-06"
    folder.mkdir()
    (folder / "Phước Sơn.xlsx").write_bytes(workbook([HEADER, [1, "Phước Sơn", "ba nghìn", 2000, 1000]]))
    result = run(data_dir, "2024-06", instance)
    assert result.success
    check = evaluations(result)["no_file_or_row_rejected"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["rejections"].value == "1" and check.metadata["files_rejected"].value == "1"
    table = check.metadata["list"].value.splitlines()
    assert table[0] == "| Tệp | Dòng | Lý do |"
    assert table[2].startswith("| Phước Sơn.xlsx | 2 | Cột ") and "ba nghìn" in table[2]
    assert check.metadata["file"].value == str(data_dir / "published" / "2024-06" / "rejections.csv")
    assert instance.get_run_by_id(result.run_id).tags["tre_em/rejections"] == "1"
    staged = next(
        e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "staged_submissions"
    ).materialization.metadata
    assert staged["files_rejected"].value == "1"
    assert staged["rejections"].value.splitlines()[0] == "| Tệp | Dòng | Lý do |"
