"""Smoke test: dagster-webserver started from the repo root serves the project's code location.

It runs on a free loopback port with a temporary DAGSTER_HOME and data directory, and
its GraphQL endpoint must list the assets, the checks, the schedule and the sensor.
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
from helpers import REPO

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


@pytest.mark.e2e
def test_webserver_serves_assets_checks_schedule_and_sensor(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / ".dagster" / "dagster.yaml", home / "dagster.yaml")
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "TRE_EM_DATA_DIR": str(tmp_path / "data")}
    webserver = Path(sys.executable).parent / "dagster-webserver"
    log = open(tmp_path / "webserver.log", "wb")
    process = subprocess.Popen(
        [str(webserver), "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        data = wait_for_location(port, process)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        log.close()

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
