"""The period's pictures: clean rate per unit over time, and this period's units by rate.

Rendered with Matplotlib's Agg backend in DejaVu Sans, which Matplotlib bundles and which
covers Vietnamese (every tone mark and ơ, ư, đ), so the charts look the same on any
machine. Output is stamped deterministically (no dates, a fixed SVG id salt), so the
same figures give the same bytes and a re-run rewrites nothing.
"""

from __future__ import annotations

import datetime as dt
import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from pipelines.core.numbers import format_vn_rate  # noqa: E402
from pipelines.core.periods import month_label, period_start  # noqa: E402
from pipelines.publish.files import CHART_FORMATS, CHART_STEMS  # noqa: E402

FONT = "DejaVu Sans"
RC = {
    "font.family": FONT,
    "svg.hashsalt": "phu-luc",
    "svg.fonttype": "path",
    "axes.spines.top": False,
    "axes.spines.right": False,
}
METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
}
SCOPE_COLOR = "#222222"
TARGET_COLOR = "#c0392b"
RATE_AXIS = "Tỷ lệ trẻ em được làm sạch dữ liệu (%)"


def _percent(value: float, _position: int | None = None) -> str:
    return format_vn_rate(value).removesuffix(",00") + "%"


def tick_periods(periods: list[str], positions: dict[str, int], min_gap: float) -> list[str]:
    """The periods to label: at least `min_gap` months apart, the latest always shown."""
    shown: list[str] = []
    for period in periods:
        if not shown or positions[period] - positions[shown[-1]] >= min_gap:
            shown.append(period)
    if periods and shown[-1] != periods[-1]:
        if positions[periods[-1]] - positions[shown[-1]] < min_gap and len(shown) > 1:
            shown.pop()
        shown.append(periods[-1])
    return shown


# The units' lines: eight clearly different colours (Tableau's ten without its red, taken
# by the target, and its grey, near the scope's line), then the same colours dashed and
# dash-dotted; each line also has its own marker, so no two of 40 units look alike.
UNIT_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf")
UNIT_LINESTYLES = ("-", "--", "-.")
UNIT_MARKERS = ("o", "s", "^", "D", "v")


