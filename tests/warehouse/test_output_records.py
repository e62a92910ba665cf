"""Digests and records that let a run with nothing new skip remaking its outputs."""

import datetime as dt

import polars as pl

from pipelines.warehouse import db
from pipelines.warehouse.output_records import (
    OutputRecord,
    canonical,
    code_digest,
    files_state,
    fingerprint,
    inputs_digest,
    read_record,
    write_record,
)


def test_the_digest_changes_with_any_input_and_only_then():
    frame = pl.DataFrame({"unit_code": ["a", "b"], "cleaned": [1, 2]})
    parts = {
        "frame": frame,
        "text": "Phụ lục",
        "bytes": b"x",
        "none": None,
        "when": dt.datetime(2024, 8, 1, 10, 0),
        "settings": {"target_pct": 100, "editions": []},
    }
    digest = inputs_digest(parts)
    assert inputs_digest(dict(reversed(list(parts.items())))) == digest
    assert inputs_digest({**parts, "frame": frame.clone()}) == digest
    changed = [
        {**parts, "frame": frame.with_columns(pl.col("cleaned") + 1)},
        {**parts, "frame": frame.with_columns(pl.col("cleaned").cast(pl.Float64))},  # same text, other type
        {**parts, "frame": frame.reverse()},
        {**parts, "text": "Phu luc"},
        {**parts, "bytes": None},
        {**parts, "none": b""},
        {**parts, "when": dt.datetime(2024, 8, 1, 10, 0, 1)},
        {**parts, "settings": {"target_pct": 95, "editions": []}},
        {**parts, "extra": None},
    ]
    assert len({digest, *(inputs_digest(p) for p in changed)}) == len(changed) + 1


def test_files_state_sees_a_missing_and_a_rewritten_file(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("x")
    state = files_state([a, b])
    assert state[str(b)] is None and state[str(a)][0] == 1
    record = OutputRecord("d", canonical(state), {})
    assert record.is_current("d", files_state([a, b]))
    assert not record.is_current("other", files_state([a, b]))
    b.write_text("y")
    assert not record.is_current("d", files_state([a, b]))


def test_the_code_digest_is_stable_within_a_process():
    assert code_digest() == code_digest() and len(code_digest()) == 64


def test_records_round_trip_and_replace(tmp_path):
    with db.connect(tmp_path / "w.duckdb") as con:
        assert read_record(con, "published_appendix", "2024-07") is None
        write_record(con, "published_appendix", "2024-07", "d1", {"f": [1, 2]}, {"summary": "Tổng"})
        write_record(con, "published_appendix", "2024-07", "d2", {"f": [1, 3]}, {"summary": "Tổng cộng"})
        write_record(con, "clean_rate_history", "2024-07", "d3", {}, {})
        record = read_record(con, "published_appendix", "2024-07")
    assert record == OutputRecord("d2", canonical({"f": [1, 3]}), {"summary": "Tổng cộng"})
    assert record.is_current("d2", {"f": [1, 3]})


def test_fingerprints_change_with_any_row(tmp_path):
    with db.connect(tmp_path / "w.duckdb") as con:
        empty = fingerprint(con, "select_snapshots_fingerprint", period="2024-07")
        con.execute(
            "INSERT INTO marts.commune_snapshot VALUES "
            "('2024-06', '1', 10, 8, 2, 5, 3, 50.00, 1, 's', TIMESTAMP '2024-07-01'),"
            "('2024-07', '1', 10, 9, 1, 6, 3, 60.00, 1, 's', TIMESTAMP '2024-08-01')"
        )
        both = fingerprint(con, "select_snapshots_fingerprint", period="2024-07")
        june = fingerprint(con, "select_snapshots_fingerprint", period="2024-06")
        # Columns the history is not made from (version, sha256) do not count.
        con.execute("UPDATE marts.commune_snapshot SET version = 2, sha256 = 't' WHERE period = '2024-07'")
        assert fingerprint(con, "select_snapshots_fingerprint", period="2024-07") == both
        con.execute("UPDATE marts.commune_snapshot SET cleaned = 7 WHERE period = '2024-07'")
        edited = fingerprint(con, "select_snapshots_fingerprint", period="2024-07")
    assert empty["row_count"] == 0 and both["row_count"] == 2 and june["row_count"] == 1
    assert len({canonical(f) for f in (empty, both, june, edited)}) == 4


def test_a_record_written_in_a_rolled_back_transaction_is_gone(tmp_path):
    with db.connect(tmp_path / "w.duckdb") as con:
        try:
            with db.transaction(con):
                write_record(con, "clean_rate_history", "2024-07", "d", {}, {})
                raise RuntimeError("killed")
        except RuntimeError:
            pass
        assert read_record(con, "clean_rate_history", "2024-07") is None


def test_the_warehouse_sql_runs_again_only_when_it_changed(tmp_path, monkeypatch):
    path = tmp_path / "w.duckdb"
    with db.connect(path) as con:
        assert con.execute("SELECT digest FROM pipeline.applied_sql").fetchall() == [(db.warehouse_sql_digest(),)]
        con.execute("DROP VIEW analytics.latest_figures")
    with db.connect(path) as con:  # unchanged SQL: nothing runs, the dropped view stays dropped
        assert con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'latest_figures'").fetchall() == [
            (0,)
        ]
    monkeypatch.setattr(db, "warehouse_sql_digest", lambda: "changed")
    with db.connect(path) as con:
        assert con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'latest_figures'").fetchall() == [
            (1,)
        ]
        assert con.execute("SELECT digest FROM pipeline.applied_sql").fetchall() == [("changed",)]


