"""Whether a derived output is still current: a digest of what it is made from, and the
record of what it was last made from (pipeline.output_records in the warehouse).

An asset that can skip its work digests everything its output is made from — the
frames it reads (or their fingerprints), the files and settings it uses, and the code
itself (`code_digest`) — and describes what it made (`files_state`: each file's size
and modification time; a table's fingerprint). When both equal the record of its last
run, the output is exactly what the work would make again, and the work is skipped. A
changed input, a changed program, a deleted or edited output: any of them and the work
is done again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import metadata as package_metadata
from pathlib import Path

import duckdb
import polars as pl

from pipelines.core.settings import REPO_ROOT, SQL_DIR
from pipelines.warehouse import db

CODE_DIR = REPO_ROOT / "pipelines"
# Bump to remake every recorded output once, whatever the digests say.
RECORD_VERSION = 1


@cache
def code_digest() -> str:
    """sha256 of the program: every pipelines/**/*.py and sql/**/*.sql (read once per process).

    Any change to the code remakes each output once, so a forgotten version bump can
    never leave files rendered by an older renderer."""
    h = hashlib.sha256()
    files = sorted([*CODE_DIR.rglob("*.py"), *SQL_DIR.rglob("*.sql")])
    for path in files:
        h.update(path.relative_to(REPO_ROOT).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


@cache
def package_versions(*names: str) -> dict[str, str]:
    """The installed versions of the libraries an output is rendered with."""
    return {name: package_metadata.version(name) for name in names}


def _json_default(value: object) -> str:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return repr(value)


def _part_bytes(value: object) -> bytes:
    """One input as bytes that differ whenever the input does (type included)."""
    if value is None:
        return b"none:"
    if isinstance(value, pl.DataFrame):
        return b"frame:" + repr(value.schema).encode() + b"\0" + value.write_csv().encode()
    if isinstance(value, bytes):
        return b"bytes:" + value
    if isinstance(value, str):
        return b"str:" + value.encode()
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=_json_default)
    return f"{type(value).__name__}:".encode() + text.encode()


def inputs_digest(parts: Mapping[str, object]) -> str:
    """sha256 of named inputs: frames, bytes, text, None, or JSON-able values (dates too)."""
    h = hashlib.sha256(f"record-version:{RECORD_VERSION}".encode())
    for name in sorted(parts):
        data = _part_bytes(parts[name])
        h.update(f"\0{name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def files_state(paths: Iterable[Path]) -> dict[str, list[int] | None]:
    """Each file's size and modification time (ns); None for a file that does not exist."""
    state: dict[str, list[int] | None] = {}
    for path in paths:
        try:
            stat = path.stat()
        except FileNotFoundError:
            state[str(path)] = None
        else:
            state[str(path)] = [stat.st_size, stat.st_mtime_ns]
    return state


def canonical(state: object) -> str:
    return json.dumps(state, sort_keys=True, ensure_ascii=False, default=_json_default)


@dataclass(frozen=True)
class OutputRecord:
    inputs_digest: str
    outputs_state: str  # canonical JSON
    metadata: dict

    def is_current(self, digest: str, state: object) -> bool:
        """True when the output was made from these inputs and is still as it was made."""
        return self.inputs_digest == digest and self.outputs_state == canonical(state)


def read_record(con: duckdb.DuckDBPyConnection, output: str, period: str) -> OutputRecord | None:
    rows = db.query(con, "select_output_record", output=output, period=period)
    if rows.is_empty():
        return None
    row = rows.row(0, named=True)
    return OutputRecord(row["inputs_digest"], row["outputs_state"], json.loads(row["metadata"]))


def write_record(
    con: duckdb.DuckDBPyConnection, output: str, period: str, digest: str, state: object, metadata: dict
) -> None:
    """Replace the record of `output` for `period` (call inside the transaction that made it, if any)."""
    db.execute(con, "delete_output_record", output=output, period=period)
    db.insert(
        con,
        "pipeline.output_records",
        pl.DataFrame(
            [
                {
                    "output": output,
                    "period": period,
                    "inputs_digest": digest,
                    "outputs_state": canonical(state),
                    "metadata": json.dumps(metadata, sort_keys=True, ensure_ascii=False, default=_json_default),
                }
            ]
        ),
    )


def fingerprint(con: duckdb.DuckDBPyConnection, query: str, **params: object) -> dict:
    """The one-row result of a fingerprint query (row count, hash sum and xor) as a dict."""
    return db.query(con, query, **params).row(0, named=True)
