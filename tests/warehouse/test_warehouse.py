"""The warehouse's tables: one row per file content, without a PRIMARY KEY index; one file
per table in sql/schema/, the same warehouse as the numbered files made, and an older
warehouse upgraded by sql/migrations/."""

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest
from helpers import GOLDEN

from pipelines.core.settings import SQL_DIR
from pipelines.warehouse import db

# The numbered files of sql/schema/ as they were before one file per table, run in order
# at every connection: kept only to prove the new files make the same warehouse.
OLD_SCHEMA = sorted((GOLDEN / "old_schema").glob("*.sql"))
VIEWS = sorted((SQL_DIR / "views").glob("*.sql"))

RECEIVED = {
    "sha256": "a" * 64,
    "original_name": "Phước Sơn.xlsx",
    "inbox_path": "2024-07/Phước Sơn.xlsx",
    "period_folder": "2024-07",
    "size_bytes": 100,
    "archive_path": "archive/aa/aaaa.xlsx",
    "received_at": dt.datetime(2024, 8, 1, 8, 0),
    "period": "2024-07",
}
PARSED = {
    "sha256": "a" * 64,
    "period": "2024-07",
    "parser_version": 1,
    "status": "accepted",
    "rows_accepted": 1,
    "rows_rejected": 0,
    "parsed_at": dt.datetime(2024, 8, 1, 8, 1),
}


def keyed_tables(con) -> list[tuple[str, str]]:
    return db.query(con, "select_primary_keyed_tables").rows()


@pytest.mark.parametrize("table, row", [("raw.received_files", RECEIVED), ("staging.parsed_files", PARSED)])
def test_a_content_is_held_once_as_a_key_would_hold_it(tmp_path, table, row):
    with db.connect(tmp_path / "warehouse.duckdb") as con:
        assert (table.split(".")[0], table.split(".")[1]) not in keyed_tables(con)
        db.insert(con, table, pl.DataFrame([row]))
        other = {**row, "sha256": "b" * 64}
        with pytest.raises(duckdb.ConstraintException, match="b{64}"):  # twice in one insert
            db.insert(con, table, pl.DataFrame([other, other]))
        with pytest.raises(duckdb.ConstraintException, match="a{64}"):  # already held
            db.insert(con, table, pl.DataFrame([other, row]))
        with pytest.raises(duckdb.ConstraintException), db.transaction(con):
            db.insert(con, table, pl.DataFrame([{**row, "sha256": "c" * 64}]))
            db.insert(con, table, pl.DataFrame([row]))  # rolls back the insert before it
        db.insert(con, table, pl.DataFrame([other]))
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
        # Everything else as the old schema made it (the keyed tables exist, so they stay as
        # they are), the analysts' views included, recorded as another schema's.
        run_files(con, [*OLD_SCHEMA, *VIEWS])
        con.execute("INSERT INTO pipeline.applied_sql VALUES ('the schema before')")
        assert len(keyed_tables(con)) == 4
        con.register("r", pl.DataFrame([RECEIVED, {**RECEIVED, "sha256": "b" * 64}]).to_arrow())
        con.execute("INSERT INTO raw.received_files BY NAME SELECT * FROM r")
        con.register("p", pl.DataFrame([PARSED]).to_arrow())
        con.execute("INSERT INTO staging.parsed_files BY NAME SELECT * FROM p")
        before = {
            t: con.sql(f"FROM {t} ORDER BY sha256").fetchall() for t in ("raw.received_files", "staging.parsed_files")
        }
        columns = {t: con.sql(f"DESCRIBE {t}").fetchall() for t in before}
    with db.connect(path) as con:
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
        con.execute(
            "INSERT INTO staging.rejections (sha256, original_name, period, code, message) "
            "VALUES ($sha, 'Phước Sơn.xlsx', '2024-07', 'X', 'x')",
            {"sha": "b" * 64},
        )
        assert con.sql("SELECT archive_path FROM analytics.rejections").fetchall() == [(RECEIVED["archive_path"],)]
        with pytest.raises(duckdb.ConstraintException):
            db.insert(con, "raw.received_files", pl.DataFrame([RECEIVED]))


def run_files(con, paths) -> None:
    for path in paths:
        con.execute(path.read_text(encoding="utf-8"))


