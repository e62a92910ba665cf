"""The inbox sensor, evaluated with Dagster's sensor test context on a temporary inbox."""

import json
import shutil

import dagster as dg
import pytest
from helpers import copy_samples

from pipelines.definitions import defs
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


def test_a_run_per_period_with_new_files_then_nothing(tmp_path, instance):
    data_dir = copy_samples(tmp_path / "data", ["2024-06", "2024-07"])
    first = evaluate(data_dir, instance)
    assert [r.partition_key for r in first.run_requests] == ["2024-06", "2024-07"]
    assert all(r.run_key.startswith(r.partition_key + ":") for r in first.run_requests)
    assert {r.job_name for r in first.run_requests} <= {None, "publish_period"}
    cursor = json.loads(first.cursor)
    assert sorted(cursor) == ["2024-06", "2024-07"] and len(cursor["2024-07"]) == 13

    again = evaluate(data_dir, instance, first.cursor)
    assert again.run_requests == [] and again.skip_reason


def test_renamed_or_removed_files_launch_nothing(tmp_path, instance):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    cursor = evaluate(data_dir, instance).cursor
    inbox = data_dir / "inbox" / "2024-07"
    (inbox / "Phước An.xlsx").rename(inbox / "Phuoc An (copy).xlsx")
    (inbox / "Phước Hòa.xlsx").unlink()
    shutil.copy(inbox / "Phước Lộc.xlsx", inbox / "Phước Lộc - bản sao.xlsx")
    assert evaluate(data_dir, instance, cursor).run_requests == []


def test_a_new_or_changed_file_launches_one_run_for_its_period(tmp_path, instance):
    from helpers import HEADER, workbook

    data_dir = copy_samples(tmp_path / "data", ["2024-06", "2024-07"])
    first = evaluate(data_dir, instance)
    correction = workbook([HEADER, [1, "Xã Phước Hưng", 3158, 2600, 1800]])
    (data_dir / "inbox" / "2024-07" / "Phước Hưng.xlsx").write_bytes(correction)  # changed content, same name
    second = evaluate(data_dir, instance, first.cursor)
    assert [r.partition_key for r in second.run_requests] == ["2024-07"]
    assert second.run_requests[0].run_key != first.run_requests[1].run_key
    assert second.run_requests[0].tags["new_files"] == "1"
    assert evaluate(data_dir, instance, second.cursor).run_requests == []


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
    for period in ("2018-12", "2999-01"):
        shutil.copytree(data_dir / "inbox" / "2024-07", data_dir / "inbox" / period)
    result = evaluate(data_dir, instance)
    assert [r.partition_key for r in result.run_requests] == ["2024-07"]


def test_loose_files_launch_a_run_for_the_period_they_name_else_the_current_one(tmp_path, instance):
    from corpus import HEADER, HUNG, xlsx

    from pipelines.partitions import period_bounds

    inbox = tmp_path / "data" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "tháng 7.xlsx").write_bytes(xlsx([["Báo cáo tháng 7 năm 2024"], HEADER, HUNG]))
    (inbox / "không rõ.xlsx").write_bytes(xlsx([HEADER, HUNG]))
    requests = evaluate(tmp_path / "data", instance).run_requests
    assert [r.partition_key for r in requests] == ["2024-07", period_bounds()[1]]


def test_a_correction_to_an_older_period_republishes_the_later_ones(tmp_path, instance):
    from helpers import HEADER, workbook

    data_dir = copy_samples(tmp_path / "data", ["2024-05", "2024-06", "2024-07"])
    first = evaluate(data_dir, instance)
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
