"""A run with nothing new remakes nothing; any change to what an output is made from remakes it."""

import dataclasses
import datetime as dt
from pathlib import Path

import dagster as dg
import pytest
from helpers import copy_samples

from pipelines.core.scope import configured_scope
from pipelines.core.settings import DataDir
from pipelines.definitions import ALL_ASSETS
from pipelines.publish import assets as publish_assets
from pipelines.publish.files import published_paths
from pipelines.quality.checks import CHECKS
from pipelines.resources import Storage

PERIOD = "2024-07"


def run(data_dir: Path, period: str = PERIOD) -> dg.ExecuteInProcessResult:
    result = dg.materialize(
        [*ALL_ASSETS, *CHECKS],
        partition_key=period,
        resources={"storage": Storage(data_dir=str(data_dir))},
        raise_on_error=False,
    )
    assert result.success
    return result


def metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict:
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == asset]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def published(data_dir: Path) -> dict[Path, tuple[bytes, int]]:
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (data_dir / "published").rglob("*") if p.is_file()}


@pytest.fixture
def data_dir(tmp_path) -> Path:
    data_dir = copy_samples(tmp_path / "data", [PERIOD])
    first = run(data_dir)
    assert metadata(first, "published_appendix")["rendered"] is True
    assert metadata(first, "clean_rate_history")["recomputed"] is True
    return data_dir


def test_published_paths_are_every_file_published_appendix_writes(data_dir):
    layout = DataDir.at(data_dir)
    others = {
        layout.period_published(PERIOD) / n for n in ("completeness.csv", f"nhac-bao-cao-{PERIOD}.txt", "warnings.csv")
    }
    assert set(published(data_dir)) - others == set(published_paths(layout, PERIOD))


@pytest.mark.e2e
def test_nothing_new_renders_nothing_and_touches_no_file(data_dir):
    before = published(data_dir)
    again = run(data_dir)
    assert metadata(again, "published_appendix")["rendered"] is False
    assert metadata(again, "clean_rate_history")["recomputed"] is False
    assert published(data_dir) == before
    # The skipped run reports what the rendering reported.
    first, skipped = metadata(again, "published_appendix"), metadata(run(data_dir), "published_appendix")
    assert {k: v for k, v in first.items() if k != "rendered"} == {k: v for k, v in skipped.items() if k != "rendered"}


@pytest.mark.e2e
def test_a_deleted_file_is_rendered_again_with_the_same_bytes(data_dir):
    before = published(data_dir)
    docx = data_dir / "published" / PERIOD / f"phu-luc-{PERIOD}.docx"
    shared = data_dir / "published" / "rejections.csv"
    docx.unlink()
    shared.unlink()
    result = run(data_dir)
    assert metadata(result, "published_appendix")["rendered"] is True
    assert metadata(result, "clean_rate_history")["recomputed"] is False
    after = published(data_dir)
    assert {p: b for p, (b, _) in after.items()} == {p: b for p, (b, _) in before.items()}
    # Only the deleted files were written; every other file kept its modification time.
    assert {p for p in after if after[p][1] != before[p][1]} == {docx, shared}


@pytest.mark.e2e
def test_an_edited_file_is_rendered_again(data_dir):
    summary = data_dir / "published" / PERIOD / "summary.txt"
    original = summary.read_bytes()
    summary.write_text("sửa tay\n", encoding="utf-8")
    assert metadata(run(data_dir), "published_appendix")["rendered"] is True
    assert summary.read_bytes() == original


