"""The examples analysts are shown, taken from the README and docs/analysts.md as written.

- Queries: every statement of a ```sql block, and the text of every `-c "…"` argument of
  a ```sh block (the DuckDB CLI's, the project's shell's).
- Python examples: every ```python block, each with the last query shown before it in the
  same file: the example answers that question from the Parquet files.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from helpers import REPO

DOCS = [REPO / "README.md", REPO / "docs" / "analysts.md"]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
C_ARGUMENT = re.compile(r'\s-c\s+"((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Example:
    source: Path
    kind: str  # "sql" or "python"
    text: str
    question: str | None = None  # python: the query it answers


def _statements(sql: str) -> list[str]:
    return [
        s.strip()
        for s in sql.split(";")
        if s.strip() and not all(line.lstrip().startswith("--") for line in s.strip().splitlines())
    ]


def examples(paths: list[Path] = DOCS) -> list[Example]:
    found = []
    for path in paths:
        last = None
        for match in FENCE.finditer(path.read_text(encoding="utf-8")):
            language, body = match.group(1), match.group(2)
            if language == "sql":
                queries = _statements(body)
            elif language in ("sh", "console", "bash"):
                queries = [q for argument in C_ARGUMENT.findall(body) for q in _statements(argument)]
            elif language == "python":
                found.append(Example(path, "python", body, last))
                continue
            else:
                continue
            for query in queries:
                found.append(Example(path, "sql", query))
                last = query
    return found


def queries() -> list[str]:
    return [e.text for e in examples() if e.kind == "sql"]
