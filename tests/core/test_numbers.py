import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.core import numbers


def parse(values):
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return frame.select(numbers.count_expr(pl.col("v")).alias("n"), numbers.count_problem_expr(pl.col("v")).alias("p"))


@pytest.mark.parametrize(
    "text, value",
    [
        ("3158", 3158),
        ("3.158", 3158),
        (" 45.349 ", 45349),
        ("1.234.567", 1234567),
        ("12 345", 12345),
        ("-", 0),
        ("–", 0),
        ("0", 0),
        ("3\u00a0158", 3158),
    ],
)
def test_counts_as_officers_type_them(text, value):
    row = parse([text]).row(0, named=True)
    assert row == {"n": value, "p": numbers.OK}


@pytest.mark.parametrize(
    "text, problem",
    [
        ("3624,5", numbers.NOT_WHOLE),
        ("3158.5", numbers.NOT_WHOLE),
        ("3.15", numbers.NOT_WHOLE),
        ("-5", numbers.NEGATIVE),
        ("- 1.200", numbers.NEGATIVE),
        ("năm nghìn", numbers.NOT_A_NUMBER),
        ("12a", numbers.NOT_A_NUMBER),
        ("", numbers.EMPTY),
        (None, numbers.EMPTY),
    ],
)
def test_bad_counts_say_why(text, problem):
    row = parse([text]).row(0, named=True)
    assert row["n"] is None
    assert row["p"] == problem


@given(st.integers(min_value=0, max_value=10**12))
def test_any_whole_number_round_trips_in_vietnamese_format(value):
    text = numbers.format_vn_int(value)
    assert parse([text]).row(0) == (value, numbers.OK)
    assert parse([str(value)]).row(0) == (value, numbers.OK)


@pytest.mark.parametrize("text, rate", [("54,81", 54.81), ("54.81", 54.81), ("54,81%", 54.81), ("63", 63.0)])
def test_rates(text, rate):
    assert pl.select(numbers.rate_expr(pl.lit(text))).item() == rate


def test_clean_rate_is_half_up_on_exact_integers():
    frame = pl.DataFrame({"c": [1731, 28554, 3304, 1, 0], "t": [3158, 45349, 3958, 8, 0]})
    rates = frame.select(numbers.clean_rate_pct(pl.col("c"), pl.col("t"))).to_series().to_list()
    # 1/8 = 12.5 % exactly; 28554/45349 = 62.965… → 62.97; zero children → no rate.
    assert rates == [54.81, 62.97, 83.48, 12.5, None]


@given(st.integers(min_value=1, max_value=10**7), st.data())
def test_clean_rate_matches_decimal_arithmetic(total, data):
    from decimal import ROUND_HALF_UP, Decimal

    cleaned = data.draw(st.integers(min_value=0, max_value=total))
    got = pl.select(numbers.clean_rate_pct(pl.lit(cleaned), pl.lit(total))).item()
    expected = (Decimal(cleaned) * 100 / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert f"{got:.2f}" == str(expected)


def test_vietnamese_display():
    assert numbers.format_vn_int(45349) == "45.349"
    assert numbers.format_vn_int(0) == "-"
    assert numbers.format_vn_int(None) == ""
    assert numbers.format_vn_rate(54.81) == "54,81"
    assert numbers.format_vn_rate(78.1) == "78,10"


def grouped(value: int, separator: str) -> str:
    return f"{value:,}".replace(",", separator)


@settings(deadline=None)  # no timing in tests: Polars warm-up varies
@given(
    st.integers(min_value=0, max_value=10**12),
    st.sampled_from([".", " ", "\u00a0", ""]),
    st.text(alphabet=" \t\u00a0", max_size=3),
    st.text(alphabet=" \t", max_size=3),
)
def test_any_count_typed_the_vietnamese_way_parses_back(value, separator, before, after):
    text = before + (grouped(value, separator) if separator else str(value)) + after
    assert parse([text]).row(0) == (value, numbers.OK)


@settings(deadline=None)  # no timing in tests: Polars warm-up varies
@given(st.integers(min_value=1, max_value=10**9), st.sampled_from([".", ""]))
def test_a_negative_count_is_never_accepted(value, separator):
    text = "-" + (grouped(value, separator) if separator else str(value))
    assert parse([text]).row(0) == (None, numbers.NEGATIVE)


@settings(deadline=None)  # no timing in tests: Polars warm-up varies
@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=99).filter(lambda d: d % 10))
def test_a_fraction_is_never_a_count(whole, fraction):
    for text in (f"{whole},{fraction}", f"{whole}.{fraction:02d}"[:-1] if fraction >= 10 else f"{whole}.{fraction}"):
        row = parse([text]).row(0, named=True)
        assert row["n"] is None and row["p"] == numbers.NOT_WHOLE, text


@settings(deadline=None)  # no timing in tests: Polars warm-up varies
@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=20))
def test_parsing_any_text_is_total_and_consistent(values):
    result = parse(values)
    assert result.height == len(values)
    for n, p in result.iter_rows():
        assert (n is not None) == (p == numbers.OK)
        assert n is None or n >= 0


@settings(deadline=None)  # no timing in tests: Polars warm-up varies
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=99))
def test_rates_parse_with_comma_or_point(whole, hundredths):
    for separator in (",", "."):
        text = f"{whole}{separator}{hundredths:02d}"
        assert pl.select(numbers.rate_expr(pl.lit(text))).item() == float(f"{whole}.{hundredths:02d}")


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=10**9), st.sampled_from([".", ","]), st.integers(min_value=1, max_value=4))
def test_a_zero_fraction_is_whole_unless_it_reads_as_thousands(value, separator, zeros):
    text = f"{value}{separator}{'0' * zeros}"
    reads_as_thousands = separator == "." and zeros == 3 and value < 1000
    expected = value * 1000 if reads_as_thousands else value
    assert parse([text]).row(0) == (expected, numbers.OK)
