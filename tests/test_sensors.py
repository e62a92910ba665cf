"""The inbox sensor, evaluated with Dagster's sensor test context on a temporary inbox.

What a run of a period leaves behind for the sensor is the warehouse's record of the
files received (raw.received_files): `register` materialises only `received_files`, the
first step of every run, which archives and registers the period's files."""

import json
import shutil
import subprocess
import sys
import uuid

import dagster as dg
import pytest
from helpers import copy_samples

from pipelines import sensors
from pipelines.definitions import defs
from pipelines.ingest.assets import received_files
from pipelines.resources import Storage
from pipelines.sensors import inbox_sensor, run_key


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def evaluate(data_dir, instance, cursor=None):
    context = dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={"storage": Storage(data_dir=str(data_dir))},
        definitions=defs,
    )
    return inbox_sensor(context)


def register(data_dir, *periods):
    """What the runs of `periods` record first: their inbox files, archived and registered."""
    for period in periods:
        result = dg.materialize(
            [received_files], partition_key=period, resources={"storage": Storage(data_dir=str(data_dir))}
        )
        assert result.success


def queued_run(instance, period: str) -> dg.DagsterRun:
    """A run of `period` the sensor requested, not yet started (a queued one needs a code location)."""
    run = dg.DagsterRun(
        job_name="publish_period",
        run_id=str(uuid.uuid4()),
        status=dg.DagsterRunStatus.NOT_STARTED,
        tags={"dagster/partition": period},
    )
    instance.add_run(run)
    return run


def test_a_run_per_period_with_new_files_then_nothing(tmp_path, instance):
    data_dir = copy_samples(tmp_path / "data", ["2024-06", "2024-07"])
    first = evaluate(data_dir, instance)
    assert [r.partition_key for r in first.run_requests] == ["2024-06", "2024-07"]
    assert all(r.run_key.startswith(r.partition_key + ":") for r in first.run_requests)
    assert {r.job_name for r in first.run_requests} <= {None, "publish_period"}
    # The cursor is one short digest per period, not every file's sha256 (the sensor's page shows it).
    cursor = json.loads(first.cursor)
    assert sorted(cursor) == ["2024-06", "2024-07"] and all(len(d) == 16 for d in cursor.values())
    assert len(first.cursor) < 80

    again = evaluate(data_dir, instance, first.cursor)
    assert again.run_requests == [] and again.skip_reason


def test_files_the_warehouse_holds_launch_nothing_even_without_a_cursor(tmp_path, instance):
    """The first `dagster dev` after `make run`: no cursor yet, every file already received."""
    data_dir = copy_samples(tmp_path / "data", ["2024-06", "2024-07"])
    register(data_dir, "2024-06", "2024-07")
    first = evaluate(data_dir, instance)
    assert first.run_requests == [] and first.skip_reason
    assert sorted(json.loads(first.cursor)) == ["2024-06", "2024-07"]
    # An older sensor's cursor (every sha256 per period) counts as none: the warehouse decides.
    older = json.dumps({"2024-07": ["a" * 64] * 13})
    assert evaluate(data_dir, instance, older).run_requests == []


def test_renamed_or_removed_files_launch_nothing(tmp_path, instance):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    cursor = evaluate(data_dir, instance).cursor
    register(data_dir, "2024-07")  # the requested run ran
    inbox = data_dir / "inbox" / "2024-07"
    (inbox / "Phước An.xlsx").rename(inbox / "Phuoc An (copy).xlsx")
    (inbox / "Phước Hòa.xlsx").unlink()
    shutil.copy(inbox / "Phước Lộc.xlsx", inbox / "Phước Lộc - bản sao.xlsx")
    result = evaluate(data_dir, instance, cursor)
    assert result.run_requests == []
    assert result.cursor != cursor  # the new state is remembered: nothing to look at next time
    assert evaluate(data_dir, instance, result.cursor).run_requests == []


def test_a_change_while_its_period_waits_in_the_queue_is_looked_at_after_the_run(tmp_path, instance):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    first = evaluate(data_dir, instance)
    run = queued_run(instance, "2024-07")  # requested, not yet run: the warehouse holds nothing
    (data_dir / "inbox" / "2024-07" / "Phước Hòa.xlsx").unlink()
    waiting = evaluate(data_dir, instance, first.cursor)
    assert waiting.run_requests == [] and "2024-07" in waiting.skip_reason.skip_message
    assert waiting.cursor == first.cursor  # looked at again next time
    register(data_dir, "2024-07")  # the run registers the files it finds, and ends
    instance.report_run_failed(run)
    after = evaluate(data_dir, instance, waiting.cursor)
    assert after.run_requests == [] and after.cursor != first.cursor


