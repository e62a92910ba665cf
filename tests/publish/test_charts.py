"""Charts: rendered, non-empty, Vietnamese labels drawn with real glyphs, stable bytes."""

import io
import warnings
import xml.etree.ElementTree as ET

import matplotlib.image
import numpy as np
import polars as pl
import pytest
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

from pipelines.core.numbers import clean_rate_pct, format_vn_rate
from pipelines.publish.charts import FONT, bar_chart, figure_bytes, line_chart, period_charts

NAMES = ["Phước Hưng", "TT Diêu Trì", "Xã Tuy Phước Đông"]


@pytest.fixture
def history():
    rows = [
        (p, str(i), n, 1000 + i, 400 + 100 * k + 50 * i)
        for k, p in enumerate(["2024-06", "2024-07", "2024-08"])
        for i, n in enumerate(NAMES)
    ]
    frame = pl.DataFrame(rows, schema=["period", "unit_code", "unit_name", "total_children", "cleaned"], orient="row")
    totals = (
        frame.group_by("period")
        .agg(pl.col("total_children").sum(), pl.col("cleaned").sum())
        .with_columns(pl.lit(None, pl.String).alias("unit_code"), pl.lit("Tổng cộng").alias("unit_name"))
        .select(frame.columns)
    )
    both = pl.concat([frame, totals]).sort("period")
    return both.with_columns(clean_rate_pct(pl.col("cleaned"), pl.col("total_children")).alias("clean_rate_pct"))


def texts_of(figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(Text) if t.get_text()]


def missing_glyphs(figure) -> set[str]:
    font = FT2Font(findfont(FontProperties(family=FONT)))
    return {ch for text in texts_of(figure) for ch in text if not ch.isspace() and font.get_char_index(ord(ch)) == 0}


@pytest.mark.parametrize("draw", [line_chart, bar_chart])
def test_charts_carry_vietnamese_labels_with_real_glyphs(history, draw):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Matplotlib warns "Glyph … missing from font(s)".
        figure = draw(history, "2024-08", 95, "Tổng cộng")
        png = figure_bytes(figure, "png")
    texts = " ".join(texts_of(figure))
    for name in NAMES:
        assert name in texts
    assert "Tỷ lệ" in texts and "8/2024" in texts and "Mục tiêu 95%" in texts
    assert missing_glyphs(figure) == set()
    image = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert image.shape[0] > 300 and image.shape[1] > 600
    assert np.unique(image.reshape(-1, image.shape[-1]), axis=0).shape[0] > 20  # not blank


def test_a_font_without_the_glyph_would_be_caught(history):
    with pytest.warns(UserWarning, match="missing from font"):
        figure = line_chart(history.with_columns(pl.lit("漢").alias("unit_name")), "2024-08", 100, "Tổng cộng")
    assert missing_glyphs(figure) == {"漢"}


def test_period_charts_are_png_and_svg_and_reproducible(history):
    first = period_charts(history, "2024-08", 100, "Tổng cộng")
    again = period_charts(history, "2024-08", 100, "Tổng cộng")
    assert sorted(first) == [
        "bieu-do-ty-le-2024-08.png",
        "bieu-do-ty-le-2024-08.svg",
        "xep-hang-2024-08.png",
        "xep-hang-2024-08.svg",
    ]
    assert first == again
    for name, data in first.items():
        if name.endswith(".png"):
            assert data.startswith(b"\x89PNG")
        else:
            root = ET.fromstring(data)
            assert root.tag.endswith("svg") and len(root.findall(".//{http://www.w3.org/2000/svg}path")) > 50
            assert b"<dc:date>" not in data


@pytest.mark.e2e
def test_published_charts_for_july_2024(published_samples):
    folder = published_samples / "published" / "2024-07"
    for stem in ("bieu-do-ty-le-2024-07", "xep-hang-2024-07"):
        assert (folder / f"{stem}.png").stat().st_size > 10_000
        assert (folder / f"{stem}.svg").stat().st_size > 10_000


def test_months_are_on_a_time_scale_and_the_reorganisation_is_marked(history):
    import datetime as dt

    from pipelines.publish.charts import tick_periods

    later = history.with_columns(pl.col("period").replace({"2024-08": "2025-08"}))
    figure = line_chart(later, "2025-08", 100, "Tổng cộng", (dt.date(2025, 7, 1), dt.date(2030, 1, 1)))
    texts = texts_of(figure)
    assert texts.count("Sắp xếp đơn vị hành chính 01/07/2025") == 1  # the 2030 date lies outside
    assert missing_glyphs(figure) == set()
    positions = {"2024-06": 0, "2024-07": 1, "2025-08": 14}
    assert tick_periods(list(positions), positions, min_gap=14 / 12) == ["2024-06", "2025-08"]
    monthly = {f"2024-{m:02d}": m for m in range(1, 5)}
    assert tick_periods(list(monthly), monthly, min_gap=1) == list(monthly)


