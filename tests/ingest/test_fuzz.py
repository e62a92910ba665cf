"""Seeded mutations of real submissions of every supported type, truncated ones included:
the reading functions never raise, and a whole run over hundreds of them never fails."""

import random

import duckdb
import pytest
from corpus import HEADER, LETTER_ROWS, delimited, html_table, spreadsheet_xml, to_cp1258, xls, xlsx
from helpers import SAMPLES, copy_samples

from pipelines.cli import main
from pipelines.core.scope import configured_scope
from pipelines.ingest.submissions import ReadFile, parse_batch, read_submission

SEED = 20261129
COPIES = 2_000


def originals() -> list[tuple[bytes, str]]:
    """One real submission of each supported kind: (bytes, suffix)."""
    table = [HEADER, *LETTER_ROWS]
    text = delimited(table)
    return [
        ((SAMPLES / "2024-07" / "Phước Hưng.xlsx").read_bytes(), ".xlsx"),
        (xlsx(table), ".xlsx"),
        (xls(table), ".xls"),
        (text.encode("utf-8"), ".csv"),
        (to_cp1258(delimited(table, ",")), ".csv"),
        (delimited(table, "\t").encode("utf-16"), ".txt"),
        (html_table(table, "Báo cáo tháng 7/2024"), ".xls"),
        (spreadsheet_xml(table, "Báo cáo tháng 7/2024"), ".xls"),
    ]


def mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 12)):
        kind = rng.random()
        at = rng.randrange(len(out)) if out else 0
        if kind < 0.6 and out:
            out[at] = rng.randrange(256)
        elif kind < 0.8:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif out:
            del out[at : at + rng.randint(1, 64)]
    if rng.random() < 0.25:
        out = out[: rng.randrange(len(out) + 1)]
    return bytes(out)


def mutants(count: int, seed: int = SEED) -> list[tuple[bytes, str]]:
    rng = random.Random(seed)
    sources = originals()
    return [(mutate(data, rng), suffix) for data, suffix in (rng.choice(sources) for _ in range(count))]


def test_mutated_submissions_are_read_or_rejected_never_raised():
    units = configured_scope().units
    read = [read_submission(data, suffix, "2024-07") for data, suffix in mutants(COPIES)]
    assert all(isinstance(file, ReadFile) for file in read)
    rejected = sum(file.rejection is not None for file in read)
    assert 0 < rejected < COPIES  # some mutations still read, most do not
    batch = parse_batch(read, units)  # checked together, as a run checks them
    assert len(batch.periods) == COPIES


@pytest.mark.e2e
def test_a_run_over_hundreds_of_mutated_files_publishes(tmp_path):
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    folder = data_dir / "inbox" / "2024-07"
    for index, (data, suffix) in enumerate(mutants(300, SEED + 1)):
        (folder / f"hỏng {index:03d}{suffix}").write_bytes(data)
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        received = con.execute("SELECT count(*) FROM raw.received_files").fetchone()[0]
        parsed = con.execute("SELECT count(*) FROM staging.parsed_files").fetchone()[0]
    assert parsed == received >= 250  # every distinct content parsed or rejected, none left behind
    assert (data_dir / "published" / "2024-07" / "appendix.csv").exists()
