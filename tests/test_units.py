import polars as pl
import pytest

from pipelines.settings import REFERENCE_DIR
from pipelines.units import load_units, match_units, suggest_units, unit_key, units_valid_in


@pytest.fixture(scope="module")
def units():
    return units_valid_in(load_units(REFERENCE_DIR / "units.csv"), "2024-07")


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


def test_unit_key_drops_prefixes():
    assert unit_key("Thị trấn Tuy Phước") == unit_key("TT. Tuy Phước") == "tuy phuoc"