def test_replace_period_rows_writes_only_what_differs(tmp_path):
    path = tmp_path / "w.duckdb"
    appendix = pl.DataFrame(
        {
            "period": ["2024-07", "2024-07"],
            "stt": [1, None],
            "commune_name": ["A", "Tổng cộng"],
            "clean_rate_pct": [54.81, None],
            "note": [None, None],
        }
    )
    other = appendix.with_columns(pl.lit("2024-06").alias("period"))
    with db.connect(path) as con:
        assert db.replace_period_rows(con, "marts.district_appendix", "delete_period_appendix", "2024-06", other)
        assert db.replace_period_rows(con, "marts.district_appendix", "delete_period_appendix", "2024-07", appendix)
        # A period with no rows, and none to write: nothing to do.
        assert not db.replace_period_rows(
            con, "marts.district_appendix", "delete_period_appendix", "2024-08", appendix.clear()
        )
    written = path.stat().st_mtime_ns
    with db.connect(path) as con:
        # The same rows (nulls, and a rate cast to DECIMAL(5,2) as on insert) in another order: nothing written.
        assert not db.replace_period_rows(
            con, "marts.district_appendix", "delete_period_appendix", "2024-07", appendix.reverse()
        )
    assert path.stat().st_mtime_ns == written and not path.with_name("w.duckdb.wal").exists()
    with db.connect(path) as con:
        changed = appendix.with_columns(pl.Series("clean_rate_pct", [54.82, None]))
        assert db.replace_period_rows(con, "marts.district_appendix", "delete_period_appendix", "2024-07", changed)
        assert db.replace_period_rows(
            con, "marts.district_appendix", "delete_period_appendix", "2024-07", changed.head(1)
        )
        rows = con.execute(
            "SELECT period, commune_name, CAST(clean_rate_pct AS DOUBLE) FROM marts.district_appendix "
            "ORDER BY period, stt NULLS LAST"
        ).fetchall()
    assert rows == [("2024-06", "A", 54.81), ("2024-06", "Tổng cộng", None), ("2024-07", "A", 54.82)]
    with db.connect(path) as con:  # a period's rows all gone
        assert db.replace_period_rows(
            con, "marts.district_appendix", "delete_period_appendix", "2024-06", other.clear()
        )
        assert con.execute("SELECT DISTINCT period FROM marts.district_appendix").fetchall() == [("2024-07",)]
