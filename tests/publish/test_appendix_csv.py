"""render_csv writes with Polars in one pass; a spreadsheet's CSV parser reads back every cell."""

import csv
import io

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.core.text import spreadsheet_safe
from pipelines.publish.csv_text import render_csv

TEXT = st.one_of(st.none(), st.text(alphabet=st.sampled_from(list("ab,\"\n\r;=+-@\t ếĐ'x1")), max_size=6))
INTS = st.one_of(st.none(), st.integers(-(10**12), 10**12))
RATES = st.one_of(
    st.none(),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.sampled_from([0.005, 0.015, 62.965, 54.815, 100.0, 0.0, -0.0, 1.125, 2.675]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(TEXT, INTS, RATES), max_size=6))
def test_every_cell_reads_back_as_one_cell(rows):
    """Whatever a cell holds (commas, quotes, CR, LF, a leading =), a CSV parser reads the
    rows and cells written: a formula-safe text, an integer, a rate with two decimals."""
    frame = pl.DataFrame(rows, schema={"name": pl.String, "n": pl.Int64, "rate": pl.Float64}, orient="row")
    text = render_csv(frame, ["name", "n", "rate"])
    expected = [["name", "n", "rate"]] + [
        [spreadsheet_safe(name or ""), "" if n is None else str(n), "" if rate is None else f"{rate:.2f}"]
        for name, n, rate in rows
    ]
    assert list(csv.reader(io.StringIO(text, newline=""))) == expected


def test_render_csv_quotes_and_makes_text_formula_safe():
    frame = pl.DataFrame({"name": ["=1+1", "-", "a,b", None, ""], "rate": [62.965, None, 54.81, 0.0, 1.0]})
    assert render_csv(frame, ["name", "rate"]) == 'name,rate\n\'=1+1,62.97\n-,\n"a,b",54.81\n,0.00\n,1.00\n'
