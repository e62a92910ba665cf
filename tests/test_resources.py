"""Storage.connect waits while another process holds the warehouse, then proceeds."""

import subprocess
import sys
import time

import duckdb
import pytest

from pipelines.resources import Storage

HOLD = "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('locked', flush=True); time.sleep(float(sys.argv[2]))"


def hold_warehouse(path, seconds: float) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "locked"
    return process


def test_waits_for_another_process_to_release_the_warehouse(tmp_path):
    storage = Storage(data_dir=str(tmp_path))
    holder = hold_warehouse(storage.layout.warehouse, 2.0)
    try:
        start = time.monotonic()
        with storage.connect(wait_seconds=60) as con:
            assert con.execute("SELECT count(*) FROM marts.district_appendix").fetchone() == (0,)
        assert time.monotonic() - start > 0.5
    finally:
        holder.wait(timeout=30)


def test_gives_up_after_the_wait(tmp_path):
    storage = Storage(data_dir=str(tmp_path))
    holder = hold_warehouse(storage.layout.warehouse, 5.0)
    try:
        with pytest.raises(duckdb.IOException, match="(?i)lock"):
            with storage.connect(wait_seconds=0.5):
                pass
    finally:
        holder.kill()
        holder.wait(timeout=30)
