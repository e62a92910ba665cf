"""The crosswalk: reference data consistent with the units, exact re-aggregation, messages."""

import datetime as dt

import polars as pl
import pytest
from helpers import REPO
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from pipelines.core.crosswalk import (
    CROSSWALK_SCHEMA,
    last_change,
    load_crosswalk,
    reaggregate,
    unit_not_in_period,
)
from pipelines.core.numbers import clean_rate_pct
from pipelines.core.scope import configured_scope
from pipelines.core.units import UNIT_SCHEMA, load_units, units_valid_in
from pipelines.warehouse.history import clean_rate_history, clean_rate_history_as_of

COUNTS = ["total_children", "updated", "cleaned"]
REORG = dt.date(2025, 7, 1)


# A check of the committed reference data: every crosswalk row names units that exist
# where it says (the crosswalk's units valid the day before, its successors on the day).
def valid_on(units: pl.DataFrame, code: str, day: dt.date) -> dict | None:
    found = units.filter(
        (pl.col("unit_code") == code)
        & (pl.col("valid_from") <= day)
        & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= day))
    )
    return found.row(0, named=True) if found.height else None


def crosswalk_problems(crosswalk: pl.DataFrame, units: pl.DataFrame) -> list[str]:
    """Rows whose units do not exist where the crosswalk says (empty when consistent)."""
    problems = []
    for row in crosswalk.iter_rows(named=True):
        day = row["effective_date"]
        before = valid_on(units, row["from_code"], day - dt.timedelta(days=1))
        after = valid_on(units, row["to_code"], day)
        if before is None or before["unit_name"] != row["from_name"]:
            problems.append(f"{row['from_code']} {row['from_name']}: not a unit the day before {day}")
        if after is None or after["unit_name"] != row["to_name"]:
            problems.append(f"{row['to_code']} {row['to_name']}: not a unit on {day}")
    return problems


@pytest.fixture(scope="module")
def units():
    return configured_scope().units


@pytest.fixture(scope="module")
def crosswalk():
    return configured_scope().crosswalk


@pytest.fixture(scope="module")
def figures():
    """The bundled sample figures (13 old units, 2024-04 … 2024-07)."""
    return pl.read_csv(REPO / "data" / "samples" / "figures.csv", schema_overrides={"unit_code": pl.String})


def test_crosswalk_matches_the_units(units, crosswalk):
    assert crosswalk_problems(crosswalk, units) == []
    old = units_valid_in(units, "2025-06")
    new = units_valid_in(units, "2025-07")
    assert old.height == 13 and new.height == 4
    # Every old unit goes to exactly one new unit; every new unit is formed from some.
    assert sorted(crosswalk["from_code"].to_list()) == sorted(old["unit_code"].to_list())
    assert set(crosswalk["to_code"]) == set(new["unit_code"])
    assert set(crosswalk["effective_date"]) == {REORG}
    assert all("1664/NQ-UBTVQH15" in r for r in crosswalk["resolution"])


def test_crosswalk_problems_are_found(units, crosswalk):
    broken = crosswalk.with_columns(
        pl.when(pl.col("from_name") == pl.col("from_name").first())
        .then(pl.lit("Không có"))
        .otherwise(pl.col("from_name"))
        .alias("from_name")
    )
    assert len(crosswalk_problems(broken, units)) == 1


def crosswalk_sums_by_hand(figures: pl.DataFrame) -> dict[tuple[str, str], dict[str, int]]:
    """(period, new unit code) → summed counts, with plain Python over the scope's pairs."""
    to_new = {r["from_code"]: r["to_code"] for r in configured_scope().crosswalk.iter_rows(named=True)}
    sums: dict[tuple[str, str], dict[str, int]] = {}
    for row in figures.iter_rows(named=True):
        key = (row["period"], to_new[row["unit_code"]])
        bucket = sums.setdefault(key, dict.fromkeys(COUNTS, 0))
        for c in COUNTS:
            bucket[c] += row[c]
    return sums


