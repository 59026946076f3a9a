"""The CNIL risk map: a 4×4 grid of severity (x) by likelihood (y) with each feared event's inherent,
residual and planned position, drawn without pyplot, with a fixed font and size.

Markers: an open circle for the inherent risk (no measures), a filled circle for the residual risk
(measures in place), a triangle for the projected risk after the planned measures; arrows join them.
Each risk is numbered; the legend gives the numbers' labels. Cell colours follow the CNIL PIA guide's
map: green where both levels are low, red where both are high (basis: analysis of CNIL, PIA Knowledge
Bases, 2018).

>>> fig = risk_map([RiskPoint("Illegitimate access", (3, 3), (2, 2), (1, 2))], language="en")
>>> fig.get_size_inches().tolist(), len(fig.axes)
([9.0, 6.0], 1)
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure

from dpia_lib.drawing import STYLE, wrap_label
from dpia_lib.report.labels import load_labels

__all__ = ["RiskPoint", "cell_colour", "risk_map"]



@dataclass(frozen=True)
class RiskPoint:
    """One feared event's positions as ``(likelihood, severity)`` pairs, each level 1–4."""

    label: str
    inherent: tuple[int, int]
    residual: tuple[int, int]
    planned: tuple[int, int]


def cell_colour(likelihood: int, severity: int) -> str:
    """The background colour of a map cell.

    >>> cell_colour(1, 1), cell_colour(4, 4), cell_colour(1, 4)
    ('#d9ead3', '#f4cccc', '#fce5cd')
    """
    score = likelihood + severity
    if score <= 4:
        return "#d9ead3"
    if score >= 7 or (likelihood >= 3 and severity >= 3):
        return "#f4cccc"
    return "#fce5cd"


def _offset(index: int, count: int) -> tuple[float, float]:
    """Spread several markers in one cell on a small circle, deterministically."""
    if count <= 1:
        return 0.0, 0.0
    import math

    angle = 2 * math.pi * index / count
    return 0.28 * math.cos(angle), 0.28 * math.sin(angle)


def _kinds(point: RiskPoint) -> tuple[str, ...]:
    """The markers to draw: the planned one only where it differs from the residual one."""
    return ("inherent", "residual") if point.planned == point.residual else ("inherent", "residual", "planned")


def risk_map(points: Sequence[RiskPoint], *, language: str = "nl", title: str | None = None) -> Figure:
    """Draw the risk map of ``points`` (in the given order, numbered from 1)."""
    import matplotlib

    labels = load_labels()
    levels = [labels.get(f"level-{n}", language) for n in range(1, 5)]
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(9.0, 6.0), dpi=100)
        ax = fig.add_axes((0.12, 0.1, 0.5, 0.8))
        for likelihood in range(1, 5):
            for severity in range(1, 5):
                ax.add_patch(matplotlib.patches.Rectangle(
                    (severity - 0.5, likelihood - 0.5), 1, 1, facecolor=cell_colour(likelihood, severity),
                    edgecolor="#ffffff", linewidth=2))
        slots: dict[tuple[str, tuple[int, int]], list[int]] = {}
        for i, point in enumerate(points):
            for kind in _kinds(point):
                slots.setdefault((kind, getattr(point, kind)), []).append(i)
        by_cell: dict[tuple[int, int], list[tuple[str, int]]] = {}
        for (kind, cell), indices in sorted(slots.items()):
            for i in indices:
                by_cell.setdefault(cell, []).append((kind, i))
        where: dict[tuple[str, int], tuple[float, float]] = {}
        for cell, members in sorted(by_cell.items()):
            for j, (kind, i) in enumerate(members):
                dx, dy = _offset(j, len(members))
                where[(kind, i)] = (cell[1] + dx, cell[0] + dy)
        marker = {"inherent": ("o", "none"), "residual": ("o", "#34495e"), "planned": ("^", "#2e86c1")}
        for i, _point in enumerate(points):
            kinds = _kinds(_point)
            chain = [where[(k, i)] for k in kinds]
            for start, end in itertools.pairwise(chain):
                if start != end:
                    ax.annotate("", xy=end, xytext=start,
                                arrowprops={"arrowstyle": "->", "color": "#7f8c8d", "lw": 0.7})
            for kind, (x, y) in zip(kinds, chain, strict=True):
                shape, face = marker[kind]
                ax.plot([x], [y], marker=shape, markersize=13, markerfacecolor=face,
                        markeredgecolor="#34495e", linestyle="none")
                ax.text(x, y, str(i + 1), ha="center", va="center", fontsize=7,
                        color="#ffffff" if kind != "inherent" else "#34495e")
        ax.set_xlim(0.5, 4.5)
        ax.set_ylim(0.5, 4.5)
        ax.set_xticks(range(1, 5), levels)
        ax.set_yticks(range(1, 5), levels)
        ax.set_xlabel(labels.get("severity", language))
        ax.set_ylabel(labels.get("likelihood", language))
        ax.set_aspect("equal")
        # parse_math=False: a register text with '$' signs is text, not mathtext (which could fail to parse)
        ax.set_title(title or labels.get("risk-map", language), fontsize=11, parse_math=False)
        legend = [f"{i + 1}. {point.label}" for i, point in enumerate(points)]
        keys = [f"○ {labels.get('inherent', language)}", f"● {labels.get('residual', language)}",
                f"▲ {labels.get('planned', language)}"]
        fig.text(0.63, 0.9, "\n".join(keys + [""] + [wrap_label(line, 44, "   ") for line in legend]),
                 va="top", ha="left", fontsize=8, parse_math=False)
    return fig
