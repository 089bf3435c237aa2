"""Charts for reports and web pages: Matplotlib drawn to inline SVG, readable by everyone.

Every chart comes with a text alternative (one sentence) and the numbers behind it as a
small table, so that a screen reader, a printout or a journalist copying figures gets the
same information as the picture. Text from the data (column names, group values) is
drawn literally: Matplotlib's mathtext is off, so ``$\frac{a}$`` is just characters, and
the SVG writer escapes it; chart ids go through :func:`~lanterne.htmlsafe.html_id`.
Colours follow the Okabe–Ito palette, distinguishable
with the common forms of colour blindness; series are also told apart by markers and
line styles. Text stays text in the SVG (selectable, searchable, translated).

Example:
    >>> chart = bar_chart(
    ...     "rates", ["a", "b"], [0.1, 0.3], title="T", alt="A is lower than B", value_label="%"
    ... )
    >>> chart.svg.startswith("<svg") and "http" not in chart.svg.split(">", 1)[1]
    True
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("svg")  # no display, no GUI toolkit: reports are built offline and headless

import itertools

import matplotlib.pyplot as plt
from matplotlib.ticker import (
    FixedLocator,
    FuncFormatter,
    NullFormatter,
    PercentFormatter,
)

from lanterne.htmlsafe import html_id

#: Okabe & Ito (2008), "Color Universal Design": safe for colour-blind readers.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow (used last: low contrast on white)
    "#000000",
)
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1)), "-", "--")
TEXT_COLOUR = "#1a1a1a"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
GRID_COLOUR = "#d0d0d0"


@dataclass(frozen=True)
class Chart:
    """An inline SVG with its text alternative and the data it shows."""

    id: str
    title: str
    svg: str
    alt: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if html_id(self.id) != self.id:  # a bug: every chart function makes its id safe
            raise ValueError(f"unsafe chart id {self.id!r}")


def _style() -> dict[str, object]:
    return {
        "svg.fonttype": "none",  # keep text as text
        # labels come from the data: "$x$" or a backslash is text, never a formula to parse
        "text.parse_math": False,
        "text.usetex": False,
        "font.family": "sans-serif",
        "font.size": 10,
        "axes.edgecolor": TEXT_COLOUR,
        "axes.labelcolor": TEXT_COLOUR,
        "xtick.color": TEXT_COLOUR,
        "ytick.color": TEXT_COLOUR,
        "text.color": TEXT_COLOUR,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": GRID_COLOUR,
        "grid.linewidth": 0.6,
    }


def _to_svg(fig: plt.Figure, chart_id: str, title: str) -> str:
    """Serialise a figure as an inline ``<svg>`` element with unique ids and a title.

    ``chart_id`` is already safe (:func:`~lanterne.htmlsafe.html_id`); every text in the
    figure was escaped by Matplotlib's SVG writer, and the title is escaped here.
    """
    if html_id(chart_id) != chart_id:
        raise ValueError(f"unsafe chart id {chart_id!r}")
    buffer = io.StringIO()
    with plt.rc_context({"svg.hashsalt": chart_id}), warnings.catch_warnings():
        # the text stays text, drawn by the reader's fonts: a glyph missing from Matplotlib's
        # own font (a rare script, a symbol from the data) only affects its measurements
        warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
        fig.savefig(buffer, format="svg", bbox_inches="tight")  # ids unique across the page
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    # control characters from the data are not allowed in XML: show them as "�"
    svg = _CONTROL.sub("\ufffd", svg)
    # element ids ("patch_3") repeat across figures: prefix them so the page's ids are unique
    # (replacement functions, not templates: an id is never read as a regex template)
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{chart_id}-{m[1]}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{chart_id}-{m[1]})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{chart_id}-{m[1]}"', svg)
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = svg.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    svg = re.sub(r'xlink:href="', 'href="', svg)
    # responsive: keep the viewBox, let CSS set the width
    svg = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r"<svg\1", svg, count=1)
    safe_title = (
        title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
    return svg.replace(
        "<svg",
        f'<svg role="img" aria-labelledby="{chart_id}-title" class="chart"',
        1,
    ).replace(">", f'><title id="{chart_id}-title">{safe_title}</title>', 1)


def _percent_axis(axis, decimals: int | None = None, top: float = 1.0) -> None:
    """Percent tick labels with enough decimals to tell small rates apart."""
    if decimals is None:
        decimals = 0 if top >= 0.1 else 1 if top >= 0.01 else 2
    axis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=decimals))


_RATIO_TICKS = (0.1, 0.2, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 10.0, 20.0, 50.0, 100.0)


def _ratio_axis(axis, values: Sequence[float]) -> None:
    """Log axis for ratios, ticked at round values ("0.5×", "2×"), no scientific notation."""
    low, high = min([*values, 1.0]), max([*values, 1.0])
    ticks = [t for t in _RATIO_TICKS if low / 1.5 <= t <= high * 1.5] or [1.0]
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}×"))
    axis.set_minor_formatter(NullFormatter())


def _fmt(value: float | None, percent: bool) -> str:
    if value is None:
        return "—"
    return f"{value:.1%}" if percent else f"{value:.3g}"


def _tick_label(label: str, value: float | None) -> str:
    """A group's axis label, marked when it has no bar: hidden ("—") or zero ("0")."""
    if value is None:
        return f"{label} (—)"
    return f"{label} (0)" if value == 0 else label


