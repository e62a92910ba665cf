"""How the analysts' copy is made, on a small warehouse built here: whole, then
incrementally, its Parquet set swapped whole, atomic, never blocking, in a format 1.x reads."""

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.analysts import analyst_db, catalog, extracts
from pipelines.core.settings import DataDir
from pipelines.warehouse import db

DUCKDB_CLI = Path(sys.executable).parent / "duckdb"
AT = dt.datetime(2024, 8, 2, 3, 4, 5)


def fill(con: duckdb.DuckDBPyConnection, period: str, unit: str = "21961", cleaned: int = 1731) -> None:
    """A unit's rows for `period` in every copied table, and a rejection quoting a cell."""
    sha = f"{period}-{unit}".ljust(64, "0")
    con.execute(
        "INSERT INTO raw.received_files VALUES ($sha, 'Phước Hưng.xlsx', $p || '/Phước Hưng.xlsx', $p, 5587, "
        "'archive/x.xlsx', $at, $p)",
        {"sha": sha, "p": period, "at": AT},
    )
    con.execute(
        "INSERT INTO staging.parsed_files VALUES ($sha, $p, 2, 'partly_rejected', 1, 1, $at)",
        {"sha": sha, "p": period, "at": AT},
    )
    con.execute(
        "INSERT INTO staging.rejections VALUES ($sha, 'Phước Hưng.xlsx', $p, NULL, 5, 'UNKNOWN_UNIT', "
        "'Không nhận ra tên địa phương “Nguyễn ”Bé” Na”. Vui lòng ghi đúng tên xã.', 'Nguyễn ”Bé” Na')",
        {"sha": sha, "p": period},
    )
    con.execute(
        "INSERT INTO staging.submission_rows VALUES ($sha, 2, $p, $u, 'Nguyễn Văn A', 3158, 2600, $c)",
        {"sha": sha, "p": period, "u": unit, "c": cleaned},
    )
    con.execute(
        "INSERT INTO raw.sheet_rows VALUES ($sha, 'Sheet1', 7, ['Nguyễn Văn A', '12/03/2019', '079219001234'])",
        {"sha": sha},
    )
    con.execute(
        "INSERT INTO marts.submission_history VALUES ($p, $u, 1, $sha, 'Phước Hưng.xlsx', $at, 2, 3158, 2600, $c, true, NULL)",
        {"sha": sha, "p": period, "u": unit, "c": cleaned, "at": AT},
    )
    con.execute(
        "INSERT INTO marts.commune_snapshot VALUES ($p, $u, 3158, 2600, 558, $c, 2600 - $c, 54.81, 1, $sha, $at)",
        {"sha": sha, "p": period, "u": unit, "c": cleaned, "at": AT},
    )
    con.execute(
        "INSERT INTO marts.district_appendix VALUES ($p, 1, $u, 'Phước Hưng', 3158, 2600, 558, $c, 2600 - $c, 54.81, NULL)",
        {"p": period, "u": unit, "c": cleaned},
    )
    con.execute(
        "INSERT INTO marts.clean_rate_history VALUES ($p, $p, $u, 'Phước Hưng', 3158, 2600, $c, 54.81)",
        {"p": period, "u": unit, "c": cleaned},
    )
    con.execute(
        "INSERT INTO marts.completeness VALUES ($p, 1, $u, 'Phước Hưng', 'late', 'Trễ hạn', DATE '2024-08-31', "
        "'2024-09-02 10:04:05', '2024-09-02 10:04:05', 1, 2)",
        {"p": period, "u": unit},
    )
    con.execute(
        "INSERT INTO marts.plausibility_warnings VALUES ($p, $u, 'Phước Hưng', 'CLEANED_DECREASED', '2024-05', 1800, $c, -3.83, 'Phước Hưng: giảm')",
        {"p": period, "u": unit, "c": cleaned},
    )


@pytest.fixture
def layout(tmp_path) -> DataDir:
    layout = DataDir.at(tmp_path / "data")
    with db.connect(layout.warehouse) as con:
        fill(con, "2024-06")
        fill(con, "2024-07")
    return layout


def publish(layout: DataDir) -> analyst_db.CopyResult:
    with db.connect(layout.warehouse) as con:
        return analyst_db.publish_analyst_copy(con, layout)


def contents(path: Path) -> dict[str, list[tuple]]:
    """Every copied table's rows, sorted."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t.name: sorted(con.execute(f"FROM {t.name}").fetchall(), key=repr) for t in catalog.load().tables}
    finally:
        con.close()


def whole(layout: DataDir, tmp_path: Path) -> dict[str, list[tuple]]:
    """What a copy made whole from `layout`'s warehouse holds."""
    other = DataDir.at(tmp_path / "whole")
    other.root.mkdir()
    other.warehouse.write_bytes(layout.warehouse.read_bytes())
    assert publish(other).mode == "full"
    return contents(analyst_db.analyst_path(other))


