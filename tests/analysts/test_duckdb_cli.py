"""The analysts' copy through the clients analysts have: the official DuckDB CLI 1.x (the
`duckdb-cli` dev dependency) and Polars on the Parquet extracts; and child data that a
file carries by mistake reaching neither.

One data directory for the module: two sample periods run through `python -m pipelines
run`'s code, with a file that is not a workbook (rejected), Phước Hưng's file carrying a
list of children below its figures and on a second sheet, then a correction (so the copy
is made once whole, then incrementally)."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from analyst_docs import examples, queries
from helpers import HEADER, copy_samples, workbook, workbook_sheets

from pipelines.analysts import analyst_db, catalog
from pipelines.cli import main
from pipelines.core.settings import DataDir

DUCKDB_CLI = Path(sys.executable).parent / "duckdb"
# What a commune's list of children holds: names, dates of birth, ID numbers (CCCD / số định danh).
CHILD_DATA = ["Nguyễn Thị Bé Na", "12/03/2019", "079219001234", "Trần Văn Tí", "2020-05-17", "052220004321"]
CHILD_DATA += ["Lê Thị Mỹ", "01/01/2018", "079218009999", "Họ và tên trẻ"]


def with_children_list() -> bytes:
    figures = [HEADER, [1, "Xã Phước Hưng", 3158, 2600, 1731]]
    children = [
        [],
        ["STT", "Họ và tên trẻ", "Ngày sinh", "Số định danh cá nhân"],
        [1, "Nguyễn Thị Bé Na", "12/03/2019", "079219001234"],
        [2, "Trần Văn Tí", "2020-05-17", 52220004321],  # an ID typed as a number
    ]
    second_sheet = [["STT", "Họ và tên", "Ngày sinh", "Số định danh"], [1, "Lê Thị Mỹ", "01/01/2018", "079218009999"]]
    return workbook_sheets([figures + children, second_sheet])


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("analysts")
    data_dir = copy_samples(root / "data", ["2024-06", "2024-07"])
    inbox = data_dir / "inbox" / "2024-07"
    (inbox / "Phước Hưng.xlsx").write_bytes(with_children_list())
    (inbox / "ghi chú.xlsx").write_bytes(b"not a workbook")
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    (inbox / "Phước Hưng - sửa.xlsx").write_bytes(workbook([HEADER, [1, "Xã Phước Hưng", 3158, 2600, 1800]]))
    assert main(["run", "--data-dir", str(data_dir), "--period", "2024-07"]) == 0
    return root


@pytest.fixture(scope="module")
def copy_path(root) -> Path:
    return root / "data" / "analyst.duckdb"


def cli(path: Path, *statements: str, mode: str = "-csv") -> str:
    """The statements run by the official DuckDB CLI on `path`, opened read-only; its output."""
    arguments = [a for s in statements for a in ("-c", s)]
    result = subprocess.run(
        [str(DUCKDB_CLI), "-readonly", mode, str(path), *arguments], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and "Error" not in result.stderr, result.stderr
    return result.stdout


def csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    return header, sorted(rows)


def test_the_cli_is_the_official_one_at_a_1x_version():
    version = subprocess.run([str(DUCKDB_CLI), "--version"], capture_output=True, text=True, timeout=60).stdout
    assert version.startswith("v1."), version


@pytest.mark.e2e
def test_the_copy_is_in_the_storage_format_1x_clients_read(copy_path):
    with open(copy_path, "rb") as f:
        header = f.read(20)
    assert header[8:12] == b"DUCK" and int.from_bytes(header[12:20], "little") == 64  # DuckDB 0.10 … 1.x
    assert cli(copy_path, "SELECT tags['storage_version'] FROM duckdb_databases() WHERE NOT internal") == (
        f"\"tags['storage_version']\"\n{analyst_db.STORAGE_VERSION}+\n"
    )


@pytest.mark.e2e
def test_every_query_of_the_readme_and_docs_answers_the_same_in_the_cli(copy_path, tmp_path):
    shown = queries()
    assert len(shown) >= 8  # the docs' (the README's too, once it shows some)
    ours = duckdb.connect(str(copy_path), read_only=True)
    try:
        for i, query in enumerate(shown):
            theirs_file, ours_file = tmp_path / f"cli-{i}.csv", tmp_path / f"ours-{i}.csv"
            literal = str(theirs_file).replace("'", "''")
            printed = cli(copy_path, query, f"COPY ({query}\n) TO '{literal}' (FORMAT csv, HEADER)")
            assert printed.strip(), query  # as an analyst types it, it answers
            ours.execute(f"COPY ({query}\n) TO $path (FORMAT csv, HEADER)", {"path": str(ours_file)})
            header, rows = csv_rows(ours_file)
            assert rows, f"no rows: {query}"  # the module's data makes every example answer
            assert csv_rows(theirs_file) == (header, rows), query
    finally:
        ours.close()


@pytest.mark.e2e
def test_python_examples_read_the_parquet_files_as_the_copy_answers(root, copy_path, monkeypatch):
    shown = [e for e in examples() if e.kind == "python"]
    assert shown
    monkeypatch.chdir(root)  # the examples' paths are data/…
    con = duckdb.connect(str(copy_path), read_only=True)
    try:
        for example in shown:
            namespace: dict = {}
            exec(compile(example.text, str(example.source), "exec"), namespace)
            frames = [v for v in namespace.values() if isinstance(v, pl.DataFrame)]
            assert len(frames) == 1, example.text
            assert example.question is not None
            assert frames[0].rows() == con.execute(example.question).fetchall(), example.text
    finally:
        con.close()


@pytest.mark.e2e
def test_each_view_is_a_parquet_file_holding_the_same_rows(root, copy_path):
    folder = root / "data" / "analytics"
    assert folder.is_symlink()
    views = catalog.load().views
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{v.name.split('.')[1]}.parquet" for v in views)
    con = duckdb.connect(str(copy_path), read_only=True)
    try:
        for view in views:
            path = folder / f"{view.name.split('.')[1]}.parquet"
            from_parquet = con.execute("SELECT * FROM read_parquet($p) EXCEPT ALL FROM " + view.name, {"p": str(path)})
            assert from_parquet.fetchall() == [], view.name
            counts = con.execute(
                f"SELECT (SELECT count(*) FROM read_parquet($p)), count(*) FROM {view.name}", {"p": str(path)}
            )
            parquet_rows, view_rows = counts.fetchone()
            assert parquet_rows == view_rows > 0, view.name
    finally:
        con.close()


@pytest.mark.e2e
def test_the_cli_shows_what_every_table_view_and_column_means(copy_path):
    columns = json.loads(
        cli(
            copy_path,
            "SELECT schema_name || '.' || table_name AS relation, column_name, comment FROM duckdb_columns() "
            "WHERE schema_name IN ('raw', 'staging', 'marts', 'analytics')",
            mode="-json",
        )
    )
    relations = json.loads(
        cli(
            copy_path,
            "SELECT schema_name || '.' || table_name AS relation, comment FROM duckdb_tables() "
            "UNION ALL SELECT schema_name || '.' || view_name, comment FROM duckdb_views() WHERE NOT internal",
            mode="-json",
        )
    )
    relations_documented = catalog.load().relations
    assert {(row["relation"], row["column_name"]): row["comment"] for row in columns} == {
        (r.name, c.name): c.comment for r in relations_documented for c in r.columns
    }
    assert {row["relation"]: row["comment"] for row in relations} == {r.name: r.comment for r in relations_documented}


@pytest.mark.e2e
def test_child_data_in_a_file_reaches_neither_the_copy_nor_the_parquet_files(root, copy_path):
    data_dir = root / "data"
    # The warehouse keeps what the file contained, for operators.
    warehouse = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        held = warehouse.execute("SELECT cells::VARCHAR FROM raw.sheet_rows").fetchall()
        assert all(
            any(value in cells for (cells,) in held) for value in ["Nguyễn Thị Bé Na", "079219001234", "Lê Thị Mỹ"]
        )
        messages = [m for (m,) in warehouse.execute("SELECT message FROM staging.rejections").fetchall()]
        assert any("Nguyễn Thị Bé Na" in m for m in messages)
    finally:
        warehouse.close()
    con = duckdb.connect(str(copy_path), read_only=True)
    try:
        tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
        assert tables
        for schema, table in tables:
            for value in CHILD_DATA:
                hits = con.execute(
                    f'SELECT count(*) FROM "{schema}"."{table}" AS t WHERE t::VARCHAR LIKE $v', {"v": f"%{value}%"}
                ).fetchone()[0]
                assert hits == 0, f"{value!r} in {schema}.{table}"
        masked = con.execute("SELECT message FROM analytics.rejections WHERE code = 'UNKNOWN_UNIT'").fetchall()
        assert masked and all("“…”" in m for (m,) in masked)
        parquet = str(data_dir / "analytics" / "*.parquet")
        for value in CHILD_DATA:
            hits = con.execute(
                "SELECT count(*) FROM read_parquet($p, union_by_name = true) AS t WHERE t::VARCHAR LIKE $v",
                {"p": parquet, "v": f"%{value}%"},
            ).fetchone()[0]
            assert hits == 0, f"{value!r} in the Parquet files"
    finally:
        con.close()
    for path in [copy_path, *(data_dir / "analytics").iterdir()]:
        content = path.read_bytes()
        assert not any(value.encode() in content for value in CHILD_DATA), path


@pytest.mark.e2e
def test_the_copy_made_incrementally_holds_what_a_whole_one_would(root, copy_path, tmp_path):
    record = analyst_db._record(DataDir.at(root / "data"))
    assert record is not None  # the second run updated the copy made by the first
    fresh = DataDir.at(tmp_path)
    (tmp_path / "warehouse.duckdb").write_bytes((root / "data" / "warehouse.duckdb").read_bytes())
    with duckdb.connect(str(fresh.warehouse)) as con:
        assert analyst_db.publish_analyst_copy(con, fresh).mode == "full"
    incremental = duckdb.connect(str(copy_path), read_only=True)
    try:
        incremental.execute("ATTACH $p AS whole (READ_ONLY)", {"p": str(analyst_db.analyst_path(fresh))})
        for table in catalog.load().tables:
            differs = incremental.execute(
                f"SELECT count(*) FROM ((FROM {table.name} EXCEPT ALL FROM whole.{table.name}) "
                f"UNION ALL (FROM whole.{table.name} EXCEPT ALL FROM {table.name}))"
            ).fetchone()[0]
            assert differs == 0, table.name
        versions = incremental.execute(
            "SELECT version, cleaned FROM analytics.figures_history WHERE period = '2024-07' AND unit_code = '21961' "
            "ORDER BY version"
        ).fetchall()
        assert versions == [(1, 1731), (2, 1800)]
    finally:
        incremental.close()
