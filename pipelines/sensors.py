"""The inbox sensor: a run for every period whose folder holds a file the warehouse has not received.

Every evaluation (about once a minute) hashes the files under inbox/<YYYY-MM>/ and the
loose files in inbox/ (counted for the period written in them, else the current one). The
cursor keeps one short digest per period: the state of its files at the last evaluation.
For a period whose files changed since, the warehouse says which of their contents it has
already received for that period (raw.received_files), so the warehouse, not the cursor,
remembers what was received, and the first `dagster dev` after `make run` (or any run
from the command line) launches nothing for the periods that run published.

A period holding a content the warehouse has not received gets a run request whose
run_key is derived from the period and the sorted hashes of its folder: the same files
never launch a second run (Dagster skips a run_key it has already seen), a renamed,
copied or removed file launches nothing, and a new or changed file launches one run for
its period, then one for every later period of the inbox, whose published history
includes the changed one. A changed period whose run is still queued or running is
looked at again once that run has ended (its files are then in the warehouse); while
another process holds the warehouse, changed periods wait for the next evaluation.
"""

from __future__ import annotations

import hashlib
import json
import time

import dagster as dg
import duckdb

from pipelines.ingest.archive import hash_file
from pipelines.ingest.inbox import files_for_period, loose_file_period, loose_files, period_folders
from pipelines.jobs import JOB_NAME
from pipelines.partitions import PERIODS, period_bounds
from pipelines.resources import LOCK_POLL_SECONDS, Storage, is_lock_conflict
from pipelines.warehouse import db

# How long an evaluation waits for a run to let go of the warehouse (a sensor evaluation
# has a minute in all); past it, the changed periods are looked at in the next evaluation.
WAREHOUSE_WAIT_SECONDS = 10.0
# A run of these statuses may still register the files of its period.
ACTIVE_STATUSES = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]
PARTITION_TAG = "dagster/partition"
NOTHING_NEW = "No new or changed file in the inbox."


def _sha256(path) -> str:
    """The file's sha256, read in chunks: a huge file in the inbox costs no memory."""
    return hash_file(path)[0]


def read_inbox(storage: Storage) -> tuple[dict[str, list[str]], set[str]]:
    """Period → sorted distinct sha256 of its files (empty folders left out): the files in
    inbox/<period>/, and the loose files whose run is that period's (`loose_file_period`);
    and the sha256 of the loose files."""
    inbox = storage.layout.inbox
    by_period: dict[str, set[str]] = {}
    for period in period_folders(inbox):
        by_period.setdefault(period, set()).update(_sha256(p) for p in files_for_period(inbox, period))
    bounds = period_bounds()
    loose = set()
    for path in loose_files(inbox):
        sha = _sha256(path)
        loose.add(sha)
        by_period.setdefault(loose_file_period(path, bounds), set()).add(sha)
    return {period: sorted(hashes) for period, hashes in by_period.items() if hashes}, loose


def inbox_hashes(storage: Storage) -> dict[str, list[str]]:
    """Period → sorted distinct sha256 of its files (see `read_inbox`)."""
    return read_inbox(storage)[0]


def run_key(period: str, hashes: list[str]) -> str:
    return f"{period}:{hashlib.sha256(''.join(hashes).encode()).hexdigest()[:32]}"


def state_digest(hashes: list[str], loose: set[str]) -> str:
    """A short digest of a period's files (which of them are loose included): what the cursor keeps."""
    text = "".join(hashes) + "|" + "".join(h for h in hashes if h in loose)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_cursor(cursor: str | None) -> dict[str, str]:
    """Period → the digest of its files at the last evaluation. An older cursor (every
    sha256 per period) or an unreadable one counts as none: the warehouse knows what it received."""
    try:
        value = json.loads(cursor) if cursor else {}
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {period: digest for period, digest in value.items() if isinstance(digest, str)}


