"""The district mode: a district's run, timed as whole cold processes, against the framework floor.

Four commands, each the wall time of a fresh `python` process:
    (a) district      `python -m pipelines run` on a fresh data directory whose inbox holds
                      the July 2024 sample files (data/samples/2024-07/)
    (b) no_change     the same command again, on the same data directory: nothing new
    (c) floor         benchmarks.floor: a job of the same asset keys, checks and partitions
                      whose bodies do nothing, in a process importing only dagster, duckdb
                      and polars
    (d) render_floor  (c) plus importing the libraries the run renders with
district_ratio = a / d and no_change_ratio = b / c, each from the medians.

The Dagster instance is the one the CLI uses with DAGSTER_HOME set (`make run`, the
systemd units): a SQLite home holding the project's .dagster/dagster.yaml. Each pair of
commands, (a, b) and (d, c), runs in its own copy of a home set up once beforehand (its
databases created, as a deployed home's are), so both pairs go through the same
sequence: a first run in a home and a data directory, then a second one in both.
The project's own .dagster/ is never touched.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES = REPO_ROOT / "data" / "samples" / "2024-07"
PROJECT_DAGSTER_YAML = REPO_ROOT / ".dagster" / "dagster.yaml"
MEASURES = ("district", "no_change", "floor", "render_floor")
LABELS = {
    "district": "(a) district run, fresh data dir",
    "no_change": "(b) the same again, nothing new",
    "floor": "(c) floor: no-op job, same shape",
    "render_floor": "(d) render floor: (c) + renderers",
}
TARGETS = {"district_ratio": 1.3, "no_change_ratio": 1.15}
# Variables that would point a run at other data or another Dagster home than the bench's.
CLEARED_ENV = ("DAGSTER_HOME", "TRE_EM_UNITS_FILE", "TRE_EM_DATA_DIR")


def job_shape(period: str) -> dict:
    """The real job's assets, checks and partitions (from pipelines.definitions), as JSON for the floor."""
    import dagster as dg

    from pipelines.cli import QUIET
    from pipelines.definitions import build_definitions
    from pipelines.jobs import JOB_NAME

    job = build_definitions(str(REPO_ROOT / "data")).resolve_job_def(JOB_NAME)
    partitions = job.partitions_def
    if not isinstance(partitions, dg.TimeWindowPartitionsDefinition):
        raise TypeError(f"the floor mirrors time-window partitions only, not {type(partitions).__name__}")
    graph = job.asset_layer.asset_graph
    assets = []
    for key in graph.toposorted_asset_keys:
        node = graph.get(key)
        if not node.is_executable:
            continue
        assets.append(
            {
                "key": list(key.path),
                "deps": sorted(list(parent.path) for parent in node.parent_keys),
                "group": node.group_name,
                "partitioned": node.partitions_def is not None,
            }
        )
    checks = []
    for data in job.asset_layer.data:
        for spec in getattr(data.assets_def, "check_specs", ()):
            checks.append(
                {
                    "name": spec.name,
                    "asset": list(spec.asset_key.path),
                    "blocking": spec.blocking,
                    "partitioned": spec.partitions_def is not None,
                }
            )
    checks.sort(key=lambda c: (c["asset"], c["name"]))
    return {
        "job": JOB_NAME,
        "partition": period,
        "partitions": {
            "start": partitions.start.strftime(partitions.fmt),
            "fmt": partitions.fmt,
            "cron_schedule": partitions.cron_schedule,
            "end_offset": partitions.end_offset,
            "timezone": partitions.timezone,
        },
        "assets": assets,
        "checks": checks,
        "run_config": QUIET,
    }


def environment(dagster_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env["DAGSTER_HOME"] = str(dagster_home)
    return env


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall seconds of one whole process, from its start to its exit; its stdout."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {done.returncode}:\n{done.stderr[-3000:]}")
    return seconds, done.stdout


