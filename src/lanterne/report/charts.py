"""Charts for reports and web pages: Matplotlib drawn to inline SVG, readable by everyone.

Every chart comes with a text alternative (one sentence) and the numbers behind it as a
small table, so that a screen reader, a printout or a journalist copying figures gets the
same information as the picture. Text from the data (column names, group values) is
drawn literally: Matplotlib's mathtext is off, so ``$\frac{a}$`` is just characters, and
the SVG writer escapes it; chart ids go through :func:`~lanterne.htmlsafe.html_id`.
Colours follow the Okabe–Ito palette, distinguishable
with the common forms of colour blindness; series are also told apart by markers and
line styles. Text stays text in the SVG (selectable, searchable, translated).

Charts are drawn at their reading size (:data:`WIDTH` inches, :data:`FONT` points) and
shown at most at that size, so that on a 390 px phone their smallest text stays above
11 px; legends sit outside the plot; every number is written the reader's way
(:mod:`lanterne.i18n`); ratios are drawn from 1× on a logarithmic axis
(:mod:`lanterne.report.chartaxes`). :data:`on_figure` lets a test check every figure
(:mod:`lanterne.report.chartcheck`) before it is saved.

Example:
    >>> chart = bar_chart(
    ...     "rates", ["a", "b"], [0.1, 0.3], title="T", alt="A is lower than B", value_label="%"
    ... )
    >>> chart.svg.startswith("<svg") and "http" not in chart.svg.split(">", 1)[1]
    True
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("svg")  # no display, no GUI toolkit: reports are built offline and headless

import itertools
import textwrap
from collections.abc import Callable

import matplotlib.pyplot as plt

from lanterne.htmlsafe import html_id
from lanterne.i18n import format_percent, format_sig, get_lang, normalise_lang
from lanterne.report.chartaxes import percent_axis, ratio_axis, ratio_label

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

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
#: Chart width (inches) and text size (points): 360 pt, readable at phone width unscaled.
WIDTH = 5.0
FONT = 11.5
#: Group labels longer than this wrap onto several lines.
WRAP = 22
#: Called with every figure before it is saved (tests check text overlaps and sizes).
on_figure: Callable[[plt.Figure], None] | None = None


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


def _style() -> dict[RcKeyType, Any]:
    return {
        "svg.fonttype": "none",  # keep text as text
        # labels come from the data: "$x$" or a backslash is text, never a formula to parse
        "text.parse_math": False,
        "text.usetex": False,
        "font.family": "sans-serif",
        "font.size": FONT,
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
        "legend.fontsize": FONT,
        "legend.frameon": False,
    }


def _figure(height: float) -> tuple[plt.Figure, plt.Axes]:
    """A figure whose labels fit inside it (constrained layout), :data:`WIDTH` wide."""
    return plt.subplots(figsize=(WIDTH, height), layout="constrained")


def _wrap(label: str) -> str:
    return textwrap.fill(label, WRAP, break_long_words=True) if len(label) > WRAP else label


def _lang(lang: str | None) -> str:
    return normalise_lang(lang) if lang else get_lang()


def _to_svg(fig: plt.Figure, chart_id: str, title: str) -> str:
    """Serialise a figure as an inline ``<svg>`` element with unique ids and a title.

    ``chart_id`` is already safe (:func:`~lanterne.htmlsafe.html_id`); every text in the
    figure was escaped by Matplotlib's SVG writer, and the title is escaped here. The SVG
    is shown at most at its drawn size (1 pt = 4/3 px): larger, its text would grow too.
    """
    if html_id(chart_id) != chart_id:
        raise ValueError(f"unsafe chart id {chart_id!r}")
    if on_figure is not None:
        on_figure(fig)
    buffer = io.StringIO()
    with plt.rc_context({"svg.hashsalt": chart_id}), warnings.catch_warnings():
        # the text stays text, drawn by the reader's fonts: a glyph missing from Matplotlib's
        # own font (a rare script, a symbol from the data) only affects its measurements
        warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
        # no "tight" cropping: the constrained layout already fits every label inside the
        # figure, and cropping would cost a second drawing of each chart
        fig.savefig(buffer, format="svg")
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
    width = re.search(r'<svg[^>]*? width="([0-9.]+)pt"', svg)
    most = f' style="max-width:{float(width[1]) * 4 / 3:.0f}px"' if width else ""
    # responsive: keep the viewBox, let CSS set the width (never above the drawn size)
    svg = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r"<svg\1", svg, count=1)
    safe_title = (
        title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
    return svg.replace(
        "<svg",
        f'<svg role="img" aria-labelledby="{chart_id}-title" class="chart"{most}',
        1,
    ).replace(">", f'><title id="{chart_id}-title">{safe_title}</title>', 1)


def fmt_value(value: float | None, percent: bool, lang: str | None = None) -> str:
    """A chart's number for its data table: a percentage or three significant digits.

    >>> fmt_value(0.2564, True, "fr"), fmt_value(0.0691, False, "fr"), fmt_value(None, True)
    ('25,6\xa0%', '0,0691', '—')
    """
    if value is None:
        return "—"
    return format_percent(value, lang, 1) if percent else format_sig(value, lang, 3)


def _tick_label(label: str, value: float | None) -> str:
    """A group's axis label, marked when it has no bar: hidden ("—") or zero ("0")."""
    label = _wrap(label)
    if value is None:
        return f"{label} (—)"
    return f"{label} (0)" if value == 0 else label


