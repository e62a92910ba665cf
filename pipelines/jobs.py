"""The one job: every asset of a period, in order, in one process.

Runs that write the warehouse never overlap: DuckDB allows one writing process.
- Within a run, the in-process executor runs the steps one after another (the default
  multiprocess executor would run two steps side by side, each opening the warehouse).
- Between runs, the instance's run queue admits one run at a time
  (.dagster/dagster.yaml: run_queue.max_concurrent_runs = 1), so a backfill, the sensor
  and the schedule queue up instead of colliding.
- A step that still meets the lock (a CLI run started by hand while the daemon runs one)
  waits for it (Storage.connect); any other failing step is retried twice (RETRY_POLICY).
"""

import dagster as dg

JOB_NAME = "publish_period"

# Opening a warehouse another process holds already waits (Storage.connect); this covers the
# rest (a full disk freed, a file briefly unreadable). A real bug costs two quick retries.
RETRY_POLICY = dg.RetryPolicy(max_retries=2, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)

PERIOD_JOB = dg.define_asset_job(
    JOB_NAME,
    selection=dg.AssetSelection.all(),
    description=(
        "Ingest one period's inbox, build the warehouse marts, check and publish the appendix, "
        "the completeness report and the analysts' copy."
    ),
    executor_def=dg.in_process_executor,
    op_retry_policy=RETRY_POLICY,
)
