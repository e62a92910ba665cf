"""sql/catalog.toml: the allow-list of the analysts' copy, its COMMENTs and the docs page, from one definition."""

import duckdb
import pytest

from pipelines.analysts import catalog
from pipelines.warehouse import db


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    con = db.open_warehouse(tmp_path_factory.mktemp("catalog") / "warehouse.duckdb")
    yield con
    con.close()


def relations(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, list[str]]]:
    """Every table and view of the warehouse: kind and columns."""
    views = {
        n
        for (n,) in con.execute(
            "SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
    }
    rows = con.execute(
        "SELECT schema_name || '.' || table_name, list(column_name ORDER BY column_index) FROM duckdb_columns() "
        "WHERE database_name = current_database() GROUP BY ALL"
    ).fetchall()
    return {name: ("view" if name in views else "table", columns) for name, columns in rows}


def test_the_docs_page_lists_what_the_catalog_says():
    text = catalog.DOCS_FILE.read_text(encoding="utf-8")
    assert catalog.docs_with_section(text, catalog.load()) == text, "run: python -m pipelines.analysts.catalog"
    assert catalog.main(["--check"]) == 0


def test_every_warehouse_table_and_column_is_copied_or_kept_out_with_a_reason(warehouse):
    found = relations(warehouse)
    listed = catalog.load()
    tables = {name for name, (kind, _) in found.items() if kind == "table"}
    assert tables == {t.name for t in listed.tables} | {name for name, _ in listed.excluded}
    for table in listed.tables:
        assert sorted(found[table.name][1]) == sorted(table.column_names + [c for c, _ in table.excluded_columns]), (
            table.name
        )
    # The views are made in the copy by sql/views/, over the copied tables only.
    views = {name: columns for name, (kind, columns) in found.items() if kind == "view"}
    assert {v.name: sorted(v.column_names) for v in listed.views} == {n: sorted(c) for n, c in views.items()}


def test_the_catalog_keeps_the_free_cells_out():
    listed = catalog.load()
    kept_out = dict(listed.excluded)
    assert "raw.sheet_rows" in kept_out and "staging.submission_rows" in kept_out
    rejections = listed.table("staging.rejections")
    copied_as = {c.name: c.copied_as for c in rejections.columns if c.copied_as}
    assert set(copied_as) == {"message", "unit_name"}


def test_every_relation_and_column_has_a_meaning():
    for relation in catalog.load().relations:
        assert relation.comment.startswith("A row is"), relation.name
        for column in relation.columns:
            assert len(column.comment) > 10 and column.comment.endswith("."), f"{relation.name}.{column.name}"


def test_comments_are_sql_literals_whatever_their_text(tmp_path):
    text = "It's (3) - (4); -- not a comment' ; DROP TABLE t; “…” | Trễ hạn"
    relation = catalog.Relation("s.t", "table", text, (catalog.Column("c", text),))
    con = duckdb.connect()
    con.execute("CREATE SCHEMA s; CREATE TABLE s.t (c INTEGER)")
    for statement in relation.comment_statements():
        con.execute(statement)
    assert con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 't'").fetchall() == [(text,)]
    assert con.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 't'").fetchall() == [(text,)]
    assert catalog.literal("a'b") == "'a''b'"


@pytest.mark.parametrize(
    "text, error",
    [
        ('[tables."raw.x"]\ncomment = "A row."\n', "lists no columns"),
        ('[tables."raw x"]\ncomment = "A row."\ncolumns = { a = "b" }\n', "not a schema.name"),
        ('[tables."raw.x"]\ncomment = "A row."\ncolumns = { "a b" = "c" }\n', "not a column name"),
        ('[tables."raw.x"]\ncomment = "A row."\ncolumns = { a = "b" }\ncopied_as = { z = "1" }\n', "does not list"),
        ('[views."a.v"]\ncomment = "A row."\ncolumns = { a = "b" }\ncopied_as = { a = "1" }\n', "a view is made"),
        ('[tables."raw.x"]\ncolumns = { a = "b" }\n', "needs a text"),
        ('[tables."raw.x"]\ncomment = "A row."\ncolumns = { a = "b" }\n[excluded]\n"raw.x" = "why"\n', "twice"),
    ],
)
def test_a_catalog_that_cannot_be_meant_is_refused(text, error):
    with pytest.raises(ValueError, match=error):
        catalog.parse(text)


def test_the_docs_section_keeps_table_cells_whole():
    listed = catalog.parse(
        '[views."a.v"]\ncomment = "A row is a thing."\ncolumns = { s = "on_time | late | missing." }\n'
    )
    section = catalog.docs_section(listed)
    assert "| `s` | on_time \\| late \\| missing. |" in section
