"""The benchmark: generate (cached by seed), load history, time the production job, read bare.

Layout under the bench directory (data/bench/ by default, git-ignored):
    cache/s<seed>-n<N>-<last>/reference/units.csv   the synthetic country's units
    cache/s<seed>-n<N>-<last>/files/<last>/          the last period's submissions
    cache/s<seed>-n<N>-<last>/history-p<P>/          a warehouse holding P-1 periods (loaded
                                                     afresh when sql/schema or sql/views change)
    cache/national-s<seed>-<last>-r<digest>/         the same for the national mode (no units
                                                     file: the real reference, by its digest)
    runs/<scenario>/                                 a copy of that warehouse + an inbox (+ the
                                                     config.toml of scope VN, national mode)

Every timed run is `pipelines.cli.run_period`, the function `python -m pipelines run`
calls: the `publish_period` job's assets and checks, in this process, on a fresh copy of
the history warehouse (the no-new-files run re-runs the full run's data directory).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import psutil
from tqdm import tqdm

from benchmarks import baseline, national, synthetic
from pipelines.core.settings import DATA_DIR_ENV, UNITS_FILE_ENV
from pipelines.publish import stored_history
from pipelines.scale import WORKERS_ENV
from pipelines.warehouse.db import warehouse_sql_digest

# Found from this file, not from the package's settings: the benchmark lives beside pipelines/.
REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = REPO_ROOT / "data" / "bench"
STEPS = (
    "received_files",
    "staged_submissions",
    "submission_history",
    "commune_snapshot",
    "clean_rate_history",
    "district_appendix",
    "reporting_completeness",
    "published_appendix",
    "analyst_warehouse",
)
# The steps whose work is per new file (archiving, hashing, reading, checking, loading).
FILE_STEPS = ("received_files", "staged_submissions")


def last_full_period(today: dt.date | None = None) -> str:
    """The month before the current one: always a partition of the job."""
    today = today or dt.date.today()
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


@dataclass
class Setup:
    communes: int
    periods: int
    seed: int
    bench_dir: Path
    rebuild_periods: int = 0
    last: str = field(default_factory=last_full_period)
    figures: pl.DataFrame | None = None
    # The real country (benchmarks.national) instead of `communes` synthetic units.
    national: bool = False

    @property
    def cache(self) -> Path:
        if self.national:
            return self.bench_dir / "cache" / f"national-s{self.seed}-{self.last}-r{national.reference_digest()}"
        return self.bench_dir / "cache" / f"s{self.seed}-n{self.communes}-{self.last}"

    @property
    def scope_dir(self) -> Path:
        """The national mode's configuration in force: a data directory's config.toml for VN."""
        return self.bench_dir / "runs" / "scope-VN"

    @property
    def units_file(self) -> Path:
        return self.cache / "reference" / "units.csv"

    @property
    def files(self) -> Path:
        return self.cache / "files" / self.last

    @property
    def history(self) -> Path:
        return self.cache / f"history-p{self.periods}"

    def all_periods(self) -> list[str]:
        return synthetic.periods_ending(self.last, self.periods)


class PeakRss:
    """The highest resident memory of this process and its children (the parse workers)."""

    def __init__(self, interval: float = 0.02):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()

    def sample(self) -> int:
        me = psutil.Process()
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self.peak = self.sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.sample())


def figures_of(setup: Setup) -> pl.DataFrame:
    """Every period's figures (the timed one's included), of the synthetic or the real country."""
    if setup.national:
        return national.national_figures(national.national_scope(), setup.all_periods(), setup.seed)
    units = synthetic.synthetic_units(setup.communes, setup.seed).drop("province_code")
    return synthetic.synthetic_figures(units, setup.all_periods(), setup.seed)


def generate(setup: Setup, progress: tqdm) -> pl.DataFrame:
    """Units, figures and the last period's files (files and units cached by seed)."""
    if setup.national:
        setup.communes = national.national_scope().units_in(setup.last).height
        figures = figures_of(setup)
        period_files(setup, figures, setup.last, progress)
        return figures
    units = synthetic.synthetic_units(setup.communes, setup.seed)
    figures = synthetic.synthetic_figures(units, setup.all_periods(), setup.seed)
    if not setup.units_file.exists():
        setup.units_file.parent.mkdir(parents=True, exist_ok=True)
        units.drop("province_code").write_csv(setup.units_file)
    period_files(setup, figures, setup.last, progress)
    return figures


