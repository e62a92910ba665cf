"""The generated corpus: every hostile file gets its code, every accepted shape its figures."""

import pytest
from corpus import accepted_cases, hostile_cases

from pipelines.settings import REFERENCE_DIR
from pipelines.submissions import parse_submission
from pipelines.units import load_units

UNITS = load_units(REFERENCE_DIR / "units.csv")
BOUNDS = ("2019-01", "2026-12")  # what the asset passes: config's first period, the current month
HOSTILE = hostile_cases()
ACCEPTED = accepted_cases()


def parse(case):
    if case.folder is None:
        return parse_submission(case.data, case.suffix, UNITS, loose_bounds=BOUNDS)
    return parse_submission(case.data, case.suffix, UNITS, case.folder)


def figures(parsed) -> list[tuple]:
    return sorted(parsed.rows.select("unit_code", "total_children", "updated", "cleaned").rows())


def test_the_corpus_is_large_enough():
    assert len(HOSTILE) >= 30
    assert len({c.name for c in HOSTILE + ACCEPTED}) == len(HOSTILE) + len(ACCEPTED)


@pytest.mark.parametrize("case", HOSTILE, ids=[c.name[:40] for c in HOSTILE])
def test_hostile_file_gets_its_code(case):
    parsed = parse(case)
    assert set(parsed.rejections["code"].to_list()) == {case.code, *case.other_codes}
    assert figures(parsed) == sorted(case.figures)
    assert parsed.rejections["message"].str.len_chars().min() > 40  # a sentence, never empty


@pytest.mark.parametrize("case", ACCEPTED, ids=[c.name[:40] for c in ACCEPTED])
def test_accepted_shape_yields_its_figures(case):
    parsed = parse(case)
    assert parsed.rejections.is_empty(), parsed.rejections["message"].to_list()
    assert figures(parsed) == sorted(case.figures)
    assert parsed.period == "2024-07"