def _reference(ax: plt.Axes, value: float, label: str, colour: str) -> None:
    """A dashed vertical reference line, labelled above the plot (never over the bars)."""
    ax.axvline(value, color=colour, linestyle="--", linewidth=1.2, zorder=4)
    if label:
        ax.annotate(
            label,
            xy=(value, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            color=colour,
        )


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
    lang: str | None = None,
) -> Chart:
    """Horizontal bars, one per group, with optional confidence intervals and a reference line.

    With ``log``, the values are ratios: each bar starts at 1× and goes right (more than
    its share, vermillion) or left (less, blue) on a logarithmic axis, labelled with its
    value. Missing values (suppressed small cells) are an empty slot labelled "—".
    """
    chart_id = html_id(chart_id)
    lang = _lang(lang)
    n = len(labels)
    with plt.rc_context(_style()):
        fig, ax = _figure(0.5 * n + 1.3)
        positions = list(range(n))[::-1]
        # a zero or hidden value draws no bar (and could not sit on a log axis)
        drawn = [(p, v) for p, v in zip(positions, values, strict=True) if v]
        if log and drawn:
            limits = ratio_axis_bars(ax, drawn, lang)
        else:
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
        if reference is not None and not log:
            _reference(ax, reference, reference_label, PALETTE[5])
        ax.set_yticks(
            positions, [_tick_label(lab, v) for lab, v in zip(labels, values, strict=True)]
        )
        # under the whole figure: centred under a narrow plot, a long label would overflow
        fig.supxlabel(textwrap.fill(value_label, 2 * WRAP), fontsize=FONT)
        known = [v for v in values if v]
        if log and drawn:
            ax.set_xlim(*limits)
        elif percent:
            percent_axis(ax.xaxis, lang, top=max(known, default=1.0))
        ax.grid(axis="y", visible=False)
        svg = _to_svg(fig, chart_id, title)
    columns = ("", value_label) + (
        (format_percent(0.95, lang, 0),) if intervals is not None else ()
    )
    rows = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        row = [label, fmt_value(value, percent, lang)]
        if intervals is not None:
            ci = intervals[i]
            row.append(
                "—"
                if ci is None
                else f"{fmt_value(ci[0], percent, lang)} – {fmt_value(ci[1], percent, lang)}"
            )
        rows.append(tuple(row))
    return Chart(chart_id, title, svg, alt, columns, tuple(rows))