def period_files(setup: Setup, figures: pl.DataFrame, period: str, progress: tqdm) -> list[Path]:
    """The files of `period`, generated once (cache/files/<period>/) and listed in name order."""
    folder = setup.cache / "files" / period
    done = setup.cache / "files" / f"{period}.complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        submissions = (national if setup.national else synthetic).period_submissions(figures, period, setup.seed)
        progress.reset(total=figures.filter(pl.col("period") == period).height)
        progress.set_description(f"generating files for {period}")
        for sub in submissions:
            (folder / sub.name).write_bytes(sub.data)
            progress.update(1)
        done.touch()
    return sorted(p for p in folder.iterdir() if p.is_file())


def _build_history(setup: Setup) -> None:
    """In a child process, so its memory does not count against the timed runs."""
    from benchmarks.preload import load_history

    history = figures_of(setup).filter(pl.col("period") < setup.last)
    shutil.rmtree(setup.history, ignore_errors=True)
    setup.history.mkdir(parents=True)
    if setup.national:
        # Each period in the units valid in it, its clean-rate history through the crosswalk.
        scope = national.national_scope()
        load_history(setup.history, scope.units, history, setup.seed, crosswalk=scope.crosswalk)
    else:
        os.environ[UNITS_FILE_ENV] = str(setup.units_file)
        units = synthetic.synthetic_units(setup.communes, setup.seed).drop("province_code")
        load_history(setup.history, units, history, setup.seed)
    # The analysts' copy of the history, as a data directory in service has it: each timed
    # run then brings it up to date, as a run does, instead of making it whole.
    from pipelines.analysts.analyst_db import publish_analyst_copy
    from pipelines.core.settings import DataDir
    from pipelines.warehouse import db

    with db.connect(setup.history / "warehouse.duckdb") as con:
        publish_analyst_copy(con, DataDir.at(setup.history))
    (setup.history / "complete").write_text(warehouse_sql_digest(), encoding="utf-8")


def store_earlier_history(setup: Setup) -> None:
    """The history of the periods before the units last changed, as publishing the last
    period of history stored it (`stored_history`): made again here, not in a timed run,
    when the code changed since (the code is part of its name)."""
    import duckdb

    from pipelines.core.settings import DataDir
    from pipelines.warehouse import db

    layout, scope, last = DataDir.at(setup.history), national.national_scope(), setup.all_periods()[-2]
    with duckdb.connect(str(layout.warehouse), read_only=True) as con:
        earlier = stored_history.lookup(con, layout, scope, last)
        if earlier is not None and earlier.history is None:
            snapshots = db.query(con, "select_snapshots_until", period=last, after=None)
            stored_history.history_as_of(layout, snapshots, scope, last, earlier)


def history_is_current(setup: Setup) -> bool:
    """Whether the cached history was loaded by this schema (sql/schema and sql/views): a
    history made by another would be brought up to date inside every timed run, which
    then measures the change of schema, not the run."""
    marker = setup.history / "complete"
    current = marker.exists() and marker.read_text(encoding="utf-8") == warehouse_sql_digest()
    return current and (setup.history / "analyst.duckdb").exists()