def received(storage: Storage, shas: list[str]) -> dict[str, str | None] | None:
    """{sha256: the period it counts for (None: unknown)} of those of `shas` the warehouse
    received; {} without a warehouse; None while another process holds it."""
    path = storage.layout.warehouse
    if not shas or not path.exists():
        return {}
    deadline = time.monotonic() + WAREHOUSE_WAIT_SECONDS
    while True:
        try:
            with db.connect(path, read_only=True) as con:
                return dict(db.query(con, "select_known_among", shas=shas).iter_rows())
        except duckdb.IOException as error:
            if not is_lock_conflict(error):
                raise
            if time.monotonic() >= deadline:
                return None
            time.sleep(LOCK_POLL_SECONDS)
        except duckdb.CatalogException:  # a warehouse without its tables yet: nothing received
            return {}


def is_received(sha: str, period: str, known: dict[str, str | None], loose: set[str]) -> bool:
    """Whether the warehouse received this content for `period`: registered for it, or, a
    loose file naming no period, registered with none (a file in a period folder whose
    content came loose before, or counts for another period, still needs its period's run)."""
    if sha not in known:
        return False
    return known[sha] == period or (known[sha] is None and sha in loose)


def periods_with_active_runs(instance: dg.DagsterInstance) -> set[str]:
    runs = instance.get_runs(filters=dg.RunsFilter(job_name=JOB_NAME, statuses=ACTIVE_STATUSES))
    return {run.tags[PARTITION_TAG] for run in runs if PARTITION_TAG in run.tags}


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
        "Watches inbox/YYYY-MM/ and loose files in inbox/, and launches publish_period for each period holding a file "
        "the warehouse has not received for it (run_key from the files' sha256: the same files never run twice), then "
        "for every later period, whose published history includes the changed one. The cursor keeps one short digest "
        "per period; what was received is the warehouse's (raw.received_files), so files a command-line run "
        "(make run) already published launch nothing."
    ),
)
def inbox_sensor(context: dg.SensorEvaluationContext, storage: Storage) -> dg.SensorResult:
    before = read_cursor(context.cursor)
    current, loose = read_inbox(storage)
    outside = [p for p in current if not PERIODS.has_partition_key(p)]
    if outside:
        context.log.warning(f"inbox folders outside the reporting periods (config.toml [periods]) ignored: {outside}")
        current = {p: hashes for p, hashes in current.items() if p not in outside}
    digests = {period: state_digest(hashes, loose) for period, hashes in current.items()}
    changed = {period for period in current if before.get(period) != digests[period]}
    if not changed:
        return dg.SensorResult(skip_reason=NOTHING_NEW, cursor=json.dumps(digests, sort_keys=True))
    # A period whose run has not ended is looked at when it has: its files may be registered yet.
    waiting = changed & periods_with_active_runs(context.instance)
    to_check = changed - waiting
    known = received(storage, sorted({sha for period in to_check for sha in current[period]}))
    if known is None:
        waiting, to_check, known = changed, set(), {}
    seen = {
        period: [sha for sha in hashes if is_received(sha, period, known, loose)] if period in to_check else hashes
        for period, hashes in current.items()
    }
    plans = plan_runs(current, seen)
    # A waiting period keeps its former digest (none if new): the next evaluation looks at it again.
    kept = {period: before.get(period) if period in waiting else digest for period, digest in digests.items()}
    cursor = json.dumps({period: digest for period, digest in kept.items() if digest is not None}, sort_keys=True)
    if not plans:
        reason = NOTHING_NEW
        if waiting:
            reason = (
                f"Files changed in {', '.join(sorted(waiting))}: looked at again once that period's run has ended "
                "and the warehouse is free."
            )
        return dg.SensorResult(skip_reason=reason, cursor=cursor)
    requests = [
        dg.RunRequest(
            run_key=key,
            partition_key=period,
            tags={"trigger": "inbox" if new else "history", "new_files": str(len(new))},
        )
        for period, key, new in plans
    ]
    return dg.SensorResult(run_requests=requests, cursor=cursor)
