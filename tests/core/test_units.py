import difflib

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.core.scope import configured_scope
from pipelines.core.units import kind_agrees, match_units, suggest_units, unit_key, units_valid_in


@pytest.fixture(scope="module")
def units():
    return units_valid_in(configured_scope().units, "2024-07")


def test_reference_has_the_thirteen_units_in_appendix_order(units):
    assert units.height == 13
    assert units["appendix_order"].to_list() == list(range(1, 14))
    assert units["unit_code"].n_unique() == 13
    assert set(units["kind"]) == {"xã", "thị trấn"}


@pytest.mark.parametrize("name", ["Xã Phước Hưng", "PHUOC HUNG", "phước hưng", "Phuoc  Hung", "xã phuoc hưng"])
def test_commune_spellings(units, name):
    assert match_units(pl.Series([name]), units).to_list() == ["21961"]


@pytest.mark.parametrize("name", ["TT. Diêu Trì", "Thị trấn Diêu Trì", "TT Dieu Tri", "Diêu Trì"])
def test_town_spellings(units, name):
    assert match_units(pl.Series([name]), units).to_list() == ["21955"]


def test_unknown_name_gets_suggestions(units):
    assert match_units(pl.Series(["Phước Hưngg"]), units).to_list() == [None]
    assert suggest_units("Phuoc Hungg", units)[0] == units.filter(pl.col("unit_code") == "21961")["unit_name"][0]


@pytest.fixture(scope="module")
def many_units():
    from benchmarks.synthetic import synthetic_units

    return synthetic_units(3000, seed=5)


def _difflib_suggestions(name: str, units: pl.DataFrame) -> list[str]:
    """What suggest_units promises: difflib's closest matches over every unit's key."""
    official = {unit_key(n): n for n in units["unit_name"].to_list()}
    return [official[k] for k in difflib.get_close_matches(unit_key(name), list(official), n=3, cutoff=0.5)]


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_suggestions_are_difflibs_closest_matches(many_units, units, data):
    # A real name with a few letters changed, dropped or added, or any text at all.
    chosen = data.draw(st.sampled_from([units, many_units]))
    name = data.draw(st.sampled_from(chosen["unit_name"].to_list()))
    edits = data.draw(
        st.lists(
            st.tuples(
                st.integers(0, 40),
                st.sampled_from(["del", "sub", "ins"]),
                st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxy ")),
            ),
            max_size=5,
        )
    )
    for position, op, letter in edits:
        i = position % (len(name) or 1)
        name = {
            "del": name[:i] + name[i + 1 :],
            "sub": name[:i] + letter + name[i + 1 :],
            "ins": name[:i] + letter + name[i:],
        }[op]
    assert suggest_units(name, chosen) == _difflib_suggestions(name, chosen)
    text = data.draw(st.text(max_size=12))
    assert suggest_units(text, chosen) == _difflib_suggestions(text, chosen)


def test_unit_key_drops_prefixes():
    assert unit_key("Thị trấn Tuy Phước") == unit_key("TT. Tuy Phước") == "tuy phuoc"


PREFIXES = ["", "Xã ", "xã ", "XÃ ", "TT ", "TT. ", "TT.", "tt ", "Thị trấn ", "THỊ TRẤN ", "thi tran "]
UNITS_2024 = units_valid_in(configured_scope().units, "2024-07")


def strip_marks(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d").replace("Đ", "D")


@settings(deadline=None)  # no timing in tests: Polars warm-up varies
@given(
    st.sampled_from(UNITS_2024.select("unit_code", "unit_name", "kind").rows()),
    st.sampled_from(PREFIXES),
    st.sampled_from([str, str.upper, str.lower, str.title, strip_marks]),
    st.sampled_from(["NFC", "NFD"]),
    st.text(alphabet=" \u00a0", max_size=3),
)
def test_every_unit_is_found_however_it_is_written(unit, prefix, case, form, padding):
    import unicodedata

    code, name, kind = unit
    official = name.removeprefix("TT ")  # the reference writes towns "TT Tuy Phước"
    written = unicodedata.normalize(form, padding + prefix + case(official).replace(" ", "  ") + padding)
    # A stated kind must be the unit's: "TT Phước Hưng" names no unit (Phước Hưng is a xã).
    expected = code if kind_agrees(written, kind) else None
    assert match_units(pl.Series([written]), UNITS_2024).to_list() == [expected]


@settings(deadline=None)  # no timing in tests: Polars warm-up varies
@given(st.text(max_size=30))
def test_unit_key_is_idempotent_and_blind_to_form_and_case(text):
    import unicodedata

    key = unit_key(text)
    assert unit_key(key) == key
    assert unit_key(unicodedata.normalize("NFD", text)) == key == unit_key(unicodedata.normalize("NFC", text))
    assert unit_key(text.upper()) == unit_key(text.lower()) or not text.isascii()


@pytest.mark.parametrize(
    "period, name, code",
    [
        ("2024-07", "TT Tuy Phước", "21952"),
        ("2024-07", "Tuy Phước", "21952"),
        ("2024-07", "Xã Tuy Phước", None),
        ("2025-08", "Xã Tuy Phước", "21952"),
        ("2025-08", "Tuy Phước", "21952"),
        ("2025-08", "TT Tuy Phước", None),
        ("2025-08", "Thị trấn Tuy Phước", None),
    ],
)
def test_a_stated_kind_must_match_the_units_kind(period, name, code):
    """Code 21952 is the town before 1/7/2025 and the merged commune after: "TT" and "Xã" tell them apart."""
    units = units_valid_in(configured_scope().units, period)
    assert match_units(pl.Series([name]), units).to_list() == [code]


def test_a_town_named_after_the_merger_is_told_where_it_went():
    from pipelines.core.crosswalk import unit_not_in_period
    from pipelines.core.scope import configured_scope

    scope = configured_scope()
    units = units_valid_in(configured_scope().units, "2025-08")
    detail = unit_not_in_period("TT Tuy Phước", units, scope.units, scope.crosswalk)["detail"]
    assert "TT Tuy Phước đã sáp nhập vào Xã Tuy Phước" in detail