def test_the_copy_holds_the_catalog_in_the_format_every_1x_client_reads(layout):
    result = publish(layout)
    assert result.mode == "full"
    path = analyst_db.analyst_path(layout)
    header = path.read_bytes()[:20]
    assert header[8:12] == b"DUCK" and int.from_bytes(header[12:20], "little") == 64
    assert path.stat().st_mode & 0o777 == 0o444
    con = duckdb.connect(str(path), read_only=True)
    try:
        held = con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() UNION ALL "
            "SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
        assert sorted(n for (n,) in held) == sorted(r.name for r in catalog.load().relations)
        assert con.execute("SELECT count(*) FROM duckdb_indexes()").fetchone() == (0,)
        assert con.execute(
            "SELECT count(*) FROM duckdb_constraints() WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE')"
        ).fetchone() == (0,)
        assert con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE comment IS NULL AND NOT internal"
        ).fetchone() == (0,)
    finally:
        con.close()
    shown = subprocess.run(
        [str(DUCKDB_CLI), "-readonly", "-csv", str(path), "-c", "SELECT count(*) AS n FROM analytics.latest_figures"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.stdout == "n\n2\n", shown.stderr
    assert not list(layout.root.glob(".analyst.duckdb.*.tmp*"))


def test_a_cell_quoted_in_a_rejection_is_masked_and_a_name_kept_only_for_a_known_unit(layout):
    publish(layout)
    con = duckdb.connect(str(analyst_db.analyst_path(layout)), read_only=True)
    try:
        rows = con.execute("SELECT message, unit_name FROM staging.rejections").fetchall()
        viewed = con.execute("SELECT message FROM analytics.rejections").fetchall()
    finally:
        con.close()
    masked = "Không nhận ra tên địa phương “…”. Vui lòng ghi đúng tên xã."
    assert rows == [(masked, None)] * 2 and viewed == [(masked,)] * 2


def test_a_copy_made_incrementally_holds_what_a_whole_one_would(layout, tmp_path):
    publish(layout)
    with db.connect(layout.warehouse) as con:
        con.execute("UPDATE marts.commune_snapshot SET cleaned = 1800 WHERE period = '2024-07'")  # a correction
        con.execute("DELETE FROM marts.plausibility_warnings WHERE period = '2024-06'")  # a period's rows gone
        fill(con, "2024-08", cleaned=1900)  # a new period
        con.execute(  # a file whose period could not be told
            "INSERT INTO staging.rejections VALUES ('f', 'x.bin', NULL, NULL, NULL, 'UNSUPPORTED_TYPE', "
            "'Loại tệp “.bin” không được hỗ trợ.', NULL)"
        )
    result = publish(layout)
    assert result.mode == "incremental"
    assert result.rewritten["marts.commune_snapshot"] == ["2024-07", "2024-08"]
    assert result.rewritten["marts.plausibility_warnings"] == ["2024-06", "2024-08"]
    assert result.rewritten["staging.rejections"] == ["2024-08", None]
    assert contents(analyst_db.analyst_path(layout)) == whole(layout, tmp_path)
    # The Parquet set is the copy's views.
    con = duckdb.connect(str(analyst_db.analyst_path(layout)), read_only=True)
    try:
        for view in catalog.load().views:
            path = extracts.extracts_path(layout) / f"{view.name.split('.')[1]}.parquet"
            assert sorted(con.execute("FROM read_parquet($p)", {"p": str(path)}).fetchall(), key=repr) == sorted(
                con.execute(f"FROM {view.name}").fetchall(), key=repr
            ), view.name
    finally:
        con.close()
    # And it stays in the format 1.x clients read.
    header = analyst_db.analyst_path(layout).read_bytes()[:20]
    assert int.from_bytes(header[12:20], "little") == 64


def test_nothing_changed_nothing_is_written(layout):
    publish(layout)
    path = analyst_db.analyst_path(layout)
    before = (path.stat().st_mtime_ns, path.stat().st_ino, extracts.current_set(layout))
    assert publish(layout).mode == "unchanged"
    assert (path.stat().st_mtime_ns, path.stat().st_ino, extracts.current_set(layout)) == before


def test_a_new_definition_or_a_copy_not_as_recorded_is_made_whole(layout, monkeypatch):
    publish(layout)
    monkeypatch.setattr(analyst_db, "COPY_FORMAT", analyst_db.COPY_FORMAT + 1)
    assert publish(layout).mode == "full"
    with db.connect(layout.warehouse) as con:
        fill(con, "2024-08")
    path = analyst_db.analyst_path(layout)
    os.utime(path, ns=(0, 0))  # someone touched the copy: it is not the file the record describes
    assert publish(layout).mode == "full"
    extracts.extracts_path(layout).unlink()  # the Parquet link gone: made again
    assert publish(layout).mode == "incremental"
    assert extracts.extracts_path(layout).is_symlink()


def test_the_parquet_set_is_swapped_whole_and_the_one_replaced_kept(layout):
    sets = []
    for period in ["2024-08", "2024-09", "2024-10"]:
        publish(layout)
        sets.append(extracts.extracts_path(layout).resolve())
        with db.connect(layout.warehouse) as con:
            fill(con, period)
    publish(layout)
    link = extracts.extracts_path(layout)
    assert not os.path.isabs(os.readlink(link))  # the data directory can move
    current = link.resolve()
    assert sorted(p.name for p in current.parent.iterdir()) == sorted([sets[-1].name, current.name])
    # A reader that resolved the link before the swap still has that whole set.
    assert sorted(p.name for p in sets[-1].iterdir()) == sorted(p.name for p in current.iterdir())
    assert len(sorted(current.iterdir())) == len(catalog.load().views)


def test_what_a_killed_run_left_is_cleared(layout):
    publish(layout)
    with db.connect(layout.warehouse) as con:
        fill(con, "2024-08")
    left = [
        layout.root / ".analyst.duckdb.99999.tmp",
        layout.root / ".analyst.duckdb.99999.tmp.wal",
        layout.root / ".analytics.link.tmp",
    ]
    for path in left:
        path.write_bytes(b"half")
    (layout.root / ".analytics" / "20240101T000000.000000Z.tmp").mkdir()
    publish(layout)
    assert not any(p.exists() for p in left)
    assert not list((layout.root / ".analytics").glob("*.tmp"))


def test_an_open_session_keeps_the_copy_it_opened_and_never_blocks_a_run(layout):
    publish(layout)
    path = analyst_db.analyst_path(layout)
    query = "SELECT count(*) FROM analytics.latest_figures"
    session = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys\n"
            "con = duckdb.connect(sys.argv[1], read_only=True)\n"
            "print(con.execute(sys.argv[2]).fetchone()[0], flush=True)\n"
            "sys.stdin.readline()\n"
            "print(con.execute(sys.argv[2]).fetchone()[0], flush=True)\n",
            str(path),
            query,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert session.stdout.readline().strip() == "2"
        with db.connect(layout.warehouse) as con:
            fill(con, "2024-08")
        assert publish(layout).mode == "incremental"  # the session holds the old copy: no lock in the way
        session.stdin.write("\n")
        session.stdin.flush()
        assert session.stdout.readline().strip() == "2"  # still the copy it opened, whole
    finally:
        session.stdin.close()
        session.wait(timeout=60)
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute(query).fetchone() == (3,)
    finally:
        con.close()


def test_a_data_directory_copied_through_its_link_gets_the_link_back(layout, tmp_path):
    publish(layout)
    copied = DataDir.at(tmp_path / "copied")
    shutil.copytree(layout.root, copied.root)  # follows links: data/analytics becomes a folder
    assert not extracts.extracts_path(copied).is_symlink()
    with db.connect(copied.warehouse) as con:
        fill(con, "2024-08")
    assert publish(copied).mode == "incremental"  # copied with its times: still the file recorded
    assert extracts.extracts_path(copied).is_symlink()
    assert sorted(p.name for p in (copied.root / ".analytics").iterdir()) == [
        extracts.current_set(copied).split("/")[-1]
    ]


@pytest.mark.parametrize("periods", [[], ["2024-02"], [None], ["2024-01", None]])
def test_a_view_by_period_takes_the_other_periods_from_the_last_file(tmp_path, periods):
    con = duckdb.connect()
    con.execute("CREATE VIEW v AS FROM (VALUES ('2024-01', 1), ('2024-02', 2), (NULL, 3)) t(period, x)")
    extracts.write_view(con, "v", tmp_path / "last.parquet")
    con.execute("CREATE OR REPLACE VIEW v AS FROM (VALUES ('2024-01', 10), ('2024-02', 20), (NULL, 30)) t(period, x)")
    extracts.write_view(con, "v", tmp_path / "new.parquet", tmp_path / "last.parquet", periods)
    expected = [(p, x * 10 if p in periods else x) for p, x in [("2024-01", 1), ("2024-02", 2), (None, 3)]]
    written = con.execute("FROM read_parquet($p)", {"p": str(tmp_path / "new.parquet")}).fetchall()
    assert sorted(written, key=repr) == sorted(expected, key=repr)
