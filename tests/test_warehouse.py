"""The warehouse's tables: one row per file content, without a PRIMARY KEY index."""

import datetime as dt

import duckdb
import polars as pl
import pytest

from pipelines import warehouse

RECEIVED = {
    "sha256": "a" * 64, "original_name": "Phước Sơn.xlsx", "inbox_path": "2024-07/Phước Sơn.xlsx",
    "period_folder": "2024-07", "size_bytes": 100, "archive_path": "archive/aa/aaaa.xlsx",
    "received_at": dt.datetime(2024, 8, 1, 8, 0), "period": "2024-07",
}
PARSED = {"sha256": "a" * 64, "period": "2024-07", "parser_version": 1, "status": "accepted",
          "rows_accepted": 1, "rows_rejected": 0, "parsed_at": dt.datetime(2024, 8, 1, 8, 1)}


def keyed_tables(con) -> list[tuple[str, str]]:
    return warehouse.query(con, "select_primary_keyed_tables").rows()


@pytest.mark.parametrize("table, row", [("raw.received_files", RECEIVED), ("staging.parsed_files", PARSED)])
def test_a_content_is_held_once_as_a_key_would_hold_it(tmp_path, table, row):
    with warehouse.connect(tmp_path / "warehouse.duckdb") as con:
        assert (table.split(".")[0], table.split(".")[1]) not in keyed_tables(con)
        warehouse.insert(con, table, pl.DataFrame([row]))
        other = {**row, "sha256": "b" * 64}
        with pytest.raises(duckdb.ConstraintException, match="b{64}"):  # twice in one insert
            warehouse.insert(con, table, pl.DataFrame([other, other]))
        with pytest.raises(duckdb.ConstraintException, match="a{64}"):  # already held
            warehouse.insert(con, table, pl.DataFrame([other, row]))
        with pytest.raises(duckdb.ConstraintException), warehouse.transaction(con):
            warehouse.insert(con, table, pl.DataFrame([{**row, "sha256": "c" * 64}]))
            warehouse.insert(con, table, pl.DataFrame([row]))  # rolls back the insert before it
        warehouse.insert(con, table, pl.DataFrame([other]))
        assert sorted(con.sql(f"SELECT sha256 FROM {table}").fetchall()) == [("a" * 64,), ("b" * 64,)]


def test_a_warehouse_made_with_the_keys_is_rebuilt_once_without_them(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:  # the two tables as the schema made them before
        con.execute("CREATE SCHEMA raw; CREATE SCHEMA staging")
        con.execute("""CREATE TABLE raw.received_files (sha256 VARCHAR PRIMARY KEY, original_name VARCHAR NOT NULL,
            inbox_path VARCHAR NOT NULL, period_folder VARCHAR, size_bytes BIGINT NOT NULL,
            archive_path VARCHAR NOT NULL, received_at TIMESTAMP NOT NULL, period VARCHAR)""")
        con.execute("""CREATE TABLE staging.parsed_files (sha256 VARCHAR PRIMARY KEY, period VARCHAR,
            parser_version INTEGER NOT NULL, status VARCHAR NOT NULL, rows_accepted INTEGER NOT NULL,
            rows_rejected INTEGER NOT NULL, parsed_at TIMESTAMP NOT NULL)""")
        # Everything else as the schema makes it (the keyed tables exist, so they stay as
        # they are), the analysts' views included, recorded as another schema's.
        for _name, text in warehouse.warehouse_sql():
            con.execute(text)
        con.execute("INSERT INTO pipeline.applied_sql VALUES ('the schema before')")
        assert len(keyed_tables(con)) == 4
        con.register("r", pl.DataFrame([RECEIVED, {**RECEIVED, "sha256": "b" * 64}]).to_arrow())
        con.execute("INSERT INTO raw.received_files BY NAME SELECT * FROM r")
        con.register("p", pl.DataFrame([PARSED]).to_arrow())
        con.execute("INSERT INTO staging.parsed_files BY NAME SELECT * FROM p")
        before = {t: con.sql(f"FROM {t} ORDER BY sha256").fetchall() for t in ("raw.received_files", "staging.parsed_files")}
        columns = {t: con.sql(f"DESCRIBE {t}").fetchall() for t in before}
    with warehouse.connect(path) as con:
        assert keyed_tables(con) == [("pipeline", "output_records"), ("raw", "inbox_hashes")]
        for table, rows in before.items():
            assert con.sql(f"FROM {table} ORDER BY sha256").fetchall() == rows
            described = con.sql(f"DESCRIBE {table}").fetchall()
            # The same columns, types and NOT NULLs; only the key is gone.
            assert [c[:3] for c in described] == [c[:3] for c in columns[table]]
            assert [c[3] for c in described] == [None] * len(described)
        assert con.sql("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '%_keyed'").fetchall() == [(0,)]
        # The view that reads raw.received_files still reads it.
        assert con.sql("SELECT count(*) FROM analytics.rejections").fetchall() == [(0,)]
        con.execute("INSERT INTO staging.rejections (sha256, original_name, period, code, message) "
                    "VALUES ($sha, 'Phước Sơn.xlsx', '2024-07', 'X', 'x')", {"sha": "b" * 64})
        assert con.sql("SELECT archive_path FROM analytics.rejections").fetchall() == [(RECEIVED["archive_path"],)]
        with pytest.raises(duckdb.ConstraintException):
            warehouse.insert(con, "raw.received_files", pl.DataFrame([RECEIVED]))
