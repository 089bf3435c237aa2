"""Step charts of shape functions: one or more models' scores for one feature, on one chart.

A continuous feature's shape is a step function (constant inside each bin), drawn with
``where="post"`` steps so that a bin ``[a ; b[`` is flat from ``a`` to ``b``; a categorical
feature's shape is one marker per category. Each model has its own colour, marker and line
style (readable in black and white); the numbers are in the table under the chart.

Example:
    >>> from lanterne.explain.shapes import ShapeView
    >>> v = ShapeView("x", "x", "continuous", (1.0, 2.0), (0.0, 0.5, -0.5), {}, None,
    ...               "published", None)
    >>> chart = shape_chart("s-x", {"A": v}, title="x", alt="x", x_label="x", lang="en")
    >>> chart.svg.startswith("<svg"), chart.rows[0]
    (True, ('(-∞, 1)', '0.000'))
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from lanterne.explain.sentences import signed
from lanterne.explain.shapes import ShapeView, interval_label
from lanterne.report.charts import LINESTYLES, MARKERS, PALETTE, TEXT_COLOUR, Chart, _style, _to_svg

#: Rows of a chart's table at most (beyond, consecutive bins are grouped).
MAX_TABLE_ROWS = 40

#: A row of the table: a category, or a bin ``(low, high)`` (None: an open end).
RowKey = str | tuple[float | None, float | None]


def _row_labels(views: Mapping[str, ShapeView | None], lang: str) -> list[tuple[RowKey, str]]:
    """Every bin of every model (continuous: the union of the edges), in order."""
    edges: set[float] = set()
    cats: list[str] = []
    for v in views.values():
        if v is None:
            continue
        edges.update(v.edges)
        cats += [c for c in v.categories if c not in cats]
    if cats:
        return [(c, c) for c in cats]
    cuts = sorted(edges)
    bounds: list[float | None] = [None, *cuts, None]
    return [
        ((bounds[i], bounds[i + 1]), interval_label(bounds[i], bounds[i + 1], lang))
        for i in range(len(cuts) + 1)
    ]


def _score_at(view: ShapeView | None, key: RowKey) -> float | None:
    if view is None:
        return None
    if isinstance(key, str):
        return view.categories.get(key)
    low, high = key
    probe = low if low is not None else (high - 1.0 if high is not None else 0.0)
    return view.locate(probe).score


def _wide_axis(ax: plt.Axes, views: Mapping[str, ShapeView | None]) -> None:
    """Edges spanning orders of magnitude (assets from -690 000 to 5 000): a symmetric log
    axis, linear near zero, so that the bins where most values lie stay visible."""
    edges = np.abs(np.array([e for v in views.values() if v is not None for e in v.edges]))
    if edges.size < 3:
        return
    typical = float(np.median(edges)) or 1.0
    if float(edges.max()) > 20 * typical:
        ax.set_xscale("symlog", linthresh=max(1.0, typical / 10))


def shape_chart(
    chart_id: str,
    views: Mapping[str, ShapeView | None],
    *,
    title: str,
    alt: str,
    x_label: str,
    lang: str,
    max_rows: int = MAX_TABLE_ROWS,
) -> Chart:
    """One feature's shape function under each model (name → view), on one chart.

    The table under it has one row per bin of either model; beyond ``max_rows`` bins,
    consecutive bins are grouped and each model's lowest and highest score shown.
    """
    keys = _row_labels(views, lang)
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(6.4, 3.2))
        categorical = bool(keys) and isinstance(keys[0][0], str)
        for j, (name, view) in enumerate(views.items()):
            if view is None:
                continue
            style: dict[str, Any] = {
                "color": PALETTE[j % len(PALETTE)],
                "linestyle": LINESTYLES[j % len(LINESTYLES)],
                "label": name,
                "linewidth": 1.6,
                "zorder": 3,
            }
            if categorical:
                known = [
                    (i, y) for i, (k, _) in enumerate(keys) if (y := _score_at(view, k)) is not None
                ]
                style["linestyle"] = "none"  # categories are not on a line: markers only
                ax.plot(
                    [i + (j - 0.5) * 0.08 for i, _ in known],  # side by side, not on top
                    [y for _, y in known],
                    marker=MARKERS[j % len(MARKERS)],
                    markersize=8,
                    **style,
                )
            else:
                edges = list(view.edges)
                span = (edges[-1] - edges[0]) if len(edges) > 1 else 1.0
                pad = span * 0.05 or 1.0
                xs = [edges[0] - pad, *edges] if edges else [0.0]
                ys = list(view.scores)
                ax.step([*xs, xs[-1] + pad], [*ys, ys[-1]], where="post", **style)
        if categorical:
            ax.set_xticks(range(len(keys)), [label for _, label in keys])
            ax.set_xlim(-0.5, len(keys) - 0.5)
        else:
            _wide_axis(ax, views)
        ax.axhline(0.0, color=TEXT_COLOUR, linewidth=0.8, linestyle=":", zorder=2)
        ax.set_xlabel(x_label)
        ax.set_ylabel("log-cote" if lang == "fr" else "log-odds")
        ax.legend(fontsize=8, frameon=False)
        svg = _to_svg(fig, chart_id, title)
    names = [n for n in views]
    rows = []
    missing = [v.missing if v is not None else None for v in views.values()]
    if any(m is not None for m in missing):
        rows.append(
            (
                "manquant" if lang == "fr" else "missing",
                *("—" if m is None else signed(m, lang, 3) for m in missing),
            )
        )
    cells = [[_score_at(views[n], key) for n in names] for key, _ in keys]
    if len(keys) <= max_rows or categorical:
        for (_, label), scores in zip(keys, cells, strict=True):
            rows.append((label, *("—" if v is None else signed(v, lang, 3) for v in scores)))
        return Chart(chart_id, title, svg, alt, ("", *names), tuple(rows))
    # too many bins for a table: consecutive bins grouped, each model's lowest and highest
    cuts = [round(i * len(keys) / max_rows) for i in range(max_rows + 1)]
    bins = [k for k, _ in keys if not isinstance(k, str)]  # not categorical: every key
    for a, b in itertools.pairwise(cuts):
        low, high = bins[a][0], bins[b - 1][1]
        label = interval_label(low, high, lang) + (
            f" ({b - a} classes)" if lang == "fr" else f" ({b - a} bins)"
        )
        rows.append((label, *(_span([c[j] for c in cells[a:b]], lang) for j in range(len(names)))))
    return Chart(chart_id, title, svg, alt, ("", *names), tuple(rows))


def _span(values: list[float | None], lang: str) -> str:
    """``−0,391 … −0,055`` (lowest … highest), or the one value."""
    known = [v for v in values if v is not None]
    if not known:
        return "—"
    low, high = min(known), max(known)
    if low == high:
        return signed(low, lang, 3)
    return f"{signed(low, lang, 3)} … {signed(high, lang, 3)}"