def ensure_history(setup: Setup, progress: tqdm) -> None:
    if not history_is_current(setup):
        progress.set_description(f"loading {setup.periods - 1} periods of history")
        child = multiprocessing.get_context("spawn").Process(
            target=_build_history, args=(dataclasses.replace(setup, figures=None),)
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            raise RuntimeError("loading history failed")
    if setup.national:
        store_earlier_history(setup)


def prepare_run(setup: Setup, name: str, files: list[Path]) -> Path:
    """runs/<name>/: a copy of the history warehouse and an inbox holding `files` (hard links)."""
    run_dir = setup.bench_dir / "runs" / name
    shutil.rmtree(run_dir, ignore_errors=True)
    inbox = run_dir / "inbox" / setup.last
    inbox.mkdir(parents=True)
    shutil.copy2(setup.history / "warehouse.duckdb", run_dir / "warehouse.duckdb")
    for name in ("analyst.duckdb", ".analyst.duckdb.source.json"):  # mtimes kept: the copy's base is known by them
        if (setup.history / name).exists():
            shutil.copy2(setup.history / name, run_dir / name)
    for name in (".analytics", "analytics", stored_history.FOLDER):
        source = setup.history / name
        if source.is_symlink():
            os.symlink(os.readlink(source), run_dir / name)
        elif source.is_dir():
            shutil.copytree(source, run_dir / name, symlinks=True)
    if setup.national:
        configure(run_dir)  # its own config.toml, as the one in force: a VN data directory
    for path in files:
        try:
            os.link(path, inbox / path.name)
        except OSError:
            shutil.copy2(path, inbox / path.name)
    # The setup's own writes (the previous run folder's archived files deleted, the history
    # copied) go to disk now, not during the timed run: left pending, the run's own file
    # creations would wait on them and be measured.
    os.sync()
    return run_dir


def configure(data_dir: Path) -> None:
    """The data directory's own config.toml for scope VN, as `python -m pipelines run
    --data-dir DIR --scope VN` writes it at a first run."""
    from pipelines.core.scope import configure_data_dir

    refusal = configure_data_dir(data_dir, national.SCOPE_CODE)
    if refusal:
        raise RuntimeError(refusal)


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and its live children (the parse workers):
    unlike wall time, barely moved by other programs competing for the cores."""
    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.Error:
            pass
    return total


def timed_run(setup: Setup, data_dir: Path, period: str | None = None) -> dict:
    """One `publish_period` run (of the last period by default), through the CLI's own function."""
    import dagster as dg

    from pipelines.cli import run_period

    instance = dg.DagsterInstance.ephemeral()
    with PeakRss() as rss:
        cpu_before = cpu_seconds()
        started = time.perf_counter()
        outcome = run_period(period or setup.last, data_dir, instance)
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu_before
    if not outcome.success:
        raise RuntimeError(f"benchmark run failed: {outcome.reason}")
    run = instance.get_runs(limit=1)[0]
    stages: dict[str, float] = {}
    for record in instance.all_logs(run.run_id):
        event = record.dagster_event
        if event is not None and event.is_step_success:
            stages[event.step_key] = round(event.event_specific_data.duration_ms / 1000, 4)
    instance.dispose()  # here, not in whichever thread the garbage collector runs in
    return {"seconds": seconds, "cpu_seconds": cpu, "stages": stages, "peak_rss_mb": rss.peak / 2**20}


def warehouse_counts(data_dir: Path, period: str) -> dict:
    import duckdb

    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:

        def one(sql: str) -> int:
            return con.sql(sql, params={"period": period}).fetchall()[0][0]

        return {
            "rows": one("SELECT count(*) FROM staging.submission_rows WHERE period = $period"),
            "rejections": one("SELECT count(*) FROM staging.rejections WHERE period = $period"),
            "history_rows": one("SELECT count(*) FROM staging.submission_rows WHERE period < $period"),
            "files_received": one("SELECT count(*) FROM raw.received_files WHERE period_folder = $period"),
        }
    finally:
        con.close()


def cold_start_seconds() -> float:
    """Seconds for a fresh Python to import the code location (paid once per CLI invocation)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import pipelines.definitions"], cwd=REPO_ROOT, check=True)
    return time.perf_counter() - started


def run_benchmark(
    communes: int,
    periods: int,
    seed: int = 2024,
    bench_dir: Path = BENCH_DIR,
    quiet: bool = False,
    rebuild_periods: int = 0,
    national_mode: bool = False,
    period: str | None = None,
) -> dict:
    """The benchmark of `communes` synthetic units, or (`national_mode`) of the real country
    (`communes` is then not used); `period`: the timed one (default: the last full month,
    national.DEFAULT_PERIOD in the national mode)."""
    if periods < 2:
        raise ValueError("--periods must be at least 2 (history plus the timed period)")
    last = period or (national.DEFAULT_PERIOD if national_mode else last_full_period())
    if national_mode and national.check_period(last):
        raise ValueError(national.check_period(last))
    setup = Setup(
        communes, periods, seed, bench_dir.resolve(), min(rebuild_periods, periods), last=last, national=national_mode
    )
    reference = national_reference(setup.scope_dir) if national_mode else synthetic_reference(setup.units_file)
    with reference:
        return _run(setup, quiet)


@contextmanager
def synthetic_reference(units_file: Path) -> Iterator[None]:
    """The assets read the synthetic units while the benchmark runs, the real ones after."""
    from pipelines.core.scope import configured_scope

    previous = os.environ.get(UNITS_FILE_ENV)
    os.environ[UNITS_FILE_ENV] = str(units_file)
    configured_scope.cache_clear()
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(UNITS_FILE_ENV, None)
        else:
            os.environ[UNITS_FILE_ENV] = previous
        configured_scope.cache_clear()


@contextmanager
def national_reference(scope_dir: Path) -> Iterator[None]:
    """The assets read the real national reference (no units file) with the configuration
    of a data directory set up for scope VN (`scope_dir`, made as `python -m pipelines run
    --scope VN` makes a data directory's, named by TRE_EM_DATA_DIR as the CLI names it);
    as they were afterwards.

    One configuration for every run, as one process has: each run's own data directory
    (which gets the same config.toml) would load the scope anew in each timed run, and
    its per-scope caches (the units' matching keys), which a process pays
    once, in its first run (here the warm-up)."""
    from pipelines.core.scope import configured_scope

    saved = {name: os.environ.pop(name, None) for name in (UNITS_FILE_ENV, DATA_DIR_ENV)}
    (scope_dir / "config.toml").unlink(missing_ok=True)  # made afresh from today's data/config.toml
    configure(scope_dir)
    os.environ[DATA_DIR_ENV] = str(scope_dir)
    configured_scope.cache_clear()
    try:
        if configured_scope().code != national.SCOPE_CODE:
            raise RuntimeError(f"{scope_dir / 'config.toml'} names scope {configured_scope().code}, not VN")
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        configured_scope.cache_clear()


def _run(setup: Setup, quiet: bool) -> dict:
    from pipelines.core.scope import configured_scope

    steps = ["generate", "history", "warm-up", "fifth of the files", "all files", "no new files", "bare read"]
    if setup.rebuild_periods:
        steps.append("rebuild")
    progress = tqdm(total=len(steps), disable=quiet, unit="step", leave=False)
    overall = tqdm(steps, disable=quiet, desc="benchmark", unit="step")
    results: dict = {}
    for step in overall:
        overall.set_postfix_str(step)
        if step == "generate":
            setup.figures = generate(setup, progress)
            configured_scope.cache_clear()
            files = sorted(p for p in setup.files.iterdir() if p.is_file())
        elif step == "history":
            ensure_history(setup, progress)
        elif step == "warm-up":
            # Imports, definitions and the parse workers, paid once per process as in the CLI
            # (seconds_cold_start and the warm-up's own time show that cost). Both ways a run
            # parses are warmed, as the timed runs use them: all the files, on every worker;
            # then another fifth, in this process. (Otherwise a worker would start, or this
            # process build its matching indexes, inside a timed run.)
            results["warm_up"] = timed_run(setup, prepare_run(setup, "warm-up", files))
            timed_run(setup, prepare_run(setup, "warm-up-fifth", files[1::5]))
        elif step == "fifth of the files":
            fifth = files[::5]
            results["fifth"] = timed_run(setup, prepare_run(setup, "fifth", fifth)) | {"files": len(fifth)}
        elif step == "all files":
            full_dir = prepare_run(setup, "full", files)
            results["full"] = timed_run(setup, full_dir) | {"files": len(files)}
            results["counts"] = warehouse_counts(full_dir, setup.last)
        elif step == "no new files":
            results["fixed"] = timed_run(setup, setup.bench_dir / "runs" / "full")
        elif step == "rebuild":
            results["rebuild"] = rebuild(setup, progress)
        else:
            # Read twice and keep the second: the pipeline's runs also read files the OS has cached.
            baseline.bare_read(setup.files)
            cpu_before = cpu_seconds()
            results["baseline"] = baseline.bare_read(setup.files)
            results["baseline"]["cpu_seconds"] = cpu_seconds() - cpu_before
    overall.close()
    progress.close()
    return report(setup, results, cold_start_seconds())


def rebuild(setup: Setup, progress: tqdm) -> dict:
    """The last R periods' files run from an empty warehouse, period after period, as
    `python -m pipelines run` does over a whole inbox (or after the parser changes)."""
    periods = setup.all_periods()[-setup.rebuild_periods :]
    run_dir = setup.bench_dir / "runs" / "rebuild"
    shutil.rmtree(run_dir, ignore_errors=True)
    files = 0
    for period in periods:
        inbox = run_dir / "inbox" / period
        inbox.mkdir(parents=True)
        for path in period_files(setup, setup.figures, period, progress):
            os.link(path, inbox / path.name)
            files += 1
    runs = [timed_run(setup, run_dir, period) for period in periods]
    seconds = sum(r["seconds"] for r in runs)
    return {
        "periods": len(periods),
        "files": files,
        "seconds": seconds,
        "cpu_seconds": sum(r["cpu_seconds"] for r in runs),
        "seconds_by_period": [round(r["seconds"], 3) for r in runs],
        "cpu_seconds_by_period": [round(r["cpu_seconds"], 3) for r in runs],
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
    }


def report(setup: Setup, results: dict, cold_start: float) -> dict:
    full, fifth, fixed, bare = results["full"], results["fifth"], results["fixed"], results["baseline"]
    files = full["files"]
    per_file_ms = (full["seconds"] - fifth["seconds"]) / max(files - fifth["files"], 1) * 1000
    baseline_per_file_ms = bare["seconds"] / max(files, 1) * 1000
    # The same difference over the per-file steps alone: publishing the whole scope differs
    # between the two runs for other reasons than their files (a fifth leaves 80 % of the
    # units "not reported", a longer appendix), by as much as the files themselves at
    # province size.
    file_steps = [sum(run["stages"].get(step, 0.0) for step in FILE_STEPS) for run in (full, fifth)]
    file_steps_per_file_ms = (file_steps[0] - file_steps[1]) / max(files - fifth["files"], 1) * 1000
    figures = {
        "communes": setup.communes,
        "scope": national.SCOPE_CODE if setup.national else "synthetic",
        "periods": setup.periods,
        "period": setup.last,
        "seed": setup.seed,
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "parse_workers": int(os.environ.get(WORKERS_ENV) or os.cpu_count() or 1),
        "files": files,
        "rows": results["counts"]["rows"],
        "rejections": results["counts"]["rejections"],
        "history_rows": results["counts"]["history_rows"],
        "seconds_total": round(full["seconds"], 4),
        "seconds_baseline": round(bare["seconds"], 4),
        "ratio": round(full["seconds"] / bare["seconds"], 2),
        "seconds_fixed": round(fixed["seconds"], 4),
        "cpu_seconds_total": round(full["cpu_seconds"], 3),
        "cpu_seconds_fifth": round(fifth["cpu_seconds"], 3),
        "cpu_seconds_fixed": round(fixed["cpu_seconds"], 3),
        "cpu_seconds_baseline": round(bare["cpu_seconds"], 3),
        "cpu_per_file_ms": round(
            (full["cpu_seconds"] - fifth["cpu_seconds"]) / max(files - fifth["files"], 1) * 1000, 4
        ),
        "files_fifth": fifth["files"],
        "seconds_fifth": round(fifth["seconds"], 4),
        "per_file_ms": round(per_file_ms, 4),
        "baseline_per_file_ms": round(baseline_per_file_ms, 4),
        "marginal_ratio": round(per_file_ms / baseline_per_file_ms, 2),
        "file_steps_per_file_ms": round(file_steps_per_file_ms, 4),
        "file_steps_marginal_ratio": round(file_steps_per_file_ms / baseline_per_file_ms, 2),
        "peak_rss_mb": round(max(full["peak_rss_mb"], fifth["peak_rss_mb"], fixed["peak_rss_mb"]), 1),
        "seconds_stages": full["stages"],
        "seconds_stages_fixed": fixed["stages"],
        "seconds_stages_fifth": fifth["stages"],
        "seconds_cold_start": round(cold_start, 3),
        "seconds_first_run": round(results["warm_up"]["seconds"], 4),
        "baseline": {k: (round(v, 4) if isinstance(v, float) else v) for k, v in bare.items()},
    }
    return figures | national_keys(setup) | rebuild_keys(results.get("rebuild"))


def national_keys(setup: Setup) -> dict:
    """The national run's reference: the units of its first history period and of the
    timed one, how many history periods lie before the reorganisation, the crosswalk."""
    if not setup.national:
        return {}
    scope = national.national_scope()
    history = setup.all_periods()[:-1]
    return {
        "reorganised": national.REORGANISED,
        "periods_before_reorganisation": sum(p < national.REORGANISED for p in history),
        "units_first_period": scope.units_in(history[0]).height,
        "units_period": scope.units_in(setup.last).height,
        "crosswalk_pairs": scope.crosswalk.height,
    }


def rebuild_keys(rebuilt: dict | None) -> dict:
    if not rebuilt:
        return {}
    return {
        "files_rebuild": rebuilt["files"],
        "periods_rebuild": rebuilt["periods"],
        "seconds_rebuild": round(rebuilt["seconds"], 3),
        "cpu_seconds_rebuild": round(rebuilt["cpu_seconds"], 3),
        "rebuild_per_file_ms": round(rebuilt["seconds"] / max(rebuilt["files"], 1) * 1000, 4),
        "seconds_rebuild_by_period": rebuilt["seconds_by_period"],
        "cpu_seconds_rebuild_by_period": rebuilt["cpu_seconds_by_period"],
        "peak_rss_mb_rebuild": round(rebuilt["peak_rss_mb"], 1),
    }


def table(result: dict) -> str:
    """The figures as a readable table."""
    country = "national (VN, real units and crosswalk): " if result.get("scope") == national.SCOPE_CODE else ""
    lines = [
        f"Benchmark: {country}{result['communes']} communes × {result['periods']} periods "
        f"(history {result['history_rows']} rows), period {result['period']}, seed {result['seed']}",
        "",
        f"{'':34}{'seconds':>10}{'ms/file':>10}{'cpu s':>10}",
        f"{'incremental run, all files':34}{result['seconds_total']:>10.3f}"
        f"{result['seconds_total'] / max(result['files'], 1) * 1000:>10.3f}{result['cpu_seconds_total']:>10.2f}"
        f"   {result['files']} files, {result['rows']} rows, {result['rejections']} rejections",
        f"{'incremental run, a fifth':34}{result['seconds_fifth']:>10.3f}{'':>10}{result['cpu_seconds_fifth']:>10.2f}"
        f"   {result['files_fifth']} files",
        f"{'marginal cost per file':34}{'':>10}{result['per_file_ms']:>10.3f}{'':>10}"
        f"   CPU {result['cpu_per_file_ms']:.3f} ms/file",
        f"{'  in the per-file steps alone':34}{'':>10}{result['file_steps_per_file_ms']:>10.3f}{'':>10}"
        f"   ({' + '.join(FILE_STEPS)}; ratio {result['file_steps_marginal_ratio']})",
        f"{'no new files (fixed cost)':34}{result['seconds_fixed']:>10.3f}{'':>10}{result['cpu_seconds_fixed']:>10.2f}",
        f"{'bare read (baseline)':34}{result['seconds_baseline']:>10.3f}{result['baseline_per_file_ms']:>10.3f}"
        f"{result['cpu_seconds_baseline']:>10.2f}",
        f"{'cold start (import)':34}{result['seconds_cold_start']:>10.3f}",
        f"{'first run in process (warm-up)':34}{result['seconds_first_run']:>10.3f}",
        "",
        f"ratio {result['ratio']}   marginal_ratio {result['marginal_ratio']} (target ≤ 3.0)   "
        f"fixed {result['seconds_fixed']:.2f} s (target ≤ 3)   peak RSS {result['peak_rss_mb']:.0f} MB   "
        f"load average {result['load_average_1min']} on {result['cpus']} CPUs",
        "",
        f"{'stage':24}{'all files':>12}{'a fifth':>12}{'no new':>12}",
    ]
    for step in STEPS:
        cells = [result[k].get(step) for k in ("seconds_stages", "seconds_stages_fifth", "seconds_stages_fixed")]
        lines.append(f"{step:24}" + "".join(f"{c:>12.3f}" if c is not None else f"{'-':>12}" for c in cells))
    if "files_rebuild" in result:
        cumulative = [
            round(sum(result["cpu_seconds_rebuild_by_period"][: i + 1]), 2) for i in range(result["periods_rebuild"])
        ]
        lines += [
            "",
            f"rebuild of {result['periods_rebuild']} periods from an empty warehouse: {result['files_rebuild']} files, "
            f"{result['seconds_rebuild']:.2f} s (CPU {result['cpu_seconds_rebuild']:.2f} s), "
            f"{result['rebuild_per_file_ms']:.3f} ms/file",
            f"  CPU seconds after each period: {cumulative}",
        ]
    return "\n".join(lines)


def write_json(result: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