def test_reaggregation_is_exact_for_every_period_and_measure(units, crosswalk, figures):
    expected = crosswalk_sums_by_hand(figures)
    snapshots = figures.select("period", "unit_code", *COUNTS)
    result = reaggregate(snapshots, units, crosswalk, "2025-08")
    got = {(r["period"], r["unit_code"]): {c: r[c] for c in COUNTS} for r in result.iter_rows(named=True)}
    assert got == expected
    assert result["complete"].all()
    assert len(got) == 4 * figures["period"].n_unique()
    # Whole-scope totals are unchanged by re-expressing the units.
    before = snapshots.group_by("period").agg(pl.col(c).sum() for c in COUNTS).sort("period")
    after = result.group_by("period").agg(pl.col(c).sum() for c in COUNTS).sort("period")
    assert before.equals(after)


def test_history_in_new_units_recomputes_rates_from_sums(units, crosswalk, figures):
    snapshots = figures.select("period", "unit_code", *COUNTS)
    history = clean_rate_history(
        reaggregate(snapshots, units, crosswalk, "2025-08"), units_valid_in(units, "2025-08"), "2025-08"
    )
    expected = crosswalk_sums_by_hand(figures)
    for row in history.filter(pl.col("unit_code").is_not_null()).iter_rows(named=True):
        sums = expected[(row["period"], row["unit_code"])]
        rate = pl.select(clean_rate_pct(pl.lit(sums["cleaned"]), pl.lit(sums["total_children"]))).item()
        assert row["clean_rate_pct"] == rate
    # The mean of the five old units' rates is not the new unit's rate.
    july = figures.filter(pl.col("period") == "2024-07")
    old_rates = july.filter(pl.col("unit_code").is_in(["21952", "21955", "21982", "21979", "21976"])).select(
        clean_rate_pct(pl.col("cleaned"), pl.col("total_children"))
    )
    new_rate = history.filter((pl.col("period") == "2024-07") & (pl.col("unit_code") == "21952"))["clean_rate_pct"][0]
    assert new_rate == 67.67 and round(old_rates.to_series().mean(), 2) != new_rate
    # In its own period's units the history keeps all 13 (the code 21952 is TT Tuy Phước there).
    old_view = clean_rate_history(
        reaggregate(snapshots, units, crosswalk, "2024-07"), units_valid_in(units, "2024-07"), "2024-07"
    )
    assert old_view.filter(pl.col("period") == "2024-07").height == 14
    assert old_view.filter(pl.col("unit_code") == "21952")["unit_name"].unique().to_list() == ["TT Tuy Phước"]


@pytest.mark.parametrize("as_of", ["2024-07", "2025-06", "2025-07", "2025-08"])
def test_a_periods_rows_need_only_that_periods_snapshots(units, crosswalk, figures, as_of):
    """marts.clean_rate_history keeps each period's own rows, made from that period's
    snapshots alone; the history as of a later period is assembled from all of them.
    Both must give the same rows wherever they meet, across the 2025 reorganisation."""
    # The sample months before `as_of`, and July's figures reported for `as_of` itself in
    # the units valid then (after the reorganisation: summed into the new communes), one
    # unit silent.
    july = figures.filter(pl.col("period") == "2024-07")
    if as_of < "2025-07":
        own_period = july.with_columns(pl.lit(as_of).alias("period")).filter(pl.col("unit_code") != "21955")
    else:
        sums = crosswalk_sums_by_hand(july)
        own_period = pl.DataFrame(
            [{"period": as_of, "unit_code": code, **counts} for (_, code), counts in sums.items()]
        )
        own_period = own_period.filter(pl.col("unit_code") != own_period["unit_code"].min())
    snapshots = pl.concat(
        [
            figures.filter(pl.col("period") < as_of).select("period", "unit_code", *COUNTS),
            own_period.select("period", "unit_code", *COUNTS),
        ],
        how="vertical_relaxed",
    )
    whole = clean_rate_history_as_of(snapshots, units, crosswalk, as_of)
    own = clean_rate_history_as_of(snapshots.filter(pl.col("period") == as_of), units, crosswalk, as_of)
    assert own.height > 0
    assert_frame_equal(whole.filter(pl.col("period") == as_of), own)
    # Earlier periods come in `as_of`'s units, summed through the crosswalk.
    assert set(whole.filter(pl.col("period") < as_of)["unit_code"].drop_nulls()) <= set(
        units_valid_in(units, as_of)["unit_code"]
    )


