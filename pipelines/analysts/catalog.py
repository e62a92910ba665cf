"""The analysts' catalog, sql/catalog.toml: the one definition of what the analysts' copy
holds and what it means.

From it come the allow-list of tables and columns copied from the warehouse
(`analyst_db`), the COMMENT statements that document every table, view and column in the
copy where a client shows them, and the catalog section of docs/analysts.md.
`python -m pipelines.analysts.catalog` writes that section; `--check` only compares.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipelines.core.settings import REPO_ROOT, SQL_DIR

CATALOG_FILE = SQL_DIR / "catalog.toml"
DOCS_FILE = REPO_ROOT / "docs" / "analysts.md"
DOCS_BEGIN = (
    "<!-- catalog: generated from sql/catalog.toml by `python -m pipelines.analysts.catalog`; do not edit by hand -->"
)
DOCS_END = "<!-- catalog: end -->"


def quote(identifier: str) -> str:
    """A name of our own catalog as an SQL identifier (names are checked when loaded)."""
    if not identifier.isidentifier():
        raise ValueError(f"not an identifier: {identifier!r}")
    return f'"{identifier}"'


def literal(text: str) -> str:
    """`text` as an SQL string literal (COMMENT ON takes no parameters): quotes doubled."""
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Column:
    name: str
    comment: str
    copied_as: str | None = None  # SQL over the warehouse's columns; None: copied as it is

    @property
    def select(self) -> str:
        """The column in the SELECT that copies it from the warehouse."""
        return f"{self.copied_as} AS {quote(self.name)}" if self.copied_as else quote(self.name)


@dataclass(frozen=True)
class Relation:
    name: str  # schema.name
    kind: str  # "table" (copied from the warehouse) or "view" (made by sql/views/ in the copy)
    comment: str
    columns: tuple[Column, ...]
    excluded_columns: tuple[tuple[str, str], ...] = ()  # (column, why), tables only
    # Views only: its rows of a period come only from rows of that period (joined on
    # period), so its Parquet file is rewritten only for the periods that changed.
    by_period: bool = False

    @property
    def schema(self) -> str:
        return self.name.split(".")[0]

    @property
    def sql_name(self) -> str:
        return ".".join(quote(part) for part in self.name.split("."))

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def comment_statements(self) -> list[str]:
        """COMMENT ON the relation and each column, names relative to the current database."""
        statements = [f"COMMENT ON {self.kind.upper()} {self.sql_name} IS {literal(self.comment)}"]
        statements += [
            f"COMMENT ON COLUMN {self.sql_name}.{quote(c.name)} IS {literal(c.comment)}" for c in self.columns
        ]
        return statements


@dataclass(frozen=True)
class Catalog:
    tables: tuple[Relation, ...]
    views: tuple[Relation, ...]
    excluded: tuple[tuple[str, str], ...]  # (schema.table, why) kept out of the copy
    digest: str  # sha256 of the file's text

    @property
    def relations(self) -> tuple[Relation, ...]:
        return self.tables + self.views

    def table(self, name: str) -> Relation:
        return next(t for t in self.tables if t.name == name)


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"sql/catalog.toml: {where} needs a text")
    return value.strip()


def _relation(name: str, kind: str, entry: dict) -> Relation:
    parts = name.split(".")
    if len(parts) != 2 or not all(p.isidentifier() for p in parts):
        raise ValueError(f"sql/catalog.toml: not a schema.name: {name!r}")
    columns = entry.get("columns") or {}
    copied_as = entry.get("copied_as") or {}
    excluded = entry.get("excluded_columns") or {}
    if not columns:
        raise ValueError(f"sql/catalog.toml: {name} lists no columns")
    for column in [*columns, *excluded]:
        if not column.isidentifier():
            raise ValueError(f"sql/catalog.toml: not a column name: {name}.{column}")
    if kind == "view" and (copied_as or excluded):
        raise ValueError(f"sql/catalog.toml: {name}: a view is made by sql/views/, not copied")
    by_period = entry.get("by_period", False)
    if not isinstance(by_period, bool) or (by_period and (kind != "view" or "period" not in columns)):
        raise ValueError(f"sql/catalog.toml: {name}: by_period is for a view with a period column")
    if unknown := set(copied_as) - set(columns):
        raise ValueError(f"sql/catalog.toml: {name}.copied_as names columns it does not list: {sorted(unknown)}")
    if both := set(columns) & set(excluded):
        raise ValueError(f"sql/catalog.toml: {name}: columns both copied and excluded: {sorted(both)}")
    return Relation(
        name,
        kind,
        _text(entry.get("comment"), f"{name}.comment"),
        tuple(
            Column(
                c,
                _text(text, f"{name}.columns.{c}"),
                _text(copied_as[c], f"{name}.copied_as.{c}") if c in copied_as else None,
            )
            for c, text in columns.items()
        ),
        tuple((c, _text(why, f"{name}.excluded_columns.{c}")) for c, why in excluded.items()),
        by_period,
    )


def parse(text: str) -> Catalog:
    data = tomllib.loads(text)
    tables = tuple(_relation(name, "table", entry) for name, entry in data.get("tables", {}).items())
    views = tuple(_relation(name, "view", entry) for name, entry in data.get("views", {}).items())
    excluded = tuple((name, _text(why, f"excluded.{name}")) for name, why in data.get("excluded", {}).items())
    names = [r.name for r in tables + views] + [name for name, _ in excluded]
    if len(names) != len(set(names)):
        raise ValueError("sql/catalog.toml: a table or view is listed twice")
    return Catalog(tables, views, excluded, hashlib.sha256(text.encode()).hexdigest())


@cache
def load(path: Path = CATALOG_FILE) -> Catalog:
    return parse(path.read_text(encoding="utf-8"))


# --- The docs section ------------------------------------------------------------------


def _cell(text: str) -> str:
    """Text for a Markdown table cell: a "|" would end the cell."""
    return text.replace("|", "\\|")


def _relation_doc(relation: Relation) -> list[str]:
    lines = [f"#### `{relation.name}`", "", relation.comment, "", "| column | meaning |", "|---|---|"]
    lines += [f"| `{c.name}` | {_cell(c.comment)} |" for c in relation.columns]
    if relation.excluded_columns:
        lines += ["", "Not copied: " + "; ".join(f"`{c}` ({why})" for c, why in relation.excluded_columns) + "."]
    return [*lines, ""]


def docs_section(catalog: Catalog) -> str:
    """The catalog section of docs/analysts.md, between its markers."""
    lines = [DOCS_BEGIN, "", "### The views (schema `analytics`)", ""]
    for view in catalog.views:
        lines += _relation_doc(view)
    lines += ["### The tables, copied from the warehouse", ""]
    for table in catalog.tables:
        lines += _relation_doc(table)
    lines += ["### Kept out of the copy (the warehouse keeps them)", "", "| table | why |", "|---|---|"]
    lines += [f"| `{name}` | {_cell(why)} |" for name, why in catalog.excluded]
    return "\n".join([*lines, "", DOCS_END])


def docs_with_section(text: str, catalog: Catalog) -> str:
    """`text` (docs/analysts.md) with the part between the markers generated afresh."""
    begin, end = text.find(DOCS_BEGIN), text.find(DOCS_END)
    if begin < 0 or end < begin:
        raise ValueError(f"{DOCS_FILE.name} lacks the catalog markers")
    return text[:begin] + docs_section(catalog) + text[end + len(DOCS_END) :]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.analysts.catalog", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/analysts.md is not as generated")
    args = parser.parse_args(argv)
    text = DOCS_FILE.read_text(encoding="utf-8")
    generated = docs_with_section(text, load())
    if generated == text:
        return 0
    if args.check:
        print(f"{DOCS_FILE} differs from sql/catalog.toml: run python -m pipelines.analysts.catalog", file=sys.stderr)
        return 1
    DOCS_FILE.write_text(generated, encoding="utf-8")
    print(f"wrote {DOCS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
