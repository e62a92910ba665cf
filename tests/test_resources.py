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


def test_holding_keeps_one_connection_for_every_step_then_lets_go(tmp_path, monkeypatch):
    from pipelines.resources import holding_warehouse
    from pipelines.warehouse import db

    storage = Storage(data_dir=str(tmp_path))
    opened = []
    open_warehouse = db.open_warehouse
    monkeypatch.setattr(db, "open_warehouse", lambda *a, **k: opened.append(1) or open_warehouse(*a, **k))
    with holding_warehouse(tmp_path):
        for value in range(3):
            with storage.connect() as con:
                con.execute("CREATE TABLE IF NOT EXISTS main.t (v INTEGER)")
                con.execute("INSERT INTO main.t VALUES (?)", [value])
        assert len(opened) == 1
        # An error drops the held connection: the next step opens the warehouse afresh.
        with pytest.raises(duckdb.Error):
            with storage.connect() as con:
                con.execute("SELECT * FROM no_such_table")
        with storage.connect() as con:
            assert con.execute("SELECT sum(v) FROM main.t").fetchall() == [(3,)]
        assert len(opened) == 2
    # Released: another process can open it at once, and this one with another configuration.
    holder = hold_warehouse(storage.layout.warehouse, 0.1)
    holder.wait(timeout=30)
    con = duckdb.connect(str(storage.layout.warehouse), read_only=True)
    assert con.execute("SELECT count(*) FROM main.t").fetchall() == [(3,)]
    con.close()