def test_a_large_scope_charts_its_total_and_the_lowest_units_only():
    import polars as pl

    from pipelines.publish.charts import MAX_UNITS_CHARTED, bar_chart, line_chart

    rows = [
        {"period": p, "unit_code": f"{i:05d}", "unit_name": f"Đơn vị {i}", "clean_rate_pct": float(i % 97)}
        for p in ("2024-06", "2024-07")
        for i in range(300)
    ]
    rows += [
        {"period": p, "unit_code": None, "unit_name": "Tổng cộng", "clean_rate_pct": 48.0}
        for p in ("2024-06", "2024-07")
    ]
    history = pl.DataFrame(rows)
    bars = bar_chart(history, "2024-07", 100.0, "Tổng cộng")
    labels = [t.get_text() for t in bars.axes[0].get_yticklabels()]
    assert len(labels) == MAX_UNITS_CHARTED
    assert "25 đơn vị có tỷ lệ thấp nhất trong 300 đơn vị" in bars.axes[0].get_title()
    assert bars.get_size_inches()[1] < 20
    lines = line_chart(history, "2024-07", 100.0, "Tổng cộng")
    assert [line.get_label() for line in lines.axes[0].get_lines()][:1] == ["Tổng cộng"]


@pytest.mark.parametrize("units, reporting_now", [(300, 300), (300, 12), (20, 20), (20, 5)])
def test_the_rows_charted_draw_what_the_whole_history_draws(units, reporting_now):
    """A large scope's charts are drawn from the scope's line and the period's units alone:
    the same bytes, also when fewer units than a chart holds report this period."""
    from pipelines.publish.charts import rows_charted

    periods = ("2024-05", "2024-06", "2024-07")
    rows = [
        {"period": p, "unit_code": f"{i:05d}", "unit_name": f"Đơn vị {i}", "clean_rate_pct": float((i * 7 + k) % 97)}
        for k, p in enumerate(periods)
        for i in range(units if p != "2024-07" else reporting_now)
    ]
    rows += [
        {"period": p, "unit_code": None, "unit_name": "Tổng cộng", "clean_rate_pct": 48.0 + k}
        for k, p in enumerate(periods)
    ]
    history = pl.DataFrame(rows)
    charted, units_drawn = rows_charted(history, "2024-07")
    assert units_drawn == (units <= 25)
    assert charted.height == (history.height if units <= 25 else reporting_now + len(periods))
    assert period_charts(charted, "2024-07", 90.0, "Tổng cộng", (), units_drawn) == period_charts(
        history, "2024-07", 90.0, "Tổng cộng"
    )


def test_charts_and_word_drawn_on_a_worker_are_the_bytes_drawn_here(history, monkeypatch):
    import datetime as dt

    from pipelines import scale
    from pipelines.publish.appendix import build_appendix
    from pipelines.publish.appendix_docx import appendix_docx_bytes

    monkeypatch.setenv(scale.WORKERS_ENV, "2")
    current = history.filter(pl.col("period") == "2024-07", pl.col("unit_code").is_not_null())
    snapshot = current.select("unit_code", "total_children", (pl.col("cleaned") + 5).alias("updated"), "cleaned")
    units = current.select("unit_code", "unit_name", (pl.int_range(pl.len()) + 1).alias("appendix_order"))
    appendix = build_appendix(snapshot, units)
    assert appendix.height == len(NAMES) + 1
    texts, created = {"title": "T", "attachment_line": "{month}/{year}"}, dt.datetime(2024, 8, 1)
    try:
        charts = scale.start(period_charts, history, "2024-07", 90.0, "Tổng cộng")
        word = scale.start(appendix_docx_bytes, appendix, "2024-07", texts, created)
        assert scale._POOL, "drawn on the pool"
        assert charts() == period_charts(history, "2024-07", 90.0, "Tổng cộng")
        assert word() == appendix_docx_bytes(appendix, "2024-07", texts, created)
    finally:
        scale.shutdown()
    here = scale.start(period_charts, history, "2024-07", 90.0, "Tổng cộng", on_worker=False)
    assert not scale._POOL and here() == period_charts(history, "2024-07", 90.0, "Tổng cộng")


