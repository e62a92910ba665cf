"""A small read-only SQL shell on the analysts' copy (`make sql`, `python -m pipelines sql`).

Statements end with ";" and may span lines. `.tables` lists tables and views, `.quit`
leaves. The connection is read-only: nothing an analyst types can change the copy, and
the pipeline never waits for it (it replaces the copy by renaming a new file over it;
reconnect with `.reload` to see the latest run).
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from pipelines.warehouse import db

PROMPT, CONTINUATION = "sql> ", "...> "
BANNER = (
    "Kho dữ liệu cho phân tích (chỉ đọc): {path}\n"
    "Kết thúc câu lệnh bằng ';'. Lệnh: .tables  .reload  .quit\n"
    "Ví dụ: SELECT * FROM analytics.latest_figures WHERE period = '2024-07';"
)


def _run(con: duckdb.DuckDBPyConnection, text: str) -> None:
    try:
        result = con.sql(text)
        if result is not None:
            result.show(max_rows=200, max_width=200)
    except duckdb.Error as error:
        print(f"Lỗi: {error}", file=sys.stderr)


def run_shell(path: Path, command: str | None = None) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        if command is not None:
            _run(con, command)
            return 0
        interactive = sys.stdin.isatty()
        if interactive:
            import readline  # noqa: F401  (line editing and history for input())

            print(BANNER.format(path=path))
        buffer: list[str] = []
        while True:
            try:
                line = input(CONTINUATION if buffer else PROMPT) if interactive else sys.stdin.readline()
            except EOFError:
                break
            if not interactive and line == "":
                break
            stripped = line.strip()
            if not buffer and stripped in {".quit", ".exit"}:
                break
            if not buffer and stripped == ".tables":
                _run(con, db.sql("queries/select_catalog"))
                continue
            if not buffer and stripped == ".reload":
                con.close()
                con = duckdb.connect(str(path), read_only=True)
                continue
            buffer.append(line)
            if stripped.endswith(";"):
                _run(con, "\n".join(buffer))
                buffer = []
        if buffer and "".join(buffer).strip():
            _run(con, "\n".join(buffer))
        return 0
    finally:
        con.close()