def shape(con) -> dict[str, list[tuple]]:
    """Every column (name, type, nullability, default, in order), constraint, table and view."""
    return {
        "columns": con.sql("""SELECT schema_name, table_name, column_index, column_name, data_type, is_nullable,
                                     column_default, numeric_precision, numeric_scale
                              FROM duckdb_columns() WHERE database_name = current_database()
                              ORDER BY schema_name, table_name, column_index""").fetchall(),
        "constraints": con.sql("""SELECT schema_name, table_name, constraint_type, constraint_text, expression,
                                         constraint_column_indexes, constraint_column_names, constraint_name
                                  FROM duckdb_constraints() WHERE database_name = current_database()
                                  ORDER BY ALL""").fetchall(),
        "tables": con.sql(
            "SELECT schema_name, table_name, sql FROM duckdb_tables() "
            "WHERE database_name = current_database() ORDER BY ALL"
        ).fetchall(),
        "views": con.sql(
            "SELECT schema_name, view_name, sql FROM duckdb_views() "
            "WHERE database_name = current_database() AND NOT internal ORDER BY ALL"
        ).fetchall(),
    }


def new_shape(tmp_path) -> dict[str, list[tuple]]:
    with db.connect(tmp_path / "new.duckdb") as con:
        return shape(con)


def test_each_schema_file_makes_the_one_table_it_is_named_after():
    for name, text in db.warehouse_sql():
        if name.startswith("schema/"):
            with duckdb.connect() as con:  # alone: each file makes its own schema
                con.execute(text)
                made = con.sql("SELECT schema_name || '.' || table_name FROM duckdb_tables()").fetchall()
            assert made == [(Path(name).stem,)], name


def test_the_tables_are_those_the_numbered_files_made(tmp_path):
    with duckdb.connect(str(tmp_path / "old.duckdb")) as con:
        run_files(con, [*OLD_SCHEMA, *VIEWS])
        old = shape(con)
    assert len(old["tables"]) == 14 and len(old["views"]) == 5
    assert new_shape(tmp_path) == old  # column order, types, NOT NULLs and keys included


@pytest.mark.parametrize("applied", range(1, len(OLD_SCHEMA) + 1), ids=lambda n: OLD_SCHEMA[n - 1].stem)
def test_a_warehouse_made_by_the_numbered_files_is_upgraded(tmp_path, applied):
    """A warehouse made by the numbered files up to any of them (the last one: by the code
    before one file per table) opens, its rows kept, and ends as a new one is."""
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        run_files(con, OLD_SCHEMA[:applied])
        if con.sql("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'applied_sql'").fetchall() == [(1,)]:
            run_files(con, VIEWS)
            con.execute("INSERT INTO pipeline.applied_sql VALUES ('the schema before')")
        con.execute(
            "INSERT INTO raw.received_files (sha256, original_name, inbox_path, period_folder, size_bytes, "
            "archive_path, received_at) VALUES ('a', 'x.xlsx', '2024-07/x.xlsx', '2024-07', 1, 'archive/a', "
            "TIMESTAMP '2024-08-01 08:00')"
        )
        con.execute(
            "INSERT INTO staging.rejections (sha256, original_name, period, code, message) "
            "VALUES ('a', 'x.xlsx', '2024-07', 'X', 'x')"
        )
        # One row of the period's own, and one of an earlier period as seen from it (the older kind).
        con.execute(
            "INSERT INTO marts.clean_rate_history (as_of_period, period, unit_name) "
            "VALUES ('2024-07', '2024-07', 'A'), ('2024-07', '2024-06', 'A')"
        )
    with db.connect(path) as con:
        assert shape(con) == new_shape(tmp_path)
        assert con.sql("SELECT sha256, period FROM raw.received_files").fetchall() == [("a", None)]
        assert con.sql("SELECT code, unit_name FROM staging.rejections").fetchall() == [("X", None)]
        assert con.sql("SELECT as_of_period, period FROM marts.clean_rate_history").fetchall() == [("2024-07",) * 2]
        assert con.sql("SELECT digest FROM pipeline.applied_sql").fetchall() == [(db.warehouse_sql_digest(),)]
        db.insert(con, "raw.received_files", pl.DataFrame([RECEIVED]))
        assert con.sql("SELECT count(*) FROM analytics.rejections WHERE archive_path = 'archive/a'").fetchall() == [
            (1,)
        ]