def test_units_sharing_a_name_get_a_bar_and_a_line_each(history):
    """Communes of different districts may share a name: each unit is its code."""
    twins = history.with_columns(
        pl.when(pl.col("unit_code").is_in(["0", "1"]))
        .then(pl.lit("Xã Tân Lập"))
        .otherwise("unit_name")
        .alias("unit_name")
    )
    bars = bar_chart(twins, "2024-08", 95, "Tổng cộng").axes[0]
    assert len(bars.patches) == 3
    assert sorted(t.get_text() for t in bars.get_yticklabels()) == ["Xã Tuy Phước Đông", "Xã Tân Lập", "Xã Tân Lập"]
    assert sorted(b.get_width() for b in bars.patches) == sorted(
        twins.filter((pl.col("period") == "2024-08") & pl.col("unit_code").is_not_null())["clean_rate_pct"].to_list()
    )
    lines = line_chart(twins, "2024-08", 95, "Tổng cộng").axes[0].get_lines()
    assert [line.get_label() for line in lines].count("Xã Tân Lập") == 2


def _lab(color) -> tuple[float, float, float]:
    """CIE L*a*b* of an sRGB colour (D65)."""
    from matplotlib.colors import to_rgb

    r, g, b = (((v + 0.055) / 1.055) ** 2.4 if v > 0.04045 else v / 12.92 for v in to_rgb(color))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def test_thirteen_trend_lines_are_told_apart():
    """A district's 13 lines: no pastel colour, no two lines of one style in colours
    closer than a clear difference (CIE76 ΔE 25), no two lines drawn alike; the legend
    lists the units as their lines end, highest first."""
    import colorsys
    import itertools

    from matplotlib.colors import to_hex, to_rgb

    rows = [
        {"period": p, "unit_code": f"{i:05d}", "unit_name": f"Xã {i}", "clean_rate_pct": 30.0 + 4 * i + 2 * k}
        for k, p in enumerate(("2024-05", "2024-06", "2024-07"))
        for i in range(13)
    ]
    rows += [{"period": p, "unit_code": None, "unit_name": "Tổng cộng", "clean_rate_pct": 55.0} for p in ("2024-07",)]
    figure = line_chart(pl.DataFrame(rows), "2024-07", 100.0, "Tổng cộng")
    lines = [line for line in figure.axes[0].get_lines() if line.get_label().startswith("Xã")]
    assert len(lines) == 13
    looks = [(to_hex(line.get_color()), line.get_linestyle(), line.get_marker()) for line in lines]
    assert len(set(looks)) == 13
    for color, _, _ in looks:
        assert colorsys.rgb_to_hls(*to_rgb(color))[1] <= 0.7, f"{color} is a pastel"
    for (c1, s1, _), (c2, s2, _) in itertools.combinations(looks, 2):
        if s1 == s2:
            distance = sum((a - b) ** 2 for a, b in zip(_lab(c1), _lab(c2), strict=True)) ** 0.5
            assert distance >= 25, (c1, c2, distance)
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert legend[:13] == [f"Xã {i}" for i in range(12, -1, -1)]
    assert legend[13:] == ["Tổng cộng", "Mục tiêu 100%"]


@pytest.mark.parametrize("scope_rate", [62.97, 40.5, 83.0, 1.0])
def test_no_line_crosses_a_bars_label(scope_rate):
    """The scope's dotted line and the target's dashed one never run through a bar's
    figure: a label the line would cross goes inside its bar, or past the line."""
    rates = [0.6, 40.99, 49.04, 54.81, 59.63, 61.5, 62.5, 66.81, 79.89, 83.48, 97.0, 99.2, 100.0]
    rows = [
        {"period": "2024-07", "unit_code": f"{i:05d}", "unit_name": f"Xã {i}", "clean_rate_pct": r}
        for i, r in enumerate(rates)
    ]
    rows.append({"period": "2024-07", "unit_code": None, "unit_name": "Tổng cộng", "clean_rate_pct": scope_rate})
    figure = bar_chart(pl.DataFrame(rows), "2024-07", 100.0, "Tổng cộng")
    figure_bytes(figure, "png")  # drawn as published
    axes = figure.axes[0]
    marks = [axes.transData.transform((x, 0))[0] for x in (100.0, scope_rate)]
    left = axes.transData.transform((0, 0))[0]
    labels = [t for t in axes.texts if t.get_text() and t.get_text()[0].isdigit()]
    assert sorted(t.get_text() for t in labels) == sorted(format_vn_rate(r) for r in rates)
    for label, bar in zip(labels, axes.patches, strict=True):
        box, bar_box = label.get_window_extent(), bar.get_window_extent()
        for x in marks:
            assert not box.x0 - 1 <= x <= box.x1 + 1, (label.get_text(), scope_rate)
        assert box.x0 >= left and bar_box.y0 <= (box.y0 + box.y1) / 2 <= bar_box.y1  # beside its own bar