def bar_chart(
    chart_id: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    alt: str,
    value_label: str,
    intervals: Sequence[tuple[float, float] | None] | None = None,
    reference: float | None = None,
    reference_label: str = "",
    percent: bool = True,
    log: bool = False,
) -> Chart:
    """Horizontal bars, one per group, with optional confidence intervals and a reference line.

    Missing values (suppressed small cells) are shown as an empty slot labelled "—".
    """
    chart_id = html_id(chart_id)
    n = len(labels)
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(6.4, 0.45 * n + 1.2))
        positions = list(range(n))[::-1]
        # a zero or hidden value draws no bar (and could not sit on a log axis)
        drawn = [(p, v) for p, v in zip(positions, values, strict=True) if v]
        ax.barh(
            [p for p, _ in drawn], [v for _, v in drawn], color=PALETTE[0], height=0.6, zorder=2
        )
        if intervals is not None:
            for pos, value, ci in zip(positions, values, intervals, strict=True):
                if ci is None or value is None:
                    continue
                ax.errorbar(
                    value,
                    pos,
                    xerr=[[max(0.0, value - ci[0])], [max(0.0, ci[1] - value)]],
                    fmt="none",
                    ecolor=TEXT_COLOUR,
                    capsize=3,
                    linewidth=1,
                    zorder=3,
                )
        if reference is not None:
            ax.axvline(reference, color=PALETTE[5], linestyle="--", linewidth=1.2, zorder=4)
            if reference_label:
                ax.annotate(
                    reference_label,
                    xy=(reference, 1.0),
                    xycoords=("data", "axes fraction"),
                    xytext=(3, 2),
                    textcoords="offset points",
                    fontsize=8,
                    color=PALETTE[5],
                )
        ax.set_yticks(
            positions, [_tick_label(label, v) for label, v in zip(labels, values, strict=True)]
        )
        ax.set_xlabel(value_label)
        known = [v for v in values if v]
        if log and known:
            ax.set_xscale("log")
            _ratio_axis(ax.xaxis, known)
        elif percent:
            _percent_axis(ax.xaxis, top=max(known, default=1.0))
        ax.grid(axis="y", visible=False)
        svg = _to_svg(fig, chart_id, title)
    columns = ("", value_label) + (("95 %",) if intervals is not None else ())
    rows = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        row = [label, _fmt(value, percent)]
        if intervals is not None:
            ci = intervals[i]
            row.append("—" if ci is None else f"{_fmt(ci[0], percent)} – {_fmt(ci[1], percent)}")
        rows.append(tuple(row))
    return Chart(chart_id, title, svg, alt, columns, tuple(rows))