def test_a_new_unit_missing_a_former_unit_is_left_out_not_undercounted(units, crosswalk, figures):
    july = figures.filter((pl.col("period") == "2024-07") & (pl.col("unit_code") != "21955"))  # TT Diêu Trì silent
    snapshots = july.select("period", "unit_code", *COUNTS)
    result = reaggregate(snapshots, units, crosswalk, "2025-08")
    incomplete = result.filter(~pl.col("complete"))
    assert incomplete["unit_code"].to_list() == ["21952"] and incomplete["reported"][0] == 4
    history = clean_rate_history(result, units_valid_in(units, "2025-08"), "2025-08")
    assert "21952" not in history["unit_code"].to_list()
    # The scope's row still sums what was reported, as that period's appendix total did.
    total = history.filter(pl.col("unit_code").is_null()).row(0, named=True)
    assert total["total_children"] == july["total_children"].sum()


def test_successive_reorganisations_chain(tmp_path):
    (tmp_path / "units.csv").write_text(
        "unit_code,unit_name,kind,parent_code,appendix_order,valid_from,valid_to,aliases\n"
        "1,Ấp Một,xã,,1,1900-01-01,2020-12-31,\n"
        "2,Ấp Hai,xã,,2,1900-01-01,2020-12-31,\n"
        "1,Xã Một Hai,xã,,1,2021-01-01,2022-12-31,\n"
        "3,Xã Ba,xã,,2,1900-01-01,2022-12-31,\n"
        "9,Xã Chín,xã,,1,2023-01-01,,\n",
        encoding="utf-8",
    )
    (tmp_path / "crosswalk.csv").write_text(
        "from_code,from_name,to_code,to_name,effective_date,resolution\n"
        "1,Ấp Một,1,Xã Một Hai,2021-01-01,A\n2,Ấp Hai,1,Xã Một Hai,2021-01-01,A\n"
        "1,Xã Một Hai,9,Xã Chín,2023-01-01,B\n3,Xã Ba,9,Xã Chín,2023-01-01,B\n",
        encoding="utf-8",
    )
    units, crosswalk = load_units(tmp_path / "units.csv"), load_crosswalk(tmp_path / "crosswalk.csv")
    assert crosswalk_problems(crosswalk, units) == []
    snapshots = pl.DataFrame(
        {
            "period": ["2020-06", "2020-06", "2020-06", "2022-06", "2022-06", "2023-06"],
            "unit_code": ["1", "2", "3", "1", "3", "9"],
            "total_children": [10, 20, 30, 35, 40, 80],
            "updated": [5, 5, 5, 10, 10, 70],
            "cleaned": [1, 2, 3, 4, 5, 60],
        }
    )
    result = reaggregate(snapshots, units, crosswalk, "2023-06")
    assert result.select("period", "unit_code", "total_children", "cleaned", "complete").rows() == [
        ("2020-06", "9", 60, 6, True),
        ("2022-06", "9", 75, 9, True),
        ("2023-06", "9", 80, 60, True),
    ]
    middle = reaggregate(snapshots, units, crosswalk, "2022-06")
    assert middle.filter(pl.col("period") == "2020-06").select("unit_code", "total_children").rows() == [
        ("1", 30),
        ("3", 30),
    ]


def test_old_unit_after_the_change_names_its_successor(units, crosswalk):
    found = unit_not_in_period("Xã Phước Sơn", units_valid_in(units, "2025-08"), units, crosswalk)
    assert found["period"] == "8/2025"
    assert "Xã Tuy Phước Đông" in found["detail"] and "01/07/2025" in found["detail"]
    assert "1664/NQ-UBTVQH15" in found["detail"]


