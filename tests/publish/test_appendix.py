import polars as pl

from pipelines.publish.appendix import MISSING_NOTE, build_appendix, total_row, units_rows
from pipelines.quality.rules import DERIVED_CHECK, ORDER_CHECK, check_violations, total_mismatches, unknown_units


def rule_violations(appendix):
    return check_violations(appendix, ORDER_CHECK)


def derived_mismatches(appendix):
    return check_violations(appendix, DERIVED_CHECK)


UNITS = pl.DataFrame({"unit_code": ["B", "A", "C"], "unit_name": ["Bê", "Ấ", "Xê"], "appendix_order": [2, 1, 3]})


def snapshot(*items):
    return pl.DataFrame([{"unit_code": u, "total_children": t, "updated": up, "cleaned": c} for u, t, up, c in items])


def test_rows_in_official_order_then_total():
    appendix = build_appendix(snapshot(("A", 10, 8, 4), ("B", 5, 5, 5), ("C", 4, 0, 0)), UNITS)
    assert appendix["commune_name"].to_list() == ["Ấ", "Bê", "Xê", "Tổng cộng"]
    assert appendix["stt"].to_list() == [1, 2, 3, None]
    assert total_row(appendix) == {
        "stt": None,
        "commune_code": None,
        "commune_name": "Tổng cộng",
        "total_children": 19,
        "updated": 13,
        "not_updated": 6,
        "cleaned": 9,
        "not_cleaned": 4,
        "clean_rate_pct": 47.37,
        "note": None,
    }
    assert rule_violations(appendix) == total_mismatches(appendix) == derived_mismatches(appendix) == []
    assert unknown_units(appendix, UNITS) == []


def test_a_unit_that_has_not_reported_stays_with_a_note():
    appendix = build_appendix(snapshot(("A", 10, 8, 4)), UNITS)
    missing = units_rows(appendix).filter(pl.col("commune_code") != "A")
    assert missing["note"].to_list() == [MISSING_NOTE, MISSING_NOTE]
    assert missing["total_children"].to_list() == [None, None]
    assert total_row(appendix)["total_children"] == 10


def test_rules_catch_a_tampered_appendix():
    appendix = build_appendix(snapshot(("A", 10, 8, 4), ("B", 5, 5, 5), ("C", 4, 0, 0)), UNITS)
    tampered = appendix.with_columns(
        pl.when(pl.col("commune_code") == "A").then(9).otherwise(pl.col("cleaned")).alias("cleaned")
    )
    assert rule_violations(tampered) == [
        "A: Ấ: số trẻ em đã làm sạch dữ liệu (9) lớn hơn số trẻ em đã được cập nhật dữ liệu (8). "
        "Vui lòng kiểm tra lại: cột (6) không được lớn hơn cột (4)."
    ]
    assert any("cleaned" in p for p in total_mismatches(tampered))
    derived = derived_mismatches(tampered)
    assert len(derived) == 2
    assert "cột (7) ghi “4” nhưng (4) - (6) = -1" in derived[0]
    assert "cột (8) ghi “40.0” nhưng (6) / (3) × 100 = 90,00" in derived[1]
    assert unknown_units(appendix, UNITS.filter(pl.col("unit_code") != "C")) == ["C is not a unit of this period"]


def test_a_period_nobody_has_reported_yet_passes_the_rules():
    appendix = build_appendix(snapshot(("A", 1, 1, 1)).clear(), UNITS)
    assert total_row(appendix)["total_children"] == 0 and total_row(appendix)["clean_rate_pct"] is None
    assert rule_violations(appendix) == total_mismatches(appendix) == derived_mismatches(appendix) == []