@pytest.mark.e2e
def test_a_correction_recomputes_the_history_and_renders_again(data_dir):
    from helpers import HEADER, workbook

    history_csv = data_dir / "published" / PERIOD / "clean_rate_history.csv"
    before = history_csv.read_text(encoding="utf-8")
    correction = workbook([HEADER, [1, "Xã Phước Hưng", 3158, 2600, 1800]])
    (data_dir / "inbox" / PERIOD / "Phước Hưng - sửa.xlsx").write_bytes(correction)
    result = run(data_dir)
    assert metadata(result, "clean_rate_history")["recomputed"] is True
    assert metadata(result, "published_appendix")["rendered"] is True
    appendix = (data_dir / "published" / PERIOD / "appendix.csv").read_text(encoding="utf-8").splitlines()
    assert appendix[1] == "1,21961,Phước Hưng,3158,2600,558,1800,800,57.00"
    after = history_csv.read_text(encoding="utf-8")
    assert after != before and f"{PERIOD},21961,Phước Hưng,3158,2600,1800,57.00" in after


@pytest.mark.e2e
def test_changed_completeness_renders_the_report_again(data_dir, monkeypatch):
    from pipelines.quality import completeness as completeness_assets

    # The files arrived now, long after 2024's deadline: every unit is late. A deadline
    # moved past today (config.toml [deadlines]) changes only completeness.csv.
    report = data_dir / "published" / PERIOD / "report.html"
    assert "Trễ hạn" in report.read_text(encoding="utf-8") and "Đúng hạn" not in report.read_text(encoding="utf-8")
    later = dt.date.today() + dt.timedelta(days=30)
    monkeypatch.setattr(completeness_assets, "deadline_for", lambda *args: later)
    result = run(data_dir)
    assert metadata(result, "published_appendix")["rendered"] is True
    assert "Đúng hạn" in report.read_text(encoding="utf-8") and "Trễ hạn" not in report.read_text(encoding="utf-8")


@pytest.mark.e2e
def test_changed_scope_texts_render_again(data_dir, monkeypatch):
    scope = configured_scope()
    retitled = dataclasses.replace(scope, settings={**scope.settings, "title": "TIÊU ĐỀ MỚI", "editions": []})
    monkeypatch.setattr(publish_assets, "configured_scope", lambda: retitled)
    result = run(data_dir)
    assert metadata(result, "published_appendix")["rendered"] is True
    assert "TIÊU ĐỀ MỚI" in (data_dir / "published" / PERIOD / "appendix.md").read_text(encoding="utf-8")


@pytest.mark.e2e
def test_a_lost_history_row_is_recomputed(data_dir):
    import duckdb

    con = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    try:
        con.execute("DELETE FROM marts.clean_rate_history WHERE as_of_period = ? AND unit_code IS NULL", [PERIOD])
    finally:
        con.close()
    before = published(data_dir)
    result = run(data_dir)
    assert metadata(result, "clean_rate_history")["recomputed"] is True
    # Made again exactly as before: the published files did not change.
    assert metadata(result, "published_appendix")["rendered"] is False
    assert published(data_dir) == before


@pytest.mark.e2e
def test_nothing_new_writes_nothing_to_the_warehouse_nor_copies_it(data_dir):
    import duckdb

    warehouse, analyst = data_dir / "warehouse.duckdb", data_dir / "analyst.duckdb"
    before = {p: p.stat().st_mtime_ns for p in (warehouse, analyst)}
    run(data_dir)
    assert {p: p.stat().st_mtime_ns for p in (warehouse, analyst)} == before
    assert not (data_dir / "warehouse.duckdb.wal").exists()
    # A correction changes the warehouse: the analysts' copy is made again and holds it.
    from helpers import HEADER, workbook

    (data_dir / "inbox" / PERIOD / "Phước Hưng - sửa.xlsx").write_bytes(
        workbook([HEADER, [1, "Xã Phước Hưng", 3158, 2600, 1800]])
    )
    run(data_dir)
    assert analyst.stat().st_mtime_ns != before[analyst]
    con = duckdb.connect(str(analyst), read_only=True)
    try:
        assert con.execute("SELECT max(version) FROM marts.submission_history").fetchall() == [(2,)]
    finally:
        con.close()
    # A deleted copy is made again even though the warehouse did not change.
    analyst.unlink()
    run(data_dir)
    assert analyst.exists()
