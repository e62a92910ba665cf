"""dagster-webserver started from the repo root serves the project's code location, and
shows an operator what the runs did.

It runs on a free loopback port with a temporary DAGSTER_HOME and data directory, after
the command line (`python -m pipelines run`, as `make run`) has run two periods there:
July 2024's samples, and June 2024 whose only file is rejected. Its GraphQL endpoint (what
the UI shows) must list the assets, the checks, the schedule and the sensor; count the
partitions from the programme's first period, none failed; flag the run with the rejected
file (a tag, a warning listing it); and its sensor, evaluated as the daemon would on its
first tick, must launch nothing for the files the command line already published.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from helpers import HEADER, REPO, copy_samples, workbook

from pipelines.partitions import period_bounds

QUERY = """
{
  repositoriesOrError {
    ... on RepositoryConnection {
      nodes {
        name
        location { name }
        schedules { name cronSchedule scheduleState { status } }
        sensors { name sensorState { status } }
      }
    }
  }
  assetNodes {
    assetKey { path }
    groupName
    description
    kinds
    assetChecksOrError { ... on AssetChecks { checks { name blocking } } }
  }
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def wait_for_location(port: int, process: subprocess.Popen, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        assert process.poll() is None, "dagster-webserver exited"
        try:
            answer = graphql(port, QUERY)
            nodes = (answer.get("data") or {}).get("repositoriesOrError", {}).get("nodes")
            if nodes and answer["data"]["assetNodes"]:
                return answer["data"]
            last = answer
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            last = error
        time.sleep(1)
    raise AssertionError(f"the webserver did not serve the code location in {timeout}s: {last}")


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    """(port, data dir) of a webserver on a Dagster home where the command line ran two periods."""
    root = tmp_path_factory.mktemp("webserver")
    home = root / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / ".dagster" / "dagster.yaml", home / "dagster.yaml")
    data_dir = copy_samples(root / "data", ["2024-07"])
    june = data_dir / "inbox" / "2024-06"
    june.mkdir()
    (june / "Phước Sơn.xlsx").write_bytes(workbook([HEADER, [1, "Phước Sơn", "ba nghìn", 2000, 1000]]))
    env = {k: v for k, v in os.environ.items() if k != "TRE_EM_DATA_DIR"} | {"DAGSTER_HOME": str(home)}
    made = subprocess.run(
        [sys.executable, "-m", "pipelines", "run", "--data-dir", str(data_dir)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert made.returncode == 0, made.stderr
    port = free_port()
    webserver = Path(sys.executable).parent / "dagster-webserver"
    log = open(root / "webserver.log", "wb")
    process = subprocess.Popen(
        [str(webserver), "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO,
        env=env | {"TRE_EM_DATA_DIR": str(data_dir)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_location(port, process)
        yield port, data_dir
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        log.close()


@pytest.mark.e2e
def test_webserver_serves_assets_checks_schedule_and_sensor(webserver):
    data = graphql(webserver[0], QUERY)["data"]
    [repository] = data["repositoriesOrError"]["nodes"]
    assert repository["location"]["name"] == "tre_em_de_an_06"
    assert [(s["name"], s["cronSchedule"], s["scheduleState"]["status"]) for s in repository["schedules"]] == [
        ("daily_publication", "0 6 * * *", "RUNNING")
    ]
    assert [(s["name"], s["sensorState"]["status"]) for s in repository["sensors"]] == [("inbox_sensor", "RUNNING")]

    assets = {"/".join(node["assetKey"]["path"]): node for node in data["assetNodes"]}
    assert {
        "received_files",
        "district_appendix",
        "published_appendix",
        "reporting_completeness",
        "analyst_warehouse",
    } <= set(assets)
    for name, node in assets.items():
        assert node["description"] and node["groupName"] != "default" and node["kinds"], name
    checks = {c["name"]: c["blocking"] for c in assets["district_appendix"]["assetChecksOrError"]["checks"]}
    assert checks == {
        "appendix_rows_follow_rules": True,
        "appendix_total_is_sum": True,
        "appendix_derived_columns_agree": True,
        "appendix_units_are_reference_units": True,
        "appendix_units_all_reported": False,
    }
    plausibility = assets["plausibility_warnings"]["assetChecksOrError"]["checks"]
    assert [(c["name"], c["blocking"]) for c in plausibility] == [("figures_change_plausibly", False)]
    staged = assets["staged_submissions"]["assetChecksOrError"]["checks"]
    assert [(c["name"], c["blocking"]) for c in staged] == [("no_file_or_row_rejected", False)]


OPERATOR_VIEW = """
{
  assetNodes {
    assetKey { path }
    partitionStats { numMaterialized numPartitions numFailed numMaterializing }
  }
  runsOrError {
    ... on Runs { results { runId status tags { key value } } }
  }
  assetCheckExecutions(
    assetKey: { path: ["staged_submissions"] }, checkName: "no_file_or_row_rejected", limit: 10
  ) {
    runId partition status
    evaluation { severity success metadataEntries { label ... on MarkdownMetadataEntry { mdStr } } }
  }
}
"""

FIRST_SENSOR_TICK = """
mutation {
  sensorDryRun(
    selectorData: {
      repositoryLocationName: "tre_em_de_an_06", repositoryName: "__repository__", sensorName: "inbox_sensor"
    }
    cursor: null
  ) {
    ... on DryRunInstigationTick {
      evaluationResult { runRequests { runKey } skipReason cursor error { message } }
    }
    ... on PythonError { message }
  }
}
"""


def months(first: str, last: str) -> int:
    (y1, m1), (y2, m2) = ((int(p) for p in period.split("-")) for period in (first, last))
    return (y2 - y1) * 12 + m2 - m1 + 1


@pytest.mark.e2e
def test_the_operator_sees_partitions_from_the_first_period_and_the_rejected_file_run_flagged(webserver):
    port, data_dir = webserver
    data = graphql(port, OPERATOR_VIEW)["data"]

    # Every asset counts the periods from the programme's first one (config.toml [periods]) to
    # the current one: two published, the others not materialised, none failed.
    first, current = period_bounds()
    assert first == "2024-04"
    stats = {"/".join(n["assetKey"]["path"]): n["partitionStats"] for n in data["assetNodes"]}
    for name, stat in stats.items():
        if name == "analyst_warehouse" and stat is None:
            continue  # not partitioned
        assert stat == {
            "numMaterialized": 2,
            "numPartitions": months(first, current),
            "numFailed": 0,
            "numMaterializing": 0,
        }, name

    # Both runs succeeded; the one whose only file was rejected carries the count of rejections.
    runs = {
        tags["dagster/partition"]: (run["status"], tags)
        for run in data["runsOrError"]["results"]
        for tags in [{t["key"]: t["value"] for t in run["tags"]}]
    }
    assert set(runs) == {"2024-06", "2024-07"}
    assert runs["2024-06"][0] == runs["2024-07"][0] == "SUCCESS"
    assert runs["2024-06"][1]["tre_em/rejections"] == "1"
    assert "tre_em/rejections" not in runs["2024-07"][1]

    # And a warning on staged_submissions lists the rejection in a table with Vietnamese headers.
    checks = {e["partition"]: e for e in data["assetCheckExecutions"]}
    june, july = checks["2024-06"], checks["2024-07"]
    assert july["status"] == "SUCCEEDED" and july["evaluation"]["success"]
    assert june["status"] == "FAILED" and june["evaluation"]["severity"] == "WARN"
    assert not june["evaluation"]["success"]
    listed = {e["label"]: e.get("mdStr") for e in june["evaluation"]["metadataEntries"]}["list"].splitlines()
    assert listed[0] == "| Tệp | Dòng | Lý do |" and listed[2].startswith("| Phước Sơn.xlsx | 2 |")


@pytest.mark.e2e
def test_the_first_sensor_tick_after_the_command_line_launches_nothing(webserver):
    port, _ = webserver
    answer = graphql(port, FIRST_SENSOR_TICK)["data"]["sensorDryRun"]
    result = answer["evaluationResult"]
    assert result["error"] is None and result["runRequests"] == [], result
    assert result["skipReason"]
    # The cursor the sensor's page shows: one short digest per period, not every file's sha256.
    assert sorted(json.loads(result["cursor"])) == ["2024-06", "2024-07"] and len(result["cursor"]) < 80