class District:
    """The working folders under <bench dir>/district/ and the four commands."""

    def __init__(self, bench_dir: Path):
        self.root = bench_dir.resolve() / "district"
        self.spec = self.root / "job_shape.json"
        self.template = self.root / "dagster-home-template"

    def floor_command(self, data_dir: Path, render: bool) -> list[str]:
        command = [sys.executable, "-m", "benchmarks.floor", "--spec", str(self.spec), "--data-dir", str(data_dir)]
        return command + ["--render-imports"] if render else command

    def prepare(self, period: str) -> None:
        """The job's shape for the floor, and a Dagster home with its databases created."""
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True)
        self.spec.write_text(json.dumps(job_shape(period), indent=2), encoding="utf-8")
        self.template.mkdir()
        shutil.copy2(PROJECT_DAGSTER_YAML, self.template / "dagster.yaml")
        timed(self.floor_command(self.root / "template-data", render=False), environment(self.template))
        shutil.rmtree(self.root / "template-data")

    def fresh(self, name: str) -> tuple[Path, Path]:
        """(a copy of the template home, an empty data directory) for one pair of commands."""
        home, data = self.root / f"{name}-home", self.root / f"{name}-data"
        for folder in (home, data):
            shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(self.template, home)
        data.mkdir()
        return home, data

    def pipeline_pair(self, samples: Path) -> dict[str, float]:
        home, data = self.fresh("pipeline")
        shutil.copytree(samples, data / "inbox" / samples.name)
        command = [sys.executable, "-m", "pipelines", "run", "--data-dir", str(data)]
        env = environment(home)
        district, _ = timed(command, env)
        appendix = data / "published" / samples.name / "appendix.csv"
        if not appendix.exists():
            raise RuntimeError(f"the district run published no {appendix}")
        no_change, _ = timed(command, env)
        return {"district": district, "no_change": no_change}

    def floor_pair(self) -> dict[str, float]:
        home, data = self.fresh("floor")
        env = environment(home)
        render_floor, _ = timed(self.floor_command(data, render=True), env)
        floor, _ = timed(self.floor_command(data, render=False), env)
        return {"render_floor": render_floor, "floor": floor}


def run_district(
    bench_dir: Path, repeat: int = 5, warmup: int = 1, samples: Path = SAMPLES, quiet: bool = False
) -> dict:
    """Median, min and max seconds of each command over `repeat` rounds (after `warmup`
    untimed ones, which fill the OS file cache and compile the bytecode), and the ratios."""
    from tqdm import tqdm

    period = samples.name
    district = District(bench_dir)
    district.prepare(period)
    runs: dict[str, list[float]] = {m: [] for m in MEASURES}
    rounds = tqdm(range(warmup + repeat), disable=quiet, desc="district", unit="round")
    for i in rounds:
        # Alternate which pair goes first, so a drift of the host weighs on both alike.
        pairs = [lambda: district.pipeline_pair(samples), district.floor_pair]
        if i % 2:
            pairs.reverse()
        measured = pairs[0]() | pairs[1]()
        if i >= warmup:
            for m in MEASURES:
                runs[m].append(measured[m])
    rounds.close()
    result: dict = {
        "mode": "district",
        "period": period,
        "files": sum(1 for p in samples.iterdir() if p.is_file()),
        "repeat": repeat,
        "warmup": warmup,
        "instance": "DAGSTER_HOME: a copy per pair of a set-up home holding .dagster/dagster.yaml",
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    for m in MEASURES:
        result[f"{m}_seconds"] = round(statistics.median(runs[m]), 4)
        result[f"{m}_seconds_min"] = round(min(runs[m]), 4)
        result[f"{m}_seconds_max"] = round(max(runs[m]), 4)
        result[f"{m}_seconds_runs"] = [round(s, 4) for s in runs[m]]
    result["district_ratio"] = round(result["district_seconds"] / result["render_floor_seconds"], 4)
    result["no_change_ratio"] = round(result["no_change_seconds"] / result["floor_seconds"], 4)
    result["targets"] = dict(TARGETS)
    return result


def district_table(result: dict) -> str:
    lines = [
        f"District mode: {result['files']} sample files of {result['period']}, {result['repeat']} cold processes "
        f"per command (after {result['warmup']} untimed), wall seconds",
        "",
        f"{'':36}{'median':>9}{'min':>9}{'max':>9}",
    ]
    for m in MEASURES:
        lines.append(
            f"{LABELS[m]:36}{result[f'{m}_seconds']:>9.3f}{result[f'{m}_seconds_min']:>9.3f}"
            f"{result[f'{m}_seconds_max']:>9.3f}"
        )
    lines += [
        "",
        f"district_ratio  (a / d) {result['district_ratio']:>6.2f}   target ≤ {TARGETS['district_ratio']}",
        f"no_change_ratio (b / c) {result['no_change_ratio']:>6.2f}   target ≤ {TARGETS['no_change_ratio']}",
        f"load average {result['load_average_1min']} on {result['cpus']} CPUs",
    ]
    return "\n".join(lines)