def test_new_unit_before_the_change_names_the_units_it_was_formed_from(units, crosswalk):
    found = unit_not_in_period("Tuy Phước Tây", units_valid_in(units, "2024-07"), units, crosswalk)
    assert found["period"] == "7/2024"
    assert "Phước An, Phước Thành" in found["detail"]


def test_names_of_no_unit_at_all_are_left_to_unknown_unit(units, crosswalk):
    assert unit_not_in_period("Phường Không Có", units_valid_in(units, "2025-08"), units, crosswalk) is None
    assert unit_not_in_period(None, units_valid_in(units, "2025-08"), units, crosswalk) is None
    # A frame without the period (not from units_valid_in) cannot say "in this period".
    assert unit_not_in_period("Phước Sơn", units.filter(pl.col("valid_from") > REORG), units, crosswalk) is None


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_reaggregation_sums_any_figures_exactly(data):
    units = configured_scope().units
    crosswalk = configured_scope().crosswalk
    to_new = dict(crosswalk.select("from_code", "to_code").iter_rows())
    old_codes = sorted(to_new)
    periods = data.draw(
        st.lists(st.sampled_from(["2024-01", "2024-12", "2025-03", "2025-06"]), min_size=1, unique=True)
    )
    rows = []
    for period in periods:
        for code in old_codes:
            total = data.draw(st.integers(0, 10**7))
            updated = data.draw(st.integers(0, total))
            rows.append((period, code, total, updated, data.draw(st.integers(0, updated))))
    snapshots = pl.DataFrame(rows, schema=["period", "unit_code", *COUNTS], orient="row")
    result = reaggregate(snapshots, units, crosswalk, data.draw(st.sampled_from(["2025-07", "2026-01"])))
    expected: dict[tuple[str, str], list[int]] = {}
    for period, code, *counts in rows:
        bucket = expected.setdefault((period, to_new[code]), [0, 0, 0])
        for i, value in enumerate(counts):
            bucket[i] += value
    assert {(r[0], r[1]): list(r[2:5]) for r in result.select("period", "unit_code", *COUNTS).rows()} == expected
    assert result["complete"].all()


def test_the_last_change_is_a_version_begun_or_ended_or_a_reorganisation(units, crosswalk):
    assert last_change(units, crosswalk, "2025-06") < dt.date(2025, 1, 1)
    assert last_change(units, crosswalk, "2025-07") == REORG
    assert last_change(units, crosswalk, "2026-03") == REORG
    one = pl.DataFrame(
        [
            {
                "unit_code": "1",
                "unit_name": "Xã Một",
                "kind": "xã",
                "parent_code": None,
                "appendix_order": 1,
                "valid_from": dt.date(2020, 1, 1),
                "valid_to": dt.date(2024, 3, 14),
                "aliases": None,
            },
        ],
        schema=UNIT_SCHEMA,
    )
    no_crosswalk = pl.DataFrame(schema=CROSSWALK_SCHEMA)
    assert last_change(one, no_crosswalk, "2019-12") is None
    assert last_change(one, no_crosswalk, "2024-03") == dt.date(2020, 1, 1)
    assert last_change(one, no_crosswalk, "2024-04") == dt.date(2024, 3, 15)  # the day after it ended


PERIODS = [f"2024-{m:02d}" for m in range(1, 13)]
DAYS = [
    dt.date(2024, 1, 1),
    dt.date(2024, 3, 1),
    dt.date(2024, 3, 16),
    dt.date(2024, 6, 1),
    dt.date(2024, 8, 10),
    dt.date(2024, 10, 1),
]


