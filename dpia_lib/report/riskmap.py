"""The CNIL risk map: a 4×4 grid of severity (x) by likelihood (y) with each feared event's inherent,
residual and planned position, drawn without pyplot, with a fixed font and size.

Markers: an open circle for the inherent risk (no measures), a filled circle for the residual risk
(measures in place), a triangle for the projected risk after the planned measures; arrows join them.
Each risk is numbered; the legend gives the numbers' labels. Cell colours are the levels of the risk
matrix (``data/risk_matrix.yaml``, CNIL PIA methodology risk map), with a colour key.

>>> fig = risk_map([RiskPoint("Illegitimate access", (3, 3), (2, 2), (1, 2))], language="en")
>>> fig.get_size_inches().tolist(), len(fig.axes)
([7.0, 4.6], 1)
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure

from dpia_lib.drawing import STYLE, new_figure, wrap_label
from dpia_lib.report.labels import load_labels
from dpia_lib.riskmatrix import load_risk_matrix

__all__ = ["LEVEL_COLOURS", "RiskPoint", "cell_colour", "risk_map"]



@dataclass(frozen=True)
class RiskPoint:
    """One feared event's positions as ``(likelihood, severity)`` pairs, each level 1–4."""

    label: str
    inherent: tuple[int, int]
    residual: tuple[int, int]
    planned: tuple[int, int]


#: Cell colours of the four risk levels (1 negligible ... 4 maximum).
LEVEL_COLOURS: tuple[str, ...] = ("#d9ead3", "#fff2cc", "#fce5cd", "#f4cccc")


def cell_colour(likelihood: int, severity: int) -> str:
    """The background colour of a map cell: the colour of its level in the risk matrix.

    >>> cell_colour(1, 1), cell_colour(4, 4), cell_colour(1, 4)
    ('#d9ead3', '#f4cccc', '#fce5cd')
    """
    return LEVEL_COLOURS[load_risk_matrix().level(likelihood, severity) - 1]


def _offset(index: int, count: int) -> tuple[float, float]:
    """Spread several markers in one cell on a small circle, deterministically."""
    if count <= 1:
        return 0.0, 0.0
    import math

    angle = 2 * math.pi * index / count
    return 0.28 * math.cos(angle), 0.28 * math.sin(angle)


_KINDS = ("inherent", "residual", "planned")


def risk_map(points: Sequence[RiskPoint], *, language: str = "nl", title: str | None = None) -> Figure:
    """Draw the risk map of ``points`` (in the given order, numbered from 1).

    Every marker is drawn: where the planned position equals the residual one, the triangle sits inside
    the filled circle, and the key says so. Axis labels and tick labels are in the report's language, like
    all its text (the figure's text stays text in the SVG, searchable in the PDF); the colour key gives the
    four levels.
    """
    import matplotlib
    from matplotlib.patches import Patch

    labels = load_labels()
    levels = [labels.get(f"level-{n}", language) for n in range(1, 5)]
    l_key, s_key = ("L", "S") if language == "en" else ("W", "E")
    with matplotlib.rc_context(STYLE):
        fig = new_figure((7.0, 4.6))
        ax = fig.add_axes((0.17, 0.16, 0.4, 0.72))
        for likelihood in range(1, 5):
            for severity in range(1, 5):
                ax.add_patch(matplotlib.patches.Rectangle(
                    (severity - 0.5, likelihood - 0.5), 1, 1, facecolor=cell_colour(likelihood, severity),
                    edgecolor="#ffffff", linewidth=2))
        by_cell: dict[tuple[int, int], list[tuple[str, int]]] = {}
        for i, point in enumerate(points):
            for kind in _KINDS:
                if kind == "planned" and point.planned == point.residual:
                    continue  # drawn inside the residual marker
                by_cell.setdefault(getattr(point, kind), []).append((kind, i))
        where: dict[tuple[str, int], tuple[float, float]] = {}
        for cell, members in sorted(by_cell.items()):
            for j, (kind, i) in enumerate(sorted(members, key=lambda m: (m[1], _KINDS.index(m[0])))):
                dx, dy = _offset(j, len(members))
                where[(kind, i)] = (cell[1] + dx, cell[0] + dy)
        for i, point in enumerate(points):
            if point.planned == point.residual:
                where[("planned", i)] = where[("residual", i)]
            chain = [where[(k, i)] for k in _KINDS]
            for start, end in itertools.pairwise(chain):
                if start != end:
                    ax.annotate("", xy=end, xytext=start,
                                arrowprops={"arrowstyle": "->", "color": "#7f8c8d", "lw": 0.7})
            x, y = where[("inherent", i)]
            ax.plot([x], [y], marker="o", markersize=12, markerfacecolor="none", markeredgecolor="#34495e",
                    linestyle="none")
            ax.text(x, y, str(i + 1), ha="center", va="center", fontsize=7, color="#34495e")
            x, y = where[("residual", i)]
            ax.plot([x], [y], marker="o", markersize=12, markerfacecolor="#34495e", markeredgecolor="#34495e",
                    linestyle="none")
            ax.text(x, y, str(i + 1), ha="center", va="center", fontsize=7, color="#ffffff")
            x, y = where[("planned", i)]
            same = point.planned == point.residual
            if same:  # beside the filled circle's number, so both stay readable
                x, y = x + 0.16, y + 0.16
            ax.plot([x], [y], marker="^",
                    markersize=5 if same else 12, markerfacecolor="#2e86c1",
                    markeredgecolor="#ffffff" if same else "#2e86c1", linestyle="none",
                    zorder=3 if same else 2)
            if not same:
                ax.text(x, y - 0.02, str(i + 1), ha="center", va="center", fontsize=7, color="#ffffff")
        ax.set_xlim(0.5, 4.5)
        ax.set_ylim(0.5, 4.5)
        ax.set_xticks(range(1, 5), [f"{s_key}{n}\n{levels[n - 1]}" for n in range(1, 5)], fontsize=7)
        ax.set_yticks(range(1, 5), [f"{l_key}{n}\n{levels[n - 1]}" for n in range(1, 5)], fontsize=7)
        ax.set_xlabel(labels.get("axis-severity", language), fontsize=8)
        ax.set_ylabel(labels.get("axis-likelihood", language), fontsize=8)
        # parse_math=False: a register text with '$' signs is text, not mathtext (which could fail to parse)
        ax.set_title(title or labels.get("risk-map", language), fontsize=9, parse_math=False)
        keys = [Patch(fc=LEVEL_COLOURS[n - 1], ec="#999999", label=f"{n} {levels[n - 1]}") for n in range(1, 5)]
        fig.legend(handles=keys, title=labels.get("level-key", language), loc="upper left",
                   bbox_to_anchor=(0.6, 0.92), fontsize=7, title_fontsize=7.5, frameon=False)
        marks = [f"○ {labels.get('inherent', language)}", f"● {labels.get('residual', language)}",
                 f"▲ {labels.get('planned', language)}", wrap_label(labels.get("map-marker-same", language), 44),
                 labels.get("lw-short", language), ""]
        legend = [wrap_label(f"{i + 1}. {point.label}", 44, "   ") for i, point in enumerate(points)]
        fig.text(0.6, 0.62, "\n".join(marks + legend), va="top", ha="left", fontsize=7, parse_math=False)
    return fig