def ratio_axis_bars(
    ax: plt.Axes, drawn: Sequence[tuple[float, float]], lang: str
) -> tuple[float, float]:
    """Ratio bars from 1× on a log axis, each labelled with its value; returns the limits."""
    ax.set_xscale("log")
    limits = ratio_axis(ax.xaxis, [v for _, v in drawn], lang)
    span = math.log(limits[1] / limits[0])
    for pos, value in drawn:
        colour = PALETTE[5] if value >= 1 else PALETTE[0]
        ax.barh(pos, value - 1, left=1, color=colour, height=0.6, zorder=2)
        # a long bar carries its label inside (white), a short one just outside its end
        inside = abs(math.log(value)) > span / 4
        right = (value >= 1) != inside
        ax.annotate(
            ratio_label(value, lang),
            xy=(value, pos),
            xytext=(4 if right else -4, 0),
            textcoords="offset points",
            va="center",
            ha="left" if right else "right",
            color="white" if inside else TEXT_COLOUR,
            zorder=5,
        )
    ax.axvline(1.0, color=TEXT_COLOUR, linewidth=1.2, zorder=4)
    return limits


def grouped_bar_chart(
    chart_id: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    title: str,
    alt: str,
    value_label: str,
    reference: float | None = None,
    percent: bool = False,
    log: bool = False,
    lang: str | None = None,
) -> Chart:
    """Horizontal bars grouped by label, one colour (and hatch) per series: model comparisons.

    The legend sits above the plot. With ``log``, bars start at 1× (ratios).
    """
    chart_id = html_id(chart_id)
    lang = _lang(lang)
    names = list(series)
    k, n = len(names), len(labels)
    hatches = ("", "//", "..", "xx", "\\\\", "++")
    with plt.rc_context(_style()):
        fig, ax = _figure(0.32 * n * k + 1.8)
        height = 0.8 / k
        known = [v for values in series.values() for v in values if v]
        if log and known:
            ax.set_xscale("log")
            limits = ratio_axis(ax.xaxis, known, lang)
        for j, name in enumerate(names):
            positions = [(n - 1 - i) + (k - 1 - j) * height - 0.4 + height / 2 for i in range(n)]
            drawn = [(p, v) for p, v in zip(positions, series[name], strict=True) if v]
            ax.barh(
                [p for p, _ in drawn],
                [v - 1 if log else v for _, v in drawn],
                left=1 if log else 0,
                height=height * 0.95,
                color=PALETTE[j % len(PALETTE)],
                hatch=hatches[j % len(hatches)],
                edgecolor="white",
                label=_wrap(name),
                zorder=2,
            )
        if reference is not None:
            ax.axvline(
                reference,
                color=TEXT_COLOUR,
                linestyle="-" if log else "--",
                linewidth=1.2,
                zorder=3,
            )
        ax.set_yticks(list(range(n))[::-1], [_wrap(label) for label in labels])
        fig.supxlabel(textwrap.fill(value_label, 2 * WRAP), fontsize=FONT)
        if log and known:
            ax.set_xlim(*limits)
        elif percent:
            percent_axis(ax.xaxis, lang, top=max(known, default=1.0))
        ax.grid(axis="y", visible=False)
        fig.legend(loc="outside upper left", ncols=1)  # one per line: long names fit
        svg = _to_svg(fig, chart_id, title)
    columns = ("", *names)
    rows = tuple(
        (label, *(fmt_value(series[name][i], percent, lang) for name in names))
        for i, label in enumerate(labels)
    )
    return Chart(chart_id, title, svg, alt, columns, rows)