def reaggregate_by_definition(snapshots: list[tuple], units: list[dict], crosswalk: list[dict], as_of: str) -> dict:
    """(period, unit_code) → (counts, reported, complete), in plain Python, from the
    definitions alone: every row moved along each reorganisation after its period's first
    day, up to `as_of`'s, in date order; a unit expects as many sources as the unit
    versions valid on the period's first day that move into it."""
    as_of_day = dt.date.fromisoformat(f"{as_of}-01")

    def moved(code: str, period: str) -> str | None:
        day = dt.date.fromisoformat(f"{period}-01")
        for effective in sorted({c["effective_date"] for c in crosswalk}):
            if day < effective <= as_of_day:
                moves = {c["from_code"]: c["to_code"] for c in crosswalk if c["effective_date"] == effective}
                if code in moves:
                    code = moves[code]
        return code

    def valid(unit: dict, period: str) -> bool:
        day = dt.date.fromisoformat(f"{period}-01")
        return unit["valid_from"] <= day and (unit["valid_to"] is None or day <= unit["valid_to"])

    result: dict[tuple[str, str], list] = {}
    for period, code, *counts in snapshots:
        if period > as_of:
            continue
        entry = result.setdefault((period, moved(code, period)), [[0, 0, 0], 0])
        entry[0] = [a + b for a, b in zip(entry[0], counts, strict=True)]
        entry[1] += 1
    out = {}
    for (period, code), (counts, reported) in result.items():
        expected = sum(1 for u in units if valid(u, period) and moved(u["unit_code"], period) == code)
        out[(period, code)] = (tuple(counts), reported, reported == expected)
    return out


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_reaggregation_matches_its_definition_with_units_begun_and_ended_any_day(data):
    """Periods after the units' last change are taken as they are, earlier ones summed
    through the crosswalk: together, exactly what the definition gives, for units begun
    or ended on any day (mid-month too), codes with two versions valid at once, codes of
    no unit, and reorganisations on any of those days."""
    codes = ["1", "2", "3", "4"]
    units = []
    for code in codes:
        for _ in range(data.draw(st.integers(1, 2))):
            start = data.draw(st.sampled_from([dt.date(2000, 1, 1), *DAYS]))
            end = data.draw(st.sampled_from([None, *[d - dt.timedelta(days=1) for d in DAYS if d > start]]))
            units.append(
                {
                    "unit_code": code,
                    "unit_name": f"Xã {code}",
                    "kind": "xã",
                    "parent_code": None,
                    "appendix_order": int(code),
                    "valid_from": start,
                    "valid_to": end,
                    "aliases": None,
                }
            )
    crosswalk = [
        {
            "from_code": a,
            "from_name": f"Xã {a}",
            "to_code": b,
            "to_name": f"Xã {b}",
            "effective_date": day,
            "resolution": "R",
        }
        for a, b, day in data.draw(
            st.lists(
                st.tuples(st.sampled_from(codes), st.sampled_from(codes), st.sampled_from(DAYS)),
                max_size=3,
                unique_by=lambda t: (t[0], t[2]),
            )
        )
    ]
    keys = data.draw(
        st.lists(st.tuples(st.sampled_from(PERIODS), st.sampled_from([*codes, "9"])), unique=True, max_size=30)
    )
    snapshots = [(p, c, *data.draw(st.tuples(*[st.integers(0, 10**6)] * 3))) for p, c in keys]
    as_of = data.draw(st.sampled_from(PERIODS))
    frame = pl.DataFrame(
        snapshots, schema={"period": pl.String, "unit_code": pl.String, **dict.fromkeys(COUNTS, pl.Int64)}, orient="row"
    )
    result = reaggregate(
        frame, pl.DataFrame(units, schema=UNIT_SCHEMA), pl.DataFrame(crosswalk, schema=CROSSWALK_SCHEMA), as_of
    )
    got = {
        (r["period"], r["unit_code"]): (tuple(r[c] for c in COUNTS), r["reported"], r["complete"])
        for r in result.iter_rows(named=True)
    }
    assert got == reaggregate_by_definition(snapshots, units, crosswalk, as_of)
    assert result.select("period", "unit_code").rows() == sorted(got)
