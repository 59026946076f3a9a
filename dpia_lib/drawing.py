"""Deterministic matplotlib drawings of the flow graph: the whole register or one activity's neighbourhood.

Layout is layered, not random: parties that only send on the left, activities in the middle, parties
that receive on the right, each column sorted by id. Figures are built without pyplot (no global state),
with a fixed font and size, so the same register always draws the same picture.

>>> from dpia_lib import load_register
>>> from dpia_lib.flows import flow_graph
>>> fig = draw_flow_graph(flow_graph(load_register()), language="en")
>>> fig.get_size_inches().tolist()
[14.0, 9.0]
"""

from __future__ import annotations

import io
from typing import Any

import networkx as nx
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

__all__ = ["STYLE", "draw_flow_graph", "figure_bytes", "layered_layout", "wrap_label"]

STYLE: Any = {"font.family": "DejaVu Sans", "font.size": 8, "svg.hashsalt": "dpia", "path.simplify": False}
_COLOURS = {"activity": "#cfe2f3", "party": "#fce5cd", "special": "#f4cccc"}


def layered_layout(G: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Positions in three columns: sending-only parties, activities, receiving parties."""
    columns: list[list[str]] = [[], [], []]
    for node in sorted(G.nodes):
        if G.nodes[node]["kind"] == "activity":
            columns[1].append(node)
        elif G.in_degree(node) == 0:
            columns[0].append(node)
        else:
            columns[2].append(node)
    pos: dict[str, tuple[float, float]] = {}
    for x, column in enumerate(columns):
        n = len(column)
        for i, node in enumerate(column):
            pos[node] = (float(x), 1.0 - (i + 0.5) / n if n else 0.5)
    return pos


def draw_flow_graph(
    G: nx.MultiDiGraph,
    *,
    language: str = "nl",
    highlight: frozenset[str] = frozenset(),
    title: str | None = None,
    size: tuple[float, float] = (14.0, 9.0),
) -> Figure:
    """Draw ``G``; edges carrying a ``highlight`` category (e.g. special categories) are drawn red."""
    import matplotlib

    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=size, dpi=100)
        ax = fig.add_subplot()
        ax.set_axis_off()
        pos = layered_layout(G)
        seen: dict[tuple[str, str], int] = {}
        for u, v, key, data in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
            rank = seen.get((u, v), 0)
            seen[(u, v)] = rank + 1
            special = bool(data["categories"] & highlight)
            ax.add_patch(FancyArrowPatch(
                pos[u], pos[v], arrowstyle="-|>", mutation_scale=10, shrinkA=18, shrinkB=18,
                connectionstyle=f"arc3,rad={0.08 + 0.07 * rank}",
                color="#c0392b" if special else ("#7f8c8d" if data["kind"] == "hosting" else "#34495e"),
                linestyle="--" if data["kind"] == "hosting" else "-", linewidth=1.4 if special else 0.8,
            ))
        for node in sorted(G.nodes):
            attrs = G.nodes[node]
            label = attrs["label"].get(language) if hasattr(attrs.get("label"), "get") else node
            x, y = pos[node]
            ax.text(x, y, wrap_label(str(label)), ha="center", va="center", fontsize=7, parse_math=False,
                    bbox={"boxstyle": "round,pad=0.4", "fc": _COLOURS[attrs["kind"]], "ec": "#555555", "lw": 0.6})
        ax.set_xlim(-0.35, 2.35)
        ax.set_ylim(-0.05, 1.05)
        if title:
            ax.set_title(title, fontsize=11, parse_math=False)
        fig.tight_layout()
    return fig


def wrap_label(text: str, width: int = 24, indent: str = "") -> str:
    r"""``text`` broken into lines of at most ``width`` characters (longer words stay whole);
    continuation lines start with ``indent``.

    >>> wrap_label("Client-tracking-system supplier")
    'Client-tracking-system\nsupplier'
    >>> wrap_label("1. Health information reaching the employer", 20, "   ")
    '1. Health\n   information\n   reaching the\n   employer'
    """
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = indent + word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)


def figure_bytes(fig: Figure, fmt: str = "png") -> bytes:
    """``fig`` saved as ``fmt`` ('png' or 'svg') under the fixed style, without dates or software tags,
    so the same figure always gives the same bytes."""
    import matplotlib

    buffer = io.BytesIO()
    metadata: dict[str, Any] = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    with matplotlib.rc_context(STYLE):
        fig.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()
