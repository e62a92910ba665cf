"""The inbox sensor: a run for every period whose folder holds a file content not seen before.

Every evaluation (about once a minute) hashes the files under inbox/<YYYY-MM>/ and the
loose files in inbox/ (counted for the period written in them, else the current one). A
period whose folder holds a content hash that is not in the cursor gets a run request
whose run_key is derived from the period and the sorted hashes of its folder: the same
files never launch a second run (Dagster skips a run_key it has already seen), a renamed
or removed file launches nothing, and a new or changed file launches one run for its
period. The cursor keeps the hashes seen per period (JSON).
"""

import hashlib
import json

import dagster as dg

from pipelines.ingest.archive import hash_file
from pipelines.ingest.inbox import files_for_period, loose_file_period, loose_files, period_folders
from pipelines.jobs import JOB_NAME
from pipelines.partitions import PERIODS, period_bounds
from pipelines.resources import Storage


def _sha256(path) -> str:
    """The file's sha256, read in chunks: a huge file in the inbox costs no memory."""
    return hash_file(path)[0]


def inbox_hashes(storage: Storage) -> dict[str, list[str]]:
    """Period → sorted distinct sha256 of its files (empty folders left out): the files in
    inbox/<period>/, and the loose files whose run is that period's (`loose_file_period`)."""
    inbox = storage.layout.inbox
    by_period: dict[str, set[str]] = {}
    for period in period_folders(inbox):
        by_period.setdefault(period, set()).update(_sha256(p) for p in files_for_period(inbox, period))
    bounds = period_bounds()
    for path in loose_files(inbox):
        by_period.setdefault(loose_file_period(path, bounds), set()).add(_sha256(path))
    return {period: sorted(hashes) for period, hashes in by_period.items() if hashes}


def run_key(period: str, hashes: list[str]) -> str:
    return f"{period}:{hashlib.sha256(''.join(hashes).encode()).hexdigest()[:32]}"


def plan_runs(current: dict[str, list[str]], seen: dict[str, list[str]]) -> list[tuple[str, str, list[str]]]:
    """(period, run_key, new hashes) for every period holding a hash not in `seen`, oldest
    first; then every later period of the inbox with no new file of its own (new hashes
    empty): its clean-rate history, trends and charts include the changed period's figures,
    so they are published again."""
    plans = []
    for period in sorted(current):
        new = sorted(set(current[period]) - set(seen.get(period, [])))
        if new:
            plans.append((period, run_key(period, current[period]), new))
    if plans:
        earliest, cause = plans[0][0], plans[0][1]
        planned = {period for period, _, _ in plans}
        plans += [
            (period, f"{run_key(period, current[period])}:after:{cause}", [])
            for period in sorted(current)
            if period > earliest and period not in planned
        ]
    return plans


@dg.sensor(
    job_name=JOB_NAME,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Watches inbox/<YYYY-MM>/ and loose files in inbox/, and launches publish_period for each period where a new or "
        "changed file appeared (run_key from the files' sha256: the same files never run twice), then for every later "
        "period, whose published history includes the changed one."
    ),
)
def inbox_sensor(context: dg.SensorEvaluationContext, storage: Storage) -> dg.SensorResult:
    seen = json.loads(context.cursor) if context.cursor else {}
    current = inbox_hashes(storage)
    outside = [p for p in current if not PERIODS.has_partition_key(p)]
    if outside:
        context.log.warning(f"inbox folders outside the reporting periods (config.toml [periods]) ignored: {outside}")
        current = {p: hashes for p, hashes in current.items() if p not in outside}
    plans = plan_runs(current, seen)
    requests = [
        dg.RunRequest(
            run_key=key,
            partition_key=period,
            tags={"trigger": "inbox" if new else "history", "new_files": str(len(new))},
        )
        for period, key, new in plans
    ]
    merged = {period: sorted(set(seen.get(period, [])) | set(hashes)) for period, hashes in current.items()}
    merged |= {period: hashes for period, hashes in seen.items() if period not in current}
    if not requests:
        return dg.SensorResult(
            skip_reason="No new or changed file in the inbox.", cursor=json.dumps(merged, sort_keys=True)
        )
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(merged, sort_keys=True))