def unit_style(index: int) -> dict:
    """The colour, line style and marker of the `index`-th unit's line."""
    return {
        "color": UNIT_COLORS[index % len(UNIT_COLORS)],
        "linestyle": UNIT_LINESTYLES[index // len(UNIT_COLORS) % len(UNIT_LINESTYLES)],
        "marker": UNIT_MARKERS[index % len(UNIT_MARKERS)],
    }


# A chart stays readable (and quick to draw) up to this many units. A larger scope (a
# province, the country) gets the scope's line alone and the units lowest in the ranking.
MAX_UNITS_CHARTED = 25


def line_chart(
    history: pl.DataFrame,
    period: str,
    target_pct: float,
    scope_name: str,
    changes: tuple[dt.date, ...] = (),
    units_drawn: bool | None = None,
) -> Figure:
    """Clean rate of every unit (and the whole scope, bold) in each period up to `period`.

    `changes`: dates the units were reorganised; those inside the chart get a marker,
    since the lines before them are the former units' figures summed. `units_drawn`:
    whether each unit gets its line (None: when `history` holds at most
    MAX_UNITS_CHARTED units; see `rows_charted`)."""
    with plt.rc_context(RC):
        figure = Figure(figsize=(10, 5.6), dpi=100)
        axes = figure.add_subplot()
        periods = sorted(history["period"].unique().to_list())
        # Months on a true time scale: a gap between reports shows as a gap.
        months = [period_start(p).year * 12 + period_start(p).month for p in periods]
        positions = {p: m - months[0] for p, m in zip(periods, months, strict=True)}
        # A unit is its code: two units may share a name (communes of different districts).
        codes = history["unit_code"].drop_nulls().unique(maintain_order=True).to_list()
        too_many = len(codes) > MAX_UNITS_CHARTED if units_drawn is None else not units_drawn
        if too_many:
            codes = []
        latest = []  # (the unit's latest rate, its order, its line): the legend's order
        for i, code in enumerate(codes):
            rows = history.filter(pl.col("unit_code") == code).sort("period")
            (line,) = axes.plot(
                [positions[p] for p in rows["period"]],
                rows["clean_rate_pct"].to_list(),
                markersize=4,
                linewidth=1.4,
                label=rows["unit_name"][-1],
                **unit_style(i),
            )
            latest.append((-(rows["clean_rate_pct"][-1] or 0.0), i, line))
        scope = history.filter(pl.col("unit_code").is_null()).sort("period")
        if scope.height:
            axes.plot(
                [positions[p] for p in scope["period"]],
                scope["clean_rate_pct"].to_list(),
                marker="o",
                linewidth=3,
                color=SCOPE_COLOR,
                label=scope_name,
            )
        for day in changes:
            at = day.year * 12 + day.month - months[0] - 0.5 if periods else None
            if at is not None and 0 < at < positions[periods[-1]]:
                axes.axvline(at, color="#7f8c8d", linestyle="-.", linewidth=1)
                axes.annotate(
                    f"Sắp xếp đơn vị hành chính {day:%d/%m/%Y}",
                    (at, 3),
                    rotation=90,
                    fontsize=8,
                    color="#555555",
                    ha="right",
                    va="bottom",
                    xytext=(-2, 0),
                    textcoords="offset points",
                )
        axes.axhline(
            target_pct, color=TARGET_COLOR, linestyle="--", linewidth=1.2, label=f"Mục tiêu {_percent(target_pct)}"
        )
        span = positions[periods[-1]] if periods else 0
        shown = tick_periods(periods, positions, min_gap=max(1.0, span / 12))
        axes.set_xticks(
            [positions[p] for p in shown], [month_label(p) for p in shown], rotation=45 if len(shown) > 6 else 0
        )
        axes.set_xlim(-0.3 - span * 0.02, span + 0.3 + span * 0.02)
        axes.set_ylim(0, 105)
        axes.yaxis.set_major_formatter(FuncFormatter(_percent))
        axes.set_ylabel(RATE_AXIS)
        axes.set_xlabel("Kỳ báo cáo (tháng)")
        title = f"Tỷ lệ trẻ em được làm sạch dữ liệu qua các tháng, đến tháng {month_label(period)}"
        axes.set_title(
            title + (f"\n({scope_name} toàn địa bàn; từng đơn vị: xem biểu đồ xếp hạng)" if too_many else "")
        )
        axes.grid(axis="y", alpha=0.3)
        # The units top to bottom as their lines end, highest first; then the scope, the target.
        others = [line for line in axes.get_lines() if line not in {entry[2] for entry in latest}]
        handles = [entry[2] for entry in sorted(latest, key=lambda entry: entry[:2])] + others
        axes.legend(
            handles=[h for h in handles if not h.get_label().startswith("_")],
            loc="center left",
            bbox_to_anchor=(1.01, 0.5),
            fontsize=8,
            frameon=False,
        )
        figure.tight_layout()
    return figure


def bar_chart(history: pl.DataFrame, period: str, target_pct: float, scope_name: str) -> Figure:
    """This period's units sorted by clean rate, highest on top, the target and scope marked."""
    current = history.filter(pl.col("period") == period)
    units = current.filter(pl.col("unit_code").is_not_null()).sort(
        "clean_rate_pct", "unit_name", "unit_code", descending=[False, True, True]
    )
    reporting = units.height
    units = units.head(MAX_UNITS_CHARTED)  # the lowest rates: the units to act on
    scope = current.filter(pl.col("unit_code").is_null())
    with plt.rc_context(RC):
        figure = Figure(figsize=(10, max(3.6, 1.2 + 0.42 * units.height)), dpi=100)
        axes = figure.add_subplot()
        rates = units["clean_rate_pct"].to_list()
        # Bars at positions, named by their ticks: a bar per unit even when two share a name.
        positions = range(units.height)
        bars = axes.barh(positions, rates, color=["#2e86c1" if r >= target_pct else "#5dade2" for r in rates])
        axes.set_yticks(positions, units["unit_name"].to_list())
        labels = axes.bar_label(bars, labels=[format_vn_rate(r) for r in rates], padding=3, fontsize=8)
        marks = [target_pct]
        axes.axvline(
            target_pct, color=TARGET_COLOR, linestyle="--", linewidth=1.5, label=f"Mục tiêu {_percent(target_pct)}"
        )
        if scope.height:
            rate = scope["clean_rate_pct"][0]
            marks.append(rate)
            axes.axvline(
                rate, color=SCOPE_COLOR, linestyle=":", linewidth=1.5, label=f"{scope_name}: {format_vn_rate(rate)}%"
            )
        axes.set_xlim(0, max(105, target_pct + 5))
        axes.xaxis.set_major_formatter(FuncFormatter(_percent))
        axes.set_xlabel(RATE_AXIS)
        title = f"Tỷ lệ làm sạch dữ liệu theo địa phương, tháng {month_label(period)}"
        if reporting > units.height:
            title += f"\n({units.height} đơn vị có tỷ lệ thấp nhất trong {reporting} đơn vị)"
        axes.set_title(title)
        axes.legend(loc="lower right", fontsize=8)
        figure.tight_layout()
        _labels_clear_of(labels, marks, axes)
    return figure


def _labels_clear_of(labels: list, marks: list[float], axes) -> None:
    """Move a bar's label off the vertical lines at `marks` (the scope's rate, the
    target): inside its bar when a line would cross it beside the bar, else just past
    the lines. Done on the final layout, in the pixels the picture is drawn in."""
    at = [axes.transData.transform((mark, 0))[0] for mark in marks]
    left = axes.transData.transform((0, 0))[0]

    def crossed(label) -> bool:
        box = label.get_window_extent()
        return box.x0 < left or any(box.x0 - 2 <= x <= box.x1 + 2 for x in at)

    for label in labels:
        if not crossed(label):
            continue
        end = label.xy[0]
        label.xyann = (-3, 0)  # inside the bar, against its end
        label.set_horizontalalignment("right")
        if not crossed(label):
            continue
        label.xyann = (3, 0)  # beside the bar, past the line it would cross
        label.set_horizontalalignment("left")
        for mark in sorted(m for m in marks if m >= end):
            label.xy = (mark, label.xy[1])
            if not crossed(label):
                break


def figure_bytes(figure: Figure, fmt: str) -> bytes:
    """The figure as PNG or SVG bytes, the same bytes for the same figure."""
    buffer = io.BytesIO()
    with plt.rc_context(RC):
        figure.savefig(buffer, format=fmt, metadata=METADATA[fmt])
    return buffer.getvalue()


def rows_charted(history: pl.DataFrame, period: str) -> tuple[pl.DataFrame, bool]:
    """The rows of `history` the charts of `period` draw, and whether each unit gets its
    line: for a scope of up to MAX_UNITS_CHARTED units, every row and True; for a larger
    one, the scope's line and the period's units, and False. `period_charts` of these
    gives the bytes it gives for the whole history (a country's is far larger)."""
    if history["unit_code"].drop_nulls().n_unique() <= MAX_UNITS_CHARTED:
        return history, True
    return history.filter(pl.col("unit_code").is_null() | (pl.col("period") == period)), False


def period_charts(
    history: pl.DataFrame,
    period: str,
    target_pct: float,
    scope_name: str,
    changes: tuple[dt.date, ...] = (),
    units_drawn: bool | None = None,
) -> dict[str, bytes]:
    """File name → bytes: bieu-do-ty-le-<period>.png/.svg (lines), xep-hang-<period>.png/.svg (bars)."""
    lines, ranking = CHART_STEMS
    charts = {
        f"{lines}-{period}": line_chart(history, period, target_pct, scope_name, changes, units_drawn),
        f"{ranking}-{period}": bar_chart(history, period, target_pct, scope_name),
    }
    return {f"{stem}.{fmt}": figure_bytes(figure, fmt) for stem, figure in charts.items() for fmt in CHART_FORMATS}
