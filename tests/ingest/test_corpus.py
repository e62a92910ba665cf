"""The generated corpus: every hostile file gets its code, every accepted shape its figures."""

import pytest
from corpus import Case, accepted_cases, hostile_cases

from pipelines.core.scope import configured_scope
from pipelines.ingest.submissions import parse_submission

UNITS = configured_scope().units
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


def test_the_whole_corpus_checked_as_one_batch_gives_each_file_what_it_gets_alone():
    """A run checks all its files together (`parse_batch`): no file's figures, rejections
    or period may depend on the files beside it (loose ones of other periods included)."""
    from polars.testing import assert_frame_equal

    from pipelines.ingest.submissions import parse_batch, read_submission

    # Beside the corpus (July 2024, the 13 old units): files of August 2025, matched among
    # the 4 communes formed in July 2025, in the same batch. One names a pre-2025 unit, one
    # the town whose code the new Xã Tuy Phước reuses, one a unit that does not exist.
    header = "TT;Tên địa phương;Tổng số trẻ em;Số trẻ em đã được cập nhật;Số trẻ em đã được làm sạch\r\n"
    after = [
        Case(
            "tuy phuoc dong 2025-08.csv",
            (header + "1;Xã Tuy Phước Đông;9.000;8.000;7.000\r\n").encode(),
            figures=(("21970", 9000, 8000, 7000),),
            folder="2025-08",
        ),
        Case(
            "phuoc son 2025-08.csv",
            (header + "1;Xã Phước Sơn;100;90;80\r\n").encode(),
            "UNIT_NOT_IN_PERIOD",
            folder="2025-08",
        ),
        Case(
            "tt tuy phuoc 2025-08.csv",
            (header + "1;TT Tuy Phước;100;90;80\r\n").encode(),
            "UNIT_NOT_IN_PERIOD",
            folder="2025-08",
        ),
        Case(
            "khong co 2025-08.csv",
            (header + "1;Xã Tuy Phước Nam;100;90;80\r\n").encode(),
            "UNKNOWN_UNIT",
            folder="2025-08",
        ),
    ]
    for case in after:
        alone = parse(case)
        assert set(alone.rejections["code"].to_list()) == ({case.code} if case.code else set())
        assert figures(alone) == sorted(case.figures)
    cases = HOSTILE + after + ACCEPTED
    read = [
        read_submission(c.data, c.suffix, loose_bounds=BOUNDS)
        if c.folder is None
        else read_submission(c.data, c.suffix, c.folder)
        for c in cases
    ]
    batch = parse_batch(read, UNITS, keep_sheets=True)
    assert len({p for p in batch.periods if p}) >= 2  # periods of several months in one batch
    for index, case in enumerate(cases):
        alone, together = parse(case), batch.file(index)
        assert_frame_equal(together.rows, alone.rows)
        assert_frame_equal(together.rejections, alone.rejections)
        assert together.period == alone.period
        assert [s.rows for s in together.sheets] == [s.rows for s in alone.sheets]