def test_a_new_or_changed_file_launches_one_run_for_its_period(tmp_path, instance):
    from helpers import HEADER, workbook

    data_dir = copy_samples(tmp_path / "data", ["2024-06", "2024-07"])
    first = evaluate(data_dir, instance)
    correction = workbook([HEADER, [1, "Xã Phước Hưng", 3158, 2600, 1800]])
    (data_dir / "inbox" / "2024-07" / "Phước Hưng.xlsx").write_bytes(correction)  # changed content, same name
    register(data_dir, "2024-06")  # June's run ran; July's (requested first) has not yet
    second = evaluate(data_dir, instance, first.cursor)
    assert [r.partition_key for r in second.run_requests] == ["2024-07"]
    assert second.run_requests[0].run_key != first.run_requests[1].run_key
    assert evaluate(data_dir, instance, second.cursor).run_requests == []
    register(data_dir, "2024-07")
    newer = workbook([HEADER, [1, "Xã Phước Hưng", 3158, 2700, 1900]])
    (data_dir / "inbox" / "2024-07" / "Phước Hưng.xlsx").write_bytes(newer)
    third = evaluate(data_dir, instance, second.cursor)
    assert [r.partition_key for r in third.run_requests] == ["2024-07"]
    assert third.run_requests[0].tags["new_files"] == "1"


def test_run_key_comes_from_contents_only():
    hashes = ["a" * 64, "b" * 64]
    assert run_key("2024-07", hashes) == run_key("2024-07", list(hashes))
    assert run_key("2024-07", hashes) != run_key("2024-06", hashes)
    assert run_key("2024-07", hashes) != run_key("2024-07", hashes[:1])


def test_an_empty_or_missing_inbox_launches_nothing(tmp_path, instance):
    (tmp_path / "data" / "inbox" / "2024-07").mkdir(parents=True)
    (tmp_path / "data" / "inbox" / "2024-07" / "~$lock.xlsx").write_bytes(b"x")
    assert evaluate(tmp_path / "data", instance).run_requests == []
    assert evaluate(tmp_path / "nowhere", instance).run_requests == []


def test_folders_outside_the_reporting_periods_are_ignored(tmp_path, instance):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    for period in ("2024-03", "2999-01"):  # before the programme's first period; not yet begun
        shutil.copytree(data_dir / "inbox" / "2024-07", data_dir / "inbox" / period)
    result = evaluate(data_dir, instance)
    assert [r.partition_key for r in result.run_requests] == ["2024-07"]


def test_loose_files_launch_a_run_for_the_period_they_name_else_the_current_one(tmp_path, instance):
    from helpers import HEADER, workbook

    from pipelines.partitions import period_bounds

    hung = [1, "Phước Hưng", 3158, 2583, 1731]
    inbox = tmp_path / "data" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "tháng 7.xlsx").write_bytes(workbook([["Báo cáo tháng 7 năm 2024"], HEADER, hung]))
    (inbox / "không rõ.xlsx").write_bytes(workbook([HEADER, hung]))
    requests = evaluate(tmp_path / "data", instance).run_requests
    current = period_bounds()[1]
    assert [r.partition_key for r in requests] == ["2024-07", current]
    # Once their runs registered them (the one naming no period with none), they launch nothing.
    register(tmp_path / "data", "2024-07", current)
    assert evaluate(tmp_path / "data", instance).run_requests == []


def test_a_correction_to_an_older_period_republishes_the_later_ones(tmp_path, instance):
    from helpers import HEADER, workbook

    data_dir = copy_samples(tmp_path / "data", ["2024-05", "2024-06", "2024-07"])
    first = evaluate(data_dir, instance)
    register(data_dir, "2024-05", "2024-06", "2024-07")
    correction = workbook([HEADER, [1, "Xã Phước Hưng", 3100, 2400, 1500]])
    (data_dir / "inbox" / "2024-05" / "Phước Hưng - sửa.xlsx").write_bytes(correction)
    second = evaluate(data_dir, instance, first.cursor)
    assert [(r.partition_key, r.tags["trigger"]) for r in second.run_requests] == [
        ("2024-05", "inbox"),
        ("2024-06", "history"),
        ("2024-07", "history"),
    ]
    assert len({r.run_key for r in second.run_requests}) == 3
    assert evaluate(data_dir, instance, second.cursor).run_requests == []


def test_while_another_process_holds_the_warehouse_changes_wait(tmp_path, instance, monkeypatch):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    register(data_dir, "2024-07")
    first = evaluate(data_dir, instance)
    (data_dir / "inbox" / "2024-07" / "Phước Hòa.xlsx").unlink()
    monkeypatch.setattr(sensors, "WAREHOUSE_WAIT_SECONDS", 0.5)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)",
            str(data_dir / "warehouse.duckdb"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        busy = evaluate(data_dir, instance, first.cursor)
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert busy.run_requests == [] and busy.cursor == first.cursor and "2024-07" in busy.skip_reason.skip_message
    free = evaluate(data_dir, instance, busy.cursor)
    assert free.run_requests == [] and free.cursor != first.cursor


@pytest.mark.e2e
def test_the_first_evaluation_after_make_run_launches_nothing(published_samples, instance):
    """`make run` published the four sample periods; the UI's sensor then starts with no cursor."""
    result = evaluate(published_samples, instance)
    assert result.run_requests == [] and result.skip_reason
    published = sorted(p.name for p in (published_samples / "published").iterdir() if p.is_dir())
    assert {"2024-04", "2024-05", "2024-06", "2024-07"} <= set(published)
    cursor = json.loads(result.cursor)
    assert sorted(cursor) == published and all(len(digest) == 16 for digest in cursor.values())