def line_chart(
    chart_id: str,
    x_labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    title: str,
    alt: str,
    x_label: str,
    value_label: str,
    reference: float | None = None,
    reference_label: str = "",
    percent: bool = True,
    shaded: Sequence[int] = (),
    shaded_label: str = "",
    lang: str | None = None,
) -> Chart:
    """One line per group over ordered categories (the decile plot), with distinct markers.

    ``shaded`` positions (1-based) are greyed and labelled ``shaded_label`` (an empty decile:
    tied scores), and their points left out rather than drawn at zero.
    """
    chart_id = html_id(chart_id)
    lang = _lang(lang)
    with plt.rc_context(_style()):
        fig, ax = _figure(3.2 + 0.3 * ((len(series) + 1) // 2))
        xs = list(range(1, len(x_labels) + 1))
        for x in shaded:
            ax.axvspan(x - 0.5, x + 0.5, color="#eeeeee", zorder=1)
        for j, (name, values) in enumerate(series.items()):
            # a gap, not a dip to zero, where a decile is empty or a value hidden
            ys = [
                float("nan") if v is None or x in shaded else v
                for x, v in zip(xs, values, strict=True)
            ]
            if all(y != y for y in ys):
                continue
            ax.plot(
                xs,
                ys,
                color=PALETTE[j % len(PALETTE)],
                marker=MARKERS[j % len(MARKERS)],
                linestyle=LINESTYLES[j % len(LINESTYLES)],
                linewidth=1.6,
                markersize=5,
                label=_wrap(name),
                zorder=3,
            )
        if reference is not None:
            ax.axhline(reference, color=TEXT_COLOUR, linestyle=":", linewidth=1, zorder=2)
        ax.set_xticks(xs, list(x_labels))
        ax.set_xlabel(x_label)
        ax.set_ylabel(value_label)
        top = max((v for vs in series.values() for v in vs if v), default=1.0)
        if percent:
            ax.set_ylim(0, top * 1.15)
            percent_axis(ax.yaxis, lang, top=top * 1.15)
        if reference is not None and reference_label:
            ax.annotate(
                reference_label,
                xy=(1.0, reference),
                xycoords=("axes fraction", "data"),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
            )
        if shaded and shaded_label:
            ax.annotate(
                shaded_label,
                xy=(shaded[0], top * 1.1),
                ha="center",
                va="top",
                rotation=90,
                color="#555555",
            )
        fig.legend(loc="outside lower center", ncols=2)
        svg = _to_svg(fig, chart_id, title)
    columns = ("", *x_labels)
    rows = tuple(
        (name, *(fmt_value(v, percent, lang) for v in values)) for name, values in series.items()
    )
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
    lang: str | None = None,
) -> Chart:
    """Score distributions by group as step lines over shared bins, with the selection threshold."""
    chart_id = html_id(chart_id)
    lang = _lang(lang)
    with plt.rc_context(_style()):
        fig, ax = _figure(3.2 + 0.3 * ((len(densities) + 1) // 2))
        for j, (name, values) in enumerate(densities.items()):
            ax.stairs(
                list(values),
                list(bin_edges),
                color=PALETTE[j % len(PALETTE)],
                linestyle=LINESTYLES[j % len(LINESTYLES)],
                linewidth=1.6,
                label=_wrap(name),
            )
        if threshold is not None:
            _reference(ax, threshold, threshold_label, PALETTE[5])
        ax.set_xlabel(x_label)
        ax.set_ylabel(value_label)
        ax.xaxis.set_major_formatter(lambda x, _: format_sig(x, lang, 3))
        ax.locator_params(axis="x", nbins=5)
        percent_axis(
            ax.yaxis, lang, top=max((max(v, default=0.0) for v in densities.values()), default=1.0)
        )
        fig.legend(loc="outside lower center", ncols=2)
        svg = _to_svg(fig, chart_id, title)
    mids = [format_sig((a + b) / 2, lang, 3) for a, b in itertools.pairwise(bin_edges)]
    columns = (x_label, *densities)
    rows = tuple(
        (mid, *(format_percent(densities[name][i], lang, 2) for name in densities))
        for i, mid in enumerate(mids)
    )
    return Chart(chart_id, title, svg, alt, columns, rows)