def grouped_bar_chart(
    chart_id: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    *,
    title: str,
    alt: str,
    value_label: str,
    reference: float | None = None,
    percent: bool = False,
    log: bool = False,
) -> Chart:
    """Horizontal bars grouped by label, one colour (and hatch) per series: model comparisons."""
    chart_id = html_id(chart_id)
    names = list(series)
    k, n = len(names), len(labels)
    hatches = ("", "//", "..", "xx", "\\\\", "++")
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(6.4, 0.35 * n * k + 1.4))
        height = 0.8 / k
        for j, name in enumerate(names):
            positions = [(n - 1 - i) + (k - 1 - j) * height - 0.4 + height / 2 for i in range(n)]
            drawn = [(p, v) for p, v in zip(positions, series[name], strict=True) if v]
            ax.barh(
                [p for p, _ in drawn],
                [v for _, v in drawn],
                height=height * 0.95,
                color=PALETTE[j % len(PALETTE)],
                hatch=hatches[j % len(hatches)],
                edgecolor="white",
                label=name,
                zorder=2,
            )
        if reference is not None:
            ax.axvline(reference, color=TEXT_COLOUR, linestyle="--", linewidth=1, zorder=3)
        ax.set_yticks(list(range(n))[::-1], list(labels))
        ax.set_xlabel(value_label)
        known = [v for values in series.values() for v in values if v]
        if log and known:
            ax.set_xscale("log")
            _ratio_axis(ax.xaxis, known)
        elif percent:
            _percent_axis(ax.xaxis, top=max(known, default=1.0))
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower right", fontsize=8, frameon=False)
        svg = _to_svg(fig, chart_id, title)
    columns = ("", *names)
    rows = tuple(
        (label, *(_fmt(series[name][i], percent) for name in names))
        for i, label in enumerate(labels)
    )
    return Chart(chart_id, title, svg, alt, columns, rows)


def line_chart(
    chart_id: str,
    x_labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    *,
    title: str,
    alt: str,
    x_label: str,
    value_label: str,
    reference: float | None = None,
    reference_label: str = "",
    percent: bool = True,
) -> Chart:
    """One line per group over ordered categories (the decile plot), with distinct markers."""
    chart_id = html_id(chart_id)
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
        xs = list(range(1, len(x_labels) + 1))
        for j, (name, values) in enumerate(series.items()):
            points = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
            if not points:
                continue
            ax.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                color=PALETTE[j % len(PALETTE)],
                marker=MARKERS[j % len(MARKERS)],
                linestyle=LINESTYLES[j % len(LINESTYLES)],
                linewidth=1.6,
                markersize=5,
                label=name,
                zorder=3,
            )
        if reference is not None:
            ax.axhline(reference, color=TEXT_COLOUR, linestyle=":", linewidth=1, zorder=2)
            if reference_label:
                ax.annotate(
                    reference_label,
                    xy=(1, reference),
                    xytext=(2, 3),
                    textcoords="offset points",
                    fontsize=8,
                )
        ax.set_xticks(xs, list(x_labels))
        ax.set_xlabel(x_label)
        ax.set_ylabel(value_label)
        if percent:
            _percent_axis(
                ax.yaxis, top=max((v for vs in series.values() for v in vs if v), default=1.0)
            )
        ax.legend(fontsize=8, frameon=False, ncols=2)
        svg = _to_svg(fig, chart_id, title)
    columns = ("", *x_labels)
    rows = tuple((name, *(_fmt(v, percent) for v in values)) for name, values in series.items())
    return Chart(chart_id, title, svg, alt, columns, rows)


def distribution_chart(
    chart_id: str,
    bin_edges: Sequence[float],
    densities: dict[str, Sequence[float]],
    *,
    title: str,
    alt: str,
    x_label: str,
    value_label: str,
    threshold: float | None = None,
    threshold_label: str = "",
) -> Chart:
    """Score distributions by group as step lines over shared bins, with the selection threshold."""
    chart_id = html_id(chart_id)
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
        for j, (name, values) in enumerate(densities.items()):
            ax.stairs(
                list(values),
                list(bin_edges),
                color=PALETTE[j % len(PALETTE)],
                linestyle=LINESTYLES[j % len(LINESTYLES)],
                linewidth=1.6,
                label=name,
            )
        if threshold is not None:
            ax.axvline(threshold, color=PALETTE[5], linestyle="--", linewidth=1.2)
            if threshold_label:
                ax.annotate(
                    threshold_label,
                    xy=(threshold, 1.0),
                    xycoords=("data", "axes fraction"),
                    xytext=(3, -10),
                    textcoords="offset points",
                    fontsize=8,
                    color=PALETTE[5],
                )
        ax.set_xlabel(x_label)
        ax.set_ylabel(value_label)
        _percent_axis(
            ax.yaxis, top=max((max(v, default=0.0) for v in densities.values()), default=1.0)
        )
        ax.legend(fontsize=8, frameon=False)
        svg = _to_svg(fig, chart_id, title)
    mids = [f"{(a + b) / 2:.3f}" for a, b in itertools.pairwise(bin_edges)]
    columns = (x_label, *densities)
    rows = tuple(
        (mid, *(f"{densities[name][i]:.2%}" for name in densities)) for i, mid in enumerate(mids)
    )
    return Chart(chart_id, title, svg, alt, columns, rows)
